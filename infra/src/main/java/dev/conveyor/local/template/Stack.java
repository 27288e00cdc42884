package dev.conveyor.local.template;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.conveyor.json.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A template resolved into what the local runtime runs: its queues, and its functions with their environment,
 * routes, queue event sources and schedules. Queues come first, in the order they can be created (a dead-letter
 * queue before the queue that redrives to it); functions are resolved once the queues' URLs are known.
 */
public final class Stack {
    public static final String REGION = "us-east-1";
    public static final String ACCOUNT = "000000000000";

    /** An {@code AWS::SQS::Queue}, its properties as SQS attributes. */
    public record QueueSpec(String logicalId, String name, String arn, Map<String, String> attributes) {
    }

    /**
     * An {@code AWS::Serverless::Function} and the events that invoke it; {@code properties} are all of its
     * properties, {@code Globals} merged and resolved, those the local runtime ignores (VpcConfig, SnapStart,
     * Tracing, ...) included.
     */
    public record FunctionSpec(String logicalId, String name, String handler, int timeoutSeconds, int memoryMb,
                               Map<String, String> environment, List<ApiRoute> routes, List<SqsSource> queues,
                               List<ScheduleSource> schedules, Map<String, Object> properties) {
    }

    /**
     * An {@code Api} event: a method ({@code ANY} for all) on a resource path such as {@code /jobs/{id}}, and
     * whether it asks for an API key (the event's {@code Auth.ApiKeyRequired}, else the API's).
     */
    public record ApiRoute(String method, String path, boolean apiKeyRequired) {
    }

    /**
     * The {@code AWS::Serverless::Api}: its usage plan's throttle (null when it has none) and its gateway responses
     * by type ({@code MISSING_AUTHENTICATION_TOKEN}, {@code DEFAULT_4XX}, ...).
     */
    public record ApiSpec(String logicalId, boolean apiKeyRequired, Throttle throttle,
                          Map<String, GatewayResponse> gatewayResponses) {
        static final ApiSpec IMPLICIT = new ApiSpec("ServerlessRestApi", false, null, Map.of());
    }

    /** A usage plan's throttle: steady requests per second and the burst a token bucket allows. */
    public record Throttle(double rateLimit, int burstLimit) {
    }

    /**
     * A customized gateway response: its status (null keeps the type's own), headers as SAM writes them
     * ({@code "'static'"} or {@code method.request.header.name}), and body templates by content type.
     */
    public record GatewayResponse(Integer statusCode, Map<String, String> headers, Map<String, String> templates) {
    }

    /** An {@code SQS} event: the event source mapping. */
    public record SqsSource(String eventName, String queueArn, int batchSize, int batchingWindowSeconds,
                            boolean reportBatchItemFailures, int maximumConcurrency, boolean enabled) {
    }

    /**
     * A custom resource ({@code Custom::Name} or {@code AWS::CloudFormation::CustomResource}): the function its
     * {@code ServiceToken} names (its logical id) and its properties, resolved, {@code ServiceToken} included.
     */
    public record CustomResourceSpec(String logicalId, String type, String functionLogicalId,
                                     Map<String, Object> properties) {
    }

    /** A {@code Schedule} event. */
    public record ScheduleSource(String eventName, String expression, boolean enabled, String input) {
    }

    private static final Map<String, String> QUEUE_ATTRIBUTES = Map.of(
            "VisibilityTimeout", "VisibilityTimeout",
            "MessageRetentionPeriod", "MessageRetentionPeriod",
            "DelaySeconds", "DelaySeconds",
            "MaximumMessageSize", "MaximumMessageSize",
            "ReceiveMessageWaitTimeSeconds", "ReceiveMessageWaitTimeSeconds",
            "RedrivePolicy", "RedrivePolicy",
            "FifoQueue", "FifoQueue",
            "ContentBasedDeduplication", "ContentBasedDeduplication");

    private final Template template;
    private final String stackName;
    private final Map<String, Template.Resource> resources;
    private final Map<String, String> queueNames = new HashMap<>();
    private final Map<String, String> queueUrls = new HashMap<>();
    private final Intrinsics intrinsics;

    private Stack(Template template, String stackName, Map<String, Object> parameters) {
        this.template = template;
        this.stackName = stackName;
        this.resources = template.resources();
        this.intrinsics = new Intrinsics(parameters, template.conditions(), new Intrinsics.Resources() {
            @Override
            public String ref(String logicalId) {
                return Stack.this.ref(logicalId);
            }

            @Override
            public String attribute(String logicalId, String attribute) {
                return Stack.this.attribute(logicalId, attribute);
            }
        });
    }

