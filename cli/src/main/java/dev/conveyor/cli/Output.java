package dev.conveyor.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.conveyor.client.Job;
import dev.conveyor.client.JobEvent;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** How the commands print: tables and lines for people, JSON for scripts. */
final class Output {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Output() {
    }

    static String json(JsonNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String jsonArray(Stream<JsonNode> nodes) {
        ArrayNode array = JSON.createArrayNode();
        nodes.forEach(array::add);
        return json(array);
    }

    /** An event as the API sends it. */
    static ObjectNode json(JobEvent event) {
        ObjectNode json = JSON.createObjectNode();
        json.put("event", event.event());
        json.put("attempt", event.attempt());
        json.put("at", text(event.at()));
        json.put("error", event.error());
        if (event.nextAttemptAt() != null) {
            json.put("next_attempt_at", text(event.nextAttemptAt()));
        }
        if (event.detail() != null) {
            json.set("detail", event.detail());
        }
        return json;
    }

    /** A job's fields, one a line. */
    static void job(Job job, PrintStream out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"id", job.id()});
        rows.add(new String[] {"type", job.type()});
        rows.add(new String[] {"state", job.stateName()});
        rows.add(new String[] {"attempt", job.attempt() + " of " + (job.maxRetries() + 1)});
        rows.add(new String[] {"payload", json(job.payload())});
        rows.add(new String[] {"result", job.result() == null ? "" : json(job.result())});
        rows.add(new String[] {"last error", job.lastError()});
        rows.add(new String[] {"created", text(job.createdAt())});
        rows.add(new String[] {"started", text(job.startedAt())});
        rows.add(new String[] {"finished", text(job.finishedAt())});
        rows.add(new String[] {"next attempt", text(job.nextAttemptAt())});
        rows.add(new String[] {"duration", job.durationSeconds() == null ? "" : job.durationSeconds() + " s"});
        rows.add(new String[] {"trace", job.traceId()});
        for (String[] row : rows) {
            if (row[1] != null && !row[1].isEmpty()) {
                out.println(String.format("%-13s%s", row[0], row[1]));
            }
        }
    }

    static void jobs(List<Job> jobs, PrintStream out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "TYPE", "STATE", "ATTEMPT", "CREATED", "LAST ERROR"});
        for (Job job : jobs) {
            rows.add(new String[] {job.id(), job.type(), job.stateName(), job.attempt() + "/" + (job.maxRetries() + 1),
                    text(job.createdAt()), job.lastError() == null ? "" : job.lastError()});
        }
        table(rows, out);
    }

    static void events(List<JobEvent> events, PrintStream out) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"AT", "EVENT", "ATTEMPT", "ERROR"});
        for (JobEvent event : events) {
            rows.add(new String[] {text(event.at()), event.event(), Integer.toString(event.attempt()),
                    event.error() == null ? "" : event.error()});
        }
        table(rows, out);
    }

    /** An event on one line, as watch prints it. */
    static String line(JobEvent event) {
        return text(event.at()) + "  " + event.event() + "  attempt " + event.attempt()
                + (event.error() == null ? "" : "  " + event.error())
                + (event.nextAttemptAt() == null ? "" : "  next at " + text(event.nextAttemptAt()));
    }

    /** Columns as wide as their widest cell, two spaces apart; the last one as long as it is. */
    private static void table(List<String[]> rows, PrintStream out) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + (widths[i] + 2) + "s", row[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }

    private static String text(Instant instant) {
        return instant == null ? "" : instant.toString();
    }
}
