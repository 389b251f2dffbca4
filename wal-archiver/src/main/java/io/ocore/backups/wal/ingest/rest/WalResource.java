package io.ocore.backups.wal.ingest.rest;

import io.ocore.backups.platform.web.Problem;
import io.ocore.backups.platform.web.ProblemMappers;
import io.ocore.backups.platform.web.ProblemTypes;
import io.ocore.backups.wal.config.WalSettings;
import io.ocore.backups.wal.ingest.WalIngest;
import io.ocore.backups.wal.ingest.WalServe;
import io.ocore.backups.wal.ingest.WalUnavailable;
import io.ocore.backups.wal.token.WalTokens;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.util.List;
import java.util.UUID;

/**
 * {@code PUT|GET /api/wal/{envId}/{fileName}}: WAL ingest and serving for the ocore-wal client
 * (ADR 0017). Only the environment's WAL token opens these ({@code Authorization: Bearer ocwal_...});
 * no user JWT or service token is looked at here (no {@code @RolesAllowed}, and authentication is
 * not proactive, so the JWT mechanism never runs for these paths): anything else is 401.
 */
@Path("/api/wal/{envId}/{fileName}")
public class WalResource {

    /** The answer of a PUT (200: already archived with the same content; 201: archived now). */
    public record ArchivedView(String fileName, String sha256, long sizeBytes, List<UUID> destinations) {
    }

    private final WalTokens tokens;
    private final WalIngest ingest;
    private final WalServe serve;
    private final WalSettings settings;

    public WalResource(WalTokens tokens, WalIngest ingest, WalServe serve, WalSettings settings) {
        this.tokens = tokens;
        this.ingest = ingest;
        this.serve = serve;
        this.settings = settings;
    }

    @PUT
    @Blocking
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response put(@PathParam("envId") String envId, @PathParam("fileName") String fileName,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization,
            @HeaderParam(HttpHeaders.CONTENT_ENCODING) String contentEncoding, InputStream body) {
        UUID env = authorized(envId, authorization);
        if (env == null) {
            return unauthorized(envId, fileName);
        }
        WalIngest.Encoding encoding = WalIngest.Encoding.of(contentEncoding);
        if (encoding == null) {
            String detail = "Content-Encoding must be zstd, identity or absent";
            return ProblemMappers.respond(new Problem(URI.create(ProblemTypes.UNSUPPORTED_MEDIA_TYPE),
                    "Unsupported Media Type", 415, detail, "/api/wal/" + envId + "/" + fileName,
                    List.of(new Problem.FieldError("Content-Encoding", detail))));
        }
        try {
            WalIngest.Archived a = ingest.put(env, fileName, encoding, body);
            return Response.status(a.created() ? 201 : 200)
                    .entity(new ArchivedView(a.fileName(), a.sha256(), a.sizeBytes(), a.destinations())).build();
        } catch (WalUnavailable e) {
            return unavailable(e, envId, fileName);
        }
    }

    @GET
    @Blocking
    @Produces({MediaType.APPLICATION_OCTET_STREAM, MediaType.APPLICATION_JSON})
    public Response get(@PathParam("envId") String envId, @PathParam("fileName") String fileName,
            @HeaderParam(HttpHeaders.AUTHORIZATION) String authorization) {
        UUID env = authorized(envId, authorization);
        if (env == null) {
            return unauthorized(envId, fileName);
        }
        WalServe.Verified v;
        try {
            v = serve.get(env, fileName);
        } catch (WalUnavailable e) {
            return unavailable(e, envId, fileName);
        }
        StreamingOutput body = out -> {
            try {
                Files.copy(v.spool(), out);
            } finally {
                v.delete();
            }
        };
        return Response.ok(body, MediaType.APPLICATION_OCTET_STREAM_TYPE)
                .header(HttpHeaders.CONTENT_LENGTH, v.file().sizeBytes())
                .header("X-Ocore-Sha256", v.file().sha256())
                .header("Cache-Control", "no-store")
                .build();
    }

    private UUID authorized(String envId, String authorization) {
        UUID env;
        try {
            env = UUID.fromString(envId);
        } catch (IllegalArgumentException e) {
            return null;
        }
        return tokens.accepts(env, authorization) ? env : null;
    }

    private static Response unauthorized(String envId, String fileName) {
        return ProblemMappers.respond(new Problem(URI.create(ProblemTypes.UNAUTHORIZED), "Unauthorized", 401,
                "This environment's WAL token is required (Authorization: Bearer ocwal_...)",
                "/api/wal/" + envId + "/" + fileName, null));
    }

    private Response unavailable(WalUnavailable e, String envId, String fileName) {
        Response r = ProblemMappers.respond(new Problem(URI.create(ProblemTypes.UNAVAILABLE), "Service Unavailable",
                503, e.getMessage(), "/api/wal/" + envId + "/" + fileName, null));
        return Response.fromResponse(r).header("Retry-After", Math.max(1, settings.retryAfter().toSeconds())).build();
    }
}
