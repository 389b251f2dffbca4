package io.ocore.backups.securitysuite;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * User tokens as the identity provider issues them (RS256 with the stack's key, bin/lib/keys.sh's
 * claims plus {@code aud}), and the bad ones a caller might present instead.
 */
final class Tokens {

    static final String ISSUER = "https://ocore.local/issuer";
    static final String AUDIENCE = "ocore-api";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private final PrivateKey key;
    private PrivateKey otherKey;

    Tokens(PrivateKey key) {
        this.key = key;
    }

    /** Reads an unencrypted PKCS#8 PEM RSA key ({@code openssl genpkey}'s output). */
    static PrivateKey readPem(Path file) throws IOException, GeneralSecurityException {
        String pem = Files.readString(file, StandardCharsets.US_ASCII);
        if (!pem.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new GeneralSecurityException(file + " is not a PKCS#8 PEM private key");
        }
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    /** The claims of a good token for that organisation, valid for 10 minutes. */
    static Map<String, Object> claims(UUID org, List<String> permissions) {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("iss", ISSUER);
        c.put("aud", AUDIENCE);
        c.put("sub", "security-suite");
        c.put("upn", "security-suite@ocore.local");
        c.put("iat", now);
        c.put("exp", now + 600);
        c.put("jti", UUID.randomUUID().toString());
        c.put("org_id", org.toString());
        c.put("permissions", permissions);
        c.put("groups", permissions);
        return c;
    }

    String valid(UUID org, List<String> permissions) {
        return rs256(claims(org, permissions), key);
    }

    /** Signed with the stack's key; the caller changes the claims. */
    String signed(Map<String, Object> claims) {
        return rs256(claims, key);
    }

    /**
     * A service token as the services mint them for each other (HS256 with their own key, issuer
     * ocore-services, audience ocore-internal): good on /internal, never on /api.
     */
    static String service(byte[] key) {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "HS256");
        header.put("typ", "JWT");
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("iss", "ocore-services");
        c.put("sub", "security-suite");
        c.put("aud", "ocore-internal");
        c.put("iat", now);
        c.put("exp", now + 600);
        c.put("jti", UUID.randomUUID().toString());
        c.put("groups", List.of("internal:service"));
        String input = part(header) + "." + part(c);
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(key, "HmacSHA256"));
            return input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The services' signing key file: base64 of the key bytes (bin/lib/keys.sh). */
    static byte[] readServiceKey(Path file) throws IOException {
        return Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).trim());
    }

    /** {@code alg: none}, no signature: a verifier that trusts the header accepts anything. */
    static String unsigned(Map<String, Object> claims) {
        Map<String, Object> header = Map.of("alg", "none", "typ", "JWT");
        return part(header) + "." + part(claims) + ".";
    }

    /** Well formed and signed, but by a key the stack never issued. */
    synchronized String signedByAnotherKey(Map<String, Object> claims) {
        if (otherKey == null) {
            try {
                KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                generator.initialize(2048);
                otherKey = generator.generateKeyPair().getPrivate();
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
        return rs256(claims, otherKey);
    }

    private static String rs256(Map<String, Object> claims, PrivateKey signer) {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("alg", "RS256");
        header.put("typ", "JWT");
        header.put("kid", "ocore-local");
        String input = part(header) + "." + part(claims);
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(signer);
            rsa.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + B64.encodeToString(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String part(Map<String, Object> json) {
        try {
            return B64.encodeToString(JSON.writeValueAsBytes(json));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token the stack must refuse, named for the check line; {@code token} null means no Authorization header. */
    record Bad(String name, String token) {
    }

    /** Every kind of token issue 10 says must give 401, for a caller of that organisation with those permissions. */
    List<Bad> bad(UUID org, List<String> permissions) {
        Map<String, Object> expired65 = claims(org, permissions);
        long now = Instant.now().getEpochSecond();
        expired65.put("iat", now - 65 - 600);
        expired65.put("exp", now - 65);
        Map<String, Object> expired600 = claims(org, permissions);
        expired600.put("iat", now - 1200);
        expired600.put("exp", now - 600);
        Map<String, Object> wrongIssuer = claims(org, permissions);
        wrongIssuer.put("iss", "https://issuer.example.com/");
        Map<String, Object> wrongAudience = claims(org, permissions);
        wrongAudience.put("aud", "another-api");
        Map<String, Object> noAudience = claims(org, permissions);
        noAudience.remove("aud");
        return List.of(
                new Bad("no token", null),
                new Bad("alg none (unsigned)", unsigned(claims(org, permissions))),
                new Bad("signed by another key", signedByAnotherKey(claims(org, permissions))),
                new Bad("expired 65 s ago (beyond the 60 s skew)", signed(expired65)),
                new Bad("expired 10 min ago", signed(expired600)),
                new Bad("wrong issuer", signed(wrongIssuer)),
                new Bad("wrong audience (another-api)", signed(wrongAudience)),
                new Bad("no audience", signed(noAudience)));
    }
}
