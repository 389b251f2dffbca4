package io.ocore.backups.platform.security;

import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.platform.web.ProblemTypes;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Who is calling: the organisation every query is scoped to. Resources of another
 * organisation must answer 404, so services filter by {@link #orgId()} in every query.
 */
@RequestScoped
public class Caller {

    public static final String ORG_CLAIM = "org_id";

    @Inject
    JsonWebToken jwt;

    @Inject
    SecurityIdentity identity;

    /** The caller's organisation; 403 if the token carries none. */
    public UUID orgId() {
        Object claim = jwt == null ? null : jwt.getClaim(ORG_CLAIM);
        if (claim == null) {
            throw new ProblemException(403, ProblemTypes.FORBIDDEN, "Forbidden", "The token names no organisation (org_id)");
        }
        try {
            return UUID.fromString(claim.toString().replace("\"", ""));
        } catch (IllegalArgumentException e) {
            throw new ProblemException(403, ProblemTypes.FORBIDDEN, "Forbidden", "The token's org_id is not a UUID");
        }
    }

    /** The token's subject, for audit lines. */
    public String subject() {
        return jwt == null ? null : jwt.getSubject();
    }

    /** The identity's roles, not the token's claim: internal:service only counts from a service token. */
    public boolean has(String permission) {
        return identity != null && identity.hasRole(permission);
    }
}
