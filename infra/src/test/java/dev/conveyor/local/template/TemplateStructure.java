package dev.conveyor.local.template;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import dev.conveyor.api.Routes;
import dev.conveyor.functions.dashboard.DashboardHandler;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * Checks a template against the code it deploys: every function's {@code Handler} is a class Lambda can invoke,
 * every route is one of the API's ({@link Routes#METHODS}; {@link DashboardHandler#ROUTES}, without an API key)
 * and every resource of the JSON API answers other methods, and every
 * environment variable a function's code reads ({@link EnvironmentReads}) is set by the template for that
 * function, or is one of the few listed below that come from elsewhere. The answer is the list of problems, empty
 * when there is none.
 */
final class TemplateStructure {
    /** Set by Lambda itself in every function (with SnapStart the credentials come another way, see below). */
    static final Set<String> SET_BY_LAMBDA = Set.of("AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN", "AWS_LAMBDA_INITIALIZATION_TYPE", "_X_AMZN_TRACE_ID");
    /**
     * With SnapStart, Lambda gives the credentials through the container credentials endpoint, not as
     * AWS_ACCESS_KEY_ID and friends (they would be stale in a restored snapshot).
     */
    static final Set<String> SET_BY_LAMBDA_WITH_SNAPSTART = Set.of("AWS_REGION",
            "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_LAMBDA_INITIALIZATION_TYPE",
            "_X_AMZN_TRACE_ID");
    /** Endpoint overrides: unset on AWS; the local runtime and LocalStack point the clients at their stand-ins. */
    static final Set<String> ENDPOINT_OVERRIDES = Set.of("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_*");
    /**
     * The database credentials, given directly only for a database without a secret (tests); a
     * function whose template environment names the secret (CONVEYOR_DB_SECRET_ARN) takes them from it.
     */
    static final Set<String> LOCAL_CREDENTIALS = Set.of("CONVEYOR_DB_USER", "CONVEYOR_DB_PASSWORD");
    static final String SECRET = "CONVEYOR_DB_SECRET_ARN";

    /** What was checked, for the test's report, and the problems found. */
    record Result(Map<String, List<EnvironmentReads.Read>> readsByFunction, List<String> problems) {
    }

    private TemplateStructure() {
    }

    static Result check(Path template, Map<String, String> parameters) {
        Stack stack = Stack.of(Template.load(template), "conveyor", parameters);
        for (Stack.QueueSpec queue : stack.queues()) {
            stack.queueCreated(queue.logicalId(), "https://sqs.us-east-1.amazonaws.com/000000000000/" + queue.name());
        }
        List<Stack.FunctionSpec> functions = stack.functions();
        List<String> problems = new ArrayList<>();
        Map<String, String> handlerClasses = new LinkedHashMap<>();
        for (Stack.FunctionSpec function : functions) {
            String className = handler(function, problems);
            if (className != null) {
                handlerClasses.put(function.logicalId(), className);
            }
        }
        routes(functions, problems);
        Map<String, List<EnvironmentReads.Read>> byClass = EnvironmentReads.of(
                new TreeSet<>(handlerClasses.values()), ownClasses());
        Map<String, List<EnvironmentReads.Read>> byFunction = new TreeMap<>();
        for (Stack.FunctionSpec function : functions) {
            String className = handlerClasses.get(function.logicalId());
            if (className != null) {
                List<EnvironmentReads.Read> reads = byClass.get(className);
                byFunction.put(function.logicalId(), reads);
                environment(function, reads, problems);
            }
        }
        return new Result(byFunction, problems);
    }

