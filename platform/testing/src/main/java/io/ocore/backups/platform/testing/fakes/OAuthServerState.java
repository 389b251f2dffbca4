package io.ocore.backups.platform.testing.fakes;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The token side of a fake provider: refresh-token grant, expiring access tokens, optional rotation. */
public final class OAuthServerState {

    final String clientId;
    final String clientSecret;
    private final Set<String> validRefreshTokens = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> accessTokens = new ConcurrentHashMap<>();
    private volatile String currentRefreshToken;
    volatile boolean rotate;
    volatile Duration lifetime = Duration.ofHours(1);
    final AtomicInteger grants = new AtomicInteger();

    OAuthServerState(String clientId, String clientSecret, String refreshToken, boolean rotate) {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.currentRefreshToken = refreshToken;
        this.rotate = rotate;
        validRefreshTokens.add(refreshToken);
    }

    /** Result of a token request: status and JSON body fields. */
    Map<String, Object> grant(Map<String, String> form, int[] status) {
        if (!clientId.equals(form.get("client_id")) || !clientSecret.equals(form.get("client_secret"))) {
            status[0] = 401;
            return Map.of("error", "invalid_client", "error_description", "client authentication failed");
        }
        if (!"refresh_token".equals(form.get("grant_type"))) {
            status[0] = 400;
            return Map.of("error", "unsupported_grant_type");
        }
        String presented = form.get("refresh_token");
        if (presented == null || !validRefreshTokens.contains(presented)) {
            status[0] = 400;
            return Map.of("error", "invalid_grant", "error_description", "refresh token expired or revoked");
        }
        grants.incrementAndGet();
        String access = "at-" + UUID.randomUUID();
        accessTokens.put(access, Instant.now().plus(lifetime));
        status[0] = 200;
        if (rotate) {
            // like Microsoft for confidential clients: the old refresh token stays valid until it expires
            String next = "rt-" + UUID.randomUUID();
            validRefreshTokens.add(next);
            currentRefreshToken = next;
            return Map.of("access_token", access, "token_type", "Bearer", "expires_in", lifetime.toSeconds(),
                    "refresh_token", next);
        }
        return Map.of("access_token", access, "token_type", "Bearer", "expires_in", lifetime.toSeconds());
    }

    boolean valid(String accessToken) {
        Instant exp = accessToken == null ? null : accessTokens.get(accessToken);
        return exp != null && Instant.now().isBefore(exp);
    }

    /** Every access token issued so far stops working (the client's idea of its expiry is now wrong). */
    public void expireAccessTokens() {
        accessTokens.replaceAll((k, v) -> Instant.EPOCH);
    }

    /** How many refresh-token grants succeeded. */
    public int grants() {
        return grants.get();
    }

    public String currentRefreshToken() {
        return currentRefreshToken;
    }
}
