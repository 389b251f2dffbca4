package io.ocore.backups.platform.web;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.net.URI;
import java.util.List;

/**
 * An RFC 9457 problem detail, the one error body every service returns.
 *
 * @param errors for validation failures: every bad field, not only the first
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(URI type, String title, int status, String detail, String instance, List<FieldError> errors) {

    public static final String MEDIA_TYPE = "application/problem+json";

    /** One bad field of a request: a dotted path such as {@code config.bucket}. */
    public record FieldError(String field, String message) {
    }
}
