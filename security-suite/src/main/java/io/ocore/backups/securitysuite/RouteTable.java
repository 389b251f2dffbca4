package io.ocore.backups.securitysuite;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The gateway's routing table, read from its {@code application.properties}
 * ({@code ocore.gateway.routes[N].pattern/service/authenticate}) so the fuzz run covers the routes
 * the gateway really has, not a list kept here. Patterns mean what they mean to the gateway:
 * {@code *} or {@code {name}} is one segment, a trailing {@code **} one or more.
 */
final class RouteTable {

    /** A path segment the fuzz run fills in (an id, a bad id, an encoded traversal). */
    static final String SLOT = "*";

    private static final Pattern KEY = Pattern.compile("ocore\\.gateway\\.routes\\[(\\d+)]\\.([a-z-]+)");

    record Route(int index, String pattern, String service, boolean authenticate) {

        List<String> segments() {
            return Arrays.stream(pattern.split("/")).filter(s -> !s.isEmpty())
                    .map(s -> s.startsWith("{") && s.endsWith("}") ? SLOT : s).toList();
        }

        boolean rest() {
            List<String> s = segments();
            return !s.isEmpty() && s.get(s.size() - 1).equals("**");
        }

        /** Whether a concrete path template (segments, {@link #SLOT} for a variable) is one this route serves. */
        boolean matches(List<String> path) {
            List<String> fixed = rest() ? segments().subList(0, segments().size() - 1) : segments();
            if (rest() ? path.size() <= fixed.size() : path.size() != fixed.size()) {
                return false;
            }
            for (int i = 0; i < fixed.size(); i++) {
                String expected = fixed.get(i);
                if (!expected.equals(SLOT) && !expected.equals(path.get(i))) {
                    return false;
                }
            }
            return true;
        }
    }

    private final List<Route> routes;

    private RouteTable(List<Route> routes) {
        this.routes = List.copyOf(routes);
    }

    List<Route> routes() {
        return routes;
    }

    /** Parses the properties text; a route without a pattern or service is an error, not skipped. */
    static RouteTable parse(String propertiesText) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(propertiesText));
        } catch (IOException e) {
            throw new IllegalArgumentException(e);
        }
        Map<Integer, Map<String, String>> byIndex = new TreeMap<>();
        for (String name : p.stringPropertyNames()) {
            Matcher m = KEY.matcher(name);
            if (m.matches()) {
                byIndex.computeIfAbsent(Integer.parseInt(m.group(1)), i -> new TreeMap<>())
                        .put(m.group(2), p.getProperty(name).trim());
            }
        }
        List<Route> routes = new ArrayList<>();
        byIndex.forEach((index, fields) -> {
            String pattern = fields.get("pattern");
            String service = fields.get("service");
            if (pattern == null || !pattern.startsWith("/") || service == null || service.isEmpty()) {
                throw new IllegalArgumentException("route " + index + " needs a pattern starting with / and a service: " + fields);
            }
            routes.add(new Route(index, pattern, service, !"false".equalsIgnoreCase(fields.getOrDefault("authenticate", "true"))));
        });
        if (routes.isEmpty()) {
            throw new IllegalArgumentException("no ocore.gateway.routes[N].pattern in the gateway's properties");
        }
        return new RouteTable(routes);
    }

    /** The first route serving the path, as the gateway picks it (the table is tried in order). */
    Route resolve(List<String> path) {
        for (Route route : routes) {
            if (route.matches(path)) {
                return route;
            }
        }
        return null;
    }

    /** The path templates of an OpenAPI document ({@code paths} keys), as segments with {@link #SLOT} variables. */
    static List<List<String>> openApiPaths(JsonNode document) {
        List<List<String>> paths = new ArrayList<>();
        for (Iterator<String> names = document.path("paths").fieldNames(); names.hasNext(); ) {
            String name = names.next();
            paths.add(Arrays.stream(name.split("/")).filter(s -> !s.isEmpty())
                    .map(s -> s.startsWith("{") && s.endsWith("}") ? SLOT : s).toList());
        }
        return paths;
    }

    /**
     * The concrete path templates to fuzz, per route: the route's own pattern ({@code **} as one
     * slot) and every documented path the gateway would send to it.
     */
    Map<Route, List<List<String>>> templates(List<List<String>> documented) {
        Map<Route, List<List<String>>> out = new java.util.LinkedHashMap<>();
        for (Route route : routes) {
            Set<List<String>> set = new LinkedHashSet<>();
            List<String> own = new ArrayList<>(route.segments());
            if (route.rest()) {
                own.set(own.size() - 1, SLOT);
            }
            set.add(List.copyOf(own));
            for (List<String> path : documented) {
                if (resolve(path) == route) {
                    set.add(path);
                }
            }
            out.put(route, List.copyOf(set));
        }
        return out;
    }
}
