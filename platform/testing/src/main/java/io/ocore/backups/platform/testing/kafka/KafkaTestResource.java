package io.ocore.backups.platform.testing.kafka;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Points a Quarkus test's Kafka clients at the JVM's real broker. */
public class KafkaTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        String servers = KafkaBroker.shared();
        return Map.of("kafka.bootstrap.servers", servers, "ocore.test.kafka.bootstrap-servers", servers);
    }

    @Override
    public void stop() {
        // The broker lives until the JVM exits.
    }
}
