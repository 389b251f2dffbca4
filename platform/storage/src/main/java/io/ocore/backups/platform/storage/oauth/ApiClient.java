package io.ocore.backups.platform.storage.oauth;

import io.ocore.backups.platform.storage.RetryPolicy;
import io.ocore.backups.platform.storage.StorageException;
import io.ocore.backups.platform.storage.StorageException.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Sends requests to an OAuth2-protected REST API: adds the bearer token, refreshes it once on 401,
 * and waits out 429 and (unless told otherwise) 5xx answers (honouring Retry-After, else exponential backoff with jitter).
 * Returns the final response whatever its status; the driver interprets it.
 */
public final class ApiClient {

    private static final Logger LOG = Logger.getLogger(ApiClient.class);

    private final HttpClient http;
    private final OAuthTokens tokens;
    private final String service;
    private final RetryPolicy backoff;
    private final Duration maxRetryAfter;
    private final Duration requestTimeout;

    public ApiClient(HttpClient http, OAuthTokens tokens, String service, RetryPolicy backoff, Duration maxRetryAfter,
            Duration requestTimeout) {
        this.http = http;
        this.tokens = tokens;
        this.service = service;
        this.backoff = backoff;
        this.maxRetryAfter = maxRetryAfter;
        this.requestTimeout = requestTimeout;
    }

    public static HttpClient newHttpClient(Duration connectTimeout) {
        return HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER)
                .version(HttpClient.Version.HTTP_1_1).build();
    }

    public HttpClient http() {
        return http;
    }

    public OAuthTokens tokens() {
        return tokens;
    }

    public String service() {
        return service;
    }

    /**
     * Sends {@code request} (rebuilt for every attempt, so bodies must be replayable).
     *
     * @param bearer whether to add the access token
     * @param retryServerErrors whether 5xx answers are retried here (upload chunks resume instead)
     */
    public <T> HttpResponse<T> send(Supplier<HttpRequest.Builder> request, HttpResponse.BodyHandler<T> handler,
            boolean bearer, boolean retryServerErrors) {
        boolean refreshed = false;
        for (int attempt = 1;; attempt++) {
            HttpRequest.Builder b = request.get().timeout(requestTimeout);
            String token = null;
            if (bearer) {
                token = tokens.accessToken();
                b.header("Authorization", "Bearer " + token);
            }
            HttpResponse<T> response;
            try {
                response = http.send(b.build(), handler);
            } catch (IOException e) {
                StorageException se = HttpFailures.io(e, service);
                if (!se.kind().isRetryable() || attempt >= backoff.maxAttempts()) {
                    throw se;
                }
                pause(backoff.delayAfter(attempt));
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StorageException(Kind.PERMANENT, "Interrupted while talking to the " + service + ".", e);
            }
            int status = response.statusCode();
            if (status == 401 && bearer && !refreshed) {
                discard(response);
                refreshed = true;
                tokens.refreshAfterRejection(token);
                attempt--;
                continue;
            }
            // a 503 may come after part of an upload chunk was stored: chunk senders ask the session instead
            boolean throttled = status == 429 || (status == 503 && retryServerErrors);
            boolean serverError = status >= 500 && retryServerErrors;
            if ((throttled || serverError) && attempt < backoff.maxAttempts()) {
                Duration wait = retryAfter(response.headers()).orElse(backoff.delayAfter(attempt));
                if (wait.compareTo(maxRetryAfter) > 0) {
                    return response;
                }
                discard(response);
                LOG.debugf("%s answered %d, retrying in %d ms", service, status, wait.toMillis());
                pause(wait);
                continue;
            }
            return response;
        }
    }

    /** The server's Retry-After (seconds or HTTP date), if any. */
    public static java.util.Optional<Duration> retryAfter(HttpHeaders headers) {
        return headers.firstValue("Retry-After").flatMap(v -> {
            try {
                return java.util.Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(v.trim()))));
            } catch (NumberFormatException e) {
                try {
                    ZonedDateTime at = ZonedDateTime.parse(v.trim(), DateTimeFormatter.RFC_1123_DATE_TIME);
                    Duration d = Duration.between(ZonedDateTime.now(), at);
                    return java.util.Optional.of(d.isNegative() ? Duration.ZERO : d);
                } catch (RuntimeException ignored) {
                    return java.util.Optional.empty();
                }
            }
        });
    }

    public static void pause(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(Kind.PERMANENT, "Interrupted while waiting to retry.", e);
        }
    }

    private static void discard(HttpResponse<?> response) {
        if (response.body() instanceof InputStream in) {
            try {
                in.close();
            } catch (IOException ignored) {
                // nothing to keep
            }
        }
    }
}
