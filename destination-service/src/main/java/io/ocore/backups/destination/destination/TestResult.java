package io.ocore.backups.destination.destination;

import java.time.Instant;

/** The outcome of one connection test as the API reports it. */
public record TestResult(boolean ok, long latencyMs, String error, String failureKind, Instant testedAt) {

    static TestResult of(DestinationProbe.Outcome o) {
        return new TestResult(o.result().ok(), o.result().latencyMs(), o.result().ok() ? null : o.result().message(),
                o.result().failureKind() == null ? null : o.result().failureKind().name(), o.testedAt());
    }
}
