package io.ocore.backups.platform.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every consumer's incoming channel has its declared dead-letter topic ({@link Topics#CONSUMERS}),
 * and the local stack and Kubernetes create each of them: read from the repository's files.
 */
class DeadLetterTopicsTest {

    private static final Pattern INCOMING = Pattern.compile("^mp\\.messaging\\.incoming\\.([^.]+)\\..*");

    static Path repo() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.exists(p.resolve("mvnw"))) {
            p = p.getParent();
        }
        assertThat(p).as("the repository root (with mvnw) above " + Path.of("").toAbsolutePath()).isNotNull();
        return p;
    }

    static Properties properties(Path file) throws IOException {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            props.load(r);
        }
        return props;
    }

    @Test
    void everyIncomingChannelOfEveryServiceHasItsDeclaredDeadLetterTopic() throws IOException {
        Map<String, TreeSet<String>> found = new TreeMap<>();
        try (Stream<Path> modules = Files.list(repo())) {
            for (Path module : modules.filter(Files::isDirectory).toList()) {
                Path file = module.resolve("src/main/resources/application.properties");
                if (!Files.exists(file)) {
                    continue;
                }
                Properties props = properties(file);
                String service = props.getProperty("quarkus.application.name", module.getFileName().toString());
                TreeSet<String> channels = new TreeSet<>();
                for (String key : props.stringPropertyNames()) {
                    Matcher m = INCOMING.matcher(key);
                    if (m.matches()) {
                        channels.add(m.group(1));
                    }
                }
                if (!channels.isEmpty()) {
                    found.put(service, channels);
                }
                for (String channel : channels) {
                    assertThat(props.getProperty("mp.messaging.incoming." + channel + ".failure-strategy"))
                            .as(service + " channel " + channel + " failure-strategy").isEqualTo("dead-letter-queue");
                    assertThat(props.getProperty("mp.messaging.incoming." + channel + ".dead-letter-queue.topic"))
                            .as(service + " channel " + channel + " dead-letter topic")
                            .isEqualTo(Topics.deadLetter(service, channel));
                }
            }
        }
        Map<String, TreeSet<String>> declared = new TreeMap<>();
        Topics.CONSUMERS.forEach((s, ts) -> declared.put(s, new TreeSet<>(ts)));
        assertThat(found).as("incoming channels in the services' application.properties vs Topics.CONSUMERS")
                .isEqualTo(declared);
    }

    @Test
    void theLocalStackAndKubernetesCreateEveryDeadLetterTopicWithThirtyDaysRetention() throws IOException {
        String kafkaSh = Files.readString(repo().resolve("bin/lib/kafka.sh"));
        String topicsYaml = Files.readString(repo().resolve("deploy/k8s/base/kafka/topics.yaml"));
        for (String topic : Topics.deadLetterTopics()) {
            assertThat(kafkaSh).as("bin/lib/kafka.sh KAFKA_TOPICS").containsPattern("(?m)^\\s+" + Pattern.quote(topic) + "$");
            assertThat(topicsYaml).as("deploy/k8s/base/kafka/topics.yaml")
                    .containsPattern("name: " + Pattern.quote(topic) + "\\n(?:.*\\n){1,8}?\\s+retention\\.ms: 2592000000\\n");
        }
        assertThat(Topics.deadLetterTopics()).doesNotHaveDuplicates()
                .allSatisfy(t -> assertThat(t).matches("[a-z0-9.-]{1,249}"));
    }
}
