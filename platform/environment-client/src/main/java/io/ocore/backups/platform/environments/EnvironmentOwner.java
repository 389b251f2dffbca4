package io.ocore.backups.platform.environments;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ocore.backups.platform.security.service.InternalCall;
import io.ocore.backups.platform.security.service.ServiceTokens;
import io.ocore.backups.platform.web.ProblemException;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Asks backup-service, which owns the catalogue, about an environment a service has not heard of
 * by event yet ({@code GET /internal/environments/{id}?orgId=}, with the service's token):
 * read-your-writes for a request that names an environment registered a moment ago
 * (scheduler-service, wal-archiver). Only the fields EnvironmentRegistered carries are read. It is
 * asked without {@code credentials=true}, so the answer holds no password.
 */
@ApplicationScoped
public class EnvironmentOwner {

    /** What EnvironmentRegistered would have told. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Registered(UUID id, UUID orgId, UUID projectId, String name, String environmentType,
            Instant createdAt) {
    }

    private final String baseUrl;
    private final ServiceTokens serviceTokens;
    private final ObjectMapper mapper;

    /**
     * @param baseUrl the base URL of backup-service, which owns the environment catalogue and is asked about an environment not yet heard of by event
     */
    public EnvironmentOwner(@ConfigProperty(name = "ocore.services.backup.url") String baseUrl,
            ServiceTokens serviceTokens, ObjectMapper mapper) {
        this.baseUrl = InternalCall.base(baseUrl);
        this.serviceTokens = serviceTokens;
        this.mapper = mapper;
    }

    /** The environment of the organisation, empty when the owner says 404; a 503 problem when it cannot say. */
    public Uni<Optional<Registered>> find(UUID orgId, UUID environmentId) {
        return OwnerCall.find(serviceTokens, mapper,
                baseUrl + "/internal/environments/" + environmentId + "?orgId=" + orgId, Registered.class,
                r -> environmentId.equals(r.id()) && orgId.equals(r.orgId()) && r.environmentType() != null,
                "backup-service", "environment");
    }

    /**
     * Read-your-writes in one place: the service's own row ({@code local}, null when absent); absent,
     * the owner is asked, what it says is recorded ({@code record}) and the row read again. The
     * owner's 404 (also for another organisation's environment) is a 404, an owner that cannot
     * answer a 503, never a 404.
     */
    public <T> Uni<T> require(UUID orgId, UUID environmentId, Supplier<Uni<T>> local,
            Function<Registered, Uni<Void>> record) {
        return local.get().chain(known -> known != null ? Uni.createFrom().item(known)
                : find(orgId, environmentId).chain(found -> {
                    if (found.isEmpty()) {
                        return Uni.createFrom().<T>failure(ProblemException.notFound("Environment", environmentId));
                    }
                    Log.infof("Environment %s of org %s learned from backup-service before its event", environmentId,
                            orgId);
                    return record.apply(found.get()).chain(() -> local.get())
                            .onItem().ifNull().failWith(() -> ProblemException.notFound("Environment", environmentId));
                }));
    }
}
