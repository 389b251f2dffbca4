package io.ocore.backups.platform.storage;

import java.util.Map;

/** Reading the fields that say where a destination points, leniently (a bad value compares as given). */
public final class Locations {

    private Locations() {
    }

    /** The trimmed text of a field, or null when absent or blank. */
    public static String text(Map<String, Object> config, String field) {
        Object v = config == null ? null : config.get(field);
        if (v == null) {
            return null;
        }
        String s = v.toString().trim();
        return s.isEmpty() ? null : s;
    }
}
