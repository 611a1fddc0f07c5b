package io.wharf.core.config;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;

/**
 * Writes a configuration back as YAML in the file's own form (kebab-case keys, durations like
 * {@code 30s}), with every secret masked (passwords, tokens, secret-looking Kafka properties, and every
 * value of a {@code headers} mapping, such as relay routes' and pollers'): what
 * {@code ./wharf --print-config} shows.
 */
public final class ConfigPrinter {
    private static final String MASK = "******";

    private ConfigPrinter() {
    }

    /**
     * The effective configuration, every default filled in, secrets masked: the root keys, then
     * every section in {@link WharfConfig#sections(List)} order.
     *
     * @param doors the door sections to print besides core's (those on the class path)
     */
    public static String yaml(WharfConfig config, List<DoorSection<?>> doors) {
        ObjectNode tree = MAPPER.valueToTree(config);
        Map<String, Section> sections = config.sections(doors);
        tree.remove(sections.keySet()); // re-added in section order, core's among the doors'
        sections.forEach((key, section) -> tree.set(key, MAPPER.valueToTree(section)));
        mask(tree, "");
        try {
            return MAPPER.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot print the configuration", e);
        }
    }

    private static void mask(JsonNode node, String path) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                String childPath = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
                boolean secret = Secrets.isSecret(field.getKey()) || childPath.equals("auth.password")
                        || path.equals("auth.users") || path.equals("embedded.users") || childPath.equals("auth.tokens");
                if (field.getKey().equals("headers") && field.getValue() instanceof ObjectNode headers) {
                    // request headers of relay routes and pollers carry API keys and bearer tokens
                    headers.fieldNames().forEachRemaining(name -> headers.set(name, new TextNode(MASK)));
                } else if (secret && field.getValue().isTextual()) {
                    field.setValue(new TextNode(MASK));
                } else if (secret && field.getValue() instanceof ArrayNode array) {
                    for (int i = 0; i < array.size(); i++) {
                        array.set(i, new TextNode(MASK));
                    }
                } else {
                    mask(field.getValue(), childPath);
                }
            }
        } else if (node instanceof ArrayNode array) {
            for (JsonNode child : array) {
                mask(child, path);
            }
        }
    }

    private static final ObjectMapper MAPPER = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build())
            .setPropertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .registerModule(new SimpleModule("wharf-config-print").addSerializer(Duration.class, new JsonSerializer<>() {
                @Override
                public void serialize(Duration value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
                    gen.writeString(DurationText.format(value));
                }
            }).addSerializer(Path.class, new ToStringSerializer(Path.class)));
}
