package io.ocore.backups.platform.events;

import io.ocore.backups.platform.security.Permissions;
import io.ocore.backups.platform.web.ProblemException;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;

/**
 * {@code GET /internal/dead-letters[?status=pending|done][&limit=N]} (service token; never routed by
 * the gateway): the service's dead letters, newest first, without their envelopes.
 */
@Path("/internal/dead-letters")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Permissions.INTERNAL_SERVICE)
public class DeadLetterResource {

    public record DeadLetterList(List<DeadLetterStore.DeadLetter> items) {
    }

    private final DeadLetterStore store;

    public DeadLetterResource(DeadLetterStore store) {
        this.store = store;
    }

    @GET
    public Uni<DeadLetterList> list(@QueryParam("status") String status, @QueryParam("limit") Integer limit) {
        if (status != null && !status.equals("pending") && !status.equals("done")) {
            throw ProblemException.badField("status", "must be pending or done");
        }
        if (limit != null && (limit < 1 || limit > 500)) {
            throw ProblemException.badField("limit", "must be between 1 and 500");
        }
        return store.list(status, limit == null ? 100 : limit).map(DeadLetterList::new);
    }
}
