package io.etcdj.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;

/**
 * A TOML configuration file with the reference's keys ({@code name}, {@code data_dir},
 * {@code addr}, ... and a {@code [peer]} table with {@code addr}, {@code bind_addr},
 * {@code ca_file}, {@code cert_file}, {@code key_file}, {@code heartbeat_timeout},
 * {@code election_timeout}). Unknown keys are ignored, as the reference ignores them.
 */
final class ConfigFile {
    private static final TomlMapper TOML = new TomlMapper();

    private ConfigFile() {}

    /** The settings a file gives. */
    static Map<Setting, Object> read(Path path) throws ConfigException {
        String text;
        try {
            text = Files.readString(path);
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + path + ": no such file");
        } catch (IOException e) {
            throw new ConfigException("config file " + path + ": cannot read: " + e.getMessage(), e);
        }
        JsonNode root;
        try {
            root = TOML.readTree(text);
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
            throw new ConfigException("config file " + path + ": " + firstLine(e.getOriginalMessage()) + where, e);
        }
        Map<Setting, Object> values = new EnumMap<>(Setting.class);
        if (root == null || !root.isObject()) {
            return values;
        }
        for (Setting setting : Setting.values()) {
            if (setting.tomlKey == null) {
                continue;
            }
            JsonNode node = root;
            for (String part : setting.tomlKey.split("\\.")) {
                node = node.path(part);
            }
            if (!node.isMissingNode()) {
                values.put(setting, value(node, setting, path));
            }
        }
        return values;
    }

    private static Object value(JsonNode node, Setting setting, Path path) throws ConfigException {
        String key = setting.tomlKey;
        switch (setting.kind) {
            case STRING:
                if (node.isTextual()) {
                    return node.textValue();
                }
                throw wrongType(path, key, "a string");
            case INT:
                if (node.isIntegralNumber() && node.canConvertToInt()) {
                    return node.intValue();
                }
                throw wrongType(path, key, "an integer");
            case BOOL:
                if (node.isBoolean()) {
                    return node.booleanValue();
                }
                throw wrongType(path, key, "true or false");
            case LIST:
                if (node.isTextual()) {
                    return Setting.splitList(node.textValue());
                }
                if (node.isArray()) {
                    List<String> items = new ArrayList<>();
                    for (JsonNode item : node) {
                        if (!item.isTextual()) {
                            throw wrongType(path, key, "an array of strings");
                        }
                        if (!item.textValue().isBlank()) {
                            items.add(item.textValue().trim());
                        }
                    }
                    return List.copyOf(items);
                }
                throw wrongType(path, key, "an array of strings");
            default:
                throw new AssertionError(setting.kind);
        }
    }

    private static ConfigException wrongType(Path path, String key, String expected) {
        return new ConfigException("config file " + path + ": " + key + " must be " + expected);
    }

    private static String firstLine(String message) {
        return message == null ? "syntax error" : message.lines().findFirst().orElse("syntax error");
    }
}