    /**
     * Resolves the template's parameters (overrides, then defaults) and checks them as CloudFormation would.
     *
     * @throws IllegalArgumentException when a parameter has no value or an invalid one, or an override names none
     */
    public static Stack of(Template template, String stackName, Map<String, String> overrides) {
        Map<String, Template.Parameter> declared = template.parameters();
        for (String name : overrides.keySet()) {
            if (!declared.containsKey(name)) {
                throw new IllegalArgumentException("template " + template.file() + " has no parameter " + name);
            }
        }
        Map<String, Object> values = new HashMap<>();
        for (Template.Parameter parameter : declared.values()) {
            String value = overrides.getOrDefault(parameter.name(), parameter.defaultValue());
            if (value == null) {
                throw new IllegalArgumentException("parameter " + parameter.name() + " has no value: pass "
                        + "--parameter " + parameter.name() + "=...");
            }
            parameter.check(value);
            values.put(parameter.name(), parameter.isList() ? List.of(value.split(",", -1)) : value);
        }
        values.put("AWS::StackName", stackName);
        values.put("AWS::StackId", stackId(stackName));
        values.put("AWS::Region", REGION);
        values.put("AWS::AccountId", ACCOUNT);
        values.put("AWS::Partition", "aws");
        values.put("AWS::URLSuffix", "amazonaws.com");
        return new Stack(template, stackName, values);
    }

    /** The local stack's id, as {@code AWS::StackId} gives it. */
    public static String stackId(String stackName) {
        return "arn:aws:cloudformation:" + REGION + ":" + ACCOUNT + ":stack/" + stackName + "/local";
    }

    public Intrinsics intrinsics() {
        return intrinsics;
    }

    /** The queues, each after the queues its properties refer to. */
    public List<QueueSpec> queues() {
        List<Template.Resource> declared = template.resources("AWS::SQS::Queue").stream()
                .filter(this::exists).toList();
        for (Template.Resource queue : declared) {
            Object name = queue.properties().get("QueueName");
            queueNames.put(queue.logicalId(), name == null ? stackName + "-" + queue.logicalId() : intrinsics.string(name));
        }
        Map<String, Set<String>> dependencies = new LinkedHashMap<>();
        for (Template.Resource queue : declared) {
            Set<String> refs = new LinkedHashSet<>();
            references(queue.properties(), refs);
            refs.retainAll(queueNames.keySet());
            refs.remove(queue.logicalId());
            dependencies.put(queue.logicalId(), refs);
        }
        List<QueueSpec> ordered = new ArrayList<>();
        Set<String> placed = new LinkedHashSet<>();
        while (placed.size() < declared.size()) {
            boolean progress = false;
            for (Template.Resource queue : declared) {
                if (!placed.contains(queue.logicalId()) && placed.containsAll(dependencies.get(queue.logicalId()))) {
                    ordered.add(queueSpec(queue));
                    placed.add(queue.logicalId());
                    progress = true;
                }
            }
            if (!progress) {
                throw new IllegalArgumentException("template: queues refer to each other in a cycle: " + dependencies);
            }
        }
        return ordered;
    }

    /** Tells the stack where a queue was created, for the {@code Ref}s that name it. */
    public void queueCreated(String logicalId, String url) {
        queueUrls.put(logicalId, url);
    }

    /**
     * The id of an API key, as a {@code Ref} to its {@code AWS::ApiGateway::ApiKey} gives it and as the local
     * gateway gives it in a request's {@code requestContext.identity.apiKeyId}. The usage plan's key SAM makes is
     * {@code <ApiLogicalId>ApiKey}.
     */
    public static String apiKeyId(String logicalId) {
        return "local-" + logicalId;
    }

    /** A Secrets Manager secret the template creates, with the length of the value it generates. */
    public record SecretSpec(String logicalId, String arn, int length) {
    }

    /** The secrets the template creates ({@code AWS::SecretsManager::Secret} with {@code GenerateSecretString}). */
    public List<SecretSpec> secrets() {
        return template.resources("AWS::SecretsManager::Secret").stream().filter(this::exists)
                .map(r -> new SecretSpec(r.logicalId(), secretArn(r.logicalId()), integer(
                        Template.map(intrinsics.resolve(r.properties()), r.logicalId()).get("GenerateSecretString")
                                instanceof Map<?, ?> generate ? generate.get("PasswordLength") : null, 32)))
                .toList();
    }

