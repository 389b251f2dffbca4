package io.ocore.backups.platform.storage.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ocore.backups.platform.storage.CredentialListener;
import io.ocore.backups.platform.storage.StorageException;
import io.ocore.backups.platform.storage.StorageException.Kind;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * OAuth2 refresh-token grant: keeps an access token, refreshes it before it expires or when the
 * API answers 401, and hands a rotated refresh token to the {@link CredentialListener}.
 */
public final class OAuthTokens {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration EARLY = Duration.ofSeconds(60);

    private final HttpClient http;
    private final URI tokenUrl;
    private final String clientId;
    private final String clientSecret;
    private final String scope;
    private final String provider;
    private final CredentialListener listener;
    private final Duration timeout;
    private String refreshToken;
    private String accessToken;
    private Instant expiresAt = Instant.EPOCH;

    /**
     * @param provider the provider's name for messages ("Microsoft", "Google")
     * @param scope the scope parameter, or {@code null} to send none
     */
    public OAuthTokens(HttpClient http, URI tokenUrl, String clientId, String clientSecret, String refreshToken,
            String scope, String provider, CredentialListener listener, Duration timeout) {
        this.http = http;
        this.tokenUrl = tokenUrl;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.refreshToken = refreshToken;
        this.scope = scope;
        this.provider = provider;
        this.listener = listener;
        this.timeout = timeout;
    }

    /** A valid access token, refreshed when it is about to expire. */
    public synchronized String accessToken() {
        if (accessToken == null || Instant.now().isAfter(expiresAt.minus(EARLY))) {
            refresh();
        }
        return accessToken;
    }

    /** Called after a 401 with {@code rejected}: refreshes unless another thread already did. */
    public synchronized String refreshAfterRejection(String rejected) {
        if (rejected == null || rejected.equals(accessToken)) {
            refresh();
        }
        return accessToken;
    }

    private void refresh() {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.put("client_id", clientId);
        form.put("client_secret", clientSecret);
        form.put("refresh_token", refreshToken);
        if (scope != null) {
            form.put("scope", scope);
        }
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(tokenUrl).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw HttpFailures.io(e, provider + " sign-in service");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(Kind.PERMANENT, "Interrupted while signing in to " + provider + ".", e);
        }
        JsonNode json = parse(response.body());
        int status = response.statusCode();
        if (status == 200 && json.hasNonNull("access_token")) {
            accessToken = json.get("access_token").asText();
            long expiresIn = json.path("expires_in").asLong(3600);
            expiresAt = Instant.now().plusSeconds(expiresIn);
            String rotated = json.path("refresh_token").asText(null);
            if (rotated != null && !rotated.isEmpty() && !rotated.equals(refreshToken)) {
                refreshToken = rotated;
                try {
                    listener.secretRotated("refreshToken", rotated);
                } catch (RuntimeException ignored) {
                    // storing it is the service's business; the new token is in use here anyway
                }
            }
            return;
        }
        String error = json.path("error").asText("");
        if (status >= 500 || status == 429) {
            throw new StorageException(Kind.TRANSIENT, "The " + provider + " sign-in service failed temporarily (HTTP "
                    + status + ").");
        }
        if (error.equals("invalid_client") || error.equals("unauthorized_client")) {
            throw new StorageException(Kind.AUTHENTICATION, provider + " rejected the client ID or client secret ("
                    + error + ").");
        }
        if (error.equals("invalid_grant")) {
            throw new StorageException(Kind.AUTHENTICATION, provider + " rejected the refresh token: the authorization "
                    + "expired or was revoked. Connect the destination again to get a new one (invalid_grant).");
        }
        throw new StorageException(Kind.AUTHENTICATION, provider + " refused to sign in (HTTP " + status
                + (error.isEmpty() ? "" : ", " + error) + ").");
    }

    private static JsonNode parse(byte[] body) {
        try {
            return JSON.readTree(body == null || body.length == 0 ? "{}".getBytes(StandardCharsets.UTF_8) : body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }
}
