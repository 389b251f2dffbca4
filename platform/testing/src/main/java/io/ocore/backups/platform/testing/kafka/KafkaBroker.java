package io.ocore.backups.platform.testing.kafka;

import io.ocore.backups.platform.events.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * A real single-node KRaft Kafka (combined broker and controller) inside the test JVM, from
 * Kafka's own test kit: the one way tests get Kafka. {@link #shared()} starts it once per JVM.
 */
public final class KafkaBroker {

    private static KafkaClusterTestKit shared;

    private KafkaBroker() {
    }

    /** Bootstrap servers of the JVM's broker, starting it on first use (about 2 s). */
    public static synchronized String shared() {
        if (shared == null) {
            // As in Kafka's own test suites: a broker that fails (typically while the JVM shuts down)
            // must not halt the test JVM, which would turn a green run into a crashed fork.
            Exit.setHaltProcedure((code, message) -> System.err.println("Kafka asked to halt (" + code + "): " + message));
            Exit.setExitProcedure((code, message) -> System.err.println("Kafka asked to exit (" + code + "): " + message));
            try {
                KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder()
                        .setCombined(true)
                        .setNumBrokerNodes(1)
                        .setNumControllerNodes(1)
                        .build())
                        .setConfigProp("offsets.topic.replication.factor", "1")
                        .setConfigProp("transaction.state.log.replication.factor", "1")
                        .setConfigProp("transaction.state.log.min.isr", "1")
                        .setConfigProp("group.initial.rebalance.delay.ms", "0")
                        .setConfigProp("num.partitions", "3")
                        .setConfigProp("auto.create.topics.enable", "true")
                        .build();
                cluster.format();
                cluster.startup();
                cluster.waitForReadyBrokers();
                createTopics(cluster.bootstrapServers());
                shared = cluster;
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        cluster.close();
                    } catch (Exception ignored) {
                        // JVM is exiting
                    }
                }, "kafka-broker-stop"));
            } catch (Exception e) {
                throw new IllegalStateException("Could not start the test Kafka broker: " + e.getMessage(), e);
            }
        }
        return shared.bootstrapServers();
    }

    /**
     * Stops the JVM's broker (its KRaft controller stays up), as a broker restart or crash would;
     * clients see connections refused until {@link #restartShared()}. A test that stops it
     * restarts it in a {@code finally}: the broker is shared by every test class of the JVM.
     */
    public static synchronized void stopShared() {
        if (shared == null) {
            throw new IllegalStateException("The test Kafka broker was not started");
        }
        shared.brokers().values().forEach(b -> {
            b.shutdown();
            b.awaitShutdown();
        });
    }

    /** Starts the stopped broker again on the same port and data directories (its logs kept). */
    public static synchronized void restartShared() {
        if (shared == null) {
            throw new IllegalStateException("The test Kafka broker was not started");
        }
        try {
            shared.brokers().values().forEach(b -> b.startup());
            shared.waitForReadyBrokers();
        } catch (Exception e) {
            throw new IllegalStateException("Could not restart the test Kafka broker: " + e.getMessage(), e);
        }
    }

    /** Every oCore topic exists before services subscribe, as Strimzi's KafkaTopics ensure in production. */
    private static void createTopics(String bootstrap) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<NewTopic> topics = java.util.stream.Stream.concat(Topics.all().stream(),
                    Topics.deadLetterTopics().stream()).map(t -> new NewTopic(t, 3, (short) 1)).toList();
            admin.createTopics(topics).all().get();
        }
    }
}
