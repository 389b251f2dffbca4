package io.ocore.backups.backup;

import io.ocore.backups.platform.testing.fakes.DestinationStub;

import static io.ocore.backups.backup.Fixtures.manager;
import static io.ocore.backups.backup.Fixtures.viewer;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.is;

import io.ocore.backups.backup.environment.Environment;
import io.ocore.backups.platform.destinations.Destinations;
import io.ocore.backups.platform.backupformat.BackupKeys;
import io.ocore.backups.platform.backupformat.blobs.BlobKeys;
import io.ocore.backups.platform.backupformat.BackupLayout;
import io.ocore.backups.platform.backupformat.BackupManifest;
import io.ocore.backups.platform.backupformat.ComponentName;
import io.ocore.backups.platform.backupformat.ComponentReader;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.ocore.backups.platform.testing.s3.S3ProxyServer;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /internal/admin/rewrap} after a master-key rotation (k1 -> k2): backups and an
 * environment password written under k1 on a local folder and on s3proxy open with a cipher that
 * holds only k2 afterwards; an unreachable copy is reported and keeps its old manifest.
 */
@QuarkusTest
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
class MasterKeyRotationTest {

    static final String BUCKET = "rotation";
    static final String PASSWORD = "s3cret-pw"; // Fixtures.environmentBody
    static SourceEnvironment src;
    static S3ProxyServer s3;

    @Inject
    Destinations destinations;

    @Inject
    Pool pool;

    final String k1 = ConfigProvider.getConfig().getValue("ocore.previous-master-keys.k1", String.class);
    final String k2 = ConfigProvider.getConfig().getValue("ocore.master-key", String.class);
    /** What the services used before the rotation: k1 active. */
    final EnvelopeCipher beforeRotation = new EnvelopeCipher("k1", Map.of("k1", k1, "k2", k2));
    /** What is left once the old key is removed. */
    final EnvelopeCipher onlyNew = new EnvelopeCipher("k2", Map.of("k2", k2));

    @BeforeAll
    static void start() throws Exception {
        src = SourceEnvironment.get();
        s3 = S3ProxyServer.inMemory().ignoringUnknownHeaders().start(); // takes upload checksums, as AWS S3
        s3.createBucket(BUCKET);
    }

    @AfterAll
    static void stop() {
        s3.close();
    }

    record Setup(UUID org, UUID env, UUID local, UUID s3, List<UUID> backups) {
    }

    @Test
    void afterTheRewrapEveryBackupAndThePasswordOpenWithOnlyTheNewKey() throws Exception {
        Setup s = setup();
        assertThat(onlyNewOpens(s)).isFalse();

        given().post("/internal/admin/rewrap").then().statusCode(401);
        given().auth().oauth2(manager(s.org())).post("/internal/admin/rewrap").then().statusCode(401);
        given().auth().oauth2(TestTokens.of(s.org(), "manage:environments", "view:environments",
                "manage:org_settings", "manage:platform")).post("/internal/admin/rewrap").then().statusCode(401);

        JsonPath r = rewrap();
        assertThat(r.getString("activeMasterKeyId")).isEqualTo("k2");
        assertThat(r.getInt("environments.rewrapped")).isGreaterThanOrEqualTo(1);
        assertThat(r.getInt("blobStoreKeys.rewrapped")).isGreaterThanOrEqualTo(1);
        assertThat(r.getInt("backupCopies.rewrapped")).isGreaterThanOrEqualTo(4); // 2 backups x 2 destinations
        assertThat(failuresOf(r, s)).isEmpty();

        assertThat(onlyNewOpens(s)).isTrue();
        // what the download path serves is what the only-new cipher reads
        for (UUID b : s.backups()) {
            for (UUID dest : List.of(s.local(), s.s3())) {
                for (ComponentName c : components(s, b, dest)) {
                    byte[] served = given().auth().oauth2(manager(s.org())).queryParam("destinationId", dest.toString())
                            .get("/api/backups/" + b + "/components/" + c).then().statusCode(200).extract().asByteArray();
                    assertThat(served).isEqualTo(downloadOf(s, b, dest, c, onlyNew));
                }
            }
        }

        // a re-run finds nothing of these to change
        byte[] manifest = read(s.org(), s.local(), BackupLayout.manifestKey(s.org(), s.env(), s.backups().getFirst()));
        JsonPath again = rewrap();
        assertThat(failuresOf(again, s)).isEmpty();
        assertThat(read(s.org(), s.local(), BackupLayout.manifestKey(s.org(), s.env(), s.backups().getFirst())))
                .isEqualTo(manifest);
        // and the environment still backs up with its re-wrapped password
        backup(s.org(), s.env(), "db", s.local());
    }

