package io.ocore.backups.platform.security.service;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A GET on another service's {@code /internal/...} endpoint with this service's token. */
public final class InternalCall {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private InternalCall() {
    }

    /** The base URL without its trailing slash. */
    public static String base(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The response (any status); a failure when the service cannot be reached. */
    public static Uni<HttpResponse<String>> get(ServiceTokens tokens, String url) {
        HttpRequest request = tokens.authorize(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .header("Accept", "application/json")
                .GET()).build();
        // The JDK client completes on its own threads: come back to the caller's Vert.x context
        // (Hibernate Reactive sessions live there).
        Context context = Vertx.currentContext();
        return Uni.createFrom().completionStage(() -> HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
                .emitOn(command -> {
                    if (context != null) {
                        context.runOnContext(v -> command.run());
                    } else {
                        command.run();
                    }
                });
    }
}
