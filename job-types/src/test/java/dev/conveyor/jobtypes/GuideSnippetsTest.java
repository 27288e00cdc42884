package dev.conveyor.jobtypes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/write-a-job-type.md shows code that these modules compile and test: each block under a marker
 * {@code <!-- snippet: path#region -->} must equal the lines between {@code [START region]} and
 * {@code [END region]} in that file (path from the repository's root), less their common indentation.
 */
class GuideSnippetsTest {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Path GUIDE = ROOT.resolve("docs/write-a-job-type.md");
    private static final Pattern SNIPPET = Pattern.compile(
            "<!-- snippet: ([^#\\s]+)#(\\S+) -->\\n```[a-z]*\\n(.*?)```\\n", Pattern.DOTALL);

    @Test
    void everyBlockInTheGuideIsTheSourceItNames() throws IOException {
        String guide = Files.readString(GUIDE);
        Matcher m = SNIPPET.matcher(guide);
        List<String> checked = new ArrayList<>();
        while (m.find()) {
            String source = m.group(1) + "#" + m.group(2);
            assertEquals(region(ROOT.resolve(m.group(1)), m.group(2)), m.group(3),
                    "the guide's block for " + source + " differs from the source; copy it again");
            checked.add(source);
        }
        // Every marker is followed by a block (else the pattern skipped it), and there are some.
        assertEquals(guide.split("<!-- snippet: ", -1).length - 1, checked.size(), "a marker with no block: " + checked);
        assertTrue(checked.size() >= 6, "the guide shows fewer snippets than it did: " + checked);
    }

    /** The lines of {@code file} between its region's markers, dedented, each ending in a newline. */
    static String region(Path file, String name) throws IOException {
        List<String> lines = Files.readAllLines(file);
        int start = indexOf(lines, "[START " + name + "]", file);
        int end = indexOf(lines, "[END " + name + "]", file);
        List<String> body = lines.subList(start + 1, end);
        int indent = body.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        StringBuilder text = new StringBuilder();
        body.forEach(l -> text.append(l.isBlank() ? "" : l.substring(indent)).append('\n'));
        return text.toString();
    }

    private static int indexOf(List<String> lines, String marker, Path file) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(marker)) {
                return i;
            }
        }
        throw new AssertionError(file + " has no " + marker);
    }
}
