package io.ocore.backups.gateway.routing;

import io.ocore.backups.gateway.config.GatewayConfig;
import io.ocore.backups.gateway.config.ServicesConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The routing table of {@code ocore.gateway.routes}, compiled and checked once at startup. */
@ApplicationScoped
public class RouteTable {

    private final Map<String, Upstream> upstreams;
    private final Map<String, Upstream> managementUpstreams;
    private final List<Route> routes;

    public RouteTable(GatewayConfig gateway, ServicesConfig services) {
        Map<String, Upstream> byName = new LinkedHashMap<>();
        new TreeMap<>(services.services()).forEach((name, service) -> byName.put(name, Upstream.of(name, service.url())));
        this.upstreams = Collections.unmodifiableMap(byName);
        Map<String, Upstream> management = new LinkedHashMap<>();
        new TreeMap<>(services.services()).forEach((name, service) -> management.put(name,
                Upstream.of(name, service.managementUrl(),
                "ocore.services." + name + ".management-url")));
        this.managementUpstreams = Collections.unmodifiableMap(management);

        List<Route> compiled = new ArrayList<>();
        for (GatewayConfig.Route route : gateway.routes()) {
            Upstream upstream = byName.get(route.service());
            if (upstream == null) {
                throw new IllegalStateException("route " + route.pattern() + " names service '" + route.service()
                        + "' but ocore.services." + route.service() + ".url is not configured");
            }
            long limit = route.maxBodySize().orElse(gateway.maxBodySize()).asLongValue();
            compiled.add(new Route(PathPattern.compile(route.pattern()), upstream, route.authenticate(), limit));
        }
        this.routes = List.copyOf(compiled);
    }

    /** The first route matching the path, if any. Callers check {@link RequestPath#forbidden()} first. */
    public Optional<Route> resolve(RequestPath path) {
        for (Route route : routes) {
            if (route.pattern().matches(path)) {
                return Optional.of(route);
            }
        }
        return Optional.empty();
    }

    /** Every configured service, by name, in name order. */
    public Map<String, Upstream> upstreams() {
        return upstreams;
    }

    /** Every configured service's management interface, by name, in name order. */
    public Map<String, Upstream> managementUpstreams() {
        return managementUpstreams;
    }

    public Optional<Upstream> upstream(String name) {
        return Optional.ofNullable(upstreams.get(name));
    }
}
