package io.ocore.backups.platform.security.service;

import io.ocore.backups.platform.security.Permissions;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapSetter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;

/**
 * Mints the token this service presents to other services' {@code /internal/...} endpoints
 * (docs/adr/0010-service-tokens.md): HS256 with the services' shared key, short-lived, cached and
 * minted anew when less than a third of its lifetime is left.
 */
@ApplicationScoped
public class ServiceTokens {

    public static final String ISSUER = "ocore-services";
    public static final String AUDIENCE = "ocore-internal";
    public static final Duration MAX_LIFETIME = Duration.ofHours(1);
    public static final String LIFETIME_PROPERTY = "ocore.service-token-lifetime";

    private record Minted(String token, Instant expiresAt) {
    }

    private final Optional<ServiceSigningKey> key;
    private final String subject;
    private final Duration lifetime;
    private final Clock clock;
    private volatile Minted current;

    @Inject
    public ServiceTokens(@ConfigProperty(name = ServiceSigningKey.PROPERTY) Optional<String> key,
            @ConfigProperty(name = "quarkus.application.name") String subject,
            @ConfigProperty(name = LIFETIME_PROPERTY, defaultValue = "PT15M") Duration lifetime) {
        this(ServiceSigningKey.of(key), subject, lifetime, Clock.systemUTC());
    }

    public ServiceTokens(Optional<ServiceSigningKey> key, String subject, Duration lifetime, Clock clock) {
        if (lifetime.isNegative() || lifetime.isZero() || lifetime.compareTo(MAX_LIFETIME) > 0) {
            throw new IllegalStateException(LIFETIME_PROPERTY + " must be positive and at most " + MAX_LIFETIME
                    + ", not " + lifetime);
        }
        this.key = key;
        this.subject = subject;
        this.lifetime = lifetime;
        this.clock = clock;
    }

    /** A valid token, the cached one while more than a third of its lifetime is left. */
    public String token() {
        Minted m = current;
        if (m == null || stale(m)) {
            synchronized (this) {
                m = current;
                if (m == null || stale(m)) {
                    m = mint();
                    current = m;
                }
            }
        }
        return m.token();
    }

    /** The {@code Authorization} header value for an internal call. */
    public String authorization() {
        return "Bearer " + token();
    }

    private static final TextMapSetter<HttpRequest.Builder> HEADERS = (request, name, value) -> {
        if (request != null) {
            request.setHeader(name, value);
        }
    };

    /**
     * Adds the service token to a request to another service's {@code /internal/...} endpoint,
     * and the current trace context ({@code traceparent}, {@code tracestate}: W3C), so that the
     * callee's span joins the caller's trace (the JDK's HTTP client has no instrumentation of its
     * own). Outside any span nothing but the token is added. Internal calls only: a request that
     * leaves the system never goes through here.
     */
    public HttpRequest.Builder authorize(HttpRequest.Builder request) {
        W3CTraceContextPropagator.getInstance().inject(Context.current(), request, HEADERS);
        return request.header("Authorization", authorization());
    }

    private boolean stale(Minted m) {
        return Duration.between(clock.instant(), m.expiresAt()).compareTo(lifetime.dividedBy(3)) < 0;
    }

    private Minted mint() {
        ServiceSigningKey k = key.orElseThrow(() -> new IllegalStateException(
                "No service signing key configured: set OCORE_SERVICE_SIGNING_KEY to base64 of 32 random bytes"));
        Instant now = clock.instant();
        Instant exp = now.plus(lifetime);
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setSubject(subject);
        claims.setAudience(AUDIENCE);
        claims.setIssuedAt(NumericDate.fromSeconds(now.getEpochSecond()));
        claims.setExpirationTime(NumericDate.fromSeconds(exp.getEpochSecond()));
        claims.setJwtId(UUID.randomUUID().toString());
        claims.setStringListClaim("groups", List.of(Permissions.INTERNAL_SERVICE));
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setHeader("typ", "JWT");
        jws.setKey(k.hmac());
        try {
            return new Minted(jws.getCompactSerialization(), Instant.ofEpochSecond(exp.getEpochSecond()));
        } catch (JoseException e) {
            throw new IllegalStateException("Could not sign a service token", e);
        }
    }
}
