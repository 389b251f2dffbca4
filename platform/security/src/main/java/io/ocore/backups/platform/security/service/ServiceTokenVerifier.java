package io.ocore.backups.platform.security.service;

import io.ocore.backups.platform.security.Permissions;
import java.time.Clock;
import java.util.Optional;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;

/**
 * Accepts only service tokens: HS256 with the services' key, {@code iss} ocore-services,
 * {@code aud} ocore-internal, not expired (60 s skew), {@code exp - iat} at most one hour.
 */
public final class ServiceTokenVerifier {

    /** Why a token was refused; never carries the token. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    static final int CLOCK_SKEW_SECONDS = 60;

    private final Optional<ServiceSigningKey> key;
    private final Clock clock;

    public ServiceTokenVerifier(Optional<ServiceSigningKey> key, Clock clock) {
        this.key = key;
        this.clock = clock;
    }

    /** @return the token's claims when it is a valid service token */
    public JwtClaims verify(String token) throws Refused {
        ServiceSigningKey k = key.orElseThrow(() -> new Refused("this service has no service signing key configured"));
        JwtConsumer consumer = new JwtConsumerBuilder()
                .setVerificationKey(k.hmac())
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.HMAC_SHA256)
                .setExpectedIssuer(ServiceTokens.ISSUER)
                .setExpectedAudience(ServiceTokens.AUDIENCE)
                .setRequireExpirationTime()
                .setRequireIssuedAt()
                .setRequireSubject()
                .setRequireJwtId()
                .setAllowedClockSkewInSeconds(CLOCK_SKEW_SECONDS)
                .setEvaluationTime(NumericDate.fromMilliseconds(clock.millis()))
                .build();
        JwtClaims claims;
        try {
            claims = consumer.processToClaims(token);
        } catch (InvalidJwtException e) {
            throw new Refused(e.hasExpired() ? "the service token has expired" : "not a valid service token");
        }
        try {
            long lifetime = claims.getExpirationTime().getValue() - claims.getIssuedAt().getValue();
            if (lifetime > ServiceTokens.MAX_LIFETIME.toSeconds()) {
                throw new Refused("the service token lives longer than " + ServiceTokens.MAX_LIFETIME);
            }
            if (claims.getIssuedAt().getValue() > clock.millis() / 1000 + CLOCK_SKEW_SECONDS) {
                throw new Refused("the service token was issued in the future");
            }
            if (!claims.isClaimValueStringList("groups")
                    || !claims.getStringListClaimValue("groups").contains(Permissions.INTERNAL_SERVICE)) {
                throw new Refused("the service token does not carry " + Permissions.INTERNAL_SERVICE);
            }
        } catch (MalformedClaimException e) {
            throw new Refused("not a valid service token");
        }
        return claims;
    }
}
