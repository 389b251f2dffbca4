package io.ocore.backups.wal.environment;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ocore.backups.platform.environments.OwnerCall;
import io.ocore.backups.platform.events.v1.Events.BackupScheduleChanged;
import io.ocore.backups.platform.security.service.InternalCall;
import io.ocore.backups.platform.security.service.ServiceTokens;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Asks scheduler-service, which owns schedules, for an environment's schedule as its last
 * BackupScheduleChanged tells it ({@code GET /internal/environments/{id}/backup-schedule?orgId=}):
 * read-your-writes for wal-config asked right after walEnabled was turned on, before the event
 * arrived. Empty when the environment has no saved schedule; a 503 problem when it cannot say.
 */
@ApplicationScoped
public class ScheduleOwner {

    private final String baseUrl;
    private final ServiceTokens serviceTokens;
    private final ObjectMapper mapper;

    public ScheduleOwner(@ConfigProperty(name = "ocore.services.scheduler.url") String baseUrl,
            ServiceTokens serviceTokens, ObjectMapper mapper) {
        this.baseUrl = InternalCall.base(baseUrl);
        this.serviceTokens = serviceTokens;
        this.mapper = mapper;
    }

    public Uni<Optional<BackupScheduleChanged>> find(UUID orgId, UUID environmentId) {
        return OwnerCall.find(serviceTokens, mapper,
                baseUrl + "/internal/environments/" + environmentId + "/backup-schedule?orgId=" + orgId,
                BackupScheduleChanged.class,
                s -> environmentId.equals(s.environmentId()) && orgId.equals(s.orgId()),
                "scheduler-service", "schedule");
    }
}
