package io.wharf.core.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * Reads the YAML configuration file, substitutes {@code ${VAR}} and {@code ${VAR:-default}} from
 * the environment, applies command-line overrides, binds it to {@link WharfConfig} and validates it.
 * Core binds its own keys; each door section binds to the settings type its {@link DoorSection}
 * names. Every failure is a {@link ConfigException} naming the file or key and why.
 */
public final class ConfigLoader {
    /** Names a rule's template takes from the principal; {@code ${claims.x}} never looks like a variable. */
    private static final java.util.Set<String> PRINCIPAL_VALUES = java.util.Set.of("sub", "name");
    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");

    private final Function<String, String> environment;
    private final List<DoorSection<?>> doors;

    /**
     * A loader reading the process environment.
     *
     * @param doors the door sections besides core's (the gateway's {@code FrontDoors.sections()}: those on the class path)
     */
    public ConfigLoader(List<DoorSection<?>> doors) {
        this(System::getenv, doors);
    }

    /** A loader reading variables from the given lookup (tests pass a map's {@code get}). */
    public ConfigLoader(Function<String, String> environment, List<DoorSection<?>> doors) {
        this.environment = environment;
        this.doors = List.copyOf(doors);
    }

    /**
     * Loads and validates a configuration.
     *
     * @param file      the YAML file, or null for defaults only
     * @param overrides root keys (kebab-case, e.g. {@code resp-port}) set on the command line; they win over the file
     */
    public WharfConfig load(Path file, Map<String, Object> overrides) {
        ObjectNode tree = file == null ? JsonNodeFactory.instance.objectNode() : read(file);
        substitute(tree, "");
        overrides.forEach((key, value) -> {
            if (value != null) {
                tree.set(key, MAPPER.valueToTree(value instanceof Path p ? p.toString() : value));
            }
        });
        WharfConfig config = bind(tree, doors);
        List<String> problems = config.problems(doors);
        if (!problems.isEmpty()) {
            throw new ConfigException("invalid configuration: " + String.join("; ", problems));
        }
        return config;
    }

    /**
     * Binds a tree (already substituted) to the configuration model without validating ranges: core's
     * keys to {@link WharfConfig}, each door's section to its settings type. An absent (or null) door
     * section is not stored, so it takes its defaults.
     */
    public static WharfConfig bind(JsonNode tree, List<DoorSection<?>> doors) {
        ObjectNode core = tree.isObject() ? ((ObjectNode) tree).deepCopy() : JsonNodeFactory.instance.objectNode();
        Map<String, JsonNode> doorTrees = new LinkedHashMap<>();
        for (DoorSection<?> door : doors) {
            JsonNode section = core.remove(door.key());
            if (section != null && !section.isNull()) {
                doorTrees.put(door.key(), section);
            }
        }
        if (core.has("doors")) {
            // a record component, never a key of the file
            throw new ConfigException("invalid configuration: unknown key 'doors'" + known(coreKeys(), doors));
        }
        WharfConfig.Builder config = translated("", doors, () -> MAPPER.treeToValue(core, WharfConfig.class)).toBuilder();
        for (DoorSection<?> door : doors) {
            JsonNode section = doorTrees.get(door.key());
            if (section != null) {
                bindDoor(config, door, section, doors);
            }
        }
        return config.build();
    }

    private static <S extends Section> void bindDoor(WharfConfig.Builder config, DoorSection<S> door, JsonNode section,
                                                     List<DoorSection<?>> doors) {
        config.with(door.type(), translated(door.key(), doors, () -> MAPPER.treeToValue(section, door.type())));
    }

