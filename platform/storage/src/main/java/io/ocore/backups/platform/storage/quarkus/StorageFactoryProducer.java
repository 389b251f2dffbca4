package io.ocore.backups.platform.storage.quarkus;

import io.ocore.backups.platform.storage.StorageFactory;
import io.ocore.backups.platform.storage.StorageOptions;
import io.quarkus.arc.DefaultBean;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.nio.file.Path;

/** A service's {@link StorageFactory} under the {@link DestinationPolicy}; a service may produce its own instead. */
@ApplicationScoped
public class StorageFactoryProducer {

    @Produces
    @ApplicationScoped
    @DefaultBean
    StorageFactory storageFactory(DestinationPolicy policy, MeterRegistry registry) {
        return new StorageFactory(StorageOptions.builder()
                .listener(new MicrometerStorageListener(registry))
                .allowPrivateEndpoints(policy.allowPrivateEndpoints())
                .allowedLocalRoots(policy.localRoots().stream().map(r -> Path.of(r).toAbsolutePath()).toList())
                .build());
    }
}
