package io.ocore.backups.securitysuite;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokensTest {

    private static final UUID ORG = UUID.fromString("00000000-0000-0000-0000-00000000d0d0");

    @TempDir
    Path dir;

    private static JsonNode part(String token, int i) throws Exception {
        return Api.JSON.readTree(Base64.getUrlDecoder().decode(token.split("\\.", -1)[i]));
    }

    private static boolean verifies(String token, KeyPair keys) throws Exception {
        int dot = token.lastIndexOf('.');
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(keys.getPublic());
        rsa.update(token.substring(0, dot).getBytes(StandardCharsets.US_ASCII));
        return rsa.verify(Base64.getUrlDecoder().decode(token.substring(dot + 1)));
    }

    @Test
    void aValidTokenIsSignedWithThePemKeyAndCarriesIssuerAudienceOrgAndPermissions() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        KeyPair keys = generator.generateKeyPair();
        Path pem = dir.resolve("jwt-private.pem");
        Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
        Tokens tokens = new Tokens(Tokens.readPem(pem));

        String token = tokens.valid(ORG, List.of("view:environments"));

        assertThat(verifies(token, keys)).isTrue();
        assertThat(part(token, 0).path("alg").asText()).isEqualTo("RS256");
        JsonNode claims = part(token, 1);
        assertThat(claims.path("iss").asText()).isEqualTo("https://ocore.local/issuer");
        assertThat(claims.path("aud").asText()).isEqualTo("ocore-api");
        assertThat(claims.path("org_id").asText()).isEqualTo(ORG.toString());
        assertThat(claims.path("permissions").get(0).asText()).isEqualTo("view:environments");
        assertThat(claims.path("exp").asLong()).isGreaterThan(Instant.now().getEpochSecond());

        Map<String, Tokens.Bad> bad = tokens.bad(ORG, List.of("view:environments")).stream()
                .collect(Collectors.toMap(Tokens.Bad::name, b -> b));
        assertThat(bad).hasSize(8);
        assertThat(bad.get("no token").token()).isNull();
        String none = bad.get("alg none (unsigned)").token();
        assertThat(part(none, 0).path("alg").asText()).isEqualTo("none");
        assertThat(none).endsWith(".");
        assertThat(verifies(bad.get("signed by another key").token(), keys)).isFalse();
        long now = Instant.now().getEpochSecond();
        assertThat(part(bad.get("expired 65 s ago (beyond the 60 s skew)").token(), 1).path("exp").asLong()).isLessThan(now - 60);
        assertThat(part(bad.get("expired 10 min ago").token(), 1).path("exp").asLong()).isLessThanOrEqualTo(now - 600);
        assertThat(part(bad.get("wrong issuer").token(), 1).path("iss").asText()).isNotEqualTo("https://ocore.local/issuer");
        assertThat(part(bad.get("wrong audience (another-api)").token(), 1).path("aud").asText()).isEqualTo("another-api");
        assertThat(part(bad.get("no audience").token(), 1).has("aud")).isFalse();
        assertThat(bad.values()).filteredOn(b -> b.token() != null && !b.name().startsWith("alg") && !b.name().startsWith("signed"))
                .allSatisfy(b -> assertThat(verifiesUnchecked(b.token(), keys)).isTrue());
    }

    @Test
    void aServiceTokenIsHs256WithTheServicesKeyForTheInternalAudience() throws Exception {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        Path file = dir.resolve("service-signing.key");
        Files.writeString(file, Base64.getEncoder().encodeToString(key) + "\n");

        String token = Tokens.service(Tokens.readServiceKey(file));

        int dot = token.lastIndexOf('.');
        javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
        mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
        assertThat(Base64.getUrlDecoder().decode(token.substring(dot + 1)))
                .isEqualTo(mac.doFinal(token.substring(0, dot).getBytes(StandardCharsets.US_ASCII)));
        assertThat(part(token, 0).path("alg").asText()).isEqualTo("HS256");
        JsonNode claims = part(token, 1);
        assertThat(claims.path("iss").asText()).isEqualTo("ocore-services");
        assertThat(claims.path("aud").asText()).isEqualTo("ocore-internal");
        assertThat(claims.path("groups").get(0).asText()).isEqualTo("internal:service");
        assertThat(claims.path("exp").asLong() - claims.path("iat").asLong()).isLessThanOrEqualTo(3600);
    }

    private static boolean verifiesUnchecked(String token, KeyPair keys) {
        try {
            return verifies(token, keys);
        } catch (Exception e) {
            return false;
        }
    }
}
