// Creates the oCore topics on the local broker if they do not exist (6 partitions,
// replication factor 1). Run by bin/stack as a single-file source program against the
// broker's own jars: java -cp '.state/kafka/lib/*' deploy/local/kafka/CreateTopics.java
// 127.0.0.1:19092 topic...  (the topic list mirrors platform/events Topics.all()).
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

public class CreateTopics {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (int i = 1; i < args.length; i++) {
                if (!existing.contains(args[i])) {
                    // keyed by environment id: 6 partitions keep one environment's events ordered
                    // dead-letter topics (<service>.<topic>.dlq) keep 30 days, the event topics 7
                    String retention = args[i].endsWith(".dlq") ? "2592000000" : "604800000";
                    missing.add(new NewTopic(args[i], 6, (short) 1).configs(Map.of("retention.ms", retention)));
                }
            }
            if (!missing.isEmpty()) {
                admin.createTopics(missing).all().get(60, TimeUnit.SECONDS);
            }
            System.out.println("topics created: " + missing.stream().map(NewTopic::name).toList()
                    + ", already there: " + (args.length - 1 - missing.size()));
        }
    }
}
