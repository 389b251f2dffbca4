package io.ocore.backups.platform.storage.s3;

import io.ocore.backups.platform.storage.BlockedAddressException;
import io.ocore.backups.platform.storage.StorageException;
import io.ocore.backups.platform.storage.StorageException.Kind;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;
import software.amazon.awssdk.core.exception.AbortedException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Maps AWS SDK failures to kinds with messages of our own (never the server's text). */
final class S3Errors {

    private S3Errors() {
    }

    static StorageException map(Throwable t, S3Config config, String what) {
        if (t instanceof StorageException se) {
            return se;
        }
        String bucket = "bucket '" + config.bucket() + "'";
        if (t instanceof SdkServiceException se) {
            String code = se instanceof S3Exception s3 && s3.awsErrorDetails() != null
                    ? s3.awsErrorDetails().errorCode() : null;
            int status = se.statusCode();
            if (code == null) {
                code = "";
            }
            switch (code) {
                case "InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken",
                        "InvalidSecurity", "TokenRefreshRequired" -> {
                    return new StorageException(Kind.AUTHENTICATION,
                            "The storage service rejected the access key ID or secret access key (" + code + ").", t);
                }
                case "AccessDenied", "AllAccessDisabled", "AccountProblem" -> {
                    return new StorageException(Kind.PERMISSION,
                            "The access key is valid but may not " + what + " in " + bucket + " (" + code + ").", t);
                }
                case "NoSuchBucket" -> {
                    return new StorageException(Kind.CONTAINER_MISSING,
                            "The " + bucket + " does not exist at this endpoint.", t);
                }
                case "NoSuchKey" -> {
                    return new StorageException(Kind.NOT_FOUND, "The object does not exist.", t);
                }
                case "PermanentRedirect", "AuthorizationHeaderMalformed", "IllegalLocationConstraintException" -> {
                    return new StorageException(Kind.PERMANENT, "The " + bucket
                            + " is in another region than '" + config.region() + "'; correct the region (" + code + ").", t);
                }
                case "SlowDown", "Throttling", "ThrottlingException", "RequestTimeout", "InternalError",
                        "ServiceUnavailable", "RequestTimeTooSkewed" -> {
                    if (!code.equals("RequestTimeTooSkewed")) {
                        return new StorageException(Kind.TRANSIENT,
                                "The storage service is busy or failed temporarily (" + code + ").", t);
                    }
                    return new StorageException(Kind.PERMANENT,
                            "This server's clock differs too much from the storage service's (RequestTimeTooSkewed).", t);
                }
                default -> {
                }
            }
            if (status == 404) {
                return new StorageException(Kind.NOT_FOUND, "The object does not exist.", t);
            }
            if (status == 401) {
                return new StorageException(Kind.AUTHENTICATION,
                        "The storage service rejected the access key ID or secret access key.", t);
            }
            if (status == 403) {
                return new StorageException(Kind.PERMISSION, "The storage service refused to " + what
                        + " in " + bucket + " (HTTP 403" + (code.isEmpty() ? "" : ", " + code) + ").", t);
            }
            if (status == 429 || status >= 500 || se.isThrottlingException()) {
                return new StorageException(Kind.TRANSIENT, "The storage service failed temporarily (HTTP " + status
                        + (code.isEmpty() ? "" : ", " + code) + ").", t);
            }
            return new StorageException(Kind.PERMANENT, "The storage service refused to " + what + " (HTTP " + status
                    + (code.isEmpty() ? "" : ", " + code) + ").", t);
        }
        if (t instanceof ApiCallTimeoutException || t instanceof ApiCallAttemptTimeoutException) {
            return new StorageException(Kind.TIMEOUT, "The storage service did not answer in time.", t);
        }
        if (t instanceof AbortedException) {
            return new StorageException(Kind.PERMANENT, "The operation was interrupted.", t);
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BlockedAddressException b) {
                return new StorageException(Kind.PERMANENT, "The endpoint " + b.getMessage() + ".", t);
            }
            if (c instanceof UnknownHostException) {
                return new StorageException(Kind.NAME_RESOLUTION, "The host name "
                        + (config.endpoint() != null ? "'" + config.endpoint().getHost() + "' " : "")
                        + "could not be resolved; check the endpoint and this server's DNS.", t);
            }
            if (c instanceof SocketTimeoutException) {
                return new StorageException(Kind.TIMEOUT, "The storage service did not answer in time.", t);
            }
            if (c instanceof ConnectException) {
                return new StorageException(Kind.TRANSIENT, "Could not connect to the storage service"
                        + (config.endpoint() != null ? " at " + config.endpoint() : "") + ".", t);
            }
            if (c instanceof SSLException) {
                return new StorageException(Kind.PERMANENT,
                        "The secure (TLS) connection to the storage service failed; check the endpoint's certificate.", t);
            }
        }
        if (t instanceof SdkClientException) {
            return new StorageException(Kind.TRANSIENT, "The connection to the storage service failed ("
                    + rootCause(t).getClass().getSimpleName() + ").", t);
        }
        return new StorageException(Kind.PERMANENT, "Unexpected failure talking to the storage service ("
                + t.getClass().getSimpleName() + ").", t);
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }
}
