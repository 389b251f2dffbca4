package io.ocore.backups.platform.storage.oauth;

import io.ocore.backups.platform.storage.StorageException;
import io.ocore.backups.platform.storage.StorageException.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpTimeoutException;
import javax.net.ssl.SSLException;

/** Classifies java.net.http transport failures. */
public final class HttpFailures {

    private HttpFailures() {
    }

    public static StorageException io(IOException e, String service) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof UnknownHostException) {
                return new StorageException(Kind.NAME_RESOLUTION, "The host name of the " + service
                        + " could not be resolved; check this server's DNS.", e);
            }
            if (c instanceof HttpTimeoutException) {
                return new StorageException(Kind.TIMEOUT, "The " + service + " did not answer in time.", e);
            }
            if (c instanceof ConnectException) {
                return new StorageException(Kind.TRANSIENT, "Could not connect to the " + service + ".", e);
            }
            if (c instanceof SSLException) {
                return new StorageException(Kind.PERMANENT, "The secure (TLS) connection to the " + service + " failed.", e);
            }
        }
        return new StorageException(Kind.TRANSIENT, "The connection to the " + service + " failed ("
                + e.getClass().getSimpleName() + ").", e);
    }
}
