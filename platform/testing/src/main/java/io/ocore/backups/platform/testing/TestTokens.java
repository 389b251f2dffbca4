package io.ocore.backups.platform.testing;

import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.util.KeyUtils;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** Bearer tokens for tests, signed by the fixture key that {@link JwtTestResource} makes services trust. */
public final class TestTokens {

    public static final String ISSUER = "https://ocore.local/issuer";
    public static final String PUBLIC_KEY_LOCATION = "ocore-test-keys/public.pem";

    private TestTokens() {
    }

    /** A valid token of {@code orgId} with exactly {@code permissions}. */
    public static String of(UUID orgId, String... permissions) {
        return sign(orgId, Instant.now().plusSeconds(3600), key("private.pem"), permissions);
    }

    /** A token that expired a minute ago. */
    public static String expired(UUID orgId, String... permissions) {
        return sign(orgId, Instant.now().minusSeconds(60), key("private.pem"), permissions);
    }

    /** A well-formed token signed by a key oCore does not trust. */
    public static String signedByOtherKey(UUID orgId, String... permissions) {
        return sign(orgId, Instant.now().plusSeconds(3600), key("other-private.pem"), permissions);
    }

    /** A service token for {@code /internal/...} endpoints. */
    public static String service() {
        return sign(UUID.fromString("00000000-0000-0000-0000-000000000000"), Instant.now().plusSeconds(3600),
                key("private.pem"), "internal:service");
    }

    private static String sign(UUID orgId, Instant expiresAt, PrivateKey key, String... permissions) {
        List<String> perms = List.of(permissions);
        return Jwt.issuer(ISSUER)
                .subject("test-user@" + orgId)
                .upn("test-user@" + orgId)
                .claim("org_id", orgId.toString())
                .claim("permissions", perms)
                .groups(Set.copyOf(perms))
                .issuedAt(Instant.now().minusSeconds(120))
                .expiresAt(expiresAt)
                .sign(key);
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
