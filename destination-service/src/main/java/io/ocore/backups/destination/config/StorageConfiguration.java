package io.ocore.backups.destination.config;

import io.ocore.backups.platform.storage.RetryPolicy;
import io.ocore.backups.platform.storage.StorageFactory;
import io.ocore.backups.platform.storage.StorageOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.net.URI;
import java.nio.file.Path;

/** The one {@link StorageFactory} of the service, built from the operator's {@link DestinationSettings}. */
@ApplicationScoped
public class StorageConfiguration {

    @Produces
    @ApplicationScoped
    StorageFactory storageFactory(DestinationSettings settings) {
        StorageOptions.Builder b = StorageOptions.builder()
                .allowedLocalRoots(settings.localRoots().stream().map(r -> Path.of(r).toAbsolutePath()).toList())
                .allowPrivateEndpoints(settings.allowPrivateEndpoints())
                .connectTimeout(settings.connectTimeout())
                .requestTimeout(settings.requestTimeout())
                // a connection test answers what happens now; the health monitor tries again later
                .retryPolicy(RetryPolicy.none());
        settings.graphBaseUrl().map(URI::create).ifPresent(b::graphBaseUrl);
        settings.microsoftAuthority().map(URI::create).ifPresent(b::microsoftAuthority);
        settings.driveBaseUrl().map(URI::create).ifPresent(b::driveBaseUrl);
        settings.googleTokenUrl().map(URI::create).ifPresent(b::googleTokenUrl);
        return new StorageFactory(b.build());
    }
}
