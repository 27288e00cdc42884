package dev.conveyor.jobtypes;

import dev.conveyor.handler.PermanentJobFailure;
import java.util.ArrayList;
import java.util.List;

/** RFC 4180 CSV: comma-separated, fields optionally in double quotes ({@code ""} for a quote), CRLF or LF lines. */
final class Csv {
    private Csv() {
    }

    /** Every record; a blank last line is no record. */
    static List<List<String>> parse(String text) throws PermanentJobFailure {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"' && field.isEmpty()) {
                quoted = true;
            } else if (c == ',') {
                record.add(field.toString());
                field.setLength(0);
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                record.add(field.toString());
                field.setLength(0);
                records.add(record);
                record = new ArrayList<>();
            } else {
                field.append(c);
            }
        }
        if (quoted) {
            throw new PermanentJobFailure("a quoted field is never closed (record " + (records.size() + 1) + ")");
        }
        if (!field.isEmpty() || !record.isEmpty()) {
            record.add(field.toString());
            records.add(record);
        }
        return records;
    }

    /** The first record, for a cheap check of the header at submission; empty fields where it cannot be read. */
    static List<String> firstRecord(String text) {
        int end = text.indexOf('\n');
        try {
            List<List<String>> records = parse(end < 0 ? text : text.substring(0, end));
            return records.isEmpty() ? List.of("") : records.get(0);
        } catch (PermanentJobFailure e) {
            return List.of("");
        }
    }
}
