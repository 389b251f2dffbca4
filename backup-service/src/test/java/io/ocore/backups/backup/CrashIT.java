package io.ocore.backups.backup;

import io.ocore.backups.platform.testing.fakes.DestinationStub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ocore.backups.platform.events.Topics;
import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.kafka.KafkaBroker;
import io.ocore.backups.platform.testing.kafka.KafkaTestClient;
import io.ocore.backups.platform.testing.postgres.PostgresCluster;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged backup-service as a real process, killed with SIGKILL at the worst moments:
 * right after committing an event it could not publish yet, and in the middle of a backup.
 * After a restart nothing is lost and nothing half-written remains.
 */
class CrashIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final String MASTER_KEY = "dGVzdC1vbmx5LW1hc3Rlci1rZXktMzItYnl0ZXMhISE=";

    static PostgresCluster services;
    static String serviceDb;
    static SourceEnvironment src;
    static DestinationStub destinations;
    static Map<String, String> destinationProps;
    static Path publicKey;
    static Path workDir;
    static String kafka;
    static Process app;
    static int port;
    static int managementPort;

    @BeforeAll
    static void start() throws Exception {
        services = PostgresCluster.shared();
        serviceDb = services.createDatabase("crash_" + UUID.randomUUID().toString().substring(0, 8));
        src = SourceEnvironment.get();
        // Enough incompressible filestore that a full backup takes seconds, not milliseconds.
        Path big = src.filestore.resolve("ff");
        Files.createDirectories(big);
        byte[] chunk = new byte[8 << 20];
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 40; i++) {
            random.nextBytes(chunk);
            Files.write(big.resolve(String.format("ff%038x", i)), chunk);
        }
        destinations = new DestinationStub();
        destinationProps = destinations.start();
        workDir = Files.createTempDirectory("ocore-crash-it-");
        publicKey = workDir.resolve("jwt-public.pem");
        try (InputStream in = CrashIT.class.getClassLoader().getResourceAsStream(TestTokens.PUBLIC_KEY_LOCATION)) {
            Files.write(publicKey, in.readAllBytes());
        }
        kafka = KafkaBroker.shared();
    }

    @AfterAll
    static void stop() {
        if (app != null) {
            app.destroyForcibly();
        }
        destinations.stop();
    }

    @Test
    void nothingIsLostOrLeftHalfWrittenAcrossKills() throws Exception {
        UUID org = UUID.randomUUID();
        String token = TestTokens.of(org, Permissions.MANAGE_ENVIRONMENTS, Permissions.VIEW_ENVIRONMENTS);

        // 1. Kafka unreachable: the environment is registered and its event committed to the outbox,
        //    but the relay cannot publish it. Then the process dies.
        startApp("127.0.0.1:" + closedPort());
        JsonNode env = post("/api/environments", TestTokens.of(org, Permissions.MANAGE_PLATFORM), Map.of("name", "crash-prod", "projectId", UUID.randomUUID().toString(),
                "environmentType", "production",
                "database", Map.of("host", "127.0.0.1", "port", src.cluster.port(), "name", SourceEnvironment.DATABASE,
                        "user", "postgres", "password", "pw"),
                "filestorePath", src.filestore.toString(), "configPath", src.config.toString()));
        String envId = env.path("id").asText();
        assertThat(unpublished(envId)).isEqualTo(1);
        kill();

        // 2. Restarted with Kafka: the committed event is published.
        startApp(kafka);
        try (KafkaTestClient client = new KafkaTestClient(kafka)) {
            KafkaTestClient.Received registered = client.awaitRecord(Topics.ENVIRONMENT,
                    r -> r.data().contains(envId), Duration.ofSeconds(60));
            assertThat(registered.type()).isEqualTo("io.ocore.backup.EnvironmentRegistered.v1");
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> unpublished(envId) == 0);

        // 3. A full backup is killed while it writes.
        UUID dest = UUID.randomUUID();
        Path destDir = workDir.resolve("destination");
        Files.createDirectories(destDir);
        DestinationStub.register(org, dest, "Local disk", "local", Map.of("path", destDir.toString()));
        JsonNode backup = post("/api/environments/" + envId + "/backups", token,
                Map.of("backupType", "full", "destinationIds", List.of(dest.toString())));
        String backupId = backup.path("id").asText();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> {
            JsonNode b = get("/api/backups/" + backupId, token);
            return "in_progress".equals(b.path("status").asText()) && b.path("progress").path("bytesDone").asLong() > 0;
        });
        assertThat(filesUnder(destDir)).as("partial objects exist at the moment of the kill").isNotEmpty();
        kill();

        // 4. After the restart the backup is failed with a reason, and nothing of it remains.
        startApp(kafka);
        await().atMost(Duration.ofSeconds(60)).until(() -> "failed".equals(get("/api/backups/" + backupId, token)
                .path("status").asText()));
        JsonNode failed = get("/api/backups/" + backupId, token);
        assertThat(failed.path("error").asText()).startsWith("interrupted");
        assertThat(failed.path("remotePaths").size()).isZero();
        // the backup's directory is gone; packs it stored stay in the blob store (the collector frees them)
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(filesUnder(destDir).stream()
                .filter(f -> !f.toString().contains("/blobs/")).toList()).isEmpty());
        kill();
    }

    static void startApp(String bootstrap) throws Exception {
        port = freePort();
        managementPort = freePort();
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-Dquarkus.http.port=" + port,
                // health is served on the management interface only
                "-Dquarkus.management.port=" + managementPort,
                "-Dquarkus.datasource.reactive.url=" + services.reactiveUrl(serviceDb),
                "-Dquarkus.datasource.jdbc.url=" + services.jdbcUrl(serviceDb),
                "-Dquarkus.datasource.username=postgres",
                "-Dquarkus.datasource.password=unused",
                "-Dkafka.bootstrap.servers=" + bootstrap,
                "-Dmp.jwt.verify.publickey.location=" + publicKey,
                "-Docore.master-key=" + MASTER_KEY,
                "-Docore.services.destination.url=" + destinationProps.get("ocore.services.destination.url"),
                "-Docore.destinations.local-roots=" + workDir,
                "-Docore.destinations.allow-private-endpoints=true",
                "-Docore.environments.database-servers=127.0.0.1:" + src.cluster.port(),
                "-Docore.environments.filestore-roots=" + src.filestoreRoot,
                "-Docore.environments.config-roots=" + src.configRoot,
                "-Docore.backup.node-name=crash-it",
                "-Docore.backup.poll-interval=1s",
                "-Docore.backup.progress-interval=100ms",
                "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toString()));
        Path log = Path.of("target", "crash-it-" + System.nanoTime() + ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        // the key that signs service tokens (the stub checks them) through the environment, not the command line
        pb.environment().put("OCORE_SERVICE_SIGNING_KEY", TestTokens.SERVICE_SIGNING_KEY);
        app = pb.start();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() -> {
            if (!app.isAlive()) {
                throw new AssertionError("backup-service exited: " + Files.readString(log));
            }
            try {
                return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/q/health/live")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** SIGKILL: no shutdown hook, no graceful stop. */
    static void kill() throws InterruptedException {
        app.destroyForcibly();
        app.waitFor();
        app = null;
    }

    static JsonNode post(String path, String token, Object body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isIn(201, 202);
        return JSON.readTree(r.body());
    }

    static JsonNode get(String path, String token) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static int unpublished(String envId) throws Exception {
        try (Connection c = services.connect(serviceDb);
                var st = c.prepareStatement("select count(*) from outbox_event where event_key = ? and published_at is null")) {
            st.setString(1, envId);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    static List<Path> filesUnder(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A port nothing listens on (bound then released). */
    static int closedPort() throws IOException {
        return freePort();
    }
}
