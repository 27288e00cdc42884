package dev.conveyor.functions.dashboard;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Text files on the classpath: one by name, or every file of a directory. On Lambda the artifact is unpacked, so a
 * directory is one of the file system's; locally the function's classes may be a jar.
 */
final class ClasspathFiles {
    private final ClassLoader loader;

    ClasspathFiles(ClassLoader loader) {
        this.loader = loader;
    }

    /** The file's text, or null when there is no such file. */
    String read(String name) {
        try (InputStream in = loader.getResourceAsStream(name)) {
            return in == null ? null : utf8(in.readAllBytes(), name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + name + " from the classpath", e);
        }
    }

    /**
     * Every file under {@code directory} (which holds {@code anchor}, a file it must have), by its name relative to
     * the directory, in name order.
     */
    Map<String, String> readAll(String directory, String anchor) {
        URL url = loader.getResource(directory + "/" + anchor);
        if (url == null) {
            throw new IllegalStateException("the classpath has no " + directory + "/" + anchor);
        }
        try {
            return switch (url.getProtocol()) {
                case "file" -> fromDirectory(Path.of(url.toURI()).getParent());
                case "jar" -> fromJar((JarURLConnection) url.openConnection(), directory + "/");
                default -> throw new IllegalStateException("cannot list " + url);
            };
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + directory + " from the classpath", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot list " + url, e);
        }
    }

    private static Map<String, String> fromDirectory(Path root) throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : (Iterable<Path>) paths.filter(Files::isRegularFile)::iterator) {
                String name = root.relativize(path).toString().replace('\\', '/');
                files.put(name, utf8(Files.readAllBytes(path), name));
            }
        }
        return files;
    }

    private static Map<String, String> fromJar(JarURLConnection connection, String prefix) throws IOException {
        connection.setUseCaches(false);
        Map<String, String> files = new TreeMap<>();
        try (JarFile jar = connection.getJarFile()) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (!entry.isDirectory() && entry.getName().startsWith(prefix)) {
                    try (InputStream in = jar.getInputStream(entry)) {
                        files.put(entry.getName().substring(prefix.length()), utf8(in.readAllBytes(), entry.getName()));
                    }
                }
            }
        }
        return files;
    }

    /** API Gateway carries text bodies only (without binary media types): a file that is not UTF-8 cannot be served. */
    private static String utf8(byte[] bytes, String name) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalStateException(name + " is not UTF-8 text; the dashboard serves text files only", e);
        }
    }
}
