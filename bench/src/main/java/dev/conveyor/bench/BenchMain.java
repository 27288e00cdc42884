package dev.conveyor.bench;

import dev.conveyor.json.Json;
import dev.conveyor.log.Log;
import java.nio.file.Path;

/**
 * {@code ./conveyor bench [--json] [options]}: measures Conveyor on this machine and prints the figures as a table;
 * with {@code --json}, also as one JSON object on the last line of stdout. Progress goes to stderr.
 */
public final class BenchMain {
    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args, BenchOptions.defaults(Path.of("").toAbsolutePath()));
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println(e.getMessage());
            }
            System.err.println(BenchOptions.usage());
            System.exit(2);
            return;
        }
        // The ceiling's servers run in this JVM: their logs would bury the figures.
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        Log.configure(System.err, Log.Level.WARN);
        Results results = new Bench(options, System.err).run();
        System.out.print(Report.table(results));
        if (options.json()) {
            System.out.println(Json.write(Report.json(results)));
        }
        System.out.flush();
        System.exit(0);
    }
}
