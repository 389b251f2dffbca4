package io.ocore.backups.platform.backupformat;

import static org.assertj.core.api.Assertions.assertThat;

import io.ocore.backups.platform.storage.Slabs;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * FanOut reuses a chunk's buffer once every destination has read past it: each destination
 * must still receive exactly the bytes written, whatever their pace, and a destination that
 * fails half-way must change nothing for the others.
 */
class FanOutTest {

    /** 64 KiB chunks are heap buffers; 1 MiB ones are slabs, direct within the budget surefire sets. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {64 * 1024, Slabs.SLAB_BYTES})
    void everyDestinationGetsExactlyTheBytesWrittenWhateverItsPaceAndWhenAnotherFails(int chunk) throws Exception {
        final int CHUNK = chunk;
        byte[] data = new byte[CHUNK * (CHUNK == Slabs.SLAB_BYTES ? 40 : 200) + 12345];
        new Random(7).nextBytes(data);
        String expected = sha256(data, data.length);
        Map<String, String> got = new ConcurrentHashMap<>();
        Map<String, FanOut.Consumer> consumers = new LinkedHashMap<>();
        consumers.put("fast", in -> got.put("fast", sha256(in, 0)));
        // reads a little at a time and pauses: the fast one is always chunks ahead of it
        consumers.put("slow", in -> got.put("slow", sha256(in, 1)));
        consumers.put("failing", in -> {
            byte[] buf = new byte[64 * 1024];
            for (int i = 0; i < 30; i++) {
                in.readNBytes(buf, 0, buf.length);
            }
            throw new IOException("destination went away");
        });
        int directBefore = Slabs.directAlive();
        FanOut fan = new FanOut(CHUNK, 3, consumers, Duration.ofMinutes(1));
        Random sizes = new Random(11);
        for (int off = 0; off < data.length;) {
            int n = Math.min(data.length - off, 1 + sizes.nextInt(3 * CHUNK));
            fan.write(data, off, n);
            off += n;
        }
        fan.finish();

        assertThat(fan.succeeded()).containsExactly("fast", "slow");
        assertThat(fan.failures()).containsOnlyKeys("failing");
        assertThat(got).containsEntry("fast", expected).containsEntry("slow", expected);
        if (CHUNK == Slabs.SLAB_BYTES) {
            assertThat(Slabs.DIRECT_SLABS).as("surefire sets ocore.storage.direct-slabs").isPositive();
            // a few buffers served the whole stream, whatever its length
            assertThat(Slabs.directAlive() - directBefore).isBetween(1, 16); // not one per chunk (40)
        }
    }

    static String sha256(InputStream in, int pauseEveryReads) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[7919];
        int n;
        int reads = 0;
        while ((n = in.read(buf)) >= 0) {
            d.update(buf, 0, n);
            if (pauseEveryReads > 0 && ++reads % 8 == 0) {
                Thread.sleep(1); // the slow destination's pace, not a wait for async work
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    static String sha256(byte[] b, int len) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        d.update(b, 0, len);
        return HexFormat.of().formatHex(d.digest());
    }
}
