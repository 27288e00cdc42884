package dev.conveyor.local.template;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A template as CloudFormation sees it before it creates anything: parameters at their values (given, else the
 * default, else a placeholder), conditions decided (a resource or output whose condition is false is gone, an
 * {@code Fn::If} is its branch, {@code AWS::NoValue} is dropped), SAM's {@code Globals} merged into each resource
 * as SAM merges them, and every intrinsic function that needs only parameters resolved. References to resources
 * stay, for nothing knows them yet; an {@code Fn::GetAtt} is written {@code "Queue.Arn"}, as the YAML short form
 * reads, so that one cfn-guard rule reads both this and template.yaml.
 *
 * <p>For checks that need numbers (tools/template-checks): each function's metadata also carries
 * {@code ConveyorResolved.MinimumQueueVisibilityTimeout}, 6 times its timeout, since cfn-guard has no arithmetic.
 */
public final class ResolvedTemplate {
    private static final Map<String, String> SAM_GLOBALS = Map.of(
            "AWS::Serverless::Function", "Function",
            "AWS::Serverless::Api", "Api",
            "AWS::Serverless::HttpApi", "HttpApi",
            "AWS::Serverless::SimpleTable", "SimpleTable",
            "AWS::Serverless::StateMachine", "StateMachine");
    /** Lambda's default when a function sets no Timeout. */
    private static final int DEFAULT_FUNCTION_TIMEOUT = 3;

    private ResolvedTemplate() {
    }

    /**
     * @param overrides parameter values, by name, in place of the defaults
     * @throws IllegalArgumentException when an override names no parameter or a value is invalid
     */
    public static Map<String, Object> resolve(Template template, String stackName, Map<String, String> overrides) {
        Map<String, Template.Parameter> declared = template.parameters();
        for (String name : overrides.keySet()) {
            if (!declared.containsKey(name)) {
                throw new IllegalArgumentException("template " + template.file() + " has no parameter " + name);
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        for (Template.Parameter parameter : declared.values()) {
            String value = overrides.getOrDefault(parameter.name(),
                    parameter.defaultValue() != null ? parameter.defaultValue() : placeholder(parameter));
            parameter.check(value);
            values.put(parameter.name(), typed(parameter, value));
        }
        Map<String, Object> used = new LinkedHashMap<>(values);
        values.put("AWS::StackName", stackName);
        values.put("AWS::StackId", "arn:aws:cloudformation:" + Stack.REGION + ":" + Stack.ACCOUNT + ":stack/"
                + stackName + "/resolved");
        values.put("AWS::Region", Stack.REGION);
        values.put("AWS::AccountId", Stack.ACCOUNT);
        values.put("AWS::Partition", "aws");
        values.put("AWS::URLSuffix", "amazonaws.com");
        Intrinsics intrinsics = new Intrinsics(values, template.conditions(), new Intrinsics.Resources() {
            @Override
            public String ref(String logicalId) {
                return null;
            }

            @Override
            public String attribute(String logicalId, String attribute) {
                return null;
            }
        });

        Map<String, Object> out = new LinkedHashMap<>();
        for (String section : List.of("AWSTemplateFormatVersion", "Transform", "Description")) {
            Object value = template.root().get(section);
            if (value != null) {
                out.put(section, value);
            }
        }
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("Template", String.valueOf(template.file().getFileName()));
        about.put("Parameters", used);
        out.put("Metadata", Map.of("ConveyorResolved", about));
        Map<String, Object> resources = new LinkedHashMap<>();
        template.section("Resources").forEach((id, value) -> {
            Map<String, Object> resource = Template.map(value, "Resources." + id);
            Object condition = resource.get("Condition");
            if (condition != null && !intrinsics.condition(String.valueOf(condition))) {
                return;
            }
            String type = String.valueOf(resource.get("Type"));
            Map<String, Object> resolved = new LinkedHashMap<>();
            resource.forEach((attribute, v) -> {
                if (!attribute.equals("Condition") && !attribute.equals("Properties")) {
                    resolved.put(attribute, v);
                }
            });
            Map<String, Object> properties = resource.get("Properties") == null ? Map.of()
                    : Template.map(resource.get("Properties"), "Resources." + id + ".Properties");
            String kind = SAM_GLOBALS.get(type);
            if (kind != null) {
                properties = Stack.merge(template.globals(kind), properties);
            }
            Map<String, Object> props = Template.map(intrinsics.resolve(properties), "Resources." + id);
            resolved.put("Properties", props);
            if (type.equals("AWS::Serverless::Function")) {
                Map<String, Object> metadata = new LinkedHashMap<>(resource.get("Metadata") == null ? Map.of()
                        : Template.map(resource.get("Metadata"), "Resources." + id + ".Metadata"));
                metadata.put("ConveyorResolved", Map.of("MinimumQueueVisibilityTimeout",
                        6 * timeoutSeconds(props.get("Timeout"), id)));
                resolved.put("Metadata", metadata);
            }
            resources.put(id, shortGetAtts(resolved));
        });
        out.put("Resources", resources);
        Map<String, Object> outputs = new LinkedHashMap<>();
        template.section("Outputs").forEach((id, value) -> {
            Map<String, Object> output = Template.map(value, "Outputs." + id);
            Object condition = output.get("Condition");
            if (condition == null || intrinsics.condition(String.valueOf(condition))) {
                Map<String, Object> kept = new LinkedHashMap<>(output);
                kept.remove("Condition");
                outputs.put(id, shortGetAtts(intrinsics.resolve(kept)));
            }
        });
        if (!outputs.isEmpty()) {
            out.put("Outputs", outputs);
        }
        return out;
    }

    /** A required parameter's stand-in: its first allowed value, its minimum, or its name in a placeholder. */
    private static String placeholder(Template.Parameter parameter) {
        if (!parameter.allowedValues().isEmpty()) {
            return parameter.allowedValues().get(0);
        }
        if (parameter.type().equals("Number")) {
            return parameter.minValue() == null ? "1" : String.valueOf(parameter.minValue().longValue());
        }
        return "placeholder-" + parameter.name();
    }

    private static Object typed(Template.Parameter parameter, String value) {
        if (parameter.isList()) {
            return List.of(value.split(",", -1));
        }
        if (parameter.type().equals("Number")) {
            double number = Double.parseDouble(value);
            return number == Math.rint(number) ? (Object) (long) number : (Object) number;
        }
        return value;
    }

    private static long timeoutSeconds(Object timeout, String function) {
        if (timeout == null) {
            return DEFAULT_FUNCTION_TIMEOUT;
        }
        try {
            return (long) Math.ceil(Double.parseDouble(String.valueOf(timeout)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("template: " + function + ".Timeout is not a number: " + timeout);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T shortGetAtts(T value) {
        if (value instanceof Map<?, ?> map) {
            if (map.size() == 1 && map.get("Fn::GetAtt") instanceof List<?> parts && parts.size() == 2) {
                return (T) Map.of("Fn::GetAtt", parts.get(0) + "." + parts.get(1));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(String.valueOf(k), shortGetAtts(v)));
            return (T) out;
        }
        if (value instanceof List<?> list) {
            return (T) list.stream().map(ResolvedTemplate::shortGetAtts).toList();
        }
        return value;
    }
}