    /** The ARN of a secret the template creates, as a {@code Ref} to it gives it. */
    private String secretArn(String logicalId) {
        return "arn:aws:secretsmanager:" + REGION + ":" + ACCOUNT + ":secret:" + stackName + "-" + logicalId + "-local";
    }

    /** The API keys the template declares itself ({@code AWS::ApiGateway::ApiKey}), by logical id. */
    public List<String> apiKeys() {
        return template.resources("AWS::ApiGateway::ApiKey").stream().filter(this::exists)
                .map(Template.Resource::logicalId).toList();
    }

    /** The REST API the functions' {@code Api} events attach to: the template's only one, or SAM's implicit one. */
    public ApiSpec api() {
        List<Template.Resource> apis = template.resources("AWS::Serverless::Api").stream().filter(this::exists).toList();
        if (apis.size() > 1) {
            throw new IllegalArgumentException("template: the local runtime serves one AWS::Serverless::Api, not "
                    + apis.size());
        }
        if (apis.isEmpty()) {
            return ApiSpec.IMPLICIT;
        }
        Template.Resource api = apis.get(0);
        Map<String, Object> properties = Template.map(
                intrinsics.resolve(merge(template.globals("Api"), api.properties())), api.logicalId());
        Map<String, Object> auth = optionalMap(properties.get("Auth"), api.logicalId() + ".Auth");
        Map<String, Object> plan = optionalMap(auth.get("UsagePlan"), api.logicalId() + ".Auth.UsagePlan");
        Map<String, Object> throttle = optionalMap(plan.get("Throttle"), api.logicalId() + ".Auth.UsagePlan.Throttle");
        boolean hasPlan = plan.get("CreateUsagePlan") != null && !"NONE".equals(String.valueOf(plan.get("CreateUsagePlan")));
        Map<String, GatewayResponse> responses = new LinkedHashMap<>();
        optionalMap(properties.get("GatewayResponses"), api.logicalId() + ".GatewayResponses").forEach((type, value) -> {
            String where = api.logicalId() + ".GatewayResponses." + type;
            Map<String, Object> response = Template.map(value, where);
            Map<String, String> headers = new LinkedHashMap<>();
            optionalMap(optionalMap(response.get("ResponseParameters"), where).get("Headers"), where)
                    .forEach((name, header) -> headers.put(name, String.valueOf(header)));
            Map<String, String> templates = new LinkedHashMap<>();
            optionalMap(response.get("ResponseTemplates"), where)
                    .forEach((contentType, body) -> templates.put(contentType, String.valueOf(body)));
            Object status = response.get("StatusCode");
            responses.put(type, new GatewayResponse(status == null ? null : integer(status, 0), headers, templates));
        });
        return new ApiSpec(api.logicalId(), bool(auth.get("ApiKeyRequired")),
                hasPlan && throttle.get("RateLimit") != null
                        ? new Throttle(Double.parseDouble(String.valueOf(throttle.get("RateLimit"))),
                                integer(throttle.get("BurstLimit"), 0))
                        : null,
                responses);
    }

    private static Map<String, Object> optionalMap(Object value, String where) {
        return value == null ? Map.of() : Template.map(value, where);
    }

    private static boolean bool(Object value) {
        return value != null && Boolean.parseBoolean(String.valueOf(value));
    }

    /** The functions, with {@code Globals.Function} merged in and every value resolved. */
    public List<FunctionSpec> functions() {
        List<FunctionSpec> functions = new ArrayList<>();
        for (Template.Resource resource : template.resources("AWS::Serverless::Function")) {
            if (!exists(resource)) {
                continue;
            }
            Map<String, Object> properties = Template.map(
                    intrinsics.resolve(merge(template.globals("Function"), resource.properties())),
                    resource.logicalId());
            functions.add(functionSpec(resource.logicalId(), properties, api().apiKeyRequired()));
        }
        return functions;
    }

