package io.ocore.backups.gateway.web;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

/**
 * The RFC 9457 problem details the gateway answers itself. Same shape and {@code type} URIs as
 * {@code platform-web}'s {@code Problem}/{@code ProblemTypes} (not depended on: it brings
 * quarkus-rest), plus the two only a gateway produces: bad gateway and gateway timeout.
 */
public final class Problems {

    public static final String MEDIA_TYPE = "application/problem+json";

    private static final String BASE = "https://ocore.io/problems/";
    public static final String UNAUTHORIZED = BASE + "unauthorized";
    public static final String NOT_FOUND = BASE + "not-found";
    public static final String TOO_LARGE = BASE + "payload-too-large";
    public static final String MALFORMED = BASE + "malformed-request";
    public static final String UNAVAILABLE = BASE + "service-unavailable";
    public static final String BAD_GATEWAY = BASE + "bad-gateway";
    public static final String GATEWAY_TIMEOUT = BASE + "gateway-timeout";

    private Problems() {
    }

    public static JsonObject body(int status, String type, String title, String detail, String instance) {
        JsonObject problem = new JsonObject().put("type", type).put("title", title).put("status", status)
                .put("detail", detail);
        if (instance != null) {
            problem.put("instance", instance);
        }
        return problem;
    }

    public static Buffer buffer(int status, String type, String title, String detail, String instance) {
        return body(status, type, title, detail, instance).toBuffer();
    }

    /** Ends the exchange with a problem; the request path is the {@code instance}. */
    public static Future<Void> send(HttpServerRequest request, int status, String type, String title, String detail) {
        HttpServerResponse response = request.response();
        Buffer body = buffer(status, type, title, detail, request.path());
        return response.setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, MEDIA_TYPE).end(body);
    }

    public static Future<Void> notFound(HttpServerRequest request) {
        return send(request, 404, NOT_FOUND, "Not Found", "No resource at " + request.path());
    }
}
