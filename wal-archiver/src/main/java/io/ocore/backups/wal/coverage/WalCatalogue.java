package io.ocore.backups.wal.coverage;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Reads the catalogue of archived WAL files ({@code wal_file}, written by ingest). */
@ApplicationScoped
public class WalCatalogue {

    private static final String COLUMNS = "file_name, kind, timeline, segment_no, first_commit_at, last_commit_at, "
            + "archived_at";

    private final Pool pool;

    public WalCatalogue(Pool pool) {
        this.pool = pool;
    }

    /** Every file of an environment. */
    public Uni<List<WalCoverage.File>> files(UUID environmentId) {
        return pool.preparedQuery("select " + COLUMNS + " from wal_file where environment_id = $1 "
                + "order by timeline, segment_no nulls first, file_name")
                .execute(Tuple.of(environmentId)).map(rows -> {
                    List<WalCoverage.File> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(file(r));
                    }
                    return out;
                });
    }

    /** The coverage of an environment. */
    public Uni<WalCoverage.Result> coverage(UUID environmentId) {
        return files(environmentId).map(WalCoverage::of);
    }

    static WalCoverage.File file(Row r) {
        return new WalCoverage.File(r.getString("file_name"), r.getString("kind"), r.getInteger("timeline"),
                r.getLong("segment_no"), instant(r, "first_commit_at"), instant(r, "last_commit_at"),
                instant(r, "archived_at"));
    }

    public static Instant instant(Row r, String column) {
        OffsetDateTime t = r.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }
}
