package dev.conveyor.functions.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's own scripts never turn text into markup or code: data from jobs (payloads, results, errors, type
 * names) reaches the page through {@code textContent} only. The browser tests show hostile data inert on the pages
 * they visit; this holds the rule for every line, including views a test does not reach.
 */
class DashboardSourcesTest {
    private static final Path SOURCES = Path.of("src", "main", "resources");
    private static final Pattern FORBIDDEN = Pattern.compile(
            "\\.innerHTML|\\.outerHTML|insertAdjacentHTML|document\\.write|\\beval\\s*\\(|new Function\\s*\\("
                    + "|setTimeout\\s*\\(\\s*['\"`]|createContextualFragment|DOMParser");

    @Test
    void noScriptOfOursParsesMarkupOrEvaluatesText() throws IOException {
        List<Path> scripts;
        try (Stream<Path> files = Files.walk(SOURCES)) {
            scripts = files.filter(p -> p.toString().endsWith(".js")).toList();
        }
        assertFalse(scripts.isEmpty(), "no scripts under " + SOURCES.toAbsolutePath());
        List<String> found = new ArrayList<>();
        for (Path script : scripts) {
            List<String> lines = Files.readAllLines(script);
            for (int i = 0; i < lines.size(); i++) {
                Matcher matcher = FORBIDDEN.matcher(lines.get(i));
                if (matcher.find()) {
                    found.add(script + ":" + (i + 1) + ": " + lines.get(i).trim());
                }
            }
        }
        assertEquals(List.of(), found, "markup or code made from text");
    }
}
