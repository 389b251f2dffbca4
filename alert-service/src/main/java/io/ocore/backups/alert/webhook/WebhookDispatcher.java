package io.ocore.backups.alert.webhook;

import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.storage.EndpointGuard;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Sends queued deliveries. Due rows are leased (their next attempt pushed past the attempt's
 * timeout) with {@code FOR UPDATE SKIP LOCKED}, so replicas never send one delivery at the same
 * time and no transaction stays open during an HTTP call. A 2xx answer delivers; anything else
 * is retried with exponential backoff until {@code max-attempts}.
 */
@ApplicationScoped
public class WebhookDispatcher {

    private static final int BATCH = 20;
    private static final Duration MAX_BACKOFF = Duration.ofHours(1);

    private final Pool pool;
    private final EnvelopeCipher cipher;
    private final WebhookConfig config;
    private final HttpClient http;

    public WebhookDispatcher(Pool pool, EnvelopeCipher cipher, WebhookConfig config) {
        this.pool = pool;
        this.cipher = cipher;
        this.config = config;
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Scheduled(every = "${ocore.alerts.webhooks.poll-interval:1s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP,
            skipExecutionIf = Scheduled.ApplicationNotRunning.class)
    Uni<Void> tick() {
        return dispatchDue().onFailure().invoke(e -> Log.warnf("Webhook dispatch failed: %s", e.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** Sends every due delivery once; answers how many were attempted. */
    public Uni<Integer> dispatchDue() {
        long leaseSeconds = config.timeout().toSeconds() * 3 + 5;
        return pool.preparedQuery("""
                with due as (
                    select id from webhook_delivery
                    where status = 'pending' and next_attempt_at <= now()
                    order by next_attempt_at limit $1 for update skip locked)
                update webhook_delivery d set next_attempt_at = now() + make_interval(secs => $2)
                from due, webhook w where d.id = due.id and w.id = d.webhook_id
                returning d.id, d.payload, d.attempts, w.id as webhook_id, w.url, w.secret_sealed""")
                .execute(Tuple.of(BATCH, (double) leaseSeconds))
                .chain(rows -> {
                    List<Row> leased = new ArrayList<>();
                    rows.forEach(leased::add);
                    return Multi.createFrom().iterable(leased)
                            .onItem().transformToUniAndMerge(this::attempt)
                            .collect().asList().map(List::size);
                });
    }

    private Uni<Void> attempt(Row row) {
        UUID id = row.getUUID("id");
        int attempt = row.getInteger("attempts") + 1;
        URI uri = URI.create(row.getString("url"));
        var refused = EndpointGuard.check(uri, config.allowPrivateTargets());
        if (refused.isPresent()) {
            return record(id, attempt, null, "refused: the URL " + refused.get());
        }
        String body = row.getString("payload");
        long timestamp = Instant.now().getEpochSecond();
        String secret = cipher.openString(row.getString("secret_sealed"), row.getUUID("webhook_id").toString());
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(config.timeout())
                .header("Content-Type", "application/json")
                .header("User-Agent", "oCore-Backups-Webhooks/1")
                .header("X-Ocore-Delivery", id.toString())
                .header("X-Ocore-Attempt", String.valueOf(attempt))
                .header(WebhookSignature.TIMESTAMP_HEADER, String.valueOf(timestamp))
                .header(WebhookSignature.HEADER, WebhookSignature.sign(secret, timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.discarding()))
                .onItemOrFailure().transformToUni((response, failure) -> failure != null
                        ? record(id, attempt, null, describe(failure))
                        : record(id, attempt, response.statusCode(), response.statusCode() / 100 == 2 ? null
                                : "answered HTTP " + response.statusCode()));
    }

    private Uni<Void> record(UUID id, int attempt, Integer status, String error) {
        if (error == null) {
            return pool.preparedQuery("""
                    update webhook_delivery set status = 'delivered', attempts = $2, last_status = $3, last_error = null,
                        delivered_at = now() where id = $1""")
                    .execute(Tuple.of(id, attempt, status)).replaceWithVoid();
        }
        boolean giveUp = attempt >= config.maxAttempts();
        Duration backoff = config.initialBackoff().multipliedBy(1L << Math.min(attempt - 1, 20));
        if (backoff.compareTo(MAX_BACKOFF) > 0) {
            backoff = MAX_BACKOFF;
        }
        Log.infof("Webhook delivery %s attempt %d failed: %s%s", id, attempt, error, giveUp ? " (giving up)" : "");
        return pool.preparedQuery("""
                update webhook_delivery set status = $2, attempts = $3, last_status = $4, last_error = $5,
                    next_attempt_at = now() + make_interval(secs => $6) where id = $1""")
                .execute(Tuple.tuple().addUUID(id).addString(giveUp ? "failed" : "pending").addInteger(attempt)
                        .addInteger(status).addString(error).addDouble(backoff.toMillis() / 1000.0))
                .replaceWithVoid();
    }

    private static String describe(Throwable failure) {
        Throwable t = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                ? failure.getCause() : failure;
        if (t instanceof java.net.http.HttpTimeoutException) {
            return "timed out";
        }
        if (t instanceof java.net.ConnectException) {
            return "connection refused";
        }
        return t.getClass().getSimpleName().replace("Exception", "").toLowerCase() + " error";
    }
}