    @Test
    void aCopyThatCannotBeReachedIsReportedAndKeepsItsManifestUntilALaterRun() throws Exception {
        Setup s = setup();
        UUID copy = s.backups().getFirst();
        String manifestKey = BackupLayout.manifestKey(s.org(), s.env(), copy);
        byte[] old = read(s.org(), s.local(), manifestKey);
        // destination-service no longer answers for the local destination
        DestinationStub.register(UUID.randomUUID(), s.local(), "Local", "local", Map.of("path", "/tmp"));

        JsonPath r = rewrap();
        assertThat(failuresOf(r, s)).extracting(f -> f.get("destinationId")).containsOnly(s.local().toString());
        assertThat(failuresOf(r, s)).extracting(f -> f.get("id")).contains(copy.toString());
        assertThat(r.getInt("backupCopies.remaining")).isGreaterThanOrEqualTo(2);
        assertThat(r.getInt("remaining")).isGreaterThanOrEqualTo(2);
        assertThat(r.getInt("failed")).isGreaterThanOrEqualTo(2);
        // the s3 copies moved on; the unreachable one is untouched
        assertThat(manifestKeyId(s.org(), s.s3(), manifestKey)).isEqualTo("k2");

        DestinationStub.register(s.org(), s.local(), "Local", "local", Map.of("path", localDir(s)));
        assertThat(read(s.org(), s.local(), manifestKey)).isEqualTo(old);
        JsonPath later = rewrap();
        assertThat(failuresOf(later, s)).isEmpty();
        assertThat(manifestKeyId(s.org(), s.local(), manifestKey)).isEqualTo("k2");
        assertThat(onlyNewOpens(s)).isTrue();
    }

    // ---- fixtures

    static final Map<UUID, String> LOCAL_DIRS = new java.util.concurrent.ConcurrentHashMap<>();

    static String localDir(Setup s) {
        return LOCAL_DIRS.get(s.local());
    }

    /** An environment with a full and a db backup on a local folder and on s3proxy, all wrapped with k1. */
    Setup setup() throws Exception {
        UUID org = UUID.randomUUID();
        UUID env = Fixtures.register(org, src);
        UUID local = UUID.randomUUID();
        Path dir = Files.createTempDirectory("ocore-rotation-");
        LOCAL_DIRS.put(local, dir.toString());
        DestinationStub.register(org, local, "Local", "local", Map.of("path", dir.toString()));
        UUID s3dest = UUID.randomUUID();
        DestinationStub.register(org, s3dest, "S3", "s3", Map.of("bucket", BUCKET, "region", s3.region(),
                "accessKeyId", s3.accessKey(), "secretAccessKey", s3.secretKey(), "endpoint",
                s3.endpoint().toString(), "pathPrefix", "p-" + org));
        List<UUID> backups = List.of(backup(org, env, "full", local, s3dest), backup(org, env, "db", local, s3dest));
        // as if written before the rotation: every data key and the password wrapped with k1
        for (UUID b : backups) {
            for (UUID dest : List.of(local, s3dest)) {
                String key = BackupLayout.manifestKey(org, env, b);
                byte[] k1Manifest = blobStoreKeyUnder(beforeRotation, env,
                        BackupKeys.rewrapManifest(beforeRotation, read(org, dest, key)).json());
                try (BackupStorage storage = storage(org, dest)) {
                    storage.put(key, new ByteArrayInputStream(k1Manifest));
                }
                assertThat(manifestKeyId(org, dest, key)).isEqualTo("k1");
            }
        }
        String blobKey = pool.preparedQuery("select sealed_key from blob_store_key where environment_id = $1")
                .execute(Tuple.of(env)).await().indefinitely().iterator().next().getString(0);
        pool.preparedQuery("update blob_store_key set sealed_key = $1 where environment_id = $2")
                .execute(Tuple.of(beforeRotation.rewrap(blobKey, BlobKeys.context(env)), env)).await().indefinitely();
        pool.preparedQuery("update environment set db_password_sealed = $1 where id = $2")
                .execute(Tuple.of(beforeRotation.seal(PASSWORD, Environment.passwordContext(env)), env))
                .await().indefinitely();
        return new Setup(org, env, local, s3dest, backups);
    }

