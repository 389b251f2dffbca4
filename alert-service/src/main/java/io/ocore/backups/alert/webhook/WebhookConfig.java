package io.ocore.backups.alert.webhook;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "ocore.alerts.webhooks")
public interface WebhookConfig {

    /** Allow webhook URLs on loopback and private networks (the local stack and tests do). */
    @WithDefault("false")
    boolean allowPrivateTargets();

    /** Wait before the second attempt; doubles with each further attempt, capped at one hour. */
    @WithDefault("10s")
    Duration initialBackoff();

    /** Attempts before a delivery is given up as failed. */
    @WithDefault("8")
    int maxAttempts();

    /** How long one attempt may take. */
    @WithDefault("10s")
    Duration timeout();
}