    private FunctionSpec functionSpec(String id, Map<String, Object> properties, boolean apiKeyRequired) {
        Map<String, String> environment = new LinkedHashMap<>();
        Object env = properties.get("Environment");
        if (env instanceof Map<?, ?> e && e.get("Variables") instanceof Map<?, ?> variables) {
            variables.forEach((k, v) -> environment.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
        }
        List<ApiRoute> routes = new ArrayList<>();
        List<SqsSource> queues = new ArrayList<>();
        List<ScheduleSource> schedules = new ArrayList<>();
        Object events = properties.get("Events");
        if (events instanceof Map<?, ?> eventMap) {
            eventMap.forEach((name, value) -> {
                Map<String, Object> event = Template.map(value, id + ".Events." + name);
                Map<String, Object> p = event.get("Properties") == null ? Map.of()
                        : Template.map(event.get("Properties"), id + ".Events." + name + ".Properties");
                switch (String.valueOf(event.get("Type"))) {
                    case "Api" -> {
                        Object own = optionalMap(p.get("Auth"), id + ".Events." + name + ".Auth").get("ApiKeyRequired");
                        routes.add(new ApiRoute(String.valueOf(p.get("Method")).toUpperCase(Locale.ROOT),
                                String.valueOf(p.get("Path")), own == null ? apiKeyRequired : bool(own)));
                    }
                    case "SQS" -> {
                        Map<String, Object> scaling = p.get("ScalingConfig") == null ? Map.of()
                                : Template.map(p.get("ScalingConfig"), "ScalingConfig");
                        Object types = p.get("FunctionResponseTypes");
                        queues.add(new SqsSource(String.valueOf(name), String.valueOf(p.get("Queue")),
                                integer(p.get("BatchSize"), 10),
                                integer(p.get("MaximumBatchingWindowInSeconds"), 0),
                                types instanceof List<?> list && list.contains("ReportBatchItemFailures"),
                                integer(scaling.get("MaximumConcurrency"), 1000),
                                !"false".equals(String.valueOf(p.get("Enabled")))));
                    }
                    case "Schedule", "ScheduleV2" -> schedules.add(new ScheduleSource(String.valueOf(name),
                            String.valueOf(p.get(p.containsKey("Schedule") ? "Schedule" : "ScheduleExpression")),
                            !"false".equals(String.valueOf(p.get("Enabled")))
                                    && !"DISABLED".equals(String.valueOf(p.get("State"))),
                            p.get("Input") == null ? null : String.valueOf(p.get("Input"))));
                    default -> throw new IllegalArgumentException("template: " + id + " has an event of type "
                            + event.get("Type") + ", which the local runtime does not run");
                }
            });
        }
        Object handler = properties.get("Handler");
        if (handler == null) {
            throw new IllegalArgumentException("template: function " + id + " has no Handler");
        }
        Object name = properties.get("FunctionName");
        return new FunctionSpec(id, name == null ? stackName + "-" + id : String.valueOf(name), String.valueOf(handler),
                integer(properties.get("Timeout"), 3), integer(properties.get("MemorySize"), 128),
                environment, routes, queues, schedules, properties);
    }

    /**
     * The custom resources, in the template's order, each with the function that provides it.
     *
     * @throws IllegalArgumentException when a {@code ServiceToken} is not one of the template's functions
     */
    public List<CustomResourceSpec> customResources() {
        List<CustomResourceSpec> custom = new ArrayList<>();
        for (Template.Resource resource : resources.values()) {
            String type = resource.type();
            if (!(type.startsWith("Custom::") || type.equals("AWS::CloudFormation::CustomResource"))
                    || !exists(resource)) {
                continue;
            }
            Map<String, Object> properties = Template.map(intrinsics.resolve(resource.properties()),
                    resource.logicalId());
            String token = String.valueOf(properties.get("ServiceToken"));
            String function = template.resources("AWS::Serverless::Function").stream()
                    .map(Template.Resource::logicalId)
                    .filter(id -> functionArn(id).equals(token))
                    .findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("template: " + resource.logicalId()
                            + ".ServiceToken is " + token + ", not a function of this template (the local "
                            + "runtime runs custom resources its own functions provide)"));
            custom.add(new CustomResourceSpec(resource.logicalId(), type, function, properties));
        }
        return custom;
    }

    private String functionArn(String logicalId) {
        return "arn:aws:lambda:" + REGION + ":" + ACCOUNT + ":function:" + stackName + "-" + logicalId;
    }

    private boolean exists(Template.Resource resource) {
        return resource.condition() == null || intrinsics.condition(String.valueOf(resource.condition()));
    }

    private QueueSpec queueSpec(Template.Resource queue) {
        String name = queueNames.get(queue.logicalId());
        Map<String, String> attributes = new LinkedHashMap<>();
        Map<String, Object> properties = Template.map(intrinsics.resolve(queue.properties()), queue.logicalId());
        properties.forEach((key, value) -> {
            String attribute = QUEUE_ATTRIBUTES.get(key);
            if (attribute != null && value != null) {
                attributes.put(attribute, value instanceof Map<?, ?> map ? json(map) : String.valueOf(value));
            }
        });
        return new QueueSpec(queue.logicalId(), name, arn(name), attributes);
    }

