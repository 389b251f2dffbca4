package io.ocore.backups.platform.web;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;

/**
 * An opaque keyset cursor over lists ordered by (time desc, id desc): stable while rows are
 * added, unlike offsets.
 */
public record Cursor(Instant time, UUID id) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 200;

    public String encode() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((time.toString() + "|" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** Decodes {@code ?cursor=}; null for none; 400 naming the field when it was tampered with. */
    public static Cursor decode(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            String[] parts = new String(Base64.getUrlDecoder().decode(value), StandardCharsets.UTF_8).split("\\|");
            return new Cursor(Instant.parse(parts[0]), UUID.fromString(parts[1]));
        } catch (RuntimeException e) {
            throw ProblemException.badField("cursor", "is not a cursor this API returned");
        }
    }

    /** Validates {@code ?limit=}: default 50, 1..200. */
    public static int limit(Integer limit) {
        if (limit == null) {
            return DEFAULT_LIMIT;
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ProblemException.badField("limit", "must be between 1 and " + MAX_LIMIT);
        }
        return limit;
    }
}
