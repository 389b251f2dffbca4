package io.ocore.backups.platform.destinations;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ocore.backups.platform.security.service.ServiceTokens;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * destination-service's internal endpoint {@code GET /internal/destinations/{destId}?orgId=}:
 * a destination's type and decrypted config. Blocking: call it on a worker thread only.
 */
@ApplicationScoped
public class DestinationClient {

    /** A destination as destination-service serves it; {@code config} holds secrets: never log it. */
    public record Destination(UUID id, UUID orgId, String name, String destinationType, JsonNode config) {
        @Override
        public String toString() {
            return "Destination[" + id + ", " + name + ", " + destinationType + "]";
        }
    }

    /** The destination could not be fetched; the message is safe to show. */
    public static class DestinationUnavailable extends RuntimeException {
        public DestinationUnavailable(String message) {
            super(message);
        }
    }

    /**
     * destination-service answered a definite 404: the destination does not exist (any more) in
     * this organisation. Unreachable, timeouts and other answers stay {@link DestinationUnavailable}.
     */
    public static final class DestinationNotFound extends DestinationUnavailable {
        public DestinationNotFound(String message) {
            super(message);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper mapper;
    private final String baseUrl;
    private final ServiceTokens serviceTokens;

    /**
     * @param baseUrl the base URL of destination-service, whose internal endpoint this client reads destinations and their credentials from
     */
    public DestinationClient(ObjectMapper mapper, @ConfigProperty(name = "ocore.services.destination.url") String baseUrl,
            ServiceTokens serviceTokens) {
        this.mapper = mapper;
        this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.serviceTokens = serviceTokens;
    }

    public Destination get(UUID orgId, UUID destinationId) {
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(baseUrl + "/internal/destinations/" + destinationId
                + "?orgId=" + orgId)).timeout(Duration.ofSeconds(15)).GET();
        serviceTokens.authorize(req);
        HttpResponse<byte[]> res;
        try {
            res = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            Log.warnf("destination-service unreachable at %s: %s", baseUrl, e.toString());
            throw new DestinationUnavailable("destination-service could not be reached to read destination "
                    + destinationId);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DestinationUnavailable("interrupted while reading destination " + destinationId);
        }
        if (res.statusCode() == 404) {
            throw new DestinationNotFound("destination " + destinationId + " does not exist in this organisation");
        }
        if (res.statusCode() != 200) {
            throw new DestinationUnavailable("destination-service answered " + res.statusCode()
                    + " for destination " + destinationId);
        }
        try {
            JsonNode n = mapper.readTree(res.body());
            return new Destination(destinationId, orgId, n.path("name").asText(destinationId.toString()),
                    n.path("destinationType").asText(), n.path("config"));
        } catch (IOException e) {
            throw new DestinationUnavailable("destination-service answered an unreadable destination " + destinationId);
        }
    }
}
