package io.ocore.backups.platform.storage;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The caller's data as drivers read it: a failure of the caller's stream surfaces as a
 * {@code PERMANENT} {@link StorageException} saying the data could not be read (not that the
 * destination failed), and {@link #readFully} fills a part or chunk buffer.
 */
public final class UploadSource extends FilterInputStream {

    private long count;

    public UploadSource(InputStream in) {
        super(in);
    }

    /** Bytes read so far. */
    public long count() {
        return count;
    }

    @Override
    public int read() {
        try {
            int b = in.read();
            if (b >= 0) {
                count++;
            }
            return b;
        } catch (IOException e) {
            throw failed(e);
        }
    }

    @Override
    public int read(byte[] b, int off, int len) {
        try {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        } catch (IOException e) {
            throw failed(e);
        }
    }

    /** Reads until {@code len} bytes or the end of the stream; returns how many were read (0 at the end). */
    public int readFully(byte[] b, int off, int len) {
        int total = 0;
        while (total < len) {
            int n = read(b, off + total, len - total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }

    @Override
    public void close() {
        // the caller owns the stream
    }

    private static StorageException failed(IOException e) {
        return new StorageException(StorageException.Kind.PERMANENT,
                "Reading the data to upload failed (" + e.getClass().getSimpleName() + "); nothing was stored.", e);
    }
}
