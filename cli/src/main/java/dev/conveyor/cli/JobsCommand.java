package dev.conveyor.cli;

import dev.conveyor.cli.ConveyorCli.Context;
import dev.conveyor.client.ConveyorClient;
import dev.conveyor.client.Job;
import dev.conveyor.client.JobEvent;
import dev.conveyor.client.JobFilter;
import dev.conveyor.client.JobRequest;
import dev.conveyor.client.JobState;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code conveyor jobs}: one subcommand per call of the job API, {@code gh}'s noun-verb way. */
@Command(name = "jobs", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND",
        description = "Submit, read, list, follow, retry and cancel jobs.")
final class JobsCommand implements Runnable {
    static final String DEFAULT_URL = "http://127.0.0.1:3000";

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "Missing a command: submit, get, list, events, watch, retry or cancel");
    }

    /** The options every subcommand takes: where the API is, its key, and how to print. */
    abstract static class ApiCommand implements Callable<Integer> {
        @Option(names = "--url", paramLabel = "URL",
                description = "The API's base URL (default: CONVEYOR_URL, else " + DEFAULT_URL + ").")
        String url;

        @Option(names = "--api-key", paramLabel = "KEY",
                description = "The API key (default: CONVEYOR_API_KEY, else .conveyor/api-key when there is one).")
        String apiKey;

        @Option(names = "--json", description = "Print JSON, as the API answers it, instead of a table.")
        boolean json;

        @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
        boolean help;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        final Context context;

        ApiCommand(Context context) {
            this.context = context;
        }

        ConveyorClient client() {
            String base = url != null ? url : context.environment().getOrDefault("CONVEYOR_URL", DEFAULT_URL);
            return ConveyorClient.builder().url(base).apiKey(apiKey()).build();
        }

        private String apiKey() {
            if (apiKey != null) {
                return apiKey;
            }
            String fromEnvironment = context.environment().get("CONVEYOR_API_KEY");
            if (fromEnvironment != null && !fromEnvironment.isBlank()) {
                return fromEnvironment.strip();
            }
            Path file = context.directory().resolve(".conveyor").resolve("api-key");
            try {
                return Files.isReadable(file) ? Files.readString(file, StandardCharsets.UTF_8).strip() : null;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }

        /** Prints a job: its JSON, or its fields one a line. */
        int print(Job job) {
            if (json) {
                context.out().println(Output.json(job.json()));
            } else {
                Output.job(job, context.out());
            }
            return ConveyorCli.OK;
        }
    }

    @Command(name = "submit", description = "Submit a job; prints it (its id first in the table).")
    static final class Submit extends ApiCommand {
        @Option(names = "--type", required = true, paramLabel = "TYPE", description = "The job's type: echo, sleep, fail, http or yours.")
        String type;

        @Option(names = "--payload", paramLabel = "JSON", defaultValue = "{}", description = "The payload, a JSON object (default {}).")
        String payload;

        @Option(names = "--max-retries", paramLabel = "N", description = "Retries after the first attempt, 0 to 10 (API default 3).")
        Integer maxRetries;

        @Option(names = "--retry-delay", paramLabel = "SECONDS", description = "The backoff's base, fractions allowed (API default 1).")
        BigDecimal retryDelay;

        @Option(names = "--timeout", paramLabel = "SECONDS", description = "How long an attempt may run (API default 30).")
        BigDecimal timeout;

        @Option(names = "--delay", paramLabel = "SECONDS", description = "Wait before the first attempt, whole seconds (default 0).")
        Long delay;

        @Option(names = "--idempotency-key", paramLabel = "KEY",
                description = "Submit under this key: the same submission again answers the same job (default: a new UUID).")
        String idempotencyKey;

        Submit(Context context) {
            super(context);
        }

        @Override
        public Integer call() {
            JobRequest.Builder request = JobRequest.builder(type).payloadJson(payload);
            if (maxRetries != null) {
                request.maxRetries(maxRetries);
            }
            if (retryDelay != null) {
                request.retryDelay(seconds(retryDelay));
            }
            if (timeout != null) {
                request.timeout(seconds(timeout));
            }
            if (delay != null) {
                request.delay(Duration.ofSeconds(delay));
            }
            String key = idempotencyKey != null ? idempotencyKey : UUID.randomUUID().toString();
            return print(client().submit(request.build(), key));
        }

        private static Duration seconds(BigDecimal seconds) {
            return Duration.ofNanos(seconds.movePointRight(9).longValueExact());
        }
    }

    @Command(name = "get", description = "Print a job.")
    static final class Get extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The job's id.")
        String id;

        Get(Context context) {
            super(context);
        }

        @Override
        public Integer call() {
            return print(client().get(id));
        }
    }

    @Command(name = "list", description = "List jobs, newest first.")
    static final class List extends ApiCommand {
        @Option(names = "--state", paramLabel = "STATE", description = "Only jobs in this state: PENDING, RUNNING, SUCCESS, RETRYING, FAILED, DEAD_LETTERED, CANCELLED.")
        JobState state;

        @Option(names = "--type", paramLabel = "TYPE", description = "Only jobs of this type.")
        String type;

        @Option(names = "--payload", paramLabel = "JSON", description = "Only jobs whose payload contains this JSON object.")
        String payload;

        @Option(names = "--created-after", paramLabel = "INSTANT", description = "Only jobs created at or after it (ISO-8601).")
        Instant createdAfter;

        @Option(names = "--created-before", paramLabel = "INSTANT", description = "Only jobs created before it (ISO-8601).")
        Instant createdBefore;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
                description = "At most this many jobs (default 20; 0 for every one, fetched page by page).")
        int limit;

        @Option(names = "--page-size", paramLabel = "N", description = "Jobs per request, 1 to 100 (API default 20).")
        Integer pageSize;

        List(Context context) {
            super(context);
        }

        @Override
        public Integer call() {
            if (limit < 0 || state == JobState.UNKNOWN) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        limit < 0 ? "--limit must be 0 or more" : "UNKNOWN is not a state to filter by");
            }
            JobFilter filter = JobFilter.all();
            filter = state == null ? filter : filter.state(state);
            filter = type == null ? filter : filter.type(type);
            filter = payload == null ? filter : filter.payloadJson(payload);
            filter = createdAfter == null ? filter : filter.createdAfter(createdAfter);
            filter = createdBefore == null ? filter : filter.createdBefore(createdBefore);
            filter = pageSize == null ? filter : filter.pageSize(pageSize);
            int wanted = limit == 0 ? Integer.MAX_VALUE : limit;
            if (pageSize == null && limit > 0) {
                filter = filter.pageSize(Math.min(limit, 100)); // one request when the limit fits in a page
            }
            try (Stream<Job> jobs = client().list(filter).limit(wanted)) {
                if (json) {
                    context.out().println(Output.jsonArray(jobs.map(Job::json)));
                } else {
                    Output.jobs(jobs.collect(Collectors.toList()), context.out());
                }
            }
            return ConveyorCli.OK;
        }
    }

    @Command(name = "events", description = "Print a job's history, oldest first.")
    static final class Events extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The job's id.")
        String id;

        Events(Context context) {
            super(context);
        }

        @Override
        public Integer call() {
            java.util.List<JobEvent> events = client().events(id);
            if (json) {
                context.out().println(Output.jsonArray(events.stream().map(Output::json)));
            } else {
                Output.events(events, context.out());
            }
            return ConveyorCli.OK;
        }
    }

    @Command(name = "watch", description = {"Follow a job until it ends, printing each event as it happens.",
            "Exits 0 when it succeeds, 1 when it ends FAILED, DEAD_LETTERED or CANCELLED."})
    static final class Watch extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The job's id.")
        String id;

        @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "0.5",
                description = "How often to look (default 0.5).")
        BigDecimal interval;

        Watch(Context context) {
            super(context);
        }

        @Override
        public Integer call() throws InterruptedException {
            ConveyorClient client = client();
            int printed = 0;
            while (true) {
                Job job = client.get(id); // before the events: a job seen ended has every event listed next
                java.util.List<JobEvent> events = client.events(id);
                for (JobEvent event : events.subList(Math.min(printed, events.size()), events.size())) {
                    context.out().println(json ? Output.json(Output.json(event)) : Output.line(event));
                }
                printed = Math.max(printed, events.size());
                if (job.state().isTerminal()) {
                    if (json) {
                        context.out().println(Output.json(job.json()));
                    } else {
                        context.out().println("job " + job.id() + " " + job.stateName()
                                + (job.result() == null ? "" : ": " + Output.json(job.result()))
                                + (job.lastError() == null || job.state() == JobState.SUCCESS ? "" : ": " + job.lastError()));
                    }
                    return job.state() == JobState.SUCCESS ? ConveyorCli.OK : ConveyorCli.JOB_FAILED;
                }
                Thread.sleep(interval.movePointRight(3).longValue());
            }
        }
    }

    @Command(name = "retry", description = "Run a FAILED, DEAD_LETTERED or CANCELLED job again.")
    static final class Retry extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The job's id.")
        String id;

        Retry(Context context) {
            super(context);
        }

        @Override
        public Integer call() {
            return print(client().retry(id));
        }
    }

    @Command(name = "cancel", description = "Cancel a PENDING or RETRYING job.")
    static final class Cancel extends ApiCommand {
        @Parameters(paramLabel = "ID", description = "The job's id.")
        String id;

        Cancel(Context context) {
            super(context);
        }

        @Override
        public Integer call() {
            return print(client().cancel(id));
        }
    }
}
