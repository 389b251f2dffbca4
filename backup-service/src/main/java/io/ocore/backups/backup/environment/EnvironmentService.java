package io.ocore.backups.backup.environment;

import io.ocore.backups.platform.events.Outbox;
import io.ocore.backups.platform.events.v1.Events;
import io.ocore.backups.platform.security.EnvelopeCipher;
import io.ocore.backups.platform.web.Cursor;
import io.ocore.backups.platform.web.Page;
import io.ocore.backups.platform.web.ProblemException;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** The environment catalogue: registration (password sealed), reads scoped by organisation. */
@ApplicationScoped
public class EnvironmentService {

    private final EnvironmentRepository environments;
    private final EnvelopeCipher cipher;
    private final Outbox outbox;

    public EnvironmentService(EnvironmentRepository environments, EnvelopeCipher cipher, Outbox outbox) {
        this.environments = environments;
        this.cipher = cipher;
        this.outbox = outbox;
    }

    @WithTransaction
    public Uni<Environment> register(UUID orgId, NewEnvironment.Valid v) {
        Environment e = new Environment();
        e.id = UUID.randomUUID();
        e.orgId = orgId;
        e.projectId = v.projectId();
        e.name = v.name();
        e.environmentType = v.environmentType();
        e.dbHost = v.dbHost();
        e.dbPort = v.dbPort();
        e.dbName = v.dbName();
        e.dbUser = v.dbUser();
        e.dbPasswordSealed = cipher.seal(v.dbPassword(), Environment.passwordContext(e.id));
        e.filestorePath = v.filestorePath();
        e.configPath = v.configPath();
        e.createdAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
        e.updatedAt = e.createdAt;
        return environments.persist(e)
                .chain(saved -> outbox.append(new Events.EnvironmentRegistered(orgId, e.id, e.projectId, e.name,
                        e.environmentType.name(), e.createdAt)))
                .replaceWith(e);
    }

    public Uni<Page<Environment>> list(UUID orgId, UUID projectId, String cursor, Integer limit) {
        int n = Cursor.limit(limit);
        Cursor after = Cursor.decode(cursor);
        return environments.list(orgId, projectId, after, n + 1)
                .map(rows -> Page.of(rows, n, e -> new Cursor(e.createdAt, e.id)));
    }

    public Uni<Environment> get(UUID orgId, UUID id) {
        return environments.findInOrg(orgId, id)
                .onItem().ifNull().failWith(() -> ProblemException.notFound("Environment", id));
    }

    /** The database password in clear, for pg_dump and the internal endpoint only. */
    public String password(Environment e) {
        return cipher.openString(e.dbPasswordSealed, Environment.passwordContext(e.id));
    }
}
