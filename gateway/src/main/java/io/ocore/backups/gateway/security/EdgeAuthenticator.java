package io.ocore.backups.gateway.security;

import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Locale;
import org.jose4j.jwt.consumer.InvalidJwtException;

/**
 * The edge check: is there a bearer token, signed by our key, from our issuer, for our audience
 * (mp.jwt.verify.audiences), not expired?
 * Permissions are deliberately not looked at: every service checks its own
 * ({@code @RolesAllowed}), so the gateway cannot drift from them.
 */
@ApplicationScoped
public class EdgeAuthenticator {

    private static final String BEARER = "bearer ";

    private final JWTParser parser;

    public EdgeAuthenticator(JWTParser parser) {
        this.parser = parser;
    }

    /** Why a request is refused. {@code invalidToken} tells a bad token from a missing one (RFC 6750). */
    public record Rejection(String detail, boolean invalidToken) {
    }

    /** @return null when the token is acceptable, else why not (safe to show the caller) */
    public Rejection check(String authorization) {
        if (authorization == null || authorization.isBlank()) {
            return new Rejection("A bearer token is required", false);
        }
        if (authorization.length() <= BEARER.length()
                || !authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            return new Rejection("The Authorization header must use the Bearer scheme", false);
        }
        String token = authorization.substring(BEARER.length()).trim();
        try {
            parser.parse(token);
            return null;
        } catch (ParseException e) {
            if (hasExpired(e)) {
                return new Rejection("The token has expired", true);
            }
            return new Rejection("The token is not valid", true);
        } catch (RuntimeException e) {
            return new Rejection("The token is not valid", true);
        }
    }

    private static boolean hasExpired(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof InvalidJwtException invalid && invalid.hasExpired()) {
                return true;
            }
        }
        return false;
    }
}
