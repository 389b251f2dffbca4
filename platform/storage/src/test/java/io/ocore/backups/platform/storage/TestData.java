package io.ocore.backups.platform.storage;

import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Pseudo-random test data generated on the fly (never held in memory) and hashed as it goes. */
public final class TestData {

    private TestData() {
    }

    /** {@code size} bytes from a xorshift generator seeded with {@code seed}; {@link #sha256()} after reading. */
    public static final class RandomStream extends InputStream {
        private final long size;
        private long position;
        private long state;
        private final MessageDigest digest = sha();

        public RandomStream(long seed, long size) {
            this.size = size;
            this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
        }

        private byte next() {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            return (byte) state;
        }

        @Override
        public int read() {
            if (position >= size) {
                return -1;
            }
            byte b = next();
            digest.update(b);
            position++;
            return b & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - position);
            for (int i = 0; i < n; i++) {
                b[off + i] = next();
            }
            digest.update(b, off, n);
            position += n;
            return n;
        }

        public String sha256() {
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    /** A stream that delivers {@code failAfter} bytes of random data and then throws, as a dying source does. */
    public static InputStream failingAfter(long seed, long failAfter) {
        RandomStream data = new RandomStream(seed, Long.MAX_VALUE);
        return new InputStream() {
            private long delivered;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (delivered >= failAfter) {
                    throw new IOException("source died midway (test)");
                }
                int n = data.read(b, off, (int) Math.min(len, failAfter - delivered));
                delivered += n;
                return n;
            }
        };
    }

    /** SHA-256 and length of everything {@code in} delivers; closes it. */
    public static Hashed hash(InputStream in) throws IOException {
        MessageDigest digest = sha();
        long total = 0;
        byte[] buf = new byte[64 * 1024];
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                digest.update(buf, 0, n);
                total += n;
            }
        }
        return new Hashed(HexFormat.of().formatHex(digest.digest()), total);
    }

    public record Hashed(String sha256, long size) {
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
