package io.ocore.backups.platform.testing;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import io.smallrye.jwt.util.KeyUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.NumericDate;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.HmacKey;
import org.jose4j.lang.JoseException;

/**
 * Bearer tokens for tests: user tokens signed by the fixture key, service tokens signed by the fixed
 * test service key; {@link JwtTestResource} (and platform-security's test profile) make services trust both.
 */
public final class TestTokens {

    public static final String ISSUER = "https://ocore.local/issuer";
    public static final String AUDIENCE = "ocore-api";
    public static final String PUBLIC_KEY_LOCATION = "ocore-test-keys/public.pem";
    /** Base64 of the 32 bytes that sign {@link #service()} tokens in tests (platform-security's %test default). */
    public static final String SERVICE_SIGNING_KEY = "IclN/iYPdXe9TYNBOfBRs0B8xjIyVTGDcNGZYhNv5tc=";
    /** Another 32-byte key, for "service token signed by someone else" tests. */
    public static final String OTHER_SERVICE_SIGNING_KEY = "jMLfJJNib+ZzBTGw7028CgKtg/zPakCdk73I/xE98c4=";
    public static final String SERVICE_ISSUER = "ocore-services";
    public static final String SERVICE_AUDIENCE = "ocore-internal";

    private TestTokens() {
    }

    /** A valid token of {@code orgId} with exactly {@code permissions}. */
    public static String of(UUID orgId, String... permissions) {
        return user(orgId, permissions).sign(key("private.pem"));
    }

    /** A token that expired a minute ago. */
    public static String expired(UUID orgId, String... permissions) {
        return user(orgId, permissions).expiresAt(Instant.now().minusSeconds(60)).sign(key("private.pem"));
    }

    /** A well-formed token signed by a key oCore does not trust. */
    public static String signedByOtherKey(UUID orgId, String... permissions) {
        return user(orgId, permissions).sign(key("other-private.pem"));
    }

    /** A token signed by the trusted key but meant for another audience than the API. */
    public static String wrongAudience(UUID orgId, String... permissions) {
        return user(orgId, permissions).audience("some-other-api").sign(key("private.pem"));
    }

    /** A token signed by the trusted key and carrying no audience at all. */
    public static String noAudience(UUID orgId, String... permissions) {
        JwtClaimsBuilder claims = user(orgId, permissions);
        claims.remove("aud");
        return claims.sign(key("private.pem"));
    }

    /** A token signed by the trusted key but from another issuer. */
    public static String wrongIssuer(UUID orgId, String... permissions) {
        return user(orgId, permissions).issuer("https://evil.example/issuer").sign(key("private.pem"));
    }

    /** An unsigned token ({@code alg: none}) with otherwise valid claims. */
    public static String algNone(UUID orgId, String... permissions) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setSubject("test-user@" + orgId);
        claims.setAudience(AUDIENCE);
        claims.setClaim("org_id", orgId.toString());
        claims.setStringListClaim("permissions", List.of(permissions));
        claims.setStringListClaim("groups", List.of(permissions));
        claims.setIssuedAt(NumericDate.fromSeconds(Instant.now().getEpochSecond() - 120));
        claims.setExpirationTime(NumericDate.fromSeconds(Instant.now().getEpochSecond() + 3600));
        claims.setGeneratedJwtId();
        return unsigned(claims);
    }

    /** A valid service token (for {@code /internal/...} endpoints), signed with {@link #SERVICE_SIGNING_KEY}. */
    public static String service() {
        return signService(serviceClaims("test-service"), SERVICE_SIGNING_KEY);
    }

    /** The claims of a valid service token of {@code subject} (15 min), to alter and sign for refusal tests. */
    public static JwtClaims serviceClaims(String subject) {
        long now = Instant.now().getEpochSecond();
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(SERVICE_ISSUER);
        claims.setSubject(subject);
        claims.setAudience(SERVICE_AUDIENCE);
        claims.setIssuedAt(NumericDate.fromSeconds(now));
        claims.setExpirationTime(NumericDate.fromSeconds(now + 900));
        claims.setGeneratedJwtId();
        claims.setStringListClaim("groups", List.of("internal:service"));
        return claims;
    }

    /** Signs service-token claims (HS256) with {@code base64Key}. */
    public static String signService(JwtClaims claims, String base64Key) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setHeader("typ", "JWT");
        jws.setKey(new HmacKey(Base64.getDecoder().decode(base64Key)));
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A service token signed with a key the services do not share. */
    public static String serviceSignedByOtherKey() {
        return signService(serviceClaims("test-service"), OTHER_SERVICE_SIGNING_KEY);
    }

    /** A service token with otherwise valid claims but no signature ({@code alg: none}). */
    public static String serviceAlgNone() {
        return unsigned(serviceClaims("test-service"));
    }

    /**
     * For stubs that play another service's internal endpoint: the calling service's name when
     * {@code authorization} is {@code Bearer} + a valid service token signed with the test key
     * (HS256, iss ocore-services, aud ocore-internal, unexpired, exp - iat <= 1 h, group internal:service).
     */
    public static Optional<String> serviceCaller(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return Optional.empty();
        }
        try {
            JwtClaims claims = new JwtConsumerBuilder()
                    .setVerificationKey(new HmacKey(Base64.getDecoder().decode(SERVICE_SIGNING_KEY)))
                    .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                            AlgorithmIdentifiers.HMAC_SHA256)
                    .setExpectedIssuer(SERVICE_ISSUER).setExpectedAudience(SERVICE_AUDIENCE)
                    .setRequireExpirationTime().setRequireIssuedAt().setRequireSubject().setRequireJwtId()
                    .build().processToClaims(authorization.substring("Bearer ".length()));
            boolean shortLived = claims.getExpirationTime().getValue() - claims.getIssuedAt().getValue() <= 3600;
            boolean internal = claims.getStringListClaimValue("groups").contains("internal:service");
            return shortLived && internal ? Optional.of(claims.getSubject()) : Optional.empty();
        } catch (InvalidJwtException | MalformedClaimException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static JwtClaimsBuilder user(UUID orgId, String... permissions) {
        List<String> perms = List.of(permissions);
        return Jwt.issuer(ISSUER)
                .subject("test-user@" + orgId)
                .upn("test-user@" + orgId)
                .audience(AUDIENCE)
                .claim("org_id", orgId.toString())
                .claim("permissions", perms)
                .groups(Set.copyOf(perms))
                .issuedAt(Instant.now().minusSeconds(120))
                .expiresAt(Instant.now().plusSeconds(3600));
    }

    private static String unsigned(JwtClaims claims) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.toJson().getBytes(StandardCharsets.UTF_8)) + ".";
    }

    private static PrivateKey key(String name) {
        try (InputStream in = TestTokens.class.getClassLoader().getResourceAsStream("ocore-test-keys/" + name)) {
            if (in == null) {
                throw new IllegalStateException("Missing test key " + name);
            }
            return KeyUtils.decodePrivateKey(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("Unreadable test key " + name, e);
        }
    }
}
