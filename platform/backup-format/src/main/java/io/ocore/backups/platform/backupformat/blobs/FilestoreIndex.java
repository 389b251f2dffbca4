package io.ocore.backups.platform.backupformat.blobs;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;

/**
 * The plaintext of a blob-store filestore component (ADR 0015): UTF-8 JSON lines, a header
 * {@code {"formatVersion":1,"kind":"ocore-filestore-index","chunkBytes":N}} then one entry per
 * directory and regular file, sorted by path, a directory before what it holds.
 */
public final class FilestoreIndex {

    public static final int FORMAT_VERSION = 1;
    public static final String KIND = "ocore-filestore-index";

    public enum Type {
        file, dir
    }

    /**
     * One entry.
     *
     * @param path  relative, '/'-separated
     * @param mode  POSIX permission bits
     * @param size  bytes (0 for a directory)
     * @param mtime nanoseconds since the epoch
     * @param ctime nanoseconds since the epoch (0 when unknown); with size and mtime, the change cache
     * @param blobs the file's chunks in order (empty for a directory or an empty file)
     */
    public record Entry(String path, Type type, int mode, long size, long mtime, long ctime, List<String> blobs) {
    }

    /** The entries of an index, read whole (a 50,000-file filestore is a few MiB). */
    public record Contents(int chunkBytes, List<Entry> entries) {
        /** Path -> entry, for the change cache of the next backup. */
        public Map<String, Entry> byPath() {
            throw new UnsupportedOperationException("ADR 0015: being built");
        }
    }

    private FilestoreIndex() {
    }

    /** Writes the header, then each added entry, as JSON lines to {@code out} (not closed). */
    public static final class Writer {
        public Writer(OutputStream out, int chunkBytes) throws IOException {
            throw new UnsupportedOperationException("ADR 0015: being built");
        }

        public void add(Entry e) throws IOException {
            throw new UnsupportedOperationException("ADR 0015: being built");
        }

        /** Flushes; does not close the stream. */
        public void finish() throws IOException {
            throw new UnsupportedOperationException("ADR 0015: being built");
        }
    }

    /** Reads a whole index (the decrypted, decompressed component); refuses a newer format. */
    public static Contents read(InputStream plain) throws IOException {
        throw new UnsupportedOperationException("ADR 0015: being built");
    }
}