    /** The handler's class, if Lambda could invoke it; else a problem. */
    private static String handler(Stack.FunctionSpec function, List<String> problems) {
        String handler = function.handler();
        int colons = handler.indexOf("::");
        String className = colons < 0 ? handler : handler.substring(0, colons);
        String methodName = colons < 0 ? "handleRequest" : handler.substring(colons + 2);
        Class<?> type;
        try {
            type = Class.forName(className, false, TemplateStructure.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            problems.add(function.logicalId() + ": Handler " + handler + ": no class " + className);
            return null;
        }
        if (!RequestHandler.class.isAssignableFrom(type) && !RequestStreamHandler.class.isAssignableFrom(type)) {
            problems.add(function.logicalId() + ": Handler " + handler
                    + " is neither a RequestHandler nor a RequestStreamHandler");
        }
        if (Arrays.stream(type.getMethods()).noneMatch(m -> m.getName().equals(methodName))) {
            problems.add(function.logicalId() + ": Handler " + handler + ": " + className + " has no method "
                    + methodName);
        }
        return className;
    }

    /** The template's Api events against the API's routes, and an ANY for each resource and for /{proxy+}. */
    private static void routes(List<Stack.FunctionSpec> functions, List<String> problems) {
        Map<String, Set<String>> declared = new TreeMap<>();
        Set<String> any = new TreeSet<>();
        for (Stack.FunctionSpec function : functions) {
            for (Stack.ApiRoute route : function.routes()) {
                if (route.method().equals("ANY")) {
                    any.add(route.path());
                } else {
                    declared.computeIfAbsent(route.path(), p -> new TreeSet<>()).add(route.method());
                }
            }
        }
        Map<String, Set<String>> api = new TreeMap<>();
        Routes.METHODS.forEach((path, methods) -> api.put(path, new TreeSet<>(methods)));
        for (String route : DashboardHandler.ROUTES) {
            String[] methodAndPath = route.split(" ");
            api.computeIfAbsent(methodAndPath[1], p -> new TreeSet<>()).add(methodAndPath[0]);
            functions.stream().flatMap(f -> f.routes().stream())
                    .filter(r -> r.path().equals(methodAndPath[1]) && r.apiKeyRequired())
                    .forEach(r -> problems.add("route " + r.method() + " " + r.path()
                            + ": the dashboard's files take no API key (the dashboard asks for one)"));
        }
        Set<String> paths = new TreeSet<>(api.keySet());
        paths.addAll(declared.keySet());
        for (String path : paths) {
            Set<String> want = api.getOrDefault(path, Set.of());
            Set<String> have = declared.getOrDefault(path, Set.of());
            if (!want.equals(have)) {
                problems.add("route " + path + ": the template routes " + have + ", the API (Routes.METHODS and "
                        + "DashboardHandler.ROUTES) has " + want);
            }
        }
        Set<String> wantAny = new TreeSet<>(Routes.METHODS.keySet());
        wantAny.add("/{proxy+}");
        if (!wantAny.equals(any)) {
            problems.add("ANY routes (405 and 404 answered by a function): the template has " + any
                    + ", the API needs " + wantAny);
        }
    }

    private static void environment(Stack.FunctionSpec function, List<EnvironmentReads.Read> reads,
                                    List<String> problems) {
        Map<String, String> set = function.environment();
        if (reads.isEmpty()) {
            problems.add(function.logicalId() + ": its code reads no environment variable, which cannot be: the "
                    + "scan of " + function.handler() + " found nothing");
        }
        boolean snapStart = function.properties().get("SnapStart") instanceof Map<?, ?> snap
                && "PublishedVersions".equals(String.valueOf(snap.get("ApplyOn")));
        Set<String> byLambda = snapStart ? SET_BY_LAMBDA_WITH_SNAPSTART : SET_BY_LAMBDA;
        Map<String, List<String>> missing = new TreeMap<>();
        for (EnvironmentReads.Read read : reads) {
            String name = read.name();
            boolean fine = set.containsKey(name) || byLambda.contains(name) || ENDPOINT_OVERRIDES.contains(name)
                    || (LOCAL_CREDENTIALS.contains(name) && set.containsKey(SECRET))
                    // read, not required: code that does without them when Lambda gives container credentials
                    || ((SET_BY_LAMBDA.contains(name) || SET_BY_LAMBDA_WITH_SNAPSTART.contains(name))
                        && !read.required());
            if (name.startsWith("?")) {
                missing.computeIfAbsent(read.where() + " reads " + name, k -> new ArrayList<>());
            } else if (!fine) {
                String why = (read.required() ? "required" : "read") + " by " + read.where();
                if (SET_BY_LAMBDA.contains(name) && snapStart) {
                    why += "; Lambda does not set it with SnapStart";
                } else if (LOCAL_CREDENTIALS.contains(name)) {
                    why += "; without " + SECRET + " nothing gives it on AWS";
                }
                missing.computeIfAbsent(name, k -> new ArrayList<>()).add(why);
            }
        }
        missing.forEach((name, why) -> problems.add(function.logicalId() + ": " + (name.contains(" reads ?")
                ? name + ": name the variable with a constant so that this check can see it"
                : name + " is not set by the template (" + String.join("; ", why) + ")")));
    }

    /** Every class of Conveyor's code on the classpath, as internal names. */
    private static Set<String> ownClasses() {
        Set<String> classes = new TreeSet<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            try {
                if (Files.isDirectory(path)) {
                    Path root = path.resolve("dev/conveyor");
                    if (Files.isDirectory(root)) {
                        try (Stream<Path> files = Files.walk(root)) {
                            files.filter(f -> f.toString().endsWith(".class")).forEach(f -> classes.add(
                                    path.relativize(f).toString().replace(File.separatorChar, '/')
                                            .replaceAll("\\.class$", "")));
                        }
                    }
                } else if (entry.endsWith(".jar") && Files.isRegularFile(path)) {
                    try (JarFile jar = new JarFile(path.toFile())) {
                        jar.stream().map(e -> e.getName())
                                .filter(n -> n.startsWith("dev/conveyor/") && n.endsWith(".class"))
                                .forEach(n -> classes.add(n.substring(0, n.length() - ".class".length())));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + entry, e);
            }
        }
        return classes;
    }

    /** For the report: each function's reads as "NAME (required)" or "NAME". */
    static Map<String, List<String>> describe(Result result) {
        Map<String, List<String>> out = new HashMap<>();
        result.readsByFunction().forEach((function, reads) -> out.put(function, reads.stream()
                .map(r -> r.name() + (r.required() ? " (required)" : "")).distinct().sorted().toList()));
        return out;
    }
}
