package dev.conveyor.local.template;

import dev.conveyor.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes templates resolved as {@link ResolvedTemplate} describes, as JSON, for the checks that need their values
 * (tools/template-checks): {@code ResolveMain [--parameter Name=Value]... TEMPLATE OUT.json [TEMPLATE OUT.json]...}.
 * Several in one run, for one JVM start.
 */
public final class ResolveMain {
    private ResolveMain() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> overrides = new LinkedHashMap<>();
        List<String> files = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--parameter") && i + 1 < args.length) {
                String assignment = args[++i];
                int equals = assignment.indexOf('=');
                if (equals < 1) {
                    usage("not Name=Value: " + assignment);
                }
                overrides.put(assignment.substring(0, equals), assignment.substring(equals + 1));
            } else {
                files.add(args[i]);
            }
        }
        if (files.isEmpty() || files.size() % 2 != 0) {
            usage("give each template its output file");
        }
        for (int i = 0; i < files.size(); i += 2) {
            Path template = Path.of(files.get(i));
            Path out = Path.of(files.get(i + 1));
            Map<String, Object> resolved = ResolvedTemplate.resolve(Template.load(template), "conveyor", overrides);
            if (out.getParent() != null) {
                Files.createDirectories(out.getParent());
            }
            Files.writeString(out, Json.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(resolved) + "\n");
        }
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: ResolveMain [--parameter Name=Value]... TEMPLATE OUT.json [TEMPLATE OUT.json]...");
        System.exit(2);
    }
}
