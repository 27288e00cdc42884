package dev.conveyor.local.template;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves CloudFormation's intrinsic functions in a template's values, as a stack would on creation: {@code Ref},
 * {@code Fn::GetAtt}, {@code Fn::Sub}, {@code Fn::Join}, {@code Fn::Select}, {@code Fn::Split}, {@code Fn::If} and
 * the condition functions, and {@code AWS::NoValue}. What a resource's {@code Ref} or attribute is comes from the
 * caller: the local runtime knows its queues' URLs. A caller that does not know them (a template resolved before any
 * stack exists) answers null, and the reference stays in the value as written, in its long form, as does any
 * function that needs it ({@code Fn::Sub}, {@code Fn::Join}, ...) with whatever else could be resolved.
 */
public final class Intrinsics {
    private static final Object NO_VALUE = new Object();
    private static final Pattern SUB_VARIABLE = Pattern.compile("\\$\\{(!?)([^}]*)}");

    /** The values of the stack's resources; null for one not known, to keep the reference. */
    public interface Resources {
        String ref(String logicalId);

        String attribute(String logicalId, String attribute);
    }

    private final Map<String, Object> parameters;
    private final Map<String, Object> conditions;
    private final Resources resources;
    private final Map<String, Boolean> evaluated = new HashMap<>();

    /**
     * @param parameters the parameters' values and the pseudo parameters ({@code AWS::Region}, ...): a string, or a
     *                   list of strings for a list parameter ({@code CommaDelimitedList}, {@code List<...>})
     */
    public Intrinsics(Map<String, ?> parameters, Map<String, Object> conditions, Resources resources) {
        this.parameters = Map.copyOf(parameters);
        this.conditions = conditions;
        this.resources = resources;
    }

    /** The value with every intrinsic function resolved; {@code AWS::NoValue} entries dropped. */
    public Object resolve(Object value) {
        Object resolved = resolveOrNoValue(value);
        return resolved == NO_VALUE ? null : resolved;
    }

    /** A value that must resolve to a scalar, as a string (numbers and booleans as CloudFormation writes them). */
    public String string(Object value) {
        Object resolved = resolve(value);
        if (resolved == null) {
            return null;
        }
        if (resolved instanceof Map || resolved instanceof List) {
            throw new IllegalArgumentException("template: expected a scalar, found " + resolved);
        }
        return String.valueOf(resolved);
    }

    public boolean condition(String name) {
        Boolean known = evaluated.get(name);
        if (known == null) {
            Object definition = conditions.get(name);
            if (definition == null) {
                throw new IllegalArgumentException("template: no condition named " + name);
            }
            known = bool(resolve(definition));
            evaluated.put(name, known);
        }
        return known;
    }

