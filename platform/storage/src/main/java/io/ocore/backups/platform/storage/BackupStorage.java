package io.ocore.backups.platform.storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * One backup destination: a flat namespace of objects addressed by relative, '/'-separated keys
 * under the destination's own prefix or folder. Every driver implements exactly this; services
 * never branch on the destination type.
 *
 * <p>Every method throws {@link StorageException} with a {@link StorageException.Kind}.
 */
public interface BackupStorage extends AutoCloseable {

    /**
     * Stores a stream of unknown length under {@code key}, replacing any existing object. The
     * object becomes visible only once complete: a stream that fails midway leaves nothing.
     * The stream is read to its end but not closed.
     */
    StoredObject put(String key, InputStream data);

    /**
     * Stores the stream {@code source} opens; because it can be opened again, the retry decorator
     * may replay the whole put after a transient failure.
     */
    default StoredObject put(String key, StreamSource source) {
        try (InputStream in = source.open()) {
            return put(key, in);
        } catch (IOException e) {
            throw new StorageException(StorageException.Kind.PERMANENT,
                    "Could not read the data to upload: " + e.getMessage(), e);
        }
    }

    /** Opens the object for reading; the caller closes the stream. Missing key: {@code NOT_FOUND}. */
    InputStream get(String key);

    /**
     * Opens {@code length} bytes of the object from {@code offset} (a ranged read; the caller
     * closes the stream). A range past the end gives the bytes up to the end; a range starting at
     * or after the end, or of length 0, gives an empty stream. Missing key: {@code NOT_FOUND}.
     * Negative arguments: {@link IllegalArgumentException}. By default the whole object is opened
     * and the bytes before {@code offset} skipped; every driver of this module reads only the range
     * (docs/storage.md "Ranged reads").
     */
    default InputStream get(String key, long offset, long length) {
        checkRange(offset, length);
        InputStream in = get(key);
        try {
            skipUpTo(in, offset);
            return new BoundedInputStream(in, length);
        } catch (IOException e) {
            try {
                in.close();
            } catch (IOException ignored) {
                // the read failure is what the caller hears about
            }
            throw new StorageException(StorageException.Kind.TRANSIENT,
                    "Could not read " + key + " from offset " + offset + ": " + e.getMessage(), e);
        }
    }

    /** Every object whose key starts with {@code prefix} ("" for all), in key order. */
    List<StoredObject> list(String prefix);

    /** Deletes the object; deleting a missing key is not an error. */
    void delete(String key);

    /**
     * Deletes every object whose key starts with {@code prefix}, and whatever interrupted puts left
     * under it; returns how many objects were deleted. By default one {@link #delete} per listed
     * object; a driver with a bulk delete or hidden leftovers of its own extends it.
     */
    default int deletePrefix(String prefix) {
        int n = 0;
        for (StoredObject o : list(prefix)) {
            delete(o.key());
            n++;
        }
        return n;
    }

    /**
     * Writes, reads back and deletes a small probe object. Never throws for storage failures: the
     * result says what went wrong in plain words.
     */
    ProbeResult probe();

    /** What this destination can and cannot do. */
    Capabilities capabilities();

    /** The destination type this driver serves. */
    DestinationType type();

    @Override
    void close();

    /** Skips {@code n} bytes of {@code in}, or to its end if it is shorter. */
    static void skipUpTo(InputStream in, long n) throws IOException {
        long skipped = in.skip(n);
        while (skipped < n) {
            if (in.read() < 0) {
                return;
            }
            skipped++;
            skipped += in.skip(n - skipped);
        }
    }

    /** Refuses a negative offset or length of a ranged read. */
    static void checkRange(long offset, long length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must not be negative");
        }
    }

    /**
     * The last byte of a range as an HTTP {@code Range} header gives it ({@code bytes=a-b}, or
     * {@code bytes=a-} when the range reaches past any possible end); {@code length} must be positive.
     */
    static String httpRange(long offset, long length) {
        long last = length > Long.MAX_VALUE - offset ? -1 : offset + length - 1;
        return "bytes=" + offset + "-" + (last < 0 ? "" : Long.toString(last));
    }

    /** A stream that can be opened again from its start. */
    @FunctionalInterface
    interface StreamSource {
        InputStream open() throws IOException;

        static StreamSource ofBytes(byte[] bytes) {
            return () -> new java.io.ByteArrayInputStream(bytes);
        }

        static StreamSource ofPath(java.nio.file.Path path) {
            return () -> java.nio.file.Files.newInputStream(path);
        }
    }

    /** At most {@code limit} bytes of a stream; closing it closes the stream. */
    final class BoundedInputStream extends java.io.FilterInputStream {
        private long left;

        public BoundedInputStream(InputStream in, long limit) {
            super(in);
            this.left = limit;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) {
                return -1;
            }
            int b = in.read();
            if (b >= 0) {
                left--;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) {
                left -= n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = in.skip(Math.min(n, left));
            left -= s;
            return s;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(in.available(), left);
        }
    }
}
