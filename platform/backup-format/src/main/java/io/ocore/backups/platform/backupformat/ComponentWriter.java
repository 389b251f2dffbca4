package io.ocore.backups.platform.backupformat;

import com.github.luben.zstd.ZstdOutputStream;
import com.google.crypto.tink.StreamingAead;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * The one write pipeline of a backup component: raw bytes -> zstd (level 3, single-threaded) ->
 * Tink streaming AEAD -> SHA-256 and byte count of the stored bytes -> every destination at once.
 * Nothing is staged on disk; memory is bounded by {@code (queueChunks + 2) * chunkBytes} plus the
 * compressor's and cipher's own buffers, whatever the size of the data.
 *
 * <p>A destination that fails is dropped and reported in {@link Result#failures()}; the others
 * go on. If the raw producer fails, every destination's stream fails too (so no partial object
 * is ever made visible) and the producer's exception is rethrown.
 *
 * <pre>{@code
 * Result r = new ComponentWriter().write(out -> process.getInputStream().transferTo(out),
 *         key.aead(), BackupKeys.associatedData(backupId, ComponentName.database),
 *         Map.of(destId, in -> storage.put(key, in)), bytes -> progress.set(bytes));
 * }</pre>
 */
public final class ComponentWriter {

    public static final int DEFAULT_CHUNK_BYTES = 1 << 20;
    public static final int DEFAULT_QUEUE_CHUNKS = 4;
    public static final int ZSTD_LEVEL = 3;
    public static final Duration DEFAULT_UPLOAD_STALL_AFTER = Duration.ofMinutes(5);

    /** Writes the component's raw bytes (a pg_dump's output, a tar) into the pipeline. */
    @FunctionalInterface
    public interface RawProducer {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Stores the stream it is given (read it to the end); throws to report the destination failed. */
    @FunctionalInterface
    public interface Sink {
        void consume(InputStream stored) throws Exception;
    }

    /**
     * @param rawBytes    bytes the producer wrote
     * @param storedBytes bytes every destination received
     * @param sha256      lowercase hex SHA-256 of the stored bytes
     * @param succeeded   sinks that stored everything
     * @param failures    sink -> why it failed
     */
    public record Result(long rawBytes, long storedBytes, String sha256, List<String> succeeded,
            Map<String, Throwable> failures) {
    }

    private final int chunkBytes;
    private final int queueChunks;
    private final Duration uploadStallAfter;

    public ComponentWriter() {
        this(DEFAULT_CHUNK_BYTES, DEFAULT_QUEUE_CHUNKS);
    }

    public ComponentWriter(int chunkBytes, int queueChunks) {
        this(chunkBytes, queueChunks, DEFAULT_UPLOAD_STALL_AFTER);
    }

    /**
     * @param uploadStallAfter a sink that has taken no data for this long while data waits for it
     *                         (or has not returned this long after the end) is dropped as a failed
     *                         destination ("upload stalled"); the others go on
     */
    public ComponentWriter(int chunkBytes, int queueChunks, Duration uploadStallAfter) {
        this.chunkBytes = chunkBytes;
        this.queueChunks = queueChunks;
        this.uploadStallAfter = uploadStallAfter;
    }

    /** The most chunk memory one {@link #write} holds at once. */
    public long maxBufferedBytes() {
        return (long) (queueChunks + 2) * chunkBytes;
    }

    /**
     * Runs the pipeline once. Sinks run on their own threads; this method returns when every sink
     * has finished.
     *
     * @param rawProgress called with the running count of raw bytes (may be null)
     * @throws IOException the producer, compressor or cipher failed (every sink was failed too)
     */
    public Result write(RawProducer producer, StreamingAead aead, byte[] associatedData, Map<String, Sink> sinks,
            LongConsumer rawProgress) throws IOException {
        return run(producer, true, aead, associatedData, sinks, rawProgress);
    }

    /**
     * Like {@link #write}, for bytes that already are a zstd stream (a WAL file the ocore-wal client
     * compressed, which the caller has decompressed and checked): they are encrypted and stored as
     * they are, so the stored object reads back exactly like one this writer compressed.
     * {@link Result#rawBytes()} then counts the compressed bytes.
     */
    public Result writeCompressed(RawProducer zstdProducer, StreamingAead aead, byte[] associatedData,
            Map<String, Sink> sinks) throws IOException {
        return run(zstdProducer, false, aead, associatedData, sinks, null);
    }

    private Result run(RawProducer producer, boolean compress, StreamingAead aead, byte[] associatedData,
            Map<String, Sink> sinks, LongConsumer rawProgress) throws IOException {
        Map<String, FanOut.Consumer> consumers = new LinkedHashMap<>();
        sinks.forEach((id, sink) -> consumers.put(id, sink::consume));
        FanOut fan = new FanOut(chunkBytes, queueChunks, consumers, uploadStallAfter);
        DigestCounter stored = new DigestCounter(fan);
        RawCounter raw;
        try {
            OutputStream encrypted = aead.newEncryptingStream(stored, associatedData);
            OutputStream first = compress ? new ZstdOutputStream(encrypted, ZSTD_LEVEL) : encrypted;
            raw = new RawCounter(first, rawProgress);
            producer.writeTo(raw);
            first.close(); // ends the zstd frame, then the last cipher segment; the fan-out stays open
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            if (fan.allFailed()) {
                // The producer stopped because nothing was left to write to: a destination problem.
                fan.abort(e);
                return new Result(0, stored.count, null, List.of(), fan.failures());
            }
            fan.abort(e);
            if (e instanceof IOException io) {
                throw io;
            }
            if (e instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException("Could not start the encryption", e);
        } catch (Error e) {
            fan.abort(e);
            throw e;
        }
        try {
            fan.finish();
        } catch (IOException e) {
            fan.abort(e);
            if (fan.allFailed() && !fan.failures().isEmpty()) {
                // The last chunk found no destination left (a small component, or every upload failed at
                // its end): a destination problem, reported per destination like the producer's case.
                return new Result(raw.count, stored.count, null, List.of(), fan.failures());
            }
            throw e;
        }
        return new Result(raw.count, stored.count, HexFormat.of().formatHex(stored.digest.digest()),
                fan.succeeded(), fan.failures());
    }

    private static final class DigestCounter extends FilterOutputStream {
        final MessageDigest digest = sha256();
        long count;

        DigestCounter(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            digest.update(b, off, len);
            count += len;
        }

        @Override
        public void close() throws IOException {
            flush(); // the fan-out ends only through finish()
        }
    }

    private static final class RawCounter extends FilterOutputStream {
        final LongConsumer progress;
        long count;

        RawCounter(OutputStream out, LongConsumer progress) {
            super(out);
            this.progress = progress;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
            report();
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
            report();
        }

        @Override
        public void close() {
            // the writer closes the compressor itself, once the producer returned
        }

        private void report() {
            if (progress != null) {
                progress.accept(count);
            }
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
