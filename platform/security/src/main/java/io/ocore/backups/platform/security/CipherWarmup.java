package io.ocore.backups.platform.security;

import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.StreamingAead;
import com.google.crypto.tink.streamingaead.PredefinedStreamingAeadParameters;
import com.google.crypto.tink.streamingaead.StreamingAeadConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import org.eclipse.microprofile.config.inject.ConfigProperty;


/**
 * Gets the JIT to compile the JDK's AES-GCM code before the first backup or restore needs it.
 *
 * <p>Backups are encrypted in 1 MiB segments, so the cipher's code is entered once per MiB and a
 * fresh JVM runs it interpreted, at about 50 MB/s, for hundreds of MiB: the first restore of a
 * freshly started restore-service decrypted several times slower than later ones. Encrypting
 * and decrypting a small stream in 4 KiB segments at start (thousands of entries, under two
 * seconds of CPU on one background thread) gets the same code compiled. Runs where
 * {@code ocore.cipher.warm-up} is true (backup-service, restore-service).
 */
@ApplicationScoped
public class CipherWarmup {

    static final int BYTES = 24 * 1024 * 1024;
    static final int ROUND_BYTES = 2 * 1024 * 1024;
    static final int ROUNDS = BYTES / ROUND_BYTES;

    private final boolean enabled;

    /**
     * @param enabled when true, encrypts and decrypts a small stream on a background thread at start so the first backup or restore does not run the cipher interpreted
     */
    public CipherWarmup(@ConfigProperty(name = "ocore.cipher.warm-up", defaultValue = "false") boolean enabled) {
        this.enabled = enabled;
    }

    void onStart(@Observes StartupEvent ev) {
        if (enabled) {
            Thread.ofPlatform().daemon().name("cipher-warm-up").start(() -> {
                long ms = run();
                Log.infof(ms < 0 ? "Cipher warm-up failed; the first backups or restores decrypt slower"
                        : "Cipher warm-up done in %d ms", ms);
            });
        }
    }

    /** Encrypts and decrypts {@link #BYTES} in small segments, {@link #ROUND_BYTES} at a time; answers the milliseconds it took, -1 if it failed. */
    public static long run() {
        long start = System.nanoTime();
        try {
            StreamingAeadConfig.register();
            StreamingAead aead = KeysetHandle.generateNew(PredefinedStreamingAeadParameters.AES256_GCM_HKDF_4KB)
                    .getPrimitive(RegistryConfiguration.get(), StreamingAead.class);
            byte[] ad = "warm-up".getBytes(java.nio.charset.StandardCharsets.UTF_8);
            byte[] chunk = new byte[64 * 1024];
            // ROUNDS small streams rather than one of BYTES: the same segments through the cipher,
            // but at most ROUND_BYTES (plus one copy) on the heap, which is 64-96 MiB in all
            // (docs/operations.md, "JVM memory budget"); one 24 MiB stream and its copy was 49 MiB.
            ByteArrayOutputStream sealed = new ByteArrayOutputStream(ROUND_BYTES + ROUND_BYTES / 64);
            for (int round = 0; round < ROUNDS; round++) {
                sealed.reset();
                try (OutputStream out = aead.newEncryptingStream(sealed, ad)) {
                    for (int done = 0; done < ROUND_BYTES; done += chunk.length) {
                        out.write(chunk);
                    }
                }
                try (InputStream in = aead.newDecryptingStream(new ByteArrayInputStream(sealed.toByteArray()), ad)) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
            }
            return (System.nanoTime() - start) / 1_000_000;
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            return -1;
        }
    }
}
