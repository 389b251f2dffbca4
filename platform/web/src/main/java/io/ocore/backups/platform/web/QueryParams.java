package io.ocore.backups.platform.web;

import java.util.Arrays;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Query parameters parsed so that a bad value is a 400 naming the parameter (JAX-RS itself
 * answers 404 when it cannot convert a query parameter). Blank means absent.
 */
public final class QueryParams {

    private QueryParams() {
    }

    public static Boolean bool(String field, String v) {
        if (v == null || v.isBlank()) {
            return null;
        }
        if (!v.equals("true") && !v.equals("false")) {
            throw ProblemException.badField(field, "must be true or false");
        }
        return Boolean.valueOf(v);
    }

    /** An enum by its constant name (our enums name constants as they appear on the wire). */
    public static <E extends Enum<E>> E enumOf(String field, String v, Class<E> type) {
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Enum.valueOf(type, v);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badField(field, "must be one of " + Arrays.stream(type.getEnumConstants())
                    .map(Enum::name).collect(Collectors.joining(", ", "[", "]")));
        }
    }

    public static UUID uuid(String field, String v) {
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return UUID.fromString(v);
        } catch (IllegalArgumentException e) {
            throw ProblemException.badField(field, "must be a UUID");
        }
    }
}
