package io.ocore.backups.wal.token;

import io.ocore.backups.platform.security.EnvelopeCipher;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.UUID;

/**
 * The WAL tokens of environments (ADR 0017): {@code ocwal_} + base64url of 32 random bytes. Kept
 * as the hex SHA-256 of the token (what a request is checked against) and sealed (context
 * {@code waltoken:<envId>}) so that wal-config can show it again. Blocking: worker threads only.
 */
@ApplicationScoped
public class WalTokens {

    public static final String PREFIX = "ocwal_";
    private static final Duration TIMEOUT = Duration.ofSeconds(15);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String BEARER = "bearer ";
    /** Compared with when an environment has no token, so a miss takes as long as a mismatch. */
    private static final byte[] NO_TOKEN = new byte[32];

    private final Pool pool;
    private final EnvelopeCipher cipher;

    public WalTokens(Pool pool, EnvelopeCipher cipher) {
        this.pool = pool;
        this.cipher = cipher;
    }

    public static String context(UUID environmentId) {
        return "waltoken:" + environmentId;
    }

    static String newToken() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Hex SHA-256 of the token string. */
    public static String hash(String token) {
        return HexFormat.of().formatHex(sha256(token));
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The environment's token, made on first use. */
    public String getOrCreate(UUID environmentId) {
        String token = newToken();
        pool.preparedQuery("""
                insert into wal_token (environment_id, token_hash, sealed_token, created_at)
                values ($1, $2, $3, now()) on conflict (environment_id) do nothing""")
                .execute(Tuple.of(environmentId, hash(token), cipher.seal(token, context(environmentId))))
                .await().atMost(TIMEOUT);
        Row row = pool.preparedQuery("select sealed_token from wal_token where environment_id = $1")
                .execute(Tuple.of(environmentId)).await().atMost(TIMEOUT).iterator().next();
        return cipher.openString(row.getString("sealed_token"), context(environmentId));
    }

    /** Replaces the environment's token: the old one fails from now on. Answers the new one. */
    public String rotate(UUID environmentId) {
        String token = newToken();
        pool.preparedQuery("""
                insert into wal_token (environment_id, token_hash, sealed_token, created_at)
                values ($1, $2, $3, now())
                on conflict (environment_id) do update set token_hash = excluded.token_hash,
                       sealed_token = excluded.sealed_token, created_at = excluded.created_at""")
                .execute(Tuple.of(environmentId, hash(token), cipher.seal(token, context(environmentId))))
                .await().atMost(TIMEOUT);
        return token;
    }

    /**
     * Whether {@code authorization} ({@code Bearer ocwal_...}) carries the live WAL token of
     * {@code environmentId}. The hashes are compared in constant time; a JWT, a service token or
     * another environment's token is simply not this environment's token.
     */
    public boolean accepts(UUID environmentId, String authorization) {
        if (environmentId == null || authorization == null || authorization.length() <= BEARER.length()
                || !authorization.substring(0, BEARER.length()).toLowerCase(Locale.ROOT).equals(BEARER)) {
            return false;
        }
        String token = authorization.substring(BEARER.length()).trim();
        byte[] presented = sha256(token);
        var rows = pool.preparedQuery("select token_hash from wal_token where environment_id = $1")
                .execute(Tuple.of(environmentId)).await().atMost(TIMEOUT);
        byte[] expected = NO_TOKEN;
        boolean found = false;
        for (Row r : rows) {
            expected = HexFormat.of().parseHex(r.getString("token_hash"));
            found = true;
        }
        boolean equal = MessageDigest.isEqual(presented, expected);
        return found && equal && token.startsWith(PREFIX);
    }
}