    /** The defaults of a door's settings type: what an empty section binds to. */
    static Section defaultsOf(Class<?> type) {
        if (!Section.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException(type.getName() + " is not a configuration section");
        }
        try {
            return (Section) MAPPER.treeToValue(JsonNodeFactory.instance.objectNode(), type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(type.getName() + " cannot take its defaults from an empty section", e);
        }
    }

    private interface Binding<T> {
        T bind() throws JsonProcessingException;
    }

    /**
     * Runs a binding and turns Jackson's failure into one line naming the key.
     *
     * @param prefix the key of the section being bound, empty for the root
     */
    private static <T> T translated(String prefix, List<DoorSection<?>> doors, Binding<T> binding) {
        try {
            return binding.bind();
        } catch (UnrecognizedPropertyException e) {
            String path = pathOf(prefix, e);
            Collection<Object> ids = e.getKnownPropertyIds();
            throw new ConfigException("invalid configuration: unknown key '" + path + "'"
                    + (prefix.isEmpty() && e.getPath().size() == 1 ? known(ids, doors) : known(ids, List.of())));
        } catch (InvalidFormatException e) {
            throw new ConfigException("invalid configuration: " + pathOf(prefix, e) + ": '" + e.getValue() + "' is not "
                    + describe(e.getTargetType()));
        } catch (MismatchedInputException e) {
            throw new ConfigException("invalid configuration: " + pathOf(prefix, e) + ": expected "
                    + describe(e.getTargetType()) + reason(e));
        } catch (JsonMappingException e) {
            throw new ConfigException("invalid configuration: " + pathOf(prefix, e) + ": "
                    + reason(e).replaceFirst("^: ", ""));
        } catch (JsonProcessingException e) {
            throw new ConfigException("invalid configuration: " + e.getOriginalMessage());
        }
    }

    private static Collection<Object> coreKeys() {
        var kebab = new PropertyNamingStrategies.KebabCaseStrategy();
        List<Object> keys = new ArrayList<>();
        for (var component : WharfConfig.class.getRecordComponents()) {
            keys.add(kebab.translate(component.getName()));
        }
        return keys;
    }

    private static ObjectNode read(Path file) {
        if (!Files.exists(file)) {
            throw new ConfigException("config file '" + file + "' does not exist");
        }
        if (!Files.isReadable(file) || Files.isDirectory(file)) {
            throw new ConfigException("config file '" + file + "' is not a readable file");
        }
        JsonNode node;
        try {
            node = YAML.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            var loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw new ConfigException("config file '" + file + "' is not valid YAML" + where + ": "
                    + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new ConfigException("config file '" + file + "' cannot be read: " + e.getMessage());
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!node.isObject()) {
            throw new ConfigException("config file '" + file + "' must hold a mapping of keys to values at the top");
        }
        return (ObjectNode) node;
    }

    private void substitute(JsonNode node, String path) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            List<Map.Entry<String, JsonNode>> replaced = new ArrayList<>();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String childPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                if (field.getValue().isTextual()) {
                    replaced.add(Map.entry(field.getKey(), new TextNode(expand(field.getValue().asText(), childPath))));
                } else {
                    substitute(field.getValue(), childPath);
                }
            }
            replaced.forEach(e -> object.set(e.getKey(), e.getValue()));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                JsonNode child = node.get(i);
                if (child.isTextual()) {
                    ((com.fasterxml.jackson.databind.node.ArrayNode) node).set(i,
                            new TextNode(expand(child.asText(), path + "[" + i + "]")));
                } else {
                    substitute(child, path + "[" + i + "]");
                }
            }
        }
    }

    private String expand(String text, String path) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            if (m.group(2) == null && path.startsWith("access.rules") && PRINCIPAL_VALUES.contains(m.group(1))) {
                // ${sub} and ${name} in a rule are the principal's, resolved per client (AccessSettings), not the environment's
                m.appendReplacement(out, Matcher.quoteReplacement(m.group()));
                continue;
            }
            String value = environment.apply(m.group(1));
            if (value == null) {
                if (m.group(2) == null) {
                    throw new ConfigException("invalid configuration: " + path + ": environment variable "
                            + m.group(1) + " is not set (write ${" + m.group(1) + ":-default} to give a default)");
                }
                value = m.group(3);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String pathOf(String prefix, JsonMappingException e) {
        StringBuilder path = new StringBuilder(prefix);
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.length() == 0 ? "(top level)" : path.toString();
    }

    /** The known keys of the section in error; at the root, the door sections are known keys too. */
    private static String known(Collection<Object> ids, List<DoorSection<?>> doors) {
        TreeSet<String> names = new TreeSet<>();
        if (ids != null) {
            ids.forEach(id -> names.add(String.valueOf(id)));
        }
        doors.forEach(door -> names.add(door.key()));
        names.remove("doors");
        if (names.isEmpty()) {
            return "";
        }
        return " (known keys: " + String.join(", ", names) + ")";
    }

    private static String describe(Class<?> type) {
        if (type == null) {
            return "a valid value";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class) {
            return "a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Duration.class) {
            return "a duration (e.g. 250ms, 30s, 5m)";
        }
        if (List.class.isAssignableFrom(type) || Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a mapping of keys to values";
        }
        if (type == String.class) {
            return "a text value";
        }
        if (type.isEnum()) {
            // the file's names are the constants in lower case (e.g. tls client-auth: none, optional, required)
            List<String> names = new ArrayList<>();
            for (Object constant : type.getEnumConstants()) {
                names.add(((Enum<?>) constant).name().toLowerCase(java.util.Locale.ROOT));
            }
            return "one of " + String.join(", ", names);
        }
        return "a " + type.getSimpleName();
    }

    private static String reason(JsonMappingException e) {
        String msg = e.getOriginalMessage();
        if (msg != null && msg.contains("is not a duration")) {
            return ": " + msg.substring(msg.indexOf('\'')).replaceFirst("\\)$", ")");
        }
        return "";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    private static final YAMLMapper YAML = new YAMLMapper();
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
            .addModule(new SimpleModule("wharf-config").addDeserializer(Duration.class, new JsonDeserializer<>() {
                @Override
                public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                    try {
                        return DurationText.parse(p.getValueAsString());
                    } catch (IllegalArgumentException e) {
                        throw JsonMappingException.from(p, e.getMessage());
                    }
                }
            }))
            .build();
}
