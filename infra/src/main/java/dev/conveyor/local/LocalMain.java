package dev.conveyor.local;

import dev.conveyor.log.Log;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./conveyor local [--fresh] [--port 3000] [--data .conveyor] [--template template.yaml]
 * [--parameter Name=Value]... [--pollers 8] [--store jdbc|dataapi]}: runs Conveyor on this machine until Ctrl-C.
 * The store is the template's {@code Store}: {@code --store}, else {@code CONVEYOR_STORE} in the environment,
 * else the template's default.
 */
public final class LocalMain {
    private LocalMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        LocalRuntime.Options options;
        try {
            LocalRuntime.Options defaults = LocalRuntime.Options.defaults(Path.of("").toAbsolutePath());
            String store = System.getenv("CONVEYOR_STORE");
            if (store != null && !store.isBlank()) {
                defaults = defaults.withParameters(Map.of("Store", store.strip()));
            }
            options = parse(args, defaults);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(usage());
            System.exit(2);
            return;
        }
        Log.configure(System.out, Log.Level.valueOf(System.getenv().getOrDefault("CONVEYOR_LOG_LEVEL", "WARN")));
        long started = System.nanoTime();
        LocalRuntime runtime;
        try {
            runtime = LocalRuntime.start(options);
        } catch (RuntimeException e) {
            System.err.println("Conveyor could not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nStopping: no new requests or batches; letting the batches in flight finish...");
            runtime.close();
            System.out.println("Stopped.");
            stopped.countDown();
        }, "conveyor-shutdown"));
        System.out.print(runtime.describe());
        System.out.printf("Ready in %.1f s.%n", (System.nanoTime() - started) / 1e9);
        System.out.flush();
        stopped.await();
    }

    static LocalRuntime.Options parse(String[] args, LocalRuntime.Options defaults) {
        LocalRuntime.Options options = defaults;
        Map<String, String> parameters = new LinkedHashMap<>(defaults.parameters());
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--fresh" -> options = options.withFresh(true);
                case "--port" -> options = options.withPort(integer(arg, value(args, ++i, arg)));
                case "--pollers" -> options = options.withPollers(integer(arg, value(args, ++i, arg)));
                case "--store" -> parameters.put("Store", value(args, ++i, arg));
                case "--data" -> options = options.withDataDirectory(Path.of(value(args, ++i, arg)).toAbsolutePath());
                case "--template" -> options = new LocalRuntime.Options(Path.of(value(args, ++i, arg)).toAbsolutePath(),
                        options.dataDirectory(), options.fresh(), options.port(), options.sqsPort(),
                        options.parameters(), options.pollers(), options.stackName());
                case "--parameter" -> {
                    String pair = value(args, ++i, arg);
                    int eq = pair.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("--parameter takes Name=Value, not " + pair);
                    }
                    parameters.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
                case "--help", "-h" -> throw new IllegalArgumentException("");
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        return options.withParameters(parameters);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int integer(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " takes a number, not " + value);
        }
    }

    static String usage() {
        return """
                usage: ./conveyor local [options]
                  --fresh               start with an empty database (deletes the data directory's PostgreSQL data)
                  --port N              API gateway port (default 3000)
                  --data DIR            where PostgreSQL keeps its data (default .conveyor)
                  --template FILE       the SAM template to run (default template.yaml)
                  --parameter K=V       override a template parameter (repeatable)
                  --pollers N           concurrent pollers per SQS event source (default 8)
                  --store KIND          jdbc (default) or dataapi: how the functions reach PostgreSQL, directly or
                                        through the local RDS Data API (also CONVEYOR_STORE=dataapi)""";
    }
}
