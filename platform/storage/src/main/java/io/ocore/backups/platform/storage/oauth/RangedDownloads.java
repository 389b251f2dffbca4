package io.ocore.backups.platform.storage.oauth;

import io.ocore.backups.platform.storage.BackupStorage;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * Downloads of a whole object or of a range ({@code Range: bytes=a-b}), as Microsoft Graph's
 * download URL and Google Drive's {@code alt=media} serve them: 206 with the range, 416 when it
 * starts at or after the end (an empty range here), or 200 with the whole object from a server
 * that ignored the header (then skipped to the offset here).
 */
public final class RangedDownloads {

    /** The length meaning "the whole object, no Range header". */
    public static final long WHOLE = -1;

    private RangedDownloads() {
    }

    /** Adds the Range header of {@code [offset, offset + length)} unless {@code length} is {@link #WHOLE}. */
    public static HttpRequest.Builder range(HttpRequest.Builder b, long offset, long length) {
        return length == WHOLE ? b : b.header("Range", BackupStorage.httpRange(offset, length));
    }

    /**
     * The requested bytes of a download's answer, or {@code null} when the answer is a failure for
     * the driver to report (its body still unread).
     */
    public static InputStream body(HttpResponse<InputStream> r, long offset, long length, String service) {
        int status = r.statusCode();
        if (length == WHOLE) {
            return status == 200 ? r.body() : null;
        }
        if (status == 206) {
            return new BackupStorage.BoundedInputStream(r.body(), length);
        }
        if (status == 416) {
            try {
                r.body().close();
            } catch (IOException ignored) {
                // nothing more to read from it
            }
            return InputStream.nullInputStream();
        }
        if (status == 200) {
            InputStream in = r.body();
            try {
                BackupStorage.skipUpTo(in, offset);
            } catch (IOException e) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // the read failure is what the caller hears about
                }
                throw HttpFailures.io(e, service);
            }
            return new BackupStorage.BoundedInputStream(in, length);
        }
        return null;
    }
}
