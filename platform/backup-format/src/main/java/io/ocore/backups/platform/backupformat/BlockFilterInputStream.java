package io.ocore.backups.platform.backupformat;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A filter whose subclasses only implement {@link #read(byte[], int, int)}: the single-byte read
 * and {@code skip} go through it, so whatever it counts, hashes or paces sees every byte. No
 * mark/reset.
 */
public abstract class BlockFilterInputStream extends FilterInputStream {

    protected BlockFilterInputStream(InputStream in) {
        super(in);
    }

    @Override
    public abstract int read(byte[] b, int off, int len) throws IOException;

    @Override
    public final int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public final long skip(long n) throws IOException {
        byte[] buf = new byte[8192];
        long done = 0;
        while (done < n) {
            int r = read(buf, 0, (int) Math.min(buf.length, n - done));
            if (r < 0) {
                break;
            }
            done += r;
        }
        return done;
    }

    @Override
    public final boolean markSupported() {
        return false;
    }
}
