package io.ocore.backups.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvelopeCipherTest {

    private static String randomKey() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return Base64.getEncoder().encodeToString(k);
    }

    private final String k1 = randomKey();
    private final String k2 = randomKey();

    @Test
    void sealedValueHidesThePlaintextAndOpensInItsContext() {
        EnvelopeCipher cipher = new EnvelopeCipher("k1", Map.of("k1", k1));
        String sealed = cipher.seal("s3cr3t-access-key", "dest-1");

        assertThat(sealed).startsWith("v1:k1:").doesNotContain("s3cr3t");
        assertThat(cipher.openString(sealed, "dest-1")).isEqualTo("s3cr3t-access-key");
        // every seal uses a fresh data key and nonce
        assertThat(cipher.seal("s3cr3t-access-key", "dest-1")).isNotEqualTo(sealed);
    }

    @Test
    void aValueMovedToAnotherRowOrTamperedWithDoesNotOpen() {
        EnvelopeCipher cipher = new EnvelopeCipher("k1", Map.of("k1", k1));
        String sealed = cipher.seal("password", "dest-1");

        assertThatThrownBy(() -> cipher.open(sealed, "dest-2")).isInstanceOf(EnvelopeCipher.CipherException.class);
        String[] parts = sealed.split(":");
        byte[] ct = Base64.getDecoder().decode(parts[3]);
        ct[0] ^= 1;
        String tampered = parts[0] + ":" + parts[1] + ":" + parts[2] + ":" + Base64.getEncoder().encodeToString(ct);
        assertThatThrownBy(() -> cipher.open(tampered, "dest-1"))
                .isInstanceOf(EnvelopeCipher.CipherException.class)
                .hasMessageNotContaining("password");
    }

    @Test
    void rotationKeepsOldValuesReadableAndRewrapsThemUnderTheNewKey() {
        EnvelopeCipher before = new EnvelopeCipher("k1", Map.of("k1", k1));
        String old = before.seal("refresh-token", "dest-9");

        EnvelopeCipher after = new EnvelopeCipher("k2", Map.of("k1", k1, "k2", k2));
        assertThat(after.needsRewrap(old)).isTrue();
        assertThat(after.openString(old, "dest-9")).isEqualTo("refresh-token");
        String rewrapped = after.rewrap(old, "dest-9");
        assertThat(rewrapped).startsWith("v1:k2:");
        assertThat(after.needsRewrap(rewrapped)).isFalse();

        EnvelopeCipher onlyNew = new EnvelopeCipher("k2", Map.of("k2", k2));
        assertThat(onlyNew.openString(rewrapped, "dest-9")).isEqualTo("refresh-token");
        assertThatThrownBy(() -> onlyNew.open(old, "dest-9")).hasMessageContaining("'k1'");
    }

    @Test
    void aMasterKeyOfTheWrongLengthIsRefused() {
        assertThatThrownBy(() -> new EnvelopeCipher("k1", Map.of("k1", Base64.getEncoder().encodeToString(new byte[16]))))
                .hasMessageContaining("32 bytes");
    }

    @Test
    void streamingKeysRoundTripThroughTheirWrappedForm() throws Exception {
        EnvelopeCipher cipher = new EnvelopeCipher("k1", Map.of("k1", k1));
        EnvelopeCipher.StreamingKey key = cipher.newStreamingKey("backup-1");
        byte[] data = new byte[3 * 1024 * 1024 + 17];
        new SecureRandom().nextBytes(data);

        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream enc = key.aead().newEncryptingStream(sink, "database".getBytes(StandardCharsets.UTF_8))) {
            enc.write(data);
        }
        var reopened = cipher.openStreamingKey(key.masterKeyId(), key.wrappedKey(), "backup-1");
        try (InputStream dec = reopened.newDecryptingStream(new ByteArrayInputStream(sink.toByteArray()),
                "database".getBytes(StandardCharsets.UTF_8))) {
            assertThat(dec.readAllBytes()).isEqualTo(data);
        }
    }

    @Test
    void aStreamingKeyRewrappedUnderTheNewKeyDecryptsWhatTheOldOneEncrypted() throws Exception {
        EnvelopeCipher before = new EnvelopeCipher("k1", Map.of("k1", k1));
        EnvelopeCipher.StreamingKey key = before.newStreamingKey("backup:7");
        byte[] data = "a backup's bytes".repeat(1000).getBytes(StandardCharsets.UTF_8);
        byte[] ad = "7/database".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        try (OutputStream enc = key.aead().newEncryptingStream(sink, ad)) {
            enc.write(data);
        }

        EnvelopeCipher rotating = new EnvelopeCipher("k2", Map.of("k1", k1, "k2", k2));
        String rewrapped = rotating.rewrapStreamingKey("k1", key.wrappedKey(), "backup:7");
        assertThat(rewrapped).isNotEqualTo(key.wrappedKey());
        assertThat(rotating.rewrapStreamingKey("k2", rewrapped, "backup:7")).isSameAs(rewrapped);
        assertThatThrownBy(() -> rotating.rewrapStreamingKey("k1", key.wrappedKey(), "backup:8"))
                .isInstanceOf(EnvelopeCipher.CipherException.class);

        EnvelopeCipher onlyNew = new EnvelopeCipher("k2", Map.of("k2", k2));
        try (InputStream dec = onlyNew.openStreamingKey("k2", rewrapped, "backup:7")
                .newDecryptingStream(new ByteArrayInputStream(sink.toByteArray()), ad)) {
            assertThat(dec.readAllBytes()).isEqualTo(data);
        }
        assertThat(EnvelopeCipher.keyIdOf(rotating.seal("x", "c"))).isEqualTo("k2");
        assertThat(EnvelopeCipher.keyIdOf("plain")).isNull();
    }
}
