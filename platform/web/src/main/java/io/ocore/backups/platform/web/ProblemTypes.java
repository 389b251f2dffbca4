package io.ocore.backups.platform.web;

/** The problem {@code type} URIs, documented in docs/api-errors.md. */
public final class ProblemTypes {

    private static final String BASE = "https://ocore.io/problems/";

    public static final String VALIDATION = BASE + "validation";
    public static final String MALFORMED = BASE + "malformed-request";
    public static final String UNAUTHORIZED = BASE + "unauthorized";
    public static final String FORBIDDEN = BASE + "forbidden";
    public static final String NOT_FOUND = BASE + "not-found";
    public static final String CONFLICT = BASE + "conflict";
    public static final String TOO_LARGE = BASE + "payload-too-large";
    public static final String UNSUPPORTED_MEDIA_TYPE = BASE + "unsupported-media-type";
    public static final String METHOD_NOT_ALLOWED = BASE + "method-not-allowed";
    public static final String UNAVAILABLE = BASE + "service-unavailable";
    public static final String INTERNAL = BASE + "internal-error";

    private ProblemTypes() {
    }
}
