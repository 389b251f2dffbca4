package io.ocore.backups.platform.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads typed fields from a destination config map and collects every problem instead of stopping
 * at the first, so a validation answer names all bad fields at once.
 */
public final class ConfigReader {

    private final Map<String, Object> config;
    private final List<ConfigError> errors = new ArrayList<>();

    public ConfigReader(Map<String, Object> config) {
        this.config = config == null ? Map.of() : config;
    }

    /** A non-blank string, or an error "is required". */
    public String required(String field) {
        String v = optional(field);
        if (v == null) {
            error(field, "is required");
        }
        return v;
    }

    /** A trimmed string, or {@code null} when absent or blank. */
    public String optional(String field) {
        Object v = config.get(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String) && !(v instanceof Number) && !(v instanceof Boolean)) {
            error(field, "must be a string");
            return null;
        }
        String s = v.toString().trim();
        return s.isEmpty() ? null : s;
    }

    /** The string as given (not trimmed), for secrets and keys whose whitespace matters. */
    public String optionalRaw(String field) {
        Object v = config.get(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s)) {
            error(field, "must be a string");
            return null;
        }
        return s.isBlank() ? null : s;
    }

    public int integer(String field, int defaultValue, int min, int max) {
        Object v = config.get(field);
        if (v == null || (v instanceof String s && s.isBlank())) {
            return defaultValue;
        }
        long n;
        try {
            n = v instanceof Number num ? num.longValue() : Long.parseLong(v.toString().trim());
            if (v instanceof Number num && num.doubleValue() != n) {
                throw new NumberFormatException();
            }
        } catch (NumberFormatException e) {
            error(field, "must be a whole number");
            return defaultValue;
        }
        if (n < min || n > max) {
            error(field, "must be between " + min + " and " + max);
            return defaultValue;
        }
        return (int) n;
    }

    public void error(String field, String message) {
        errors.add(new ConfigError(field, message));
    }

    public List<ConfigError> errors() {
        return List.copyOf(errors);
    }

    /** Throws {@link InvalidConfigException} when any field was bad. */
    public void throwIfInvalid() {
        if (!errors.isEmpty()) {
            throw new InvalidConfigException(errors);
        }
    }
}
