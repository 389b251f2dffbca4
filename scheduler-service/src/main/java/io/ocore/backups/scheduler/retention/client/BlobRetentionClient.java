package io.ocore.backups.scheduler.retention.client;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ocore.backups.platform.security.service.InternalCall;
import io.ocore.backups.platform.security.service.ServiceTokens;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Asks backup-service what an environment's filestore blob store keeps and what its next
 * collection frees ({@code GET /internal/blob-stores/{envId}/retention?orgId=}, service token),
 * for the retention preview. Null when that is not known: the environment has no blob store, or
 * backup-service did not answer (the preview is still given, without it).
 */
@ApplicationScoped
public class BlobRetentionClient {

    /** Blobs and their bytes (the blobs' own sizes, each blob once). */
    public record Count(long blobs, long bytes) {
    }

    /** backup-service's answer, as the preview shows it. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record BlobRetention(Instant evaluatedAt, long graceSeconds, long capturesKept, Count keptByBackups,
            Count keptByCaptures, Count kept, Count notReferenced, Count freedByNextCollection) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Answer(boolean blobStore, Instant evaluatedAt, Long graceSeconds, Long capturesKept, Count keptByBackups,
            Count keptByCaptures, Count kept, Count notReferenced, Count freedByNextCollection) {
    }

    private final String baseUrl;
    private final ServiceTokens serviceTokens;
    private final ObjectMapper json;

    public BlobRetentionClient(@ConfigProperty(name = "ocore.services.backup.url") String baseUrl,
            ServiceTokens serviceTokens, ObjectMapper json) {
        this.baseUrl = InternalCall.base(baseUrl);
        this.serviceTokens = serviceTokens;
        this.json = json;
    }

    public Uni<BlobRetention> of(UUID orgId, UUID environmentId) {
        return InternalCall.get(serviceTokens, baseUrl + "/internal/blob-stores/" + environmentId + "/retention?orgId="
                + orgId).map(response -> {
                    if (response.statusCode() != 200) {
                        Log.warnf("backup-service answered HTTP %d for the blob retention of environment %s",
                                response.statusCode(), environmentId);
                        return null;
                    }
                    try {
                        Answer a = json.readValue(response.body(), Answer.class);
                        return !a.blobStore() || a.kept() == null ? null
                                : new BlobRetention(a.evaluatedAt(), a.graceSeconds(), a.capturesKept(),
                                        a.keptByBackups(), a.keptByCaptures(), a.kept(), a.notReferenced(),
                                        a.freedByNextCollection());
                    } catch (java.io.IOException e) {
                        Log.warnf("backup-service's blob retention of environment %s is unreadable: %s",
                                environmentId, e.getMessage());
                        return null;
                    }
                }).onFailure().recoverWithItem(e -> {
                    Log.warnf("backup-service could not say the blob retention of environment %s: %s", environmentId,
                            e.getMessage());
                    return null;
                });
    }
}
