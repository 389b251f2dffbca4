package io.ocore.backups.alert.rotation;

import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.security.RewrapReport;
import io.quarkus.logging.Log;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.UUID;

/**
 * After a master-key rotation: re-seals every webhook signing secret under the active master key.
 * Blocking (worker threads only). Each row is replaced by compare-and-set with a value that was
 * opened again first, so an interrupted run loses nothing and a re-run continues.
 */
@ApplicationScoped
public class WebhookSecretRewrap {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final int BATCH = 100;

    private final Pool pool;
    private final EnvelopeCipher cipher;

    public WebhookSecretRewrap(Pool pool, EnvelopeCipher cipher) {
        this.pool = pool;
        this.cipher = cipher;
    }

    public RewrapReport rewrapAll() {
        String notActive = "v1:" + cipher.activeKeyId() + ":%";
        UUID after = new UUID(0, 0);
        int rewrapped = 0;
        int failed = 0;
        while (true) {
            RowSet<Row> rows = pool.preparedQuery("""
                    select id, secret_sealed from webhook where secret_sealed not like $1 and id > $2
                    order by id limit $3""").execute(Tuple.of(notActive, after, BATCH)).await().atMost(TIMEOUT);
            for (Row row : rows) {
                UUID id = row.getUUID("id");
                String sealed = row.getString("secret_sealed");
                after = id;
                try {
                    String fresh = cipher.rewrap(sealed, id.toString()); // WebhookService seals with the id
                    rewrapped += pool.preparedQuery("update webhook set secret_sealed = $1 where id = $2 and secret_sealed = $3")
                            .execute(Tuple.of(fresh, id, sealed)).await().atMost(TIMEOUT).rowCount();
                } catch (EnvelopeCipher.CipherException e) {
                    failed++;
                    Log.warnf("Webhook %s: its signing secret could not be re-wrapped: %s", id, e.getMessage());
                }
            }
            if (rows.size() < BATCH) {
                break;
            }
        }
        long remaining = pool.preparedQuery("select count(*) from webhook where secret_sealed not like $1")
                .execute(Tuple.of(notActive)).await().atMost(TIMEOUT).iterator().next().getLong(0);
        return new RewrapReport(rewrapped, (int) remaining, failed, cipher.activeKeyId());
    }
}
