package io.ocore.backups.gateway.web;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/** Ending an exchange early, before the client finished sending its body. */
public final class Exchanges {

    /**
     * How much of a refused body the gateway still reads so the client sees the error
     * response instead of a reset; past that it closes the connection.
     */
    private static final long DISCARD_BUDGET = 8L * 1024 * 1024;

    private Exchanges() {
    }

    /**
     * Prepares the response to a request whose body will not be used. The rest of the body is
     * read and dropped within a budget (a client that writes its whole body before reading,
     * like many HTTP/1.1 clients, would otherwise block and never see the answer); then the
     * connection is closed, and the response says so.
     */
    public static void discardBody(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        long declared = contentLength(request);
        boolean hasBody = declared > 0 || request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null;
        if (request.isEnded() || !hasBody) {
            request.resume();
            return;
        }
        if (request.version() != io.vertx.core.http.HttpVersion.HTTP_2) {
            // HTTP/2 has no Connection header (a client must refuse a response carrying one)
            rc.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        }
        long[] seen = {0};
        request.exceptionHandler(ignored -> {
        });
        request.endHandler(ignored -> closeAfterResponse(rc));
        request.handler(chunk -> {
            seen[0] += chunk.length();
            if (seen[0] > DISCARD_BUDGET) {
                request.handler(null);
                closeAfterResponse(rc);
            }
        });
        if (declared > DISCARD_BUDGET) {
            // Known to be too big to be worth reading: answer, then hang up.
            closeAfterResponse(rc);
        }
        request.resume();
    }

    private static void closeAfterResponse(RoutingContext rc) {
        if (rc.response().ended()) {
            // Vert.x orders the close after the response bytes already written.
            rc.request().connection().close();
        } else {
            rc.addEndHandler(ignored -> rc.request().connection().close());
        }
    }

    private static long contentLength(HttpServerRequest request) {
        String header = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
