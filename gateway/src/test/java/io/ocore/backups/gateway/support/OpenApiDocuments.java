package io.ocore.backups.gateway.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** The fake services' OpenAPI documents: two real ones that overlap, stubs for the rest. */
final class OpenApiDocuments {

    private OpenApiDocuments() {
    }

    static JsonObject of(String service) {
        return switch (service) {
            case "destination" -> new JsonObject("""
                    {"openapi": "3.1.0", "info": {"title": "destination-service", "version": "1"},
                     "tags": [{"name": "Destinations"}],
                     "paths": {
                       "/api/backup-destinations": {"get": {"tags": ["Destinations"], "responses": {"200": {
                         "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Destination"}}}}}}},
                       "/internal/destinations/{destId}/credentials": {"get": {"responses": {"200": {}}}}
                     },
                     "components": {"schemas": {
                       "Problem": {"type": "object", "properties": {"title": {"type": "string"}}},
                       "Status": {"type": "string", "enum": ["verified", "unverified"]},
                       "Destination": {"type": "object", "properties": {"status": {"$ref": "#/components/schemas/Status"}}}
                     }}}
                    """);
            case "backup" -> new JsonObject("""
                    {"openapi": "3.1.0", "info": {"title": "backup-service", "version": "1"},
                     "tags": [{"name": "Backups"}],
                     "paths": {
                       "/api/environments/{envId}/backups": {"get": {"tags": ["Backups"], "responses": {"200": {
                         "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Backup"}}}}}}},
                       "/api/backup-destinations": {"post": {"responses": {"201": {}}}},
                       "/api/backups/{backupId}/verify": {"post": {"responses": {"202": {}}}},
                       "/api/verifications/{verificationId}": {"get": {"responses": {"200": {}}}}
                     },
                     "components": {"schemas": {
                       "Problem": {"type": "object", "properties": {"title": {"type": "string"}}},
                       "Status": {"type": "string", "enum": ["pending", "in_progress", "completed", "failed"]},
                       "Backup": {"type": "object", "properties": {"status": {"$ref": "#/components/schemas/Status"}}}
                     }}}
                    """);
            default -> new JsonObject().put("openapi", "3.1.0")
                    .put("info", new JsonObject().put("title", service + "-service").put("version", "1"))
                    .put("paths", new JsonObject()).put("tags", new JsonArray());
        };
    }
}
