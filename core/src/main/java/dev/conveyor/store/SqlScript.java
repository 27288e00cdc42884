package dev.conveyor.store;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a SQL script into statements at top-level semicolons, leaving those inside quotes, comments and
 * dollar-quoted bodies alone: the RDS Data API runs one statement per call.
 */
final class SqlScript {
    private SqlScript() {
    }

    static List<String> statements(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        int i = 0;
        int n = script.length();
        while (i < n) {
            char c = script.charAt(i);
            int end = i + 1;
            if (c == '\'' || c == '"') {
                end = script.indexOf(c, i + 1);
                while (end >= 0 && end + 1 < n && script.charAt(end + 1) == c) {
                    end = script.indexOf(c, end + 2);
                }
                end = end < 0 ? n : end + 1;
            } else if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
                int newline = script.indexOf('\n', i);
                i = newline < 0 ? n : newline + 1;
                current.append('\n');
                continue;
            } else if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
                int close = script.indexOf("*/", i + 2);
                i = close < 0 ? n : close + 2;
                current.append(' ');
                continue;
            } else if (c == '$') {
                int tagEnd = script.indexOf('$', i + 1);
                String tag = tagEnd < 0 ? "" : script.substring(i, tagEnd + 1);
                if (tag.matches("\\$[A-Za-z_]*\\$")) {
                    int close = script.indexOf(tag, tagEnd + 1);
                    end = close < 0 ? n : close + tag.length();
                }
            } else if (c == ';') {
                add(statements, current);
                i++;
                continue;
            }
            current.append(script, i, end);
            i = end;
        }
        add(statements, current);
        return statements;
    }

    private static void add(List<String> statements, StringBuilder current) {
        String statement = current.toString().strip();
        if (!statement.isEmpty()) {
            statements.add(statement);
        }
        current.setLength(0);
    }
}
