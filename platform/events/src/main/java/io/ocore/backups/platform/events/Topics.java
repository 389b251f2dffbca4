package io.ocore.backups.platform.events;

import io.ocore.backups.platform.events.v1.Events;
import java.util.Map;

/**
 * Kafka topics, one per publishing domain. Channel name = topic name in every service's
 * configuration (dash-separated, since dots would clash with configuration keys).
 */
public final class Topics {

    public static final String ENVIRONMENT = "environment-events";
    public static final String DESTINATION = "destination-events";
    public static final String BACKUP = "backup-events";
    public static final String SCHEDULE = "schedule-events";
    public static final String RESTORE = "restore-events";
    public static final String WAL = "wal-events";
    public static final String ALERT = "alert-events";
    /** Operational events about the services themselves (dead letters). */
    public static final String OPERATIONS = "operations-events";

    private static final Map<Class<? extends OcoreEvent>, String> BY_EVENT = Map.ofEntries(
            Map.entry(Events.EnvironmentRegistered.class, ENVIRONMENT),
            Map.entry(Events.DestinationFailed.class, DESTINATION),
            Map.entry(Events.DestinationRecovered.class, DESTINATION),
            Map.entry(Events.BackupCompleted.class, BACKUP),
            Map.entry(Events.BackupFailed.class, BACKUP),
            Map.entry(Events.BackupDeleted.class, BACKUP),
            Map.entry(Events.BackupCorrupted.class, BACKUP),
            Map.entry(Events.BackupDeletionStuck.class, BACKUP),
            Map.entry(Events.EventDeadLettered.class, OPERATIONS),
            Map.entry(Events.BackupRequested.class, SCHEDULE),
            Map.entry(Events.BackupExpired.class, SCHEDULE),
            Map.entry(Events.RetentionWarning.class, SCHEDULE),
            Map.entry(Events.BackupOverdue.class, SCHEDULE),
            Map.entry(Events.BackupScheduleChanged.class, SCHEDULE),
            Map.entry(Events.BackupTiersAssigned.class, SCHEDULE),
            Map.entry(Events.RestoreCompleted.class, RESTORE),
            Map.entry(Events.RestoreFailed.class, RESTORE),
            Map.entry(Events.WalArchiveFailed.class, WAL),
            Map.entry(Events.WalGapDetected.class, WAL),
            Map.entry(Events.WalArchiveRecovered.class, WAL),
            Map.entry(Events.WalConflictDetected.class, WAL),
            Map.entry(Events.AlertRaised.class, ALERT));

    private Topics() {
    }

    /** Every topic, for provisioning (local stack, tests, Kubernetes KafkaTopics). */
    public static java.util.List<String> all() {
        return java.util.List.of(ENVIRONMENT, DESTINATION, BACKUP, SCHEDULE, RESTORE, WAL, ALERT, OPERATIONS);
    }

    /**
     * Every consumer's incoming channels, by service ({@code quarkus.application.name}): the single
     * source of truth for the dead-letter topics. Each service's application.properties sets
     * {@code mp.messaging.incoming.<topic>.dead-letter-queue.topic=<deadLetter(service, topic)>} for each
     * of them (DeadLetterTopicsTest checks it, and the local stack and Kubernetes topics).
     */
    public static final Map<String, java.util.List<String>> CONSUMERS = orderedConsumers();

    private static Map<String, java.util.List<String>> orderedConsumers() {
        var m = new java.util.LinkedHashMap<String, java.util.List<String>>();
        m.put("alert-service", java.util.List.of(BACKUP, DESTINATION, SCHEDULE, RESTORE, WAL, OPERATIONS));
        m.put("backup-service", java.util.List.of(SCHEDULE));
        m.put("destination-service", java.util.List.of(SCHEDULE, BACKUP, ENVIRONMENT));
        m.put("restore-service", java.util.List.of(BACKUP));
        m.put("scheduler-service", java.util.List.of(ENVIRONMENT, BACKUP));
        m.put("wal-archiver", java.util.List.of(ENVIRONMENT, SCHEDULE, BACKUP));
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The dead-letter topic of one service's channel: {@code <service>.<topic>.dlq}. */
    public static String deadLetter(String service, String topic) {
        return service + "." + topic + ".dlq";
    }

    /** Every dead-letter topic, for provisioning (30 days' retention: docs/events.md "Dead letters"). */
    public static java.util.List<String> deadLetterTopics() {
        return CONSUMERS.entrySet().stream()
                .flatMap(e -> e.getValue().stream().map(t -> deadLetter(e.getKey(), t)))
                .toList();
    }

    /** The topic an event is published on. */
    public static String of(Class<? extends OcoreEvent> type) {
        String topic = BY_EVENT.get(type);
        if (topic == null) {
            throw new IllegalArgumentException("No topic for event " + type.getName());
        }
        return topic;
    }
}
