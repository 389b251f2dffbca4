package io.ocore.backups.backup.verify;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A verification on the wire (API.md "Backups"): {@code status} running, completed (every
 * destination judged; see each one's status) or failed (it could not run; {@code error} says why);
 * {@code destinations} maps each destination id to {@code {status: ok|corrupt|missing|unreachable,
 * detail}}; {@code trigger} is verify (asked for) or scrub.
 */
public record VerificationView(UUID id, UUID backupId, String status, String trigger,
        Map<String, VerificationStore.DestinationResult> destinations, String error, Instant startedAt,
        Instant completedAt) {

    public static VerificationView of(VerificationStore.Verification v) {
        return new VerificationView(v.id(), v.backupId(), v.status(), v.trigger(), v.destinations(), v.error(),
                v.startedAt(), v.completedAt());
    }
}
