package io.ocore.backups.platform.events;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.reactive.messaging.kafka.api.IncomingKafkaRecordMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * A CloudEvent in Kafka binary mode: attributes in {@code ce_*} headers, the JSON data record as
 * the value, the key in the record key.
 */
public record EventEnvelope(UUID id, String type, String source, String subject, Instant time, UUID orgId,
        String data) {

    public static final String SPEC_VERSION = "1.0";
    public static final String H_SPECVERSION = "ce_specversion";
    public static final String H_ID = "ce_id";
    public static final String H_TYPE = "ce_type";
    public static final String H_SOURCE = "ce_source";
    public static final String H_SUBJECT = "ce_subject";
    public static final String H_TIME = "ce_time";
    /** CloudEvents extension attribute carrying the organisation. */
    public static final String H_ORGID = "ce_orgid";
    public static final String H_CONTENT_TYPE = "content-type";

    /** Reads the envelope of a Kafka message received through SmallRye Reactive Messaging. */
    public static EventEnvelope of(Message<?> message) {
        IncomingKafkaRecordMetadata<?, ?> meta = message.getMetadata(IncomingKafkaRecordMetadata.class)
                .orElseThrow(() -> new IllegalArgumentException("Not a Kafka message"));
        Headers h = meta.getHeaders();
        Object payload = message.getPayload();
        String data = payload instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(payload);
        return new EventEnvelope(
                UUID.fromString(header(h, H_ID).orElseThrow(() -> new IllegalArgumentException("No ce_id header"))),
                header(h, H_TYPE).orElse(""),
                header(h, H_SOURCE).orElse(""),
                meta.getKey() == null ? header(h, H_SUBJECT).orElse(null) : String.valueOf(meta.getKey()),
                header(h, H_TIME).map(Instant::parse).orElse(null),
                header(h, H_ORGID).map(UUID::fromString).orElse(null),
                data);
    }

    /** The data record, or empty when this build does not know the type (newer producer). */
    public Optional<OcoreEvent> decode(ObjectMapper mapper) {
        Class<? extends OcoreEvent> cls = EventTypes.classOf(type);
        if (cls == null) {
            return Optional.empty();
        }
        try {
            // Consumers tolerate fields added later to a v1 record.
            return Optional.of(mapper.readerFor(cls)
                    .without(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(data));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("Event " + id + " of type " + type + " has unreadable data", e);
        }
    }

    public JsonNode dataTree(ObjectMapper mapper) {
        try {
            return mapper.readTree(data);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("Event " + id + " has unreadable data", e);
        }
    }

    private static Optional<String> header(Headers headers, String name) {
        Header last = headers.lastHeader(name);
        return last == null || last.value() == null ? Optional.empty()
                : Optional.of(new String(last.value(), StandardCharsets.UTF_8));
    }
}