    /** The manifest with its blob-store key (if any) sealed by {@code cipher}'s active key. */
    static byte[] blobStoreKeyUnder(EnvelopeCipher cipher, UUID env, byte[] manifest) throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode tree = json.readTree(manifest);
        if (!tree.has("blobStore")) {
            return manifest;
        }
        ((com.fasterxml.jackson.databind.node.ObjectNode) tree.get("blobStore")).put("sealedKey",
                cipher.rewrap(tree.get("blobStore").get("sealedKey").asText(), BlobKeys.context(env)));
        return json.writeValueAsBytes(tree);
    }

    static UUID backup(UUID org, UUID env, String type, UUID... dests) {
        String id = given().auth().oauth2(manager(org)).contentType(ContentType.JSON)
                .body(Map.of("backupType", type, "destinationIds", List.of(dests).stream().map(UUID::toString).toList()))
                .post("/api/environments/" + env + "/backups").then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(300))
                .untilAsserted(() -> given().auth().oauth2(viewer(org)).get("/api/backups/" + id).then()
                        .body("status", is("completed")));
        return UUID.fromString(id);
    }

    static JsonPath rewrap() {
        return given().auth().oauth2(TestTokens.service()).post("/internal/admin/rewrap").then().statusCode(200)
                .body("activeMasterKeyId", equalTo("k2")).body("remaining", greaterThanOrEqualTo(0))
                .extract().jsonPath();
    }

    /** The reported failures that concern this test's backups (other tests' leftovers share the database). */
    static List<Map<String, String>> failuresOf(JsonPath report, Setup s) {
        List<Map<String, String>> all = report.getList("failures");
        List<String> ours = s.backups().stream().map(UUID::toString).toList();
        return all.stream().filter(f -> ours.contains(f.get("id")) || s.env().toString().equals(f.get("id"))).toList();
    }

    /** Whether a cipher holding only k2 opens the password and every component of every copy. */
    boolean onlyNewOpens(Setup s) throws Exception {
        try {
            String sealed = pool.preparedQuery("select db_password_sealed from environment where id = $1")
                    .execute(Tuple.of(s.env())).await().indefinitely().iterator().next().getString(0);
            assertThat(onlyNew.openString(sealed, Environment.passwordContext(s.env()))).isEqualTo(PASSWORD);
            String blobKey = pool.preparedQuery("select sealed_key from blob_store_key where environment_id = $1")
                    .execute(Tuple.of(s.env())).await().indefinitely().iterator().next().getString(0);
            BlobKeys.unseal(onlyNew, s.env(), blobKey);
            int blobStores = 0;
            for (UUID b : s.backups()) {
                for (UUID dest : List.of(s.local(), s.s3())) {
                    BackupManifest m = BackupManifest.fromJson(read(s.org(), dest,
                            BackupLayout.manifestKey(s.org(), s.env(), b)));
                    if (m.blobStore() != null) {
                        BlobKeys.unseal(onlyNew, s.env(), m.blobStore().sealedKey());
                        blobStores++;
                    }
                }
            }
            assertThat(blobStores).as("copies of the full backup carry their blob-store key").isEqualTo(2);
            for (UUID b : s.backups()) {
                for (UUID dest : List.of(s.local(), s.s3())) {
                    List<ComponentName> names = components(s, b, dest);
                    assertThat(names).isNotEmpty();
                    for (ComponentName c : names) {
                        assertThat(readComponent(s, b, dest, c, onlyNew)).isNotEmpty();
                    }
                }
            }
            return true;
        } catch (EnvelopeCipher.CipherException e) {
            return false;
        }
    }

    List<ComponentName> components(Setup s, UUID b, UUID dest) throws IOException {
        return BackupManifest.fromJson(read(s.org(), dest, BackupLayout.manifestKey(s.org(), s.env(), b)))
                .components().stream().map(c -> ComponentName.of(c.name())).toList();
    }

    byte[] readComponent(Setup s, UUID b, UUID dest, ComponentName c, EnvelopeCipher cipher) throws IOException {
        BackupManifest m = BackupManifest.fromJson(read(s.org(), dest, BackupLayout.manifestKey(s.org(), s.env(), b)));
        try (BackupStorage storage = storage(s.org(), dest);
                InputStream in = ComponentReader.open(storage.get(m.component(c).orElseThrow().objectKey()), cipher, m,
                        c)) {
            return in.readAllBytes();
        }
    }

    /** What a download of the component serves, read with {@code cipher} alone: a blob-index filestore as its tar. */
    byte[] downloadOf(Setup s, UUID b, UUID dest, ComponentName c, EnvelopeCipher cipher) throws IOException {
        BackupManifest m = BackupManifest.fromJson(read(s.org(), dest, BackupLayout.manifestKey(s.org(), s.env(), b)));
        byte[] plain = readComponent(s, b, dest, c, cipher);
        if (!m.component(c).orElseThrow().isBlobIndex()) {
            return plain;
        }
        var entries = io.ocore.backups.platform.backupformat.blobs.FilestoreIndex
                .read(new java.io.ByteArrayInputStream(plain)).entries();
        BlobKeys keys = BlobKeys.unseal(cipher, s.env(), m.blobStore().sealedKey());
        try (BackupStorage storage = storage(s.org(), dest)) {
            var locations = io.ocore.backups.platform.backupformat.blobs.FilestoreAssembler.readPackIndexes(storage,
                    keys, s.org(), s.env());
            var tar = new java.io.ByteArrayOutputStream();
            new io.ocore.backups.platform.backupformat.blobs.FilestoreAssembler(keys, s.org(), s.env(), storage,
                    locations::get).writeTar(entries, tar, null);
            return tar.toByteArray();
        }
    }

    String manifestKeyId(UUID org, UUID dest, String key) throws IOException {
        return BackupManifest.fromJson(read(org, dest, key)).components().getFirst().encryption().masterKeyId();
    }

    byte[] read(UUID org, UUID dest, String key) throws IOException {
        try (BackupStorage storage = storage(org, dest); InputStream in = storage.get(key)) {
            return in.readAllBytes();
        }
    }

    BackupStorage storage(UUID org, UUID dest) {
        Destinations.Opened d = destinations.open(org, dest);
        assertThat(d.ok()).as("destination %s opens: %s", dest, d.failure()).isTrue();
        return d.storage();
    }
}
