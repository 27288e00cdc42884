package dev.conveyor.jobtypes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.handler.JobContext;
import dev.conveyor.handler.JobHandler;
import dev.conveyor.handler.Payloads;
import dev.conveyor.handler.PermanentJobFailure;
import dev.conveyor.job.FieldError;
import dev.conveyor.json.Json;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code csv-summary}: summarises a CSV table given in the payload ({@code csv}, with a header line): the number
 * of rows and, for each column, how many values it has and, when they are all numbers, their min, max, sum and
 * mean, otherwise how many distinct values.
 */
// [START type]
public final class CsvSummaryHandler implements JobHandler {
    @Override
    public String type() {
        return "csv-summary";
    }
    // [END type]

    // [START validate]
    @Override
    public List<FieldError> validate(JsonNode payload, double timeoutSeconds) {
        List<FieldError> errors = new ArrayList<>(Payloads.unknownFields(payload, Set.of("csv")));
        JsonNode csv = payload.get("csv");
        if (csv == null) {
            errors.add(new FieldError("payload.csv", "is required"));
        } else if (!csv.isTextual() || csv.textValue().isBlank()) {
            errors.add(new FieldError("payload.csv", "must be a non-empty string: a header line, then rows"));
        } else {
            List<String> header = Csv.firstRecord(csv.textValue());
            if (header.stream().anyMatch(String::isBlank) || new HashSet<>(header).size() < header.size()) {
                errors.add(new FieldError("payload.csv", "the header line must name every column once"));
            }
        }
        return errors;
    }
    // [END validate]

    // [START run]
    @Override
    public JsonNode run(JobContext context) throws PermanentJobFailure, InterruptedException {
        List<List<String>> records = Csv.parse(context.payload().get("csv").textValue());
        List<String> header = records.get(0);
        List<Column> columns = header.stream().map(Column::new).toList();
        for (int row = 1; row < records.size(); row++) {
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedException("stopped at row " + row); // past the deadline: stop working
            }
            List<String> record = records.get(row);
            if (record.size() != header.size()) {
                throw new PermanentJobFailure("row " + row + " has " + record.size() + " fields; the header has "
                        + header.size()); // another attempt would read the same row
            }
            for (int i = 0; i < record.size(); i++) {
                columns.get(i).add(record.get(i));
            }
        }
        ObjectNode result = Json.object().put("rows", records.size() - 1);
        ArrayNode summaries = result.putArray("columns");
        columns.forEach(column -> summaries.add(column.summary()));
        return result;
    }
    // [END run]

    /** One column's values as the rows come. */
    private static final class Column {
        private final String name;
        private final Set<String> distinct = new HashSet<>();
        private int count;
        private int empty;
        private boolean numeric = true;
        private BigDecimal min;
        private BigDecimal max;
        private BigDecimal sum = BigDecimal.ZERO;

        Column(String name) {
            this.name = name;
        }

        void add(String value) {
            if (value.isBlank()) {
                empty++;
                return;
            }
            count++;
            distinct.add(value);
            if (numeric) {
                try {
                    BigDecimal number = new BigDecimal(value.strip());
                    min = min == null || number.compareTo(min) < 0 ? number : min;
                    max = max == null || number.compareTo(max) > 0 ? number : max;
                    sum = sum.add(number);
                } catch (NumberFormatException e) {
                    numeric = false;
                }
            }
        }

        JsonNode summary() {
            ObjectNode summary = Json.object().put("name", name).put("count", count).put("empty", empty);
            if (numeric && count > 0) {
                summary.put("kind", "number").put("min", min).put("max", max).put("sum", sum)
                        .put("mean", sum.divide(BigDecimal.valueOf(count), MathContext.DECIMAL64));
            } else {
                summary.put("kind", "text").put("distinct", distinct.size());
            }
            return summary;
        }
    }
}
