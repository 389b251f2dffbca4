package io.ocore.backups.scheduler.schedule.client;

import io.ocore.backups.platform.security.service.InternalCall;
import io.ocore.backups.platform.security.service.ServiceTokens;
import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.platform.web.ProblemTypes;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Asks destination-service whether a destination exists in an organisation, through its
 * internal endpoint (destination-service publishes no "created" event to learn them from).
 */
@ApplicationScoped
public class DestinationDirectory {

    private final String baseUrl;
    private final ServiceTokens serviceTokens;

    public DestinationDirectory(@ConfigProperty(name = "ocore.services.destination.url") String baseUrl,
            ServiceTokens serviceTokens) {
        this.baseUrl = InternalCall.base(baseUrl);
        this.serviceTokens = serviceTokens;
    }

    /** True if the destination exists in the organisation; a 503 problem when the answer is unknown. */
    public Uni<Boolean> exists(UUID orgId, UUID destinationId) {
        return InternalCall.get(serviceTokens, baseUrl + "/internal/destinations/" + destinationId + "?orgId=" + orgId)
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
