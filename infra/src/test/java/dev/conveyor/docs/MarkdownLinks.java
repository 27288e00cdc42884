package dev.conveyor.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The relative links of a repository's Markdown files, checked as GitHub renders them: each must name a file or
 * folder inside the repository and, for {@code file.md#anchor} or {@code #anchor}, a heading of that file (the slug
 * GitHub makes of it). Links with a scheme ({@code https:}, {@code mailto:}) are not followed; links inside code
 * (fenced blocks, inline code) are not links.
 */
final class MarkdownLinks {
    /**
     * {@code [text](target)} and {@code ![alt](target)}, with an optional title after the target. The text may run
     * over lines, as Markdown allows; the target may not.
     */
    private static final Pattern INLINE = Pattern.compile("!?\\[(?:[^\\[\\]]|\\[[^\\]]*\\])*\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
    /** {@code [label]: target} on a line of its own. */
    private static final Pattern DEFINITION = Pattern.compile("^ {0,3}\\[[^\\]]+\\]:[ \\t]+<?(\\S+?)>?(?:[ \\t]+.*)?$", Pattern.MULTILINE);
    private static final Pattern HEADING = Pattern.compile("^ {0,3}#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern FENCE = Pattern.compile("^ {0,3}(```|~~~)");
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)(?:(?!\\1).)+?\\1");
    private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:");

    private final Path root;
    private final Map<Path, Set<String>> anchors = new HashMap<>();

    MarkdownLinks(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    /** Every Markdown file under the root, outside build output, dependencies and hidden folders. */
    List<Path> files() {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(path -> path.toString().endsWith(".md") && !skipped(root.relativize(path).getParent()))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean skipped(Path folder) {
        if (folder == null) {
            return false;
        }
        for (Path part : folder) {
            String name = part.toString();
            if (name.startsWith(".") || name.equals("target") || name.equals("node_modules")) {
                return true;
            }
        }
        return false;
    }

    /** The broken links of one file, each as {@code file:line: target (why)}; empty when all resolve. */
    List<String> broken(Path file) {
        String text = prose(read(file));
        List<String> problems = new ArrayList<>();
        List<int[]> found = new ArrayList<>(); // offset of the link, offset of its target
        Matcher inline = INLINE.matcher(text);
        while (inline.find()) {
            found.add(new int[] {inline.start(), inline.start(1), inline.end(1)});
        }
        Matcher definition = DEFINITION.matcher(text);
        while (definition.find()) {
            found.add(new int[] {definition.start(), definition.start(1), definition.end(1)});
        }
        found.sort((a, b) -> Integer.compare(a[0], b[0]));
        for (int[] link : found) {
            String target = text.substring(link[1], link[2]);
            String why = check(file, target);
            if (why != null) {
                int line = 1 + (int) text.substring(0, link[0]).chars().filter(c -> c == '\n').count();
                problems.add(root.relativize(file) + ":" + line + ": " + target + " (" + why + ")");
            }
        }
        return problems;
    }

    /** The file's text with code left out (fenced blocks as empty lines, inline code as nothing), lines kept. */
    private static String prose(List<String> lines) {
        StringBuilder text = new StringBuilder();
        boolean inFence = false;
        for (String line : lines) {
            if (FENCE.matcher(line).find()) {
                inFence = !inFence;
            } else if (!inFence) {
                text.append(CODE_SPAN.matcher(line).replaceAll(""));
            }
            text.append('\n');
        }
        return text.toString();
    }

    /** Why a link's target does not resolve, or null when it does. */
    private String check(Path file, String target) {
        if (target.isEmpty()) {
            return "empty link";
        }
        if (SCHEME.matcher(target).find() || target.startsWith("//")) {
            return null;
        }
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path resolved = path.isEmpty() ? file : file.getParent().resolve(decode(path)).normalize();
        if (!resolved.startsWith(root)) {
            return "outside the repository";
        }
        if (!Files.exists(resolved)) {
            return "no such file";
        }
        if (anchor != null && resolved.toString().endsWith(".md") && !anchors(resolved).contains(decode(anchor))) {
            return "no heading with this anchor in " + root.relativize(resolved);
        }
        return null;
    }

    /** The anchors GitHub gives the headings of a file: each heading's slug, repeats numbered -1, -2, ... */
    Set<String> anchors(Path file) {
        return anchors.computeIfAbsent(file, f -> {
            Set<String> slugs = new HashSet<>();
            Map<String, Integer> seen = new HashMap<>();
            boolean inFence = false;
            for (String line : read(f)) {
                if (FENCE.matcher(line).find()) {
                    inFence = !inFence;
                    continue;
                }
                Matcher heading = HEADING.matcher(line);
                if (!inFence && heading.matches()) {
                    String slug = slug(heading.group(1));
                    int count = seen.merge(slug, 1, Integer::sum);
                    slugs.add(count == 1 ? slug : slug + "-" + (count - 1));
                }
            }
            return slugs;
        });
    }

    /** GitHub's slug of a heading: lower case, punctuation but {@code -} and {@code _} dropped, spaces as hyphens. */
    static String slug(String heading) {
        String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1"); // a link counts by its text
        return text.toLowerCase(Locale.ROOT)
                .replaceAll("[^\\p{L}\\p{N}\\p{M} _-]", "")
                .replace(' ', '-');
    }

    private static String decode(String text) {
        return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
