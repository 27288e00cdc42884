package dev.conveyor.local.template;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A SAM/CloudFormation template as written: its parameters, conditions, globals and resources, unresolved. */
public final class Template {
    private final Path file;
    private final Map<String, Object> root;

    private Template(Path file, Map<String, Object> root) {
        this.file = file;
        this.root = root;
    }

    public static Template load(Path file) {
        try {
            return new Template(file, TemplateYaml.read(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public Path file() {
        return file;
    }

    /** The template as read, intrinsic functions in their long form. */
    public Map<String, Object> root() {
        return root;
    }

    /** A declared parameter. */
    public record Parameter(String name, String type, String defaultValue, boolean noEcho, List<String> allowedValues,
                            Double minValue, Double maxValue) {
        /** A {@code CommaDelimitedList} or {@code List<...>}: its {@code Ref} is a list of strings. */
        public boolean isList() {
            return type.equals("CommaDelimitedList") || type.startsWith("List<");
        }

        /** Checks a value as CloudFormation would before creating anything. */
        public void check(String value) {
            if (!allowedValues.isEmpty() && !allowedValues.contains(value)) {
                throw new IllegalArgumentException("parameter " + name + " must be one of " + allowedValues
                        + ", not " + value);
            }
            if (type.equals("Number")) {
                double number;
                try {
                    number = Double.parseDouble(value);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("parameter " + name + " must be a number, not " + value);
                }
                if ((minValue != null && number < minValue) || (maxValue != null && number > maxValue)) {
                    throw new IllegalArgumentException("parameter " + name + " must be within [" + minValue + ", "
                            + maxValue + "], not " + value);
                }
            }
        }
    }

    /** A resource: its logical id, type and properties (intrinsic functions unresolved). */
    public record Resource(String logicalId, String type, Map<String, Object> properties, Object condition) {
    }

    public Map<String, Parameter> parameters() {
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        section("Parameters").forEach((name, value) -> {
            Map<String, Object> p = map(value, "Parameters." + name);
            Object allowed = p.get("AllowedValues");
            parameters.put(name, new Parameter(name, String.valueOf(p.getOrDefault("Type", "String")),
                    p.containsKey("Default") ? String.valueOf(p.get("Default")) : null,
                    Boolean.parseBoolean(String.valueOf(p.getOrDefault("NoEcho", "false"))),
                    allowed instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of(),
                    number(p.get("MinValue")), number(p.get("MaxValue"))));
        });
        return parameters;
    }

    public Map<String, Object> conditions() {
        return section("Conditions");
    }

    /** The properties SAM's {@code Globals} gives every resource of a kind ({@code Function}, {@code Api}). */
    public Map<String, Object> globals(String kind) {
        Object value = section("Globals").get(kind);
        return value == null ? Map.of() : map(value, "Globals." + kind);
    }

    public Map<String, Resource> resources() {
        Map<String, Resource> resources = new LinkedHashMap<>();
        section("Resources").forEach((id, value) -> {
            Map<String, Object> r = map(value, "Resources." + id);
            Object properties = r.get("Properties");
            resources.put(id, new Resource(id, String.valueOf(r.get("Type")),
                    properties == null ? Map.of() : map(properties, "Resources." + id + ".Properties"),
                    r.get("Condition")));
        });
        return resources;
    }

    /** The resources of one type, in template order. */
    public List<Resource> resources(String type) {
        return resources().values().stream().filter(r -> r.type().equals(type)).toList();
    }

    /** A top-level section as written ({@code Outputs}, {@code Rules}, ...); empty when the template has none. */
    public Map<String, Object> section(String name) {
        Object value = root.get(name);
        return value == null ? Map.of() : map(value, name);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value, String where) {
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException("template: " + where + " must be a mapping");
        }
        return (Map<String, Object>) value;
    }

    private static Double number(Object value) {
        return value == null ? null : Double.valueOf(String.valueOf(value));
    }
}
