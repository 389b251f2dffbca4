package io.ocore.backups.alert.webhook;

import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.storage.BlockedAddressException;
import io.ocore.backups.platform.storage.EndpointGuard;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpClient;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Sends queued deliveries. Due rows are leased (their next attempt pushed past the attempt's
 * timeout) with {@code FOR UPDATE SKIP LOCKED}, so replicas never send one delivery at the same
 * time and no transaction stays open during an HTTP call. A 2xx answer delivers; anything else
 * is retried with exponential backoff until {@code max-attempts}. Each attempt resolves the URL's
 * host once, judges the addresses with the {@link EndpointGuard} and connects to the first of them
 * (no DNS rebinding between the check and the connection), sending the host name for the
 * {@code Host} header and TLS (SNI and certificate verification by name).
 */
@ApplicationScoped
public class WebhookDispatcher {

    private static final int BATCH = 20;
    private static final Duration MAX_BACKOFF = Duration.ofHours(1);

    private final Pool pool;
    private final EnvelopeCipher cipher;
    private final WebhookConfig config;
    private final WebhookResolver resolver;
    private final Vertx vertx;
    private final HttpClient http;

    public WebhookDispatcher(Pool pool, EnvelopeCipher cipher, WebhookConfig config, WebhookResolver resolver,
            Vertx vertx) {
        this.pool = pool;
        this.cipher = cipher;
        this.config = config;
        this.resolver = resolver;
        this.vertx = vertx;
        // no keep-alive: every attempt connects to the address it resolved and judged itself; no
        // trace context: a customer's endpoint is outside the system (docs/operations.md "Traces")
        this.http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(false)
                .setConnectTimeout((int) config.timeout().toMillis()).setVerifyHost(true)
                .setTracingPolicy(io.vertx.core.tracing.TracingPolicy.IGNORE));
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
        var refused = EndpointGuard.checkWithoutResolving(uri, config.allowPrivateTargets());
        if (refused.isPresent()) {
            return record(id, attempt, null, "refused: the URL " + refused.get());
        }
        return vertx.executeBlocking(
                () -> EndpointGuard.resolve(uri.getHost(), config.allowPrivateTargets(), resolver).get(0), false)
                .onItemOrFailure().transformToUni((address, failure) -> {
                    if (failure instanceof BlockedAddressException blocked) {
                        return record(id, attempt, null, "refused: the URL " + blocked.getMessage());
                    }
                    if (failure instanceof UnknownHostException) {
                        return record(id, attempt, null, "the host name " + EndpointGuard.DOES_NOT_RESOLVE);
                    }
                    if (failure != null) {
                        return record(id, attempt, null, describe(failure));
                    }
                    return send(row, id, attempt, uri, address);
                });
    }

    private Uni<Void> send(Row row, UUID id, int attempt, URI uri, InetAddress address) {
        String body = row.getString("payload");
        long timestamp = Instant.now().getEpochSecond();
        String secret = cipher.openString(row.getString("secret_sealed"), row.getUUID("webhook_id").toString());
        boolean https = uri.getScheme().equalsIgnoreCase("https");
        int port = uri.getPort() != -1 ? uri.getPort() : https ? 443 : 80;
        String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        long timeoutMs = config.timeout().toMillis();
        RequestOptions request = new RequestOptions()
                .setMethod(HttpMethod.POST)
                .setHost(uri.getHost())
                .setPort(port)
                .setServer(SocketAddress.inetSocketAddress(new InetSocketAddress(address, port)))
                .setSsl(https)
                .setURI(target)
                .setFollowRedirects(false)
                .setConnectTimeout(timeoutMs)
                .setIdleTimeout(timeoutMs)
                .putHeader("Content-Type", "application/json")
                .putHeader("User-Agent", "oCore-Backups-Webhooks/1")
                .putHeader("X-Ocore-Delivery", id.toString())
                .putHeader("X-Ocore-Attempt", String.valueOf(attempt))
                .putHeader(WebhookSignature.TIMESTAMP_HEADER, String.valueOf(timestamp))
                .putHeader(WebhookSignature.HEADER, WebhookSignature.sign(secret, timestamp, body));
        return http.request(request)
                .chain(r -> r.send(body))
                .chain(response -> response.end().replaceWith(response.statusCode()))
                .ifNoItem().after(config.timeout()).fail()
                .onItemOrFailure().transformToUni((status, failure) -> failure != null
                        ? record(id, attempt, null, describe(failure))
                        : record(id, attempt, status, status / 100 == 2 ? null : "answered HTTP " + status));
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
        if (t instanceof java.util.concurrent.TimeoutException || t instanceof io.smallrye.mutiny.TimeoutException
                || t.getClass().getSimpleName().contains("Timeout")) {
            return "timed out";
        }
        if (t instanceof java.net.ConnectException) {
            return "connection refused";
        }
        if (t instanceof javax.net.ssl.SSLException) {
            return "TLS failed (certificate or host name)";
        }
        return t.getClass().getSimpleName().replace("Exception", "").toLowerCase() + " error";
    }
}
