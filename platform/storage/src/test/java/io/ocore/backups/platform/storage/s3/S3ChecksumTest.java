package io.ocore.backups.platform.storage.s3;

import static org.assertj.core.api.Assertions.assertThat;

import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.StorageOptions;
import io.ocore.backups.platform.testing.s3.S3ProxyServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Integrity at upload: every PutObject and UploadPart carries its CRC32C
 * ({@code x-amz-checksum-crc32c}), which the server checks against what it received. The requests
 * pass through a byte relay that records what the driver sent, on its way to s3proxy. What this
 * proves: the header is sent with the right value for every part, and s3proxy accepts such
 * uploads and reads them back. s3proxy 2.6 does not itself verify the CRC32C (AWS S3 does; by
 * default s3proxy refuses the header with 501, here it is told to ignore it), so the refusal of a
 * damaged part is not shown here. A server that answers 501 gets uploads without checksums.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3ChecksumTest {

    S3ProxyServer server;
    ServerSocket relay;
    final ByteArrayOutputStream sent = new ByteArrayOutputStream();

    @BeforeAll
    void start() throws Exception {
        server = S3ProxyServer.inMemory().ignoringUnknownHeaders().start();
        server.createBucket("sums");
        relay = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!relay.isClosed()) {
                try {
                    Socket client = relay.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), server.endpoint().getPort());
                    Thread.ofVirtual().start(() -> pump(client, upstream, true));
                    Thread.ofVirtual().start(() -> pump(upstream, client, false));
                } catch (Exception e) {
                    return;
                }
            }
        });
    }

    void pump(Socket from, Socket to, boolean record) {
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                if (record) {
                    synchronized (sent) {
                        sent.write(buf, 0, n);
                    }
                }
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (Exception ignored) {
            // the other side closed
        } finally {
            try {
                from.close();
                to.close();
            } catch (Exception ignored) {
                // already closed
            }
        }
    }

    @AfterAll
    void stop() throws Exception {
        relay.close();
        server.close();
    }

    BackupStorage storage() {
        Map<String, Object> c = new HashMap<>();
        c.put("bucket", "sums");
        c.put("region", server.region());
        c.put("accessKeyId", server.accessKey());
        c.put("secretAccessKey", server.secretKey());
        c.put("endpoint", "http://127.0.0.1:" + relay.getLocalPort());
        return new S3Driver().open(DestinationType.s3, c,
                StorageOptions.builder().allowPrivateEndpoints(true).build());
    }

    String sentText() {
        synchronized (sent) {
            String s = sent.toString(StandardCharsets.ISO_8859_1);
            sent.reset();
            return s;
        }
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) {
            b[i] = (byte) r.nextInt(256);
        }
        return b;
    }

    @Test
    void aServerThatDoesNotImplementChecksumsGetsUploadsWithoutThem() throws Exception {
        S3ProxyServer strict = S3ProxyServer.inMemory().start();
        try {
            strict.createBucket("plain");
            Map<String, Object> c = new HashMap<>();
            c.put("bucket", "plain");
            c.put("region", strict.region());
            c.put("accessKeyId", strict.accessKey());
            c.put("secretAccessKey", strict.secretKey());
            c.put("endpoint", strict.endpoint().toString());
            byte[] small = random(1000, 3);
            byte[] large = random(S3Storage.DEFAULT_PART_SIZE + 10, 4);
            try (BackupStorage s = new S3Driver().open(DestinationType.s3, c,
                    StorageOptions.builder().allowPrivateEndpoints(true).build())) {
                s.put("p/small", new ByteArrayInputStream(small));
                assertThat(((S3Storage) s).sendsChecksums()).isFalse();
                s.put("p/large", new ByteArrayInputStream(large));
                try (InputStream in = s.get("p/small")) {
                    assertThat(in.readAllBytes()).isEqualTo(small);
                }
                try (InputStream in = s.get("p/large")) {
                    assertThat(in.readAllBytes()).isEqualTo(large);
                }
            }
            // A first upload of several MiB in one request: the server's 501 must not arrive as a reset
            // connection in the middle of the body (the storage asks without a body first).
            byte[] medium = random(S3Storage.DEFAULT_PART_SIZE - 10, 5);
            try (BackupStorage s = new S3Driver().open(DestinationType.s3, c,
                    StorageOptions.builder().allowPrivateEndpoints(true).build())) {
                s.put("p/medium", new ByteArrayInputStream(medium));
                assertThat(((S3Storage) s).sendsChecksums()).isFalse();
                try (InputStream in = s.get("p/medium")) {
                    assertThat(in.readAllBytes()).isEqualTo(medium);
                }
            }
        } finally {
            strict.close();
        }
    }

    @Test
    void aSmallPutCarriesItsCrc32cAndReadsBack() throws Exception {
        byte[] data = random(100_000, 1);
        try (BackupStorage s = storage()) {
            sentText();
            s.put("a/small", new ByteArrayInputStream(data));
            String wire = sentText();
            assertThat(wire.toLowerCase()).contains("x-amz-checksum-crc32c: " .toLowerCase()
                    + S3Storage.crc32c(data, data.length).toLowerCase());
            assertThat(((S3Storage) s).sendsChecksums()).isTrue();
            try (InputStream in = s.get("a/small")) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
        }
    }

    @Test
    void everyPartOfAMultipartUploadCarriesItsCrc32cAndTheObjectReadsBack() throws Exception {
        int part = S3Storage.DEFAULT_PART_SIZE;
        byte[] data = random(2 * part + 12345, 2);
        try (BackupStorage s = storage()) {
            sentText();
            s.put("a/large", new ByteArrayInputStream(data));
            String wire = sentText().toLowerCase();
            assertThat(wire).contains("x-amz-checksum-algorithm: crc32c"); // CreateMultipartUpload
            int[][] parts = {{0, part}, {part, part}, {2 * part, 12345}};
            for (int[] p : parts) {
                byte[] slice = java.util.Arrays.copyOfRange(data, p[0], p[0] + p[1]);
                assertThat(wire).contains("x-amz-checksum-crc32c: " + S3Storage.crc32c(slice, slice.length)
                        .toLowerCase());
            }
            Matcher m = Pattern.compile("x-amz-checksum-crc32c: ").matcher(wire);
            int headers = 0;
            while (m.find()) {
                headers++;
            }
            assertThat(headers).as("one per part").isGreaterThanOrEqualTo(3);
            try (InputStream in = s.get("a/large")) {
                assertThat(in.readAllBytes()).isEqualTo(data);
            }
        }
    }
}
