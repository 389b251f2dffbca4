package io.ocore.backups.platform.backupformat.wal;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.luben.zstd.ZstdInputStream;
import com.google.crypto.tink.StreamingAead;
import io.ocore.backups.platform.backupformat.BackupManifest;
import io.ocore.backups.platform.security.EnvelopeCipher;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * One archived WAL file as stored on a destination (docs/backup-format.md "WAL files"): a text
 * header that says everything needed to read it with the master key alone, then the file
 * compressed (zstd) and encrypted (Tink streaming AEAD, a fresh data key per file).
 *
 * <pre>
 * ocore-wal-object 1\n
 * {"format":1,"orgId":...,"environmentId":...,"fileName":...,"sizeBytes":...,"sha256":...,
 *  "compression":"zstd","encryption":{"scheme":"tink-aes256-gcm-hkdf-1mb","masterKeyId":...,
 *  "wrappedKey":...}}\n
 * &lt;ciphertext&gt;
 * </pre>
 *
 * The data key is wrapped by the master key with context {@code wal:<environmentId>}
 * ({@link #keyContext}); the ciphertext is bound to {@code <environmentId>/<fileName>} as
 * associated data ({@link #associatedData}), so an object cannot be passed off under another
 * name or environment. {@code sizeBytes} and {@code sha256} describe the plaintext WAL file.
 */
public final class WalObject {

    /** The first line of every WAL object. */
    public static final String MAGIC = "ocore-wal-object 1";
    public static final int FORMAT = 1;
    public static final String COMPRESSION = "zstd";
    /** The longest header a reader accepts (a header is a few hundred bytes). */
    public static final int MAX_HEADER_BYTES = 64 * 1024;

    private static final ObjectMapper JSON = new ObjectMapper();

    private WalObject() {
    }

    /** The data key's wrapping context: {@code wal:<environmentId>}. */
    public static String keyContext(UUID environmentId) {
        return "wal:" + environmentId;
    }

    /** The ciphertext's associated data: {@code <environmentId>/<fileName>} in UTF-8. */
    public static byte[] associatedData(UUID environmentId, String fileName) {
        return (environmentId + "/" + fileName).getBytes(StandardCharsets.UTF_8);
    }

    /** How the data key is kept: wrapped by the master key {@code masterKeyId}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Encryption(String scheme, String masterKeyId, String wrappedKey) {
    }

    /** The header of a WAL object. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Header(int format, UUID orgId, UUID environmentId, String fileName, long sizeBytes, String sha256,
            String compression, Encryption encryption) {

        public static Header of(UUID orgId, UUID environmentId, String fileName, long sizeBytes, String sha256,
                EnvelopeCipher.StreamingKey key) {
            return new Header(FORMAT, orgId, environmentId, fileName, sizeBytes, sha256, COMPRESSION,
                    new Encryption(BackupManifest.ENCRYPTION_SCHEME, key.masterKeyId(), key.wrappedKey()));
        }

        /** The header as stored: the magic line, then the JSON on one line. */
        public byte[] toBytes() {
            try {
                return (MAGIC + "\n" + JSON.writeValueAsString(this) + "\n").getBytes(StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Reads the header off {@code stored}, leaving it at the first byte of the ciphertext. */
    public static Header readHeader(InputStream stored) throws IOException {
        String magic = line(stored);
        if (!MAGIC.equals(magic)) {
            throw new IOException("Not an oCore WAL object (the first line is not '" + MAGIC + "')");
        }
        Header h;
        try {
            h = JSON.readValue(line(stored), Header.class);
        } catch (IOException e) {
            throw new IOException("The WAL object's header is not readable: " + e.getMessage(), e);
        }
        if (h.format() != FORMAT || !COMPRESSION.equals(h.compression()) || h.encryption() == null
                || !BackupManifest.ENCRYPTION_SCHEME.equals(h.encryption().scheme()) || h.environmentId() == null
                || h.fileName() == null || h.sha256() == null) {
            throw new IOException("The WAL object's header names a format, compression or encryption this reader"
                    + " does not know, or lacks a field");
        }
        return h;
    }

    /**
     * The plaintext WAL file of a stored object: header read, data key unwrapped with
     * {@code cipher}, decrypted and decompressed. Its size and SHA-256 are checked against
     * {@code expectedSha256} (and the header's own) at the end: a mismatch fails the last read
     * with {@link MismatchException} before the reader sees a clean end.
     *
     * @param environmentId the environment the object must belong to (null: the header's)
     * @param fileName      the name it must carry (null: the header's)
     * @param expectedSha256 the catalogue's SHA-256 of the plaintext (null: the header's)
     */
    public static Opened open(InputStream stored, EnvelopeCipher cipher, UUID environmentId, String fileName,
            String expectedSha256) throws IOException {
        Header h = readHeader(stored);
        if (environmentId != null && !environmentId.equals(h.environmentId())
                || fileName != null && !fileName.equals(h.fileName())) {
            throw new IOException("The WAL object is " + h.environmentId() + "/" + h.fileName() + ", not "
                    + environmentId + "/" + fileName);
        }
        String expected = expectedSha256 == null ? h.sha256() : expectedSha256.toLowerCase();
        if (!expected.equalsIgnoreCase(h.sha256())) {
            throw new MismatchException("The WAL object's header says SHA-256 " + h.sha256()
                    + ", the catalogue " + expected);
        }
        StreamingAead aead = cipher.openStreamingKey(h.encryption().masterKeyId(), h.encryption().wrappedKey(),
                keyContext(h.environmentId()));
        InputStream plain;
        try {
            plain = new ZstdInputStream(aead.newDecryptingStream(stored, associatedData(h.environmentId(),
                    h.fileName())));
        } catch (GeneralSecurityException e) {
            throw new IOException("Could not start decryption: " + e.getMessage(), e);
        }
        return new Opened(h, new Checked(plain, expected, h.sizeBytes()));
    }

    /** The WAL file read back is not the one archived (size or SHA-256), or the header disagrees with the catalogue. */
    public static final class MismatchException extends IOException {
        public MismatchException(String message) {
            super(message);
        }
    }

    /** A WAL object opened: its header and its plaintext (checked at the end). */
    public record Opened(Header header, InputStream plaintext) {
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("The WAL object ends inside its header");
            }
            if (b.size() >= MAX_HEADER_BYTES) {
                throw new IOException("The WAL object's header is longer than " + MAX_HEADER_BYTES + " bytes");
            }
            b.write(c);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    /** Hashes and counts the plaintext; at its end compares with what the header and catalogue say. */
    private static final class Checked extends FilterInputStream {
        private final MessageDigest digest;
        private final String expected;
        private final long expectedSize;
        private long count;
        private boolean verified;

        Checked(InputStream in, String expected, long expectedSize) {
            super(in);
            this.expected = expected;
            this.expectedSize = expectedSize;
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n < 0) {
                if (!verified) {
                    String actual = HexFormat.of().formatHex(digest.digest());
                    if (count != expectedSize || !actual.equals(expected)) {
                        throw new MismatchException("The WAL file read back is " + count + " bytes with SHA-256 "
                                + actual + "; " + expectedSize + " bytes with SHA-256 " + expected + " were archived");
                    }
                    verified = true;
                }
                return -1;
            }
            digest.update(b, off, n);
            count += n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[8192];
            long skipped = 0;
            while (skipped < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - skipped));
                if (r < 0) {
                    break;
                }
                skipped += r;
            }
            return skipped;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
