package dev.conveyor.store.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * SQL with {@code :name} parameters, as the RDS Data API takes it, turned into JDBC's positional {@code ?} form.
 * A colon inside a string literal (an {@code E'...'} one too, where a backslash escapes a quote), a quoted
 * identifier, a dollar-quoted body or a comment is not a parameter, and neither is a {@code ::} cast.
 *
 * @param jdbcSql the statement with a {@code ?} for each parameter occurrence
 * @param names the parameter name of each {@code ?}, in order; a name used twice appears twice
 */
public record NamedSql(String jdbcSql, List<String> names) {

    public static NamedSql parse(String sql) {
        StringBuilder out = new StringBuilder(sql.length());
        List<String> names = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            int end;
            if (c == '\'' || c == '"') {
                end = skipQuoted(sql, i, c, c == '\'' && isEscapeStringPrefix(sql, i));
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                end = skipLineComment(sql, i);
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                end = skipBlockComment(sql, i);
            } else if (c == '$' && (end = skipDollarQuoted(sql, i)) > i) {
                // a dollar-quoted body, copied whole below
            } else if (c == ':' && i + 1 < n && sql.charAt(i + 1) == ':') {
                end = i + 2;
            } else if (c == ':' && i + 1 < n && isNameStart(sql.charAt(i + 1))) {
                int j = i + 2;
                while (j < n && isNamePart(sql.charAt(j))) {
                    j++;
                }
                names.add(sql.substring(i + 1, j));
                out.append('?');
                i = j;
                continue;
            } else {
                end = i + 1;
            }
            out.append(sql, i, end);
            i = end;
        }
        return new NamedSql(out.toString(), List.copyOf(names));
    }

    private static int skipQuoted(String sql, int start, char quote, boolean backslashEscapes) {
        int i = start + 1;
        while (i < sql.length()) {
            if (backslashEscapes && sql.charAt(i) == '\\') {
                i += 2;
                continue;
            }
            if (sql.charAt(i) == quote) {
                if (i + 1 < sql.length() && sql.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return sql.length();
    }

    /** Whether the quote at {@code quote} opens an escape string: {@code E'...'}, the E not ending a longer name. */
    private static boolean isEscapeStringPrefix(String sql, int quote) {
        return quote > 0 && (sql.charAt(quote - 1) == 'E' || sql.charAt(quote - 1) == 'e')
                && (quote == 1 || !isNamePart(sql.charAt(quote - 2)) && sql.charAt(quote - 2) != '$');
    }

    private static int skipLineComment(String sql, int start) {
        int end = sql.indexOf('\n', start);
        return end < 0 ? sql.length() : end + 1;
    }

    private static int skipBlockComment(String sql, int start) {
        int depth = 0;
        int i = start;
        while (i < sql.length() - 1) {
            if (sql.charAt(i) == '/' && sql.charAt(i + 1) == '*') {
                depth++;
                i += 2;
            } else if (sql.charAt(i) == '*' && sql.charAt(i + 1) == '/') {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        return sql.length();
    }

    /** The end of a dollar-quoted string starting at {@code start}, or {@code start} when there is none. */
    private static int skipDollarQuoted(String sql, int start) {
        if (start > 0 && isNamePart(sql.charAt(start - 1))) {
            return start; // $ inside an identifier, or a positional $1
        }
        int j = start + 1;
        while (j < sql.length() && sql.charAt(j) != '$') {
            if (!isNamePart(sql.charAt(j)) || Character.isDigit(sql.charAt(start + 1))) {
                return start;
            }
            j++;
        }
        if (j >= sql.length()) {
            return start;
        }
        String tag = sql.substring(start, j + 1);
        int close = sql.indexOf(tag, j + 1);
        return close < 0 ? sql.length() : close + tag.length();
    }

    private static boolean isNameStart(char c) {
        return Character.isLetter(c) || c == '_';
    }

    private static boolean isNamePart(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}
