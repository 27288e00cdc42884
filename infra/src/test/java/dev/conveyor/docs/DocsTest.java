package dev.conveyor.docs;

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
import org.junit.jupiter.api.io.TempDir;

/** The README and the guides in docs/: every relative link resolves, and what scripts read of the README is there. */
class DocsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void everyRelativeLinkResolvesToAFileAndHeading() {
        MarkdownLinks links = new MarkdownLinks(ROOT);
        List<Path> files = links.files();
        assertTrue(files.contains(ROOT.resolve("README.md")) && files.contains(ROOT.resolve("docs/DECISIONS.md")),
                "found " + files);
        List<String> broken = new ArrayList<>();
        files.forEach(file -> broken.addAll(links.broken(file)));
        assertEquals(List.of(), broken, "broken links");
    }

    @Test
    void everyGuideInDocsIsOneClickFromTheReadme() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        List<String> missing = new ArrayList<>();
        try (var guides = Files.list(ROOT.resolve("docs"))) {
            guides.filter(path -> path.toString().endsWith(".md"))
                    .map(path -> "docs/" + path.getFileName())
                    .filter(guide -> !readme.contains("](" + guide + ")") && !readme.contains("](" + guide + "#"))
                    .sorted()
                    .forEach(missing::add);
        }
        assertEquals(List.of(), missing, "guides the README does not link");
    }

    /** CI and the hooks read these: the first code block under each heading is the command to run. */
    @Test
    void quickStartAndPerformanceOpenWithTheirCommands() throws IOException {
        String readme = Files.readString(ROOT.resolve("README.md"));
        assertEquals("./conveyor local\n./mvnw verify", firstCodeBlock(readme, "## Quick start"));
        assertTrue(firstCodeBlock(readme, "## Performance").startsWith("./conveyor bench"),
                firstCodeBlock(readme, "## Performance"));
    }

    private static String firstCodeBlock(String markdown, String heading) {
        int at = markdown.indexOf("\n" + heading + "\n");
        assertTrue(at >= 0, "no heading " + heading);
        Matcher block = Pattern.compile("\n```[a-z]*\n(.*?)\n```", Pattern.DOTALL).matcher(markdown);
        assertTrue(block.find(at), "no code block after " + heading);
        int next = markdown.indexOf("\n## ", at + 1);
        assertTrue(next < 0 || block.start() < next, "the first code block after " + heading + " is in another section");
        return block.group(1).strip();
    }

    @Test
    void theCheckerReportsAMissingFileAMissingHeadingAndNothingInCode(@TempDir Path repo) throws IOException {
        Files.createDirectories(repo.resolve("docs"));
        Files.writeString(repo.resolve("docs/guide.md"), """
                # A guide

                ## The API, in short (v2)
                ## Twice
                ## Twice
                """);
        Files.writeString(repo.resolve("README.md"), """
                # Title
                [ok](docs/guide.md) [ok](docs/guide.md#the-api-in-short-v2) [ok](docs/guide.md#twice-1) [ok](#title)
                ![ok](docs) [web](https://example.com/nothing) `[code](nowhere.md)`
                [gone](docs/gone.md)
                [no heading](docs/guide.md#the-api) [no second repeat](docs/guide.md#twice-2)
                [up](../outside.md)
                [label]: docs/also-gone.md
                [a link over
                two lines](docs/gone-too.md)
                ```
                [in a block](nowhere.md)
                ```
                """);
        MarkdownLinks links = new MarkdownLinks(repo);

        assertEquals(List.of(repo.resolve("README.md"), repo.resolve("docs/guide.md")), links.files());
        assertEquals(List.of(
                "README.md:4: docs/gone.md (no such file)",
                "README.md:5: docs/guide.md#the-api (no heading with this anchor in docs/guide.md)",
                "README.md:5: docs/guide.md#twice-2 (no heading with this anchor in docs/guide.md)",
                "README.md:6: ../outside.md (outside the repository)",
                "README.md:7: docs/also-gone.md (no such file)",
                "README.md:8: docs/gone-too.md (no such file)"), links.broken(repo.resolve("README.md")));
    }

    @Test
    void slugsAreGitHubs() {
        assertEquals("the-aws-sdk-snapstart-and-traces-issue-15", MarkdownLinks.slug("The AWS SDK, SnapStart and traces (issue 15)"));
        assertEquals("post-jobsbatch", MarkdownLinks.slug("`POST /jobs/batch`"));
        assertEquals("delivery-guarantees-and-how-they-are-tested", MarkdownLinks.slug("Delivery guarantees, and how they are tested"));
        assertEquals("the-client-and-cli", MarkdownLinks.slug("[The client](docs/client.md) and CLI"));
    }
}
