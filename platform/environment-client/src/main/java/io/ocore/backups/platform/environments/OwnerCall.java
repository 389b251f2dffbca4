package io.ocore.backups.platform.environments;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ocore.backups.platform.security.service.InternalCall;
import io.ocore.backups.platform.security.service.ServiceTokens;
import io.ocore.backups.platform.web.ProblemException;
import io.ocore.backups.platform.web.ProblemTypes;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * One question to the service that owns some data, with the asking service's token: 200 is read
 * as {@code type} and must be about what was asked ({@code about}), 404 is "there is none", and
 * anything else (no answer, another status, an answer about something else) a 503 problem, never
 * a 404: a service that cannot confirm must not deny.
 */
public final class OwnerCall {

    private OwnerCall() {
    }

    /**
     * @param what what is asked about, for the log and the 503 ("environment", "schedule")
     */
    public static <T> Uni<Optional<T>> find(ServiceTokens tokens, ObjectMapper mapper, String url, Class<T> type,
            Predicate<T> about, String owner, String what) {
        return InternalCall.get(tokens, url)
                .onFailure().transform(e -> unavailable(owner, what, e.getClass().getSimpleName()))
                .map(response -> switch (response.statusCode()) {
                    case 200 -> Optional.of(parse(mapper, response.body(), type, about, owner, what));
                    case 404 -> Optional.<T>empty();
                    default -> throw unavailable(owner, what, "HTTP " + response.statusCode());
                });
    }

    private static <T> T parse(ObjectMapper mapper, String body, Class<T> type, Predicate<T> about, String owner,
            String what) {
        T value;
        try {
            value = mapper.readValue(body, type);
        } catch (Exception e) {
            throw unavailable(owner, what, "an answer that is not a " + what);
        }
        if (value == null || !about.test(value)) {
            throw unavailable(owner, what, "an answer about another " + what);
        }
        return value;
    }

    private static ProblemException unavailable(String owner, String what, String cause) {
        Log.warnf("%s could not confirm the %s: %s", owner, what, cause);
        return new ProblemException(503, ProblemTypes.UNAVAILABLE, "Service Unavailable",
                "The " + what + " cannot be checked right now; try again shortly");
    }
}
