package io.ocore.backups.wal.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import io.micrometer.core.instrument.MeterRegistry;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.fakes.DestinationStub;
import io.ocore.backups.platform.testing.kafka.KafkaTestResource;
import io.ocore.backups.platform.testing.postgres.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Back-pressure (ADR 0017): with one transfer slot, a second PUT that cannot start within the
 * transfer wait is answered 503 with Retry-After and changes nothing; the running one completes
 * and the refused one goes through when sent again.
 */
@QuarkusTest
@TestProfile(WalTransferSlotsTest.OneSlot.class)
@QuarkusTestResource(PostgresTestResource.class)
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(DestinationStub.class)
class WalTransferSlotsTest {

    public static class OneSlot implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("ocore.wal.max-concurrent-transfers", "1", "ocore.wal.transfer-wait", "1s");
        }
    }

    @Inject
    MeterRegistry registry;

    @TestHTTPResource("/")
    URL base;

    @BeforeAll
    static void start() throws Exception {
        WalIngestApiTest.start();
    }

    @AfterAll
    static void stop() {
        WalIngestApiTest.stop();
    }

    double active() {
        return registry.get("ocore.wal.transfers.active").gauge().value();
    }

    @Test
    void aTransferThatFindsNoFreeSlotIs503WithRetryAfterAndGoesThroughWhenSentAgain() throws Exception {
        UUID org = UUID.randomUUID();
        Path dir = WalIngestApiTest.root.resolve(UUID.randomUUID().toString());
        UUID env = WalIngestApiTest.environment(org, true, WalIngestApiTest.localDestination(org, dir));
        String token = WalIngestApiTest.token(org, env);
        byte[] segment = WalIngestApiTest.segment;
        String name = WalIngestApiTest.segmentName;
        byte[] history = "1\t0/3000000\tno recovery target specified\n".getBytes();
        WalIngestApiTest.put(env, token, "00000002.history", history).then().statusCode(201);

        // the first upload sends 1 MiB, then waits: it holds the only slot
        CountDownLatch release = new CountDownLatch(1);
        InputStream held = new SequenceInputStream(new ByteArrayInputStream(Arrays.copyOfRange(segment, 0, 1 << 20)),
                new InputStream() {
                    final InputStream rest = new ByteArrayInputStream(segment, 1 << 20, segment.length - (1 << 20));

                    @Override
                    public int read() throws IOException {
                        byte[] one = new byte[1];
                        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        try {
                            if (!release.await(60, TimeUnit.SECONDS)) {
                                throw new IOException("the test never released the upload");
                            }
                        } catch (InterruptedException e) {
                            throw new IOException(e);
                        }
                        return rest.read(b, off, len);
                    }
                });
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest first = HttpRequest.newBuilder(URI.create(base.toString() + "api/wal/" + env + "/" + name))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> held)).build();
        CompletableFuture<HttpResponse<String>> firstDone = http.sendAsync(first, HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(30)).until(() -> active() == 1.0);

        // another file meanwhile: no slot within the 1 s wait; a read of an archived file likewise
        byte[] next = "1\t0/3000000\tno recovery target specified\n2\t0/5000000\tno recovery target specified\n".getBytes();
        WalIngestApiTest.put(env, token, "00000003.history", next).then().statusCode(503)
                .contentType("application/problem+json").header("Retry-After", "10")
                .body("detail", containsString("busy"));
        WalIngestApiTest.get(env, token, "00000002.history").then().statusCode(503)
                .contentType("application/problem+json").body("detail", containsString("busy"));
        assertThat(WalIngestApiTest.walFileRows(env)).isEqualTo(1);

        release.countDown();
        assertThat(firstDone.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(10)).until(() -> active() == 0.0);
        WalIngestApiTest.put(env, token, "00000003.history", next).then().statusCode(201);
        assertThat(WalIngestApiTest.walFileRows(env)).isEqualTo(3);
        assertThat(WalIngestApiTest.get(env, token, "00000002.history").then().statusCode(200).extract()
                .asByteArray()).isEqualTo(history);
    }
}
