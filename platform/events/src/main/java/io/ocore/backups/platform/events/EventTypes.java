package io.ocore.backups.platform.events;

import io.ocore.backups.platform.events.v1.Events;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** CloudEvent {@code type} names: {@code io.ocore.backup.<Name>.v1}, and back to the record class. */
public final class EventTypes {

    public static final String PREFIX = "io.ocore.backup.";
    public static final String V1 = ".v1";

    @SuppressWarnings("unchecked")
    private static final Map<String, Class<? extends OcoreEvent>> BY_TYPE = Arrays.stream(Events.class.getClasses())
            .filter(OcoreEvent.class::isAssignableFrom)
            .map(c -> (Class<? extends OcoreEvent>) c)
            .collect(Collectors.toUnmodifiableMap(EventTypes::typeOf, Function.identity()));

    private EventTypes() {
    }

    public static String typeOf(Class<? extends OcoreEvent> type) {
        return PREFIX + type.getSimpleName() + V1;
    }

    /** The record class of a v1 type name, or null for a type this build does not know. */
    public static Class<? extends OcoreEvent> classOf(String type) {
        return BY_TYPE.get(type);
    }
}
