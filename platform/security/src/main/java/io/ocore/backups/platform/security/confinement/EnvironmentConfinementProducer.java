package io.ocore.backups.platform.security.confinement;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.Config;

/** The one {@link EnvironmentConfinement} of a service, from {@link EnvironmentPolicy} and its own datasource. */
@ApplicationScoped
public class EnvironmentConfinementProducer {

    @Produces
    @Singleton
    EnvironmentConfinement confinement(EnvironmentPolicy policy, Config config) {
        List<String> own = new ArrayList<>();
        config.getOptionalValue("quarkus.datasource.reactive.url", String.class).ifPresent(own::add);
        config.getOptionalValue("quarkus.datasource.jdbc.url", String.class).ifPresent(own::add);
        return EnvironmentConfinement.of(policy, own);
    }
}
