package io.ocore.backups.cli.restore;

import static io.ocore.backups.cli.http.ApiClient.seg;

import com.fasterxml.jackson.databind.JsonNode;
import io.ocore.backups.cli.CliContext;
import io.ocore.backups.cli.Json;
import io.ocore.backups.cli.http.ApiClient;

/**
 * The {@code confirm} a destructive action on a production environment needs (the environment's
 * name): asked on a terminal only. Without one the request goes as it is and the service's 400
 * says what to send.
 */
final class ProductionConfirmation {

    static final String PROMPT = "Type the environment's name to confirm: ";

    private ProductionConfirmation() {
    }

    /** The name the user typed when {@code envId} is a production environment, else null. */
    static String ask(CliContext ctx, ApiClient api, String envId, String consequence) {
        if (envId == null || !ctx.prompt().available()) {
            return null;
        }
        JsonNode environment = api.get("/api/environments/" + seg(envId));
        if (!"production".equals(Json.text(environment, "environmentType"))) {
            return null;
        }
        ctx.eprintln("'" + Json.text(environment, "name") + "' is a production environment: " + consequence + ".");
        String typed = ctx.prompt().readLine(PROMPT);
        return typed == null ? null : typed.strip();
    }
}
