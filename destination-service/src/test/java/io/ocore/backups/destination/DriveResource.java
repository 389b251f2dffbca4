package io.ocore.backups.destination;

import io.ocore.backups.platform.testing.fakes.FakeDriveServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The protocol-faithful Google Drive v3 and OAuth token endpoint of platform-testing, as the
 * service's Google. It sets the same properties as {@link FakeGoogleResource} (a global resource of
 * this module), so it is never global: only {@link GoogleDriveConnectionTest.DriveProfile} starts
 * it, with the module's global resources disabled.
 */
public class DriveResource implements QuarkusTestResourceLifecycleManager {

    static final String CLIENT_ID = "4711-ocore-test.apps.googleusercontent.com";
    static final String CLIENT_SECRET = "GOCSPX-drive-client-secret-5f1e";
    static final String REFRESH_TOKEN = "1//0drive-refresh-token-8c2d";

    static FakeDriveServer drive;
    /** Where the fake keeps the content of every completed upload (kept after a delete). */
    static Path storage;

    @Override
    public Map<String, String> start() {
        try {
            storage = Files.createTempDirectory("ocore-drive-");
            drive = new FakeDriveServer(storage, CLIENT_ID, CLIENT_SECRET, REFRESH_TOKEN);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return Map.of("ocore.destinations.drive-base-url", drive.baseUrl().toString(),
                "ocore.destinations.google-token-url", drive.tokenUrl().toString());
    }

    @Override
    public void stop() {
        if (drive != null) {
            drive.close();
        }
        if (storage != null) {
            try (Stream<Path> walk = Files.walk(storage)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temp folder left behind
            }
        }
    }
}
