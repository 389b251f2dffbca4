package io.ocore.backups.gateway.web;

import java.util.UUID;
import java.util.regex.Pattern;

/** The {@code X-Request-Id} that ties the access log, the upstream's logs and the client together. */
public final class RequestIds {

    public static final String HEADER = "X-Request-Id";

    /** Key of the request id in the routing context. */
    public static final String CONTEXT_KEY = "ocore.requestId";

    /** The attribute of the request's server span that holds it (docs/operations.md "Traces"). */
    public static final String SPAN_ATTRIBUTE = "ocore.request_id";

    // Anything a logging pipeline can carry unescaped; a client's own id is kept when it fits.
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9._:@+=/-]{1,128}");

    private RequestIds() {
    }

    /** The client's id when it is valid, else a new random UUID. */
    public static String keepOrCreate(String incoming) {
        if (incoming != null && VALID.matcher(incoming).matches()) {
            return incoming;
        }
        return UUID.randomUUID().toString();
    }
}
