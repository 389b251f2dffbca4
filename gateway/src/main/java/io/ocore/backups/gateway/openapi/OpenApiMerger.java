package io.ocore.backups.gateway.openapi;

import io.ocore.backups.gateway.routing.RequestPath;
import io.ocore.backups.gateway.routing.Route;
import io.ocore.backups.gateway.routing.RouteTable;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Merges the services' OpenAPI documents into the one the gateway serves. Keeps only the
 * paths the gateway routes to the service that documents them (never internal ones); a
 * component that two services define differently is renamed {@code <service>_<name>} in the
 * second, its references rewritten.
 */
public final class OpenApiMerger {

    /** Extension listing the services whose document could not be fetched. */
    public static final String UNAVAILABLE = "x-unavailable-services";

    private final RouteTable routes;
    private final String title;
    private final String version;

    public OpenApiMerger(RouteTable routes, String title, String version) {
        this.routes = routes;
        this.title = title;
        this.version = version;
    }

    /**
     * @param documents   each service's document, by service name, in the order to merge
     * @param unavailable services whose document could not be fetched
     */
    public JsonObject merge(Map<String, JsonObject> documents, List<String> unavailable) {
        JsonObject paths = new JsonObject();
        JsonObject components = new JsonObject();
        Map<String, JsonObject> tags = new java.util.LinkedHashMap<>();
        String openapi = null;
        JsonArray security = null;

        for (Map.Entry<String, JsonObject> entry : documents.entrySet()) {
            String service = entry.getKey();
            JsonObject document = entry.getValue().copy();
            if (openapi == null) {
                openapi = document.getString("openapi");
            }
            if (security == null) {
                security = document.getJsonArray("security");
            }

            JsonObject theirs = document.getJsonObject("components", new JsonObject());
            Map<String, String> renamed = new HashMap<>();
            for (String section : theirs.fieldNames()) {
                JsonObject ours = components.getJsonObject(section);
                Object entries = theirs.getValue(section);
                if (ours == null || !(entries instanceof JsonObject named)) {
                    continue;
                }
                for (String name : named.fieldNames()) {
                    Object existing = ours.getValue(name);
                    if (existing != null && !existing.equals(named.getValue(name))) {
                        renamed.put("#/components/" + section + "/" + name,
                                "#/components/" + section + "/" + service + "_" + name);
                    }
                }
            }
            if (!renamed.isEmpty()) {
                document = (JsonObject) rewriteRefs(document, renamed);
                theirs = document.getJsonObject("components", new JsonObject());
            }
            for (String section : theirs.fieldNames()) {
                Object entries = theirs.getValue(section);
                if (!(entries instanceof JsonObject named)) {
                    continue;
                }
                JsonObject ours = components.getJsonObject(section);
                if (ours == null) {
                    ours = new JsonObject();
                    components.put(section, ours);
                }
                for (String name : named.fieldNames()) {
                    String target = renamed.containsKey("#/components/" + section + "/" + name)
                            ? service + "_" + name : name;
                    ours.put(target, named.getValue(name));
                }
            }

            JsonObject theirPaths = document.getJsonObject("paths", new JsonObject());
            for (String path : theirPaths.fieldNames()) {
                if (routedTo(path, service) && !paths.containsKey(path)) {
                    paths.put(path, theirPaths.getValue(path));
                }
            }

            JsonArray theirTags = document.getJsonArray("tags", new JsonArray());
            for (int i = 0; i < theirTags.size(); i++) {
                if (theirTags.getValue(i) instanceof JsonObject tag && tag.getString("name") != null) {
                    tags.putIfAbsent(tag.getString("name"), tag);
                }
            }
        }

        JsonObject merged = new JsonObject()
                .put("openapi", openapi == null ? "3.1.0" : openapi)
                .put("info", new JsonObject().put("title", title).put("version", version)
                        .put("description", "Every service's API as the gateway routes it."))
                .put("servers", new JsonArray().add(new JsonObject().put("url", "/")))
                .put("paths", sorted(paths))
                .put("components", components);
        if (security != null) {
            merged.put("security", security);
        }
        if (!tags.isEmpty()) {
            merged.put("tags", new JsonArray(List.copyOf(tags.values())));
        }
        merged.put(UNAVAILABLE, new JsonArray(List.copyOf(unavailable)));
        return merged;
    }

    private boolean routedTo(String path, String service) {
        RequestPath requestPath = RequestPath.parse(path);
        if (requestPath.forbidden()) {
            return false;
        }
        Optional<Route> route = routes.resolve(requestPath);
        return route.isPresent() && route.get().upstream().name().equals(service);
    }

    private static JsonObject sorted(JsonObject object) {
        Set<String> names = new java.util.TreeSet<>(object.fieldNames());
        JsonObject sorted = new JsonObject();
        names.forEach(name -> sorted.put(name, object.getValue(name)));
        return sorted;
    }

    private static Object rewriteRefs(Object node, Map<String, String> renamed) {
        if (node instanceof JsonObject object) {
            JsonObject copy = new JsonObject();
            for (String name : new LinkedHashSet<>(object.fieldNames())) {
                Object value = object.getValue(name);
                if (name.equals("$ref") && value instanceof String ref && renamed.containsKey(ref)) {
                    copy.put(name, renamed.get(ref));
                } else {
                    copy.put(name, rewriteRefs(value, renamed));
                }
            }
            return copy;
        }
        if (node instanceof JsonArray array) {
            JsonArray copy = new JsonArray();
            for (int i = 0; i < array.size(); i++) {
                copy.add(rewriteRefs(array.getValue(i), renamed));
            }
            return copy;
        }
        return node;
    }
}
