package io.ocore.backups.platform.testing.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.ocore.backups.platform.events.EventEnvelope;
import io.ocore.backups.platform.events.EventTypes;
import io.ocore.backups.platform.events.OcoreEvent;
import io.ocore.backups.platform.events.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes and reads oCore events on the test broker exactly as services do (CloudEvents in
 * binary mode), so tests drive services through real Kafka.
 */
public final class KafkaTestClient implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private final String bootstrap;
    private final KafkaProducer<String, String> producer;

    public KafkaTestClient(String bootstrapServers) {
        this.bootstrap = bootstrapServers;
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Publishes {@code event} with a fresh event id; answers the id. */
    public UUID publish(OcoreEvent event) {
        return publish(event, UUID.randomUUID());
    }

    /** Publishes {@code event} with the given event id (the same id twice is a redelivery). */
    public UUID publish(OcoreEvent event, UUID eventId) {
        return publish(event, eventId, Map.of());
    }

    /** Publishes {@code event} with the given event id and more headers (e.g. a W3C {@code traceparent}). */
    public UUID publish(OcoreEvent event, UUID eventId, Map<String, String> headers) {
        try {
            ProducerRecord<String, String> record = new ProducerRecord<>(Topics.of(event.getClass()), event.key(),
                    MAPPER.writeValueAsString(event));
            header(record, EventEnvelope.H_SPECVERSION, EventEnvelope.SPEC_VERSION);
            header(record, EventEnvelope.H_ID, eventId.toString());
            header(record, EventEnvelope.H_TYPE, EventTypes.typeOf(event.getClass()));
            header(record, EventEnvelope.H_SOURCE, "/ocore/test");
            header(record, EventEnvelope.H_SUBJECT, event.key());
            header(record, EventEnvelope.H_TIME, Instant.now().toString());
            header(record, EventEnvelope.H_ORGID, event.orgId().toString());
            header(record, EventEnvelope.H_CONTENT_TYPE, "application/json");
            headers.forEach((name, value) -> header(record, name, value));
            producer.send(record).get();
            return eventId;
        } catch (Exception e) {
            throw new IllegalStateException("Could not publish " + event.getClass().getSimpleName(), e);
        }
    }

    /** A received event: its headers as a map and its JSON data. */
    public record Received(String key, Map<String, String> headers, String data) {
        public String type() {
            return headers.get(EventEnvelope.H_TYPE);
        }

        public <T> T as(Class<T> type) {
            try {
                return MAPPER.readValue(data, type);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * Reads {@code topic} from the beginning until a record matches, polling until the deadline.
     * Fails with what it saw when none does.
     */
    public Received awaitRecord(String topic, Predicate<Received> match, Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<Received> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    Map<String, String> headers = new java.util.HashMap<>();
                    r.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
                    Received received = new Received(r.key(), headers, r.value());
                    if (match.test(received)) {
                        return received;
                    }
                    seen.add(received);
                }
            }
        }
        throw new AssertionError("No matching record on " + topic + " within " + timeout + "; saw " + seen.size()
                + " others: " + seen.stream().map(Received::data).limit(5).toList());
    }

    /**
     * Reads {@code topic} from the beginning and collects every matching record until
     * {@code enough} holds for what was collected, polling until the deadline; answers them in
     * the order read. Fails with what it collected when the deadline passes first.
     */
    public List<Received> awaitRecords(String topic, Predicate<Received> match, Predicate<List<Received>> enough,
            Duration timeout) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<Received> matched = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    Map<String, String> headers = new java.util.HashMap<>();
                    r.headers().forEach(h -> headers.put(h.key(), new String(h.value(), StandardCharsets.UTF_8)));
                    Received received = new Received(r.key(), headers, r.value());
                    if (match.test(received)) {
                        matched.add(received);
                    }
                }
                if (enough.test(matched)) {
                    return matched;
                }
            }
        }
        throw new AssertionError("Not enough matching records on " + topic + " within " + timeout + "; collected "
                + matched.size() + ": " + matched.stream().map(Received::data).limit(10).toList());
    }

    private static void header(ProducerRecord<String, String> record, String name, String value) {
        record.headers().add(name, value.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
