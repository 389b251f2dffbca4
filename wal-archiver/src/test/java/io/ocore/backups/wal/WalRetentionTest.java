package io.ocore.backups.wal;

import static io.ocore.backups.wal.WalRows.segment;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.ocore.backups.platform.destinations.Destinations;
import io.ocore.backups.platform.events.v1.Events.BackupCompleted;
import io.ocore.backups.platform.events.v1.Events.BackupScheduleChanged;
import io.ocore.backups.platform.events.v1.Events.EnvironmentRegistered;
import io.ocore.backups.platform.events.v1.Events.PitrBase;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.storage.StoredObject;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.fakes.DestinationStub;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.ocore.backups.wal.retention.WalRetention;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
class WalRetentionTest {

    static KafkaTestClient kafka;

    @Inject
    WalRetention retention;

    @Inject
    Destinations destinations;

    @BeforeAll
    static void kafka() {
        kafka = new KafkaTestClient(ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
    }

    @AfterAll
    static void close() {
        kafka.close();
    }

    @Test
    void oldWalGoesFromEveryDestinationExceptWhatTheOldestBaseNeedsAndAnUnreachableOneIsRetried() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = UUID.randomUUID();
        UUID local1 = UUID.randomUUID();
        UUID local2 = UUID.randomUUID();
        Path dir1 = Files.createTempDirectory(Path.of("/tmp"), "wal-retention-a");
        Path dir2 = Files.createTempDirectory(Path.of("/tmp"), "wal-retention-b");
        DestinationStub.register(org, local1, "Local disk", "local", Map.of("path", dir1.toString()));
        DestinationStub.register(org, local2, "Second disk", "local", Map.of("path", dir2.toString()));
        List<UUID> dests = List.of(local1, local2);

        kafka.publish(new EnvironmentRegistered(org, env, UUID.randomUUID(), "prod", "production", Instant.now()));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given()
                .auth().oauth2(TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS))
                .get("/api/environments/{env}/wal-coverage", env).then().statusCode(200));
        kafka.publish(new BackupScheduleChanged(org, env, true, true, 7, dests));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given()
                .auth().oauth2(TestTokens.of(org, Permissions.VIEW_ENVIRONMENTS))
                .get("/api/environments/{env}/wal-coverage", env).then().body("walEnabled", equalTo(true)));
        Instant now = Instant.now();
        Instant tenDaysAgo = now.minus(Duration.ofDays(10));
        // the oldest retained base (ten days old, started in segment 5); a younger one after it
        kafka.publish(new BackupCompleted(org, env, UUID.randomUUID(), "db", "scheduled", "k1", 50_000_000L,
                tenDaysAgo, tenDaysAgo.plusSeconds(60), Map.of(), List.of(),
                new PitrBase("0/5000028", "0/5000138", 1, "000000010000000000000005", tenDaysAgo.plusSeconds(60))));
        kafka.publish(new BackupCompleted(org, env, UUID.randomUUID(), "db", "scheduled", "k2", 50_000_000L,
                now.minus(Duration.ofDays(2)), now.minus(Duration.ofDays(2)), Map.of(), List.of(),
                new PitrBase("0/9000028", "0/9000138", 1, "000000010000000000000009", now.minus(Duration.ofDays(2)))));
        await().atMost(Duration.ofSeconds(60)).until(() -> WalRows.count(
                "select count(*) from pitr_base where environment_id = ?", env) == 2);

        String[] names = {"000000010000000000000003", "000000010000000000000004", "000000010000000000000005",
            "000000010000000000000005.00000028.backup", "000000010000000000000006", "000000010000000000000009"};
        for (int i = 0; i < names.length; i++) {
            Instant archived = i < names.length - 1 ? tenDaysAgo.plusSeconds(60L * i) : now;
            WalRows.insert(env, dests, segment(names[i], archived, archived.plusSeconds(50), 100, archived));
            for (UUID d : dests) {
                put(org, d, key(org, env, names[i]));
            }
        }

        // destination-service erring: no destination can be opened, nothing is deleted, retried next run
        DestinationStub.answerWith(503);
        WalRetention.Report failed;
        try {
            failed = retention.run(now);
        } finally {
            DestinationStub.answerNormally();
        }
        assertThat(failed.deleted()).isZero();
        assertThat(failed.kept()).isEqualTo(2);
        assertThat(fileNames(env)).hasSize(6);

        WalRetention.Report report = retention.run(now);
        assertThat(report.deleted()).isEqualTo(2);
        assertThat(report.skipped()).isEmpty();
        // 3 and 4 are gone from the catalogue and from both destinations; the base's WAL and the young file stay
        assertThat(fileNames(env)).containsExactly("000000010000000000000005",
                "000000010000000000000005.00000028.backup", "000000010000000000000006", "000000010000000000000009");
        for (UUID d : dests) {
            assertThat(stored(org, d, env)).containsExactly(key(org, env, names[2]), key(org, env, names[3]),
                    key(org, env, names[4]), key(org, env, names[5]));
        }

        // once the oldest base is gone, its WAL is past retention too
        WalRows.execute("delete from pitr_base where environment_id = ? and start_wal_file = ?", env,
                "000000010000000000000005");
        assertThat(retention.run(now).deleted()).isEqualTo(3);
        assertThat(fileNames(env)).containsExactly("000000010000000000000009");
        assertThat(stored(org, local1, env)).containsExactly(key(org, env, names[5]));
    }

    static String key(UUID org, UUID env, String name) {
        return org + "/" + env + "/wal/00000001/" + name;
    }

    void put(UUID org, UUID dest, String key) throws Exception {
        var opened = destinations.open(org, dest);
        try (var storage = opened.storage()) {
            storage.put(key, new ByteArrayInputStream(("stored " + key).getBytes()));
        }
    }

    List<String> stored(UUID org, UUID dest, UUID env) throws Exception {
        var opened = destinations.open(org, dest);
        try (var storage = opened.storage()) {
            return storage.list(org + "/" + env + "/wal/").stream().map(StoredObject::key).sorted().toList();
        }
    }

    static List<String> fileNames(UUID env) throws Exception {
        try (var conn = WalRows.connect();
                var st = conn.prepareStatement("select file_name from wal_file where environment_id = ? order by 1")) {
            st.setObject(1, env);
            try (var rs = st.executeQuery()) {
                List<String> out = new java.util.ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
                return out;
            }
        }
    }
}
