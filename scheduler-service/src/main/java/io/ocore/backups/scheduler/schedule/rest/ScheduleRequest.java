package io.ocore.backups.scheduler.schedule.rest;

import io.ocore.backups.platform.web.Problem.FieldError;
import io.ocore.backups.scheduler.schedule.Frequency;
import io.ocore.backups.scheduler.schedule.ScheduleSettings;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

/** The PUT body: every seed field is required, {@code timezone} is optional (UTC). */
public record ScheduleRequest(Boolean enabled, String dbFrequency, String fullFrequency, Integer retainHourly,
        Integer retainDaily, Integer retainWeekly, Integer retainMonthly, Boolean walEnabled,
        Integer walRetentionDays, List<String> destinationIds, String timezone) {

    /** The settings, or every bad field in {@code errors}. */
    public ScheduleSettings validate(List<FieldError> errors) {
        required(errors, "enabled", enabled);
        Frequency db = frequency(errors, "dbFrequency", dbFrequency, Frequency.DB);
        Frequency full = frequency(errors, "fullFrequency", fullFrequency, Frequency.FULL);
        atLeast(errors, "retainHourly", retainHourly, 0);
        atLeast(errors, "retainDaily", retainDaily, 0);
        atLeast(errors, "retainWeekly", retainWeekly, 0);
        atLeast(errors, "retainMonthly", retainMonthly, 0);
        keepsSomething(errors);
        required(errors, "walEnabled", walEnabled);
        atLeast(errors, "walRetentionDays", walRetentionDays, 1);
        List<UUID> destinations = destinations(errors);
        ZoneId zone = ZoneId.of("UTC");
        if (timezone != null) {
            try {
                zone = ZoneId.of(timezone);
            } catch (DateTimeException e) {
                errors.add(new FieldError("timezone", "must be an IANA time zone such as Europe/Brussels"));
            }
        }
        if (!errors.isEmpty()) {
            return null;
        }
        return new ScheduleSettings(enabled, db, full, retainHourly, retainDaily, retainWeekly, retainMonthly,
                walEnabled, walRetentionDays, destinations, zone.getId());
    }

    /** The well-formed destination ids by their index in the request, for the existence check. */
    public java.util.Map<Integer, UUID> wellFormedDestinations() {
        java.util.Map<Integer, UUID> ids = new java.util.LinkedHashMap<>();
        for (int i = 0; destinationIds != null && i < destinationIds.size(); i++) {
            try {
                UUID id = destinationIds.get(i) == null ? null : UUID.fromString(destinationIds.get(i));
                if (id != null && !ids.containsValue(id)) {
                    ids.put(i, id);
                }
            } catch (IllegalArgumentException e) {
                // reported by validate
            }
        }
        return ids;
    }

    private List<UUID> destinations(List<FieldError> errors) {
        if (destinationIds == null) {
            errors.add(new FieldError("destinationIds", "is required"));
            return List.of();
        }
        LinkedHashSet<UUID> ids = new LinkedHashSet<>();
        for (int i = 0; i < destinationIds.size(); i++) {
            String raw = destinationIds.get(i);
            try {
                if (raw == null || !ids.add(UUID.fromString(raw))) {
                    errors.add(new FieldError("destinationIds[" + i + "]", raw == null ? "must be a UUID" : "is listed twice"));
                }
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("destinationIds[" + i + "]", "must be a UUID"));
            }
        }
        if (Boolean.TRUE.equals(enabled) && destinationIds.isEmpty()) {
            errors.add(new FieldError("destinationIds", "must name at least one destination when enabled"));
        }
        return new ArrayList<>(ids);
    }

    /** The four retain fields of the request, by name. */
    public static final List<String> RETAIN_FIELDS = List.of("retainHourly", "retainDaily", "retainWeekly",
            "retainMonthly");

    /**
     * An enabled schedule must keep something: with all four retain counts at 0 every scheduled
     * backup but the newest (the minimum redundancy) would expire as soon as the next completed.
     * A disabled schedule may be saved so (it requests nothing; the minimum redundancy still
     * keeps the newest of the backups it made).
     */
    private void keepsSomething(List<FieldError> errors) {
        if (Boolean.TRUE.equals(enabled) && Integer.valueOf(0).equals(retainHourly)
                && Integer.valueOf(0).equals(retainDaily) && Integer.valueOf(0).equals(retainWeekly)
                && Integer.valueOf(0).equals(retainMonthly)) {
            for (String field : RETAIN_FIELDS) {
                errors.add(new FieldError(field,
                        "an enabled schedule must keep backups: set at least one of retainHourly, retainDaily,"
                                + " retainWeekly or retainMonthly above 0"));
            }
        }
    }

    private static void required(List<FieldError> errors, String field, Object value) {
        if (value == null) {
            errors.add(new FieldError(field, "is required"));
        }
    }

    private static void atLeast(List<FieldError> errors, String field, Integer value, int min) {
        if (value == null) {
            errors.add(new FieldError(field, "is required"));
        } else if (value < min) {
            errors.add(new FieldError(field, "must be >= " + min));
        }
    }

    private static Frequency frequency(List<FieldError> errors, String field, String value, List<Frequency> allowed) {
        if (value == null) {
            errors.add(new FieldError(field, "is required"));
            return null;
        }
        return Frequency.ofWire(value).filter(allowed::contains).orElseGet(() -> {
            errors.add(new FieldError(field, "must be one of " + Frequency.spelling(allowed)));
            return null;
        });
    }
}
