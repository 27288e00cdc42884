package dev.conveyor.cli;

import dev.conveyor.client.ConveyorApiException;
import dev.conveyor.client.ConveyorConnectionException;
import dev.conveyor.client.FieldError;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code conveyor jobs submit|get|list|events|watch|retry|cancel}: the job API from a shell. The exit code says how
 * it went: {@link #OK}, {@link #JOB_FAILED}, {@link #USAGE} or {@link #REFUSED}; errors go to stderr.
 */
@Command(name = "conveyor", mixinStandardHelpOptions = true, synopsisSubcommandLabel = "COMMAND", version = "conveyor 0.1.0",
        description = "Conveyor from a shell.")
public final class ConveyorCli implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /** The command did what it was asked; for watch, the job succeeded. */
    public static final int OK = 0;
    /** watch followed the job to FAILED, DEAD_LETTERED or CANCELLED. */
    public static final int JOB_FAILED = 1;
    /** The command line is wrong: an unknown command or flag, a missing or malformed value. */
    public static final int USAGE = 2;
    /** The API refused the call (a 4xx or 5xx problem), or could not be reached. */
    public static final int REFUSED = 3;

    private ConveyorCli() {
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command: jobs");
    }

    public static void main(String[] args) {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        System.exit(run(args, out, err, System.getenv(), Path.of("")));
    }

    /**
     * Runs one command line and answers its exit code.
     *
     * @param environment where CONVEYOR_URL and CONVEYOR_API_KEY are read
     * @param directory where {@code .conveyor/api-key} is looked for when no key is given
     */
    public static int run(String[] args, PrintStream out, PrintStream err, Map<String, String> environment,
                          Path directory) {
        Context context = new Context(out, err, environment, directory);
        CommandLine jobs = new CommandLine(new JobsCommand());
        for (Object command : new Object[] {new JobsCommand.Submit(context), new JobsCommand.Get(context),
                new JobsCommand.List(context), new JobsCommand.Events(context), new JobsCommand.Watch(context),
                new JobsCommand.Retry(context), new JobsCommand.Cancel(context)}) {
            jobs.addSubcommand(command);
        }
        CommandLine cli = new CommandLine(new ConveyorCli()).addSubcommand(jobs);
        cli.setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> failed(e, commandLine, err));
        return cli.execute(args);
    }

    private static int failed(Exception e, CommandLine commandLine, PrintStream err) {
        if (e instanceof ConveyorApiException refused) {
            err.println("error: " + refused.status() + (refused.title() == null ? "" : " " + refused.title()) + ": "
                    + refused.detail());
            for (FieldError field : refused.errors()) {
                err.println("  " + field.field() + ": " + field.message());
            }
            if (refused.requestId() != null) {
                err.println("  request id " + refused.requestId());
            }
            return REFUSED;
        }
        if (e instanceof ConveyorConnectionException unreachable) {
            err.println("error: cannot reach the API: " + unreachable.getMessage());
            return REFUSED;
        }
        if (e instanceof IllegalArgumentException bad) {
            err.println("error: " + bad.getMessage());
            commandLine.usage(err);
            return USAGE;
        }
        err.println("error: " + e);
        return REFUSED;
    }

    /** What every command is run with: where to write, and where to find the API's URL and key. */
    record Context(PrintStream out, PrintStream err, Map<String, String> environment, Path directory) {
    }
}
