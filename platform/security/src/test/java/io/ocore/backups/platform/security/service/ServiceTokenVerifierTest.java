package io.ocore.backups.platform.security.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.keys.HmacKey;
import org.junit.jupiter.api.Test;

class ServiceTokenVerifierTest {

    static final String KEY = ServiceTokensTest.KEY;
    static final String OTHER_KEY = "jMLfJJNib+ZzBTGw7028CgKtg/zPakCdk73I/xE98c4=";
    static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    final ServiceTokenVerifier verifier = new ServiceTokenVerifier(ServiceSigningKey.of(Optional.of(KEY)),
            Clock.fixed(NOW, ZoneOffset.UTC));

    static JwtClaims claims(Consumer<JwtClaims> change) {
        JwtClaims c = new JwtClaims();
        c.setIssuer("ocore-services");
        c.setSubject("backup-service");
        c.setAudience("ocore-internal");
        c.setIssuedAt(NumericDate.fromSeconds(NOW.getEpochSecond() - 60));
        c.setExpirationTime(NumericDate.fromSeconds(NOW.getEpochSecond() + 840));
        c.setGeneratedJwtId();
        c.setStringListClaim("groups", List.of("internal:service"));
        change.accept(c);
        return c;
    }

    static String hs256(JwtClaims c, String key) throws Exception {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(c.toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        jws.setKey(new HmacKey(Base64.getDecoder().decode(key)));
        return jws.getCompactSerialization();
    }

    void refused(String token, String why) {
        assertThatThrownBy(() -> verifier.verify(token)).isInstanceOf(ServiceTokenVerifier.Refused.class)
                .hasMessageContaining(why);
    }

    @Test
    void acceptsAServiceToken() throws Exception {
        assertThat(verifier.verify(hs256(claims(c -> { }), KEY)).getSubject()).isEqualTo("backup-service");
    }

    @Test
    void refusesAnotherKey() throws Exception {
        refused(hs256(claims(c -> { }), OTHER_KEY), "not a valid service token");
    }

    @Test
    void refusesAnotherAudienceOrIssuer() throws Exception {
        refused(hs256(claims(c -> c.setAudience("ocore-api")), KEY), "not a valid service token");
        refused(hs256(claims(c -> c.setIssuer("https://ocore.local/issuer")), KEY), "not a valid service token");
    }

    @Test
    void refusesALifetimeOverAnHour() throws Exception {
        refused(hs256(claims(c -> c.setExpirationTime(NumericDate.fromSeconds(NOW.getEpochSecond() - 60 + 3601))), KEY),
                "longer than PT1H");
        assertThat(verifier.verify(hs256(claims(c -> c.setExpirationTime(
                NumericDate.fromSeconds(NOW.getEpochSecond() - 60 + 3600))), KEY))).isNotNull();
    }

    @Test
    void refusesAnExpiredTokenBeyondSixtySecondsOfSkew() throws Exception {
        Consumer<JwtClaims> expired61sAgo = c -> {
            c.setIssuedAt(NumericDate.fromSeconds(NOW.getEpochSecond() - 900));
            c.setExpirationTime(NumericDate.fromSeconds(NOW.getEpochSecond() - 61));
        };
        refused(hs256(claims(expired61sAgo), KEY), "expired");
        Consumer<JwtClaims> expired30sAgo = c -> {
            c.setIssuedAt(NumericDate.fromSeconds(NOW.getEpochSecond() - 900));
            c.setExpirationTime(NumericDate.fromSeconds(NOW.getEpochSecond() - 30));
        };
        assertThat(verifier.verify(hs256(claims(expired30sAgo), KEY))).isNotNull();
    }

    @Test
    void refusesAlgNone() {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String none = b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims(c -> { }).toJson().getBytes(StandardCharsets.UTF_8)) + ".";
        refused(none, "not a valid service token");
    }

    @Test
    void refusesAUserTokenSignedWithRs256() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims(c -> c.setStringListClaim("permissions", List.of("internal:service"))).toJson());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setKey(g.generateKeyPair().getPrivate());
        refused(jws.getCompactSerialization(), "not a valid service token");
    }

    @Test
    void refusesATokenWithoutTheInternalGroup() throws Exception {
        refused(hs256(claims(c -> c.setStringListClaim("groups", List.of("manage:environments"))), KEY),
                "does not carry internal:service");
    }

    @Test
    void refusesEverythingWithoutAConfiguredKey() throws Exception {
        ServiceTokenVerifier keyless = new ServiceTokenVerifier(Optional.empty(), Clock.fixed(NOW, ZoneOffset.UTC));
        assertThatThrownBy(() -> keyless.verify(hs256(claims(c -> { }), KEY)))
                .isInstanceOf(ServiceTokenVerifier.Refused.class);
    }
}
