package io.ocore.backups.platform.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The retry schedule of dead letters and the way a dead letter's envelope is recorded. */
class DeadLetterBackoffTest {

    @Test
    void theBackoffDoublesFromOneMinuteAndIsCappedAtOneHourForEver() {
        var b = new DeadLetterBackoff(Duration.ofMinutes(1), Duration.ofHours(1));
        assertThat(b.after(1)).isEqualTo(Duration.ofMinutes(1));
        assertThat(b.after(2)).isEqualTo(Duration.ofMinutes(2));
        assertThat(b.after(3)).isEqualTo(Duration.ofMinutes(4));
        assertThat(b.after(6)).isEqualTo(Duration.ofMinutes(32));
        assertThat(b.after(7)).isEqualTo(Duration.ofHours(1));
        // never stops, never overflows
        assertThat(b.after(70)).isEqualTo(Duration.ofHours(1));
        assertThat(b.after(Integer.MAX_VALUE)).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void aBackoffThatCouldNeverWaitIsRefused() {
        assertThatThrownBy(() -> new DeadLetterBackoff(Duration.ZERO, Duration.ofHours(1)))
                .hasMessageContaining("initial-backoff");
        assertThatThrownBy(() -> new DeadLetterBackoff(Duration.ofHours(2), Duration.ofHours(1)))
                .hasMessageContaining("max-backoff");
    }

    @Test
    void theRecordedEnvelopeGivesBackTheSameEventAndItsOrganisation() {
        ObjectMapper mapper = new ObjectMapper();
        UUID org = UUID.randomUUID();
        UUID backup = UUID.randomUUID();
        String data = "{\"orgId\":\"" + org + "\",\"environmentId\":\"" + UUID.randomUUID() + "\",\"backupId\":\""
                + backup + "\",\"reason\":\"fell out of every tier\"}";
        var envelope = new EventEnvelope(UUID.randomUUID(), "io.ocore.backups.BackupExpired.v1", "/ocore/scheduler-service",
                backup.toString(), Instant.parse("2026-03-15T14:00:00Z"), org, data);

        String json = DeadLetterStore.structured(mapper, envelope);
        EventEnvelope back = DeadLetterStore.fromStructured(mapper, json);

        assertThat(back.id()).isEqualTo(envelope.id());
        assertThat(back.type()).isEqualTo(envelope.type());
        assertThat(back.source()).isEqualTo(envelope.source());
        assertThat(back.subject()).isEqualTo(envelope.subject());
        assertThat(back.time()).isEqualTo(envelope.time());
        assertThat(back.orgId()).isEqualTo(org);
        assertThat(back.dataTree(mapper)).isEqualTo(envelope.dataTree(mapper));
        assertThat(DeadLetterStore.orgIdOf(mapper, envelope)).isEqualTo(org);

        // no ce_orgid header: the organisation comes from the event's data; none anywhere: none
        var headerless = new EventEnvelope(envelope.id(), envelope.type(), "", null, null, null, data);
        assertThat(DeadLetterStore.orgIdOf(mapper, headerless)).isEqualTo(org);
        var orgless = new EventEnvelope(envelope.id(), envelope.type(), "", null, null, null, "{\"x\":1}");
        assertThat(DeadLetterStore.orgIdOf(mapper, orgless)).isNull();
        assertThat(DeadLetterStore.fromStructured(mapper, DeadLetterStore.structured(mapper, orgless)).orgId()).isNull();
    }

    @Test
    void theReasonNamesTheFailureAndIsBounded() {
        assertThat(DeadLetterStore.reason(new IllegalStateException("row locked")))
                .isEqualTo("IllegalStateException: row locked");
        assertThat(DeadLetterStore.reason(new RuntimeException("x".repeat(5000)))).hasSize(DeadLetterStore.MAX_REASON);
    }
}
