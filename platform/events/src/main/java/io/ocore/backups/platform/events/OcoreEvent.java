package io.ocore.backups.platform.events;

import java.util.UUID;

/**
 * A domain event: a past-tense fact that one service publishes through its outbox. Its
 * CloudEvent type is {@code io.ocore.backup.<SimpleName>.v1}; its Kafka key is
 * {@link #key()}, the environment id where there is one, so one environment's events stay
 * ordered.
 */
public interface OcoreEvent {

    /** The organisation the fact belongs to; consumers scope everything by it. */
    UUID orgId();

    /** The Kafka record key: environment id, else the destination id, else the organisation. */
    String key();
}
