package io.ocore.backups.platform.security.service;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.credential.TokenCredential;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import java.util.Set;

/**
 * Authentication of {@code /internal/...}: only a service token is accepted there (a user token is
 * refused whatever it carries); every other path is left to the user-token (JWT) mechanism.
 */
@ApplicationScoped
public class ServiceTokenMechanism implements HttpAuthenticationMechanism {

    private static final String BEARER = "bearer ";

    /** True for the paths only service tokens may authenticate. */
    public static boolean isInternal(String path) {
        return path != null && (path.equals("/internal") || path.startsWith("/internal/"));
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        if (!isInternal(context.normalizedPath())) {
            return Uni.createFrom().nullItem();
        }
        String authorization = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization == null || authorization.isBlank()) {
            // anonymous: @RolesAllowed answers the usual 401
            return Uni.createFrom().nullItem();
        }
        if (authorization.length() <= BEARER.length()
                || !authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            return Uni.createFrom().failure(new AuthenticationFailedException("A service token (Bearer) is required"));
        }
        String token = authorization.substring(BEARER.length()).trim();
        return identityProviderManager.authenticate(
                new ServiceTokenRequest(new TokenCredential(token, "bearer")));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer"));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(ServiceTokenRequest.class);
    }

    @Override
    public int getPriority() {
        // before the JWT mechanism (DEFAULT_PRIORITY), which must never see /internal
        return DEFAULT_PRIORITY + 100;
    }
}
