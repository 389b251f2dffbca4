package io.ocore.backups.platform.security.service;

import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.jwt.auth.principal.DefaultJWTCallerPrincipal;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;

/** Turns a verified service token into the identity of the calling service (its roles: the token's groups). */
@ApplicationScoped
public class ServiceTokenIdentityProvider implements IdentityProvider<ServiceTokenRequest> {

    /** Set on identities made from a service token; {@link InternalRoleGuard} keeps the internal role for those only. */
    public static final String SERVICE_TOKEN_ATTRIBUTE = "ocore.service-token";

    private final ServiceTokenVerifier verifier;

    @Inject
    public ServiceTokenIdentityProvider(@ConfigProperty(name = ServiceSigningKey.PROPERTY) Optional<String> key) {
        this.verifier = new ServiceTokenVerifier(ServiceSigningKey.of(key), Clock.systemUTC());
    }

    @Override
    public Class<ServiceTokenRequest> getRequestType() {
        return ServiceTokenRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(ServiceTokenRequest request, AuthenticationRequestContext context) {
        String raw = request.getToken().getToken();
        JwtClaims claims;
        try {
            claims = verifier.verify(raw);
        } catch (ServiceTokenVerifier.Refused e) {
            Log.debugf("internal endpoint: token refused: %s", e.getMessage());
            return Uni.createFrom().failure(new AuthenticationFailedException(e.getMessage()));
        }
        try {
            DefaultJWTCallerPrincipal principal = new DefaultJWTCallerPrincipal(raw, "JWT", claims);
            return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                    .setPrincipal(principal)
                    .addCredential(request.getToken())
                    .addRoles(java.util.Set.copyOf(claims.getStringListClaimValue("groups")))
                    .addAttribute(SERVICE_TOKEN_ATTRIBUTE, Boolean.TRUE)
                    .build());
        } catch (MalformedClaimException e) {
            return Uni.createFrom().failure(new AuthenticationFailedException("not a valid service token"));
        }
    }
}
