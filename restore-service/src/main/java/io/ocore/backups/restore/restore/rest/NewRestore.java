package io.ocore.backups.restore.restore.rest;

import io.ocore.backups.platform.web.Problem;
import io.ocore.backups.platform.web.ProblemException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The body of {@code POST /api/backups/{backupId}/restore}. Strings on purpose: every bad field is
 * reported at once, in our words.
 */
public record NewRestore(String targetType, String targetEnvironmentId, String newEnvironmentName,
        String pitrTimestamp, Boolean neutralize, String confirm) {

    public static final List<String> TARGET_TYPES = List.of("same", "other", "new");

    /** The validated request; {@code pitr} is null for a restore of the backup as it is. */
    public record Valid(String targetType, UUID targetEnvironmentId, String newEnvironmentName, Instant pitr,
            Boolean neutralize, String confirm) {
    }

    public Valid validate() {
        List<Problem.FieldError> errors = new ArrayList<>();
        if (targetType == null || targetType.isBlank()) {
            errors.add(new Problem.FieldError("targetType", "is required: one of " + TARGET_TYPES));
        } else if (!TARGET_TYPES.contains(targetType)) {
            errors.add(new Problem.FieldError("targetType", "must be one of " + TARGET_TYPES));
        }
        UUID target = null;
        if ("other".equals(targetType)) {
            if (targetEnvironmentId == null || targetEnvironmentId.isBlank()) {
                errors.add(new Problem.FieldError("targetEnvironmentId", "is required when targetType is other"));
            } else {
                try {
                    target = UUID.fromString(targetEnvironmentId);
                } catch (IllegalArgumentException e) {
                    errors.add(new Problem.FieldError("targetEnvironmentId", "must be a UUID"));
                }
            }
        } else if (targetEnvironmentId != null && TARGET_TYPES.contains(targetType)) {
            errors.add(new Problem.FieldError("targetEnvironmentId", "only goes with targetType other"));
        }
        String name = null;
        if ("new".equals(targetType)) {
            if (newEnvironmentName == null || newEnvironmentName.isBlank()) {
                errors.add(new Problem.FieldError("newEnvironmentName", "is required when targetType is new"));
            } else if (newEnvironmentName.length() > 200) {
                errors.add(new Problem.FieldError("newEnvironmentName", "must be at most 200 characters"));
            } else if (!newEnvironmentName.matches(".*[A-Za-z0-9].*")) {
                errors.add(new Problem.FieldError("newEnvironmentName", "must contain a letter or a digit"));
            } else {
                name = newEnvironmentName.strip();
            }
        } else if (newEnvironmentName != null && TARGET_TYPES.contains(targetType)) {
            errors.add(new Problem.FieldError("newEnvironmentName", "only goes with targetType new"));
        }
        Instant pitr = null;
        if (pitrTimestamp != null) {
            try {
                // ISO 8601 with Z or an offset: a moment without a zone would be a guess
                pitr = OffsetDateTime.parse(pitrTimestamp.strip(), DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
            } catch (DateTimeParseException e) {
                errors.add(new Problem.FieldError("pitrTimestamp",
                        "must be an ISO 8601 timestamp with a zone, such as 2026-03-15T14:30:00Z"));
            }
        }
        if (!errors.isEmpty()) {
            throw ProblemException.validation(errors);
        }
        return new Valid(targetType, target, name, pitr, neutralize, confirm);
    }
}
