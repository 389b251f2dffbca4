package io.ocore.backups.cli.output;

import com.fasterxml.jackson.databind.JsonNode;
import io.ocore.backups.cli.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Value formatting shared by the tables. */
public final class Format {

    private static final String[] UNITS = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};

    private Format() {
    }

    /** 1536 -> "1.5 KiB". */
    public static String bytes(Long bytes) {
        if (bytes == null) {
            return null;
        }
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, UNITS[unit]);
    }

    public static String bytes(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value == null || !value.isNumber() ? null : bytes(value.asLong());
    }

    /** true/false -> yes/no. */
    public static String yesNo(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        return value.asBoolean() ? "yes" : "no";
    }

    /** A JSON array of scalars as "a,b,c"; an object as "k=v, k=v". */
    public static String join(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        if (value.isArray()) {
            value.forEach(v -> parts.add(v.isValueNode() ? v.asText() : Json.compact(v)));
            return String.join(",", parts);
        }
        if (value.isObject()) {
            value.properties().forEach(e -> parts.add(e.getKey() + "="
                    + (e.getValue().isValueNode() ? e.getValue().asText() : Json.compact(e.getValue()))));
            return String.join(", ", parts);
        }
        return value.asText();
    }
}
