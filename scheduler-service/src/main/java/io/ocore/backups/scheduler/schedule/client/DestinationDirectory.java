package io.ocore.backups.scheduler.schedule.client;

import io.ocore.backups.platform.security.service.ServiceTokens;
import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.platform.web.ProblemTypes;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Asks destination-service whether a destination exists in an organisation, through its
 * internal endpoint (destination-service publishes no "created" event to learn them from).
 */
@ApplicationScoped
public class DestinationDirectory {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;
    private final ServiceTokens serviceTokens;

    public DestinationDirectory(@ConfigProperty(name = "ocore.services.destination.url") String baseUrl,
            ServiceTokens serviceTokens) {
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.serviceTokens = serviceTokens;
    }

    /** True if the destination exists in the organisation; a 503 problem when the answer is unknown. */
    public Uni<Boolean> exists(UUID orgId, UUID destinationId) {
        HttpRequest request = serviceTokens.authorize(HttpRequest.newBuilder(
                URI.create(baseUrl + "/internal/destinations/" + destinationId + "?orgId=" + orgId))
                .timeout(Duration.ofSeconds(10))
                .header("Accept", "application/json")
                .GET()).build();
        // The JDK client completes on its own threads: come back to the caller's Vert.x context
        // (Hibernate Reactive sessions live there).
        Context context = Vertx.currentContext();
        return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.discarding()))
                .emitOn(command -> {
                    if (context != null) {
                        context.runOnContext(v -> command.run());
                    } else {
                        command.run();
                    }
                })
                .onFailure().transform(e -> unavailable(e.getMessage()))
                .map(response -> switch (response.statusCode()) {
                    case 200 -> true;
                    case 404 -> false;
                    default -> throw unavailable("HTTP " + response.statusCode());
                });
    }

    private static ProblemException unavailable(String cause) {
        Log.warnf("destination-service could not confirm a destination: %s", cause);
        return new ProblemException(503, ProblemTypes.UNAVAILABLE, "Service Unavailable",
                "The destinations cannot be checked right now; try again shortly");
    }
}
