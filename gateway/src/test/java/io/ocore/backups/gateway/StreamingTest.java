package io.ocore.backups.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.ocore.backups.gateway.support.Upstreams;
import io.ocore.backups.gateway.support.UpstreamsResource;
import io.ocore.backups.platform.testing.JwtTestResource;
import io.ocore.backups.platform.testing.TestTokens;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The gateway streams: each test below deadlocks (and fails on its deadline) if the gateway
 * held a whole request or response body before passing it on.
 */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(UpstreamsResource.class)
class StreamingTest {

    private static final String ENV = UUID.randomUUID().toString();
    private static final String TOKEN = TestTokens.of(UUID.randomUUID(), "manage:environments");

    @TestHTTPResource("/")
    URL gateway;

    @Test
    void theServiceReadsTheFirstPartOfABodyBeforeTheClientSendsTheRest() throws Exception {
        String id = UUID.randomUUID().toString();
        byte[] first = new byte[256 * 1024];
        byte[] rest = new byte[512 * 1024];
        new Random(1).nextBytes(first);
        new Random(2).nextBytes(rest);

        try (Socket socket = new Socket(gateway.getHost(), gateway.getPort())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /api/wal/" + ENV + "/stream-request/" + id + " HTTP/1.1\r\n"
                    + "Host: " + gateway.getHost() + "\r\n"
                    + "Content-Type: application/octet-stream\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            writeChunk(out, first);
            out.flush();

            // Only the first part has been sent: it must already be at the service.
            await().atMost(Duration.ofSeconds(15)).until(() -> Upstreams.streamedBytes(id) == first.length);

            writeChunk(out, rest);
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();

            String response = readResponse(socket.getInputStream());
            assertThat(response).startsWith("HTTP/1.1 200");
            JsonObject echo = new JsonObject(response.substring(response.indexOf("\r\n\r\n") + 4));
            assertThat(echo.getLong("bodyBytes")).isEqualTo(first.length + rest.length);
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(first);
            sha256.update(rest);
            assertThat(echo.getString("bodySha256")).isEqualTo(HexFormat.of().formatHex(sha256.digest()));
        }
    }

    @Test
    void theClientReadsTheFirstPartOfAResponseBeforeTheServiceSendsTheRest() throws Exception {
        String id = UUID.randomUUID().toString();
        try (Socket socket = new Socket(gateway.getHost(), gateway.getPort())) {
            socket.setSoTimeout(15_000);
            socket.getOutputStream().write(("GET /api/wal/" + ENV + "/stream-response/" + id + " HTTP/1.1\r\n"
                    + "Host: " + gateway.getHost() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();

            // The service holds the rest back until told: the first part must arrive on its own.
            String received = readUntil(in, "first-part");
            assertThat(received).startsWith("HTTP/1.1 200").containsIgnoringCase("x-request-id:");
            assertThat(Upstreams.finishStream(id)).isTrue();
            assertThat(readUntil(in, "second-part")).contains("second-part");
        }
    }

    @Test
    void aWalSegmentSizedUploadStreamsThroughIntact() throws Exception {
        byte[] segment = new byte[20 * 1024 * 1024];
        new Random(3).nextBytes(segment);
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(gateway + "api/wal/" + ENV + "/000000010000000000000003"))
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(segment)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        JsonObject echo = new JsonObject(response.body());
        assertThat(echo.getLong("bodyBytes")).isEqualTo(segment.length);
        assertThat(echo.getString("bodySha256"))
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(segment)));
    }

    @Test
    void aJsonBodyOverTheLimitIsAPayloadTooLargeProblem() {
        Upstreams.clearReceived();
        given().header("Authorization", "Bearer " + TOKEN).contentType("application/json")
                .body(new byte[1024 * 1024 + 1])
                .post("/api/environments/" + ENV + "/backups")
                .then().statusCode(413)
                .contentType("application/problem+json")
                .body("status", equalTo(413))
                .body("type", equalTo("https://ocore.io/problems/payload-too-large"));
        assertThat(Upstreams.received()).isEmpty();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(HttpClient.Version.class)
    void aChunkedBodyGrowingPastTheLimitIsCutOffWithPayloadTooLarge(HttpClient.Version version) throws Exception {
        // No Content-Length: the gateway can only notice while streaming (HTTP/1.1 chunked, or h2c frames).
        byte[] body = new byte[3 * 1024 * 1024];
        HttpResponse<String> response = HttpClient.newBuilder().version(version).build().send(
                HttpRequest.newBuilder(URI.create(gateway + "api/environments/" + ENV + "/backups"))
                        .header("Authorization", "Bearer " + TOKEN)
                        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                        .timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(new JsonObject(response.body()).getInteger("status")).isEqualTo(413);
    }

    @Test
    void aBodyUnderTheLimitPasses() {
        given().header("Authorization", "Bearer " + TOKEN).contentType("application/json")
                .body(new byte[1024 * 1024])
                .post("/api/environments/" + ENV + "/backups")
                .then().statusCode(200).body("bodyBytes", equalTo(1024 * 1024));
    }

    private static void writeChunk(OutputStream out, byte[] chunk) throws IOException {
        out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(chunk);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    /** Reads until {@code marker} appeared (or the socket's read timeout fails the test). */
    private static String readUntil(InputStream in, String marker) throws IOException {
        StringBuilder seen = new StringBuilder();
        byte[] buffer = new byte[8192];
        while (!seen.toString().contains(marker)) {
            int read = in.read(buffer);
            if (read < 0) {
                break;
            }
            seen.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
        }
        return seen.toString();
    }

    /** A whole response with a Content-Length body. */
    private static String readResponse(InputStream in) throws IOException {
        String head = readUntil(in, "\r\n\r\n");
        int headEnd = head.indexOf("\r\n\r\n") + 4;
        String lengthLine = head.lines().filter(l -> l.toLowerCase().startsWith("content-length:")).findFirst()
                .orElseThrow();
        int length = Integer.parseInt(lengthLine.substring(lengthLine.indexOf(':') + 1).trim());
        StringBuilder response = new StringBuilder(head);
        byte[] buffer = new byte[8192];
        while (response.length() - headEnd < length) {
            int read = in.read(buffer);
            if (read < 0) {
                break;
            }
            response.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
        }
        return response.toString();
    }
}
