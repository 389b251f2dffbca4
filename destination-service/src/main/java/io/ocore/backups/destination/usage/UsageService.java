package io.ocore.backups.destination.usage;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What uses each destination, learned from other services' events (destination-service never reads
 * their databases): a schedule's destinations, the destinations a stored backup lives on.
 */
@ApplicationScoped
public class UsageService {

    private final UsageRepository usage;

    public UsageService(UsageRepository usage) {
        this.usage = usage;
    }

    /** A schedule now writes to exactly {@code destinationIds}; call inside a transaction. */
    public Uni<Void> scheduleChanged(UUID orgId, UUID environmentId, Collection<UUID> destinationIds) {
        return usage.forget(orgId, DestinationUsage.SCHEDULE, environmentId)
                .chain(() -> usage.record(orgId, environmentId, DestinationUsage.SCHEDULE, environmentId,
                        destinationIds == null ? List.of() : destinationIds));
    }

    public Uni<Void> backupStored(UUID orgId, UUID environmentId, UUID backupId, Collection<UUID> destinationIds) {
        return usage.record(orgId, environmentId, DestinationUsage.BACKUP, backupId,
                destinationIds == null ? List.of() : destinationIds);
    }

    public Uni<Void> backupDeleted(UUID orgId, UUID backupId) {
        return usage.forget(orgId, DestinationUsage.BACKUP, backupId).replaceWithVoid();
    }

    public Uni<Void> environmentRegistered(UUID orgId, UUID environmentId, String name) {
        return usage.rememberEnvironment(orgId, environmentId, name);
    }

    /**
     * Plain words for what uses the destination, e.g. "the backup schedule of environment "prod"
     * (…) and 3 backups"; empty when nothing does.
     */
    public Uni<Optional<String>> describeUse(UUID orgId, UUID destinationId) {
        return usage.ofDestination(orgId, destinationId).chain(rows -> {
            if (rows.isEmpty()) {
                return Uni.createFrom().item(Optional.<String>empty());
            }
            List<UUID> scheduleEnvs = rows.stream().filter(r -> r.usageKind.equals(DestinationUsage.SCHEDULE))
                    .map(r -> r.environmentId).distinct().sorted().toList();
            long backups = rows.stream().filter(r -> r.usageKind.equals(DestinationUsage.BACKUP)).count();
            return usage.environments(orgId, scheduleEnvs).map(known -> {
                Map<UUID, String> names = known.stream()
                        .collect(Collectors.toMap(e -> e.environmentId, e -> e.name, (a, b) -> a));
                Function<UUID, String> label = env -> names.containsKey(env)
                        ? "\"" + names.get(env) + "\" (" + env + ")" : env.toString();
                List<String> parts = new ArrayList<>();
                if (scheduleEnvs.size() == 1) {
                    parts.add("the backup schedule of environment " + label.apply(scheduleEnvs.get(0)));
                } else if (!scheduleEnvs.isEmpty()) {
                    parts.add("the backup schedules of environments "
                            + scheduleEnvs.stream().map(label).collect(Collectors.joining(", ")));
                }
                if (backups > 0) {
                    parts.add(backups + (backups == 1 ? " backup" : " backups"));
                }
                return Optional.of(String.join(" and ", parts));
            });
        });
    }
}
