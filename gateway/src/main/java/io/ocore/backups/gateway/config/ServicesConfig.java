package io.ocore.backups.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithParentName;
import java.net.URI;
import java.util.Map;

/**
 * Where each service answers: {@code ocore.services.<name>.url} ({@code OCORE_SERVICES_<NAME>_URL})
 * for the API, {@code ocore.services.<name>.management-url} for its health.
 */
@ConfigMapping(prefix = "ocore.services")
public interface ServicesConfig {

    /** Services by name: destination, backup, scheduler, restore, alert, wal. */
    @WithParentName
    Map<String, Service> services();

    /** One upstream service. */
    interface Service {

        /** Base URL, e.g. {@code http://127.0.0.1:8081}; a path in it prefixes every forwarded path. */
        URI url();

        /**
         * Base URL of its management interface (health, metrics), e.g. {@code http://127.0.0.1:9081};
         * the summary {@code /health} asks its {@code /q/health} there.
         */
        URI managementUrl();
    }
}