    private String ref(String logicalId) {
        int dot = logicalId.indexOf('.');
        Template.Resource function = dot > 0 ? resources.get(logicalId.substring(0, dot)) : null;
        if (function != null && function.type().equals("AWS::Serverless::Function")) {
            // SAM's references to what AutoPublishAlias makes: locally, one version, always the same.
            String arn = functionArn(function.logicalId());
            return switch (logicalId.substring(dot + 1)) {
                case "Version" -> arn + ":1";
                case "Alias" -> arn + ":" + function.properties().getOrDefault("AutoPublishAlias",
                        template.globals("Function").getOrDefault("AutoPublishAlias", "live"));
                default -> throw new IllegalArgumentException("template: Ref to unknown " + logicalId);
            };
        }
        Template.Resource resource = resources.get(logicalId);
        if (resource == null) {
            throw new IllegalArgumentException("template: Ref to unknown parameter or resource " + logicalId);
        }
        return switch (resource.type()) {
            case "AWS::SQS::Queue" -> {
                String url = queueUrls.get(logicalId);
                if (url == null) {
                    throw new IllegalStateException("queue " + logicalId + " is referred to before it exists");
                }
                yield url;
            }
            case "AWS::Serverless::Function", "AWS::Lambda::Function" -> stackName + "-" + logicalId;
            case "AWS::ApiGateway::ApiKey" -> apiKeyId(logicalId);
            case "AWS::SecretsManager::Secret" -> secretArn(logicalId);
            default -> logicalId;
        };
    }

    private String attribute(String logicalId, String attribute) {
        Template.Resource resource = resources.get(logicalId);
        if (resource == null) {
            throw new IllegalArgumentException("template: Fn::GetAtt of unknown resource " + logicalId);
        }
        if (resource.type().equals("AWS::SQS::Queue")) {
            String name = queueNames.get(logicalId);
            switch (attribute) {
                case "Arn":
                    return arn(name);
                case "QueueName":
                    return name;
                case "QueueUrl":
                    return ref(logicalId);
                default:
                    break;
            }
        }
        if (resource.type().equals("AWS::Serverless::Function") && attribute.equals("Arn")) {
            return functionArn(logicalId);
        }
        throw new IllegalArgumentException("template: the local runtime cannot resolve " + logicalId + "." + attribute);
    }

    private static String arn(String queueName) {
        return "arn:aws:sqs:" + REGION + ":" + ACCOUNT + ":" + queueName;
    }

    /**
     * Merges {@code Globals} into a resource's properties as SAM does: maps are merged key by key, lists are the
     * global entries then the resource's, and anything else, an intrinsic function included, is the resource's.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> merge(Map<String, Object> globals, Map<String, Object> own) {
        Map<String, Object> merged = new LinkedHashMap<>(globals);
        own.forEach((key, value) -> {
            Object global = merged.get(key);
            if (isPlainMap(global) && isPlainMap(value)) {
                merged.put(key, merge((Map<String, Object>) global, (Map<String, Object>) value));
            } else if (global instanceof List<?> first && value instanceof List<?> second) {
                List<Object> both = new ArrayList<>(first);
                both.addAll(second);
                merged.put(key, both);
            } else {
                merged.put(key, value);
            }
        });
        return merged;
    }

    private static boolean isPlainMap(Object value) {
        if (!(value instanceof Map<?, ?> map)) {
            return false;
        }
        if (map.size() != 1) {
            return true;
        }
        String key = String.valueOf(map.keySet().iterator().next());
        return !(key.equals("Ref") || key.equals("Condition") || key.startsWith("Fn::"));
    }

    private static void references(Object value, Set<String> into) {
        if (value instanceof Map<?, ?> map) {
            if (map.size() == 1 && map.containsKey("Ref")) {
                into.add(String.valueOf(map.get("Ref")));
            } else if (map.size() == 1 && map.get("Fn::GetAtt") instanceof List<?> parts && !parts.isEmpty()) {
                into.add(String.valueOf(parts.get(0)));
            } else {
                map.values().forEach(v -> references(v, into));
            }
        } else if (value instanceof List<?> list) {
            list.forEach(v -> references(v, into));
        }
    }

    private static int integer(Object value, int fallback) {
        return value == null ? fallback : (int) Double.parseDouble(String.valueOf(value));
    }

    private static String json(Map<?, ?> map) {
        try {
            return Json.mapper().writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("template: cannot write " + map + " as JSON", e);
        }
    }
}