    private Object resolveOrNoValue(Object value) {
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object item : list) {
                Object resolved = resolveOrNoValue(item);
                if (resolved != NO_VALUE) {
                    out.add(resolved);
                }
            }
            return out;
        }
        if (!(value instanceof Map<?, ?> map)) {
            return value;
        }
        if (map.size() == 1) {
            String key = String.valueOf(map.keySet().iterator().next());
            if (key.equals("Ref") || key.equals("Condition") || key.startsWith("Fn::")) {
                return function(key, map.values().iterator().next());
            }
        }
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> {
            Object resolved = resolveOrNoValue(v);
            if (resolved != NO_VALUE) {
                out.put(String.valueOf(k), resolved);
            }
        });
        return out;
    }

    private Object function(String name, Object argument) {
        return switch (name) {
            case "Ref" -> ref(String.valueOf(argument));
            case "Condition" -> condition(String.valueOf(argument));
            case "Fn::GetAtt" -> {
                List<?> parts = list(resolve(argument), name);
                String id = String.valueOf(parts.get(0));
                String attribute = String.valueOf(parts.get(1));
                String value = resources.attribute(id, attribute);
                yield value != null ? value : Map.of(name, List.of(id, attribute));
            }
            case "Fn::Sub" -> sub(argument);
            case "Fn::Join" -> {
                List<?> parts = list(argument, name);
                String delimiter = string(parts.get(0));
                Object resolved = resolve(parts.get(1));
                if (isKept(resolved) || list(resolved, name).stream().anyMatch(Intrinsics::isKept)) {
                    yield Map.of(name, List.of(delimiter, resolved));
                }
                List<String> items = new ArrayList<>();
                for (Object item : list(resolved, name)) {
                    items.add(String.valueOf(item));
                }
                yield String.join(delimiter, items);
            }
            case "Fn::Select" -> {
                List<?> parts = list(argument, name);
                String index = string(parts.get(0));
                Object from = resolve(parts.get(1));
                yield isKept(from) ? Map.of(name, List.of(index, from)) : list(from, name).get(Integer.parseInt(index));
            }
            case "Fn::Split" -> {
                List<?> parts = list(argument, name);
                String delimiter = string(parts.get(0));
                Object text = resolve(parts.get(1));
                yield isKept(text) ? Map.of(name, List.of(delimiter, text))
                        : List.of(string(text).split(Pattern.quote(delimiter), -1));
            }
            case "Fn::If" -> {
                List<?> parts = list(argument, name);
                yield resolveOrNoValue(condition(String.valueOf(parts.get(0))) ? parts.get(1) : parts.get(2));
            }
            case "Fn::Equals" -> {
                List<?> parts = list(argument, name);
                yield string(parts.get(0)).equals(string(parts.get(1)));
            }
            case "Fn::Not" -> !bool(resolve(list(argument, name).get(0)));
            case "Fn::And" -> list(argument, name).stream().allMatch(c -> bool(resolve(c)));
            case "Fn::Or" -> list(argument, name).stream().anyMatch(c -> bool(resolve(c)));
            default -> throw new IllegalArgumentException("template: the local runtime does not support " + name);
        };
    }

    private Object ref(String name) {
        if (name.equals("AWS::NoValue")) {
            return NO_VALUE;
        }
        Object parameter = parameters.get(name);
        if (parameter != null) {
            return parameter;
        }
        if (name.startsWith("AWS::")) {
            throw new IllegalArgumentException("template: unknown pseudo parameter " + name);
        }
        String value = resources.ref(name);
        return value != null ? value : Map.of("Ref", name);
    }

    /** The text with its variables replaced; or, when one is not known, {@code Fn::Sub} of what could be. */
    private Object sub(Object argument) {
        String text;
        Map<String, Object> variables = Map.of();
        if (argument instanceof List<?> parts) {
            text = String.valueOf(parts.get(0));
            variables = Template.map(resolve(parts.get(1)), "Fn::Sub variables");
        } else {
            text = String.valueOf(argument);
        }
        Matcher m = SUB_VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        StringBuilder partial = new StringBuilder();
        Map<String, Object> unknown = new LinkedHashMap<>();
        boolean unresolved = false;
        int last = 0;
        while (m.find()) {
            out.append(text, last, m.start());
            partial.append(text, last, m.start());
            last = m.end();
            Object replacement;
            if (!m.group(1).isEmpty()) {
                replacement = "${" + m.group(2) + "}";
            } else {
                String variable = m.group(2).strip();
                if (variables.containsKey(variable)) {
                    replacement = variables.get(variable);
                    if (isKept(replacement)) {
                        unknown.put(variable, replacement);
                    }
                } else if (variable.contains(".") && !variable.startsWith("AWS::")) {
                    int dot = variable.indexOf('.');
                    String value = resources.attribute(variable.substring(0, dot), variable.substring(dot + 1));
                    replacement = value != null ? value : Map.of("Fn::GetAtt", List.of(variable));
                } else {
                    replacement = ref(variable);
                }
            }
            boolean known = !isKept(replacement);
            unresolved |= !known;
            out.append(known ? String.valueOf(replacement) : m.group());
            // what stays a Fn::Sub keeps its ${!Literal}s escaped
            partial.append(known && m.group(1).isEmpty() ? String.valueOf(replacement) : m.group());
        }
        out.append(text, last, text.length());
        partial.append(text, last, text.length());
        if (!unresolved) {
            return out.toString();
        }
        return unknown.isEmpty() ? Map.of("Fn::Sub", partial.toString())
                : Map.of("Fn::Sub", List.of(partial.toString(), unknown));
    }

    /** A reference (or a function of one) left in a value because its resource is not known. */
    private static boolean isKept(Object value) {
        if (!(value instanceof Map<?, ?> map) || map.size() != 1) {
            return false;
        }
        String key = String.valueOf(map.keySet().iterator().next());
        return key.equals("Ref") || key.startsWith("Fn::");
    }

    private static List<?> list(Object value, String function) {
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException("template: " + function + " expects a list, not " + value);
        }
        return list;
    }

    private static boolean bool(Object value) {
        if (value instanceof Boolean b) {
            return b;
        }
        return Boolean.parseBoolean(String.valueOf(value));
    }
}
