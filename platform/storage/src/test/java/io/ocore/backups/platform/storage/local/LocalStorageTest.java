package io.ocore.backups.platform.storage.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.ocore.backups.platform.storage.BackupStorage;
import io.ocore.backups.platform.storage.BackupStorageConformance;
import io.ocore.backups.platform.storage.DestinationType;
import io.ocore.backups.platform.storage.StorageException.Kind;
import io.ocore.backups.platform.storage.StorageFactory;
import io.ocore.backups.platform.storage.StorageOptions;
import io.ocore.backups.platform.storage.TestData;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalStorageTest extends BackupStorageConformance {

    Path allowedRoot;

    @BeforeAll
    void createRoot() throws Exception {
        allowedRoot = Files.createTempDirectory("ocore-local-").toRealPath();
    }

    @AfterAll
    void removeRoot() throws Exception {
        try (Stream<Path> walk = Files.walk(allowedRoot)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private StorageFactory factory() {
        return new StorageFactory(StorageOptions.builder().allowedLocalRoots(List.of(allowedRoot)).build());
    }

    @Override
    protected BackupStorage openStorage() throws Exception {
        Path dest = Files.createDirectories(allowedRoot.resolve("dest"));
        return factory().open(DestinationType.local, Map.of("path", dest.toString()));
    }

    @Override
    protected BackupStorage openWithWrongCredentials() {
        return factory().open(DestinationType.local, Map.of("path", allowedRoot.resolve("no-such-folder").toString()));
    }

    @Override
    protected String wrongSecret() {
        return null;
    }

    @Override
    protected Kind wrongCredentialsKind() {
        return Kind.CONTAINER_MISSING;
    }

    @Test
    void anInterruptedUploadLeavesNoTemporaryFileBehind() throws Exception {
        Assertions.assertThatThrownBy(() -> storage().put(run + "x/y", TestData.failingAfter(1, 100_000)));
        try (Stream<Path> files = Files.walk(allowedRoot.resolve("dest"))) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void deletePrefixAlsoRemovesWhatACrashedPutLeftBehind() throws Exception {
        storage().put(run + "backup/database", new java.io.ByteArrayInputStream(new byte[] {1, 2}));
        // A process killed mid-put leaves its hidden temporary file; list() does not show it.
        Path folder = allowedRoot.resolve("dest").resolve(run + "backup");
        Files.write(folder.resolve(".ocore-tmp-" + java.util.UUID.randomUUID()), new byte[] {3});
        Path outside = Files.createDirectories(allowedRoot.resolve("dest").resolve(run + "other"));
        Path keep = Files.write(outside.resolve(".ocore-tmp-" + java.util.UUID.randomUUID()), new byte[] {4});

        assertThat(storage().deletePrefix(run + "backup/")).isEqualTo(1);
        assertThat(folder).doesNotExist();
        assertThat(keep).as("a put in progress outside the prefix is left alone").exists();
    }

    @Test
    void aSymbolicLinkCannotLeadOutOfTheAllowedRoots(@TempDir Path elsewhere) throws Exception {
        Path link = Files.createSymbolicLink(allowedRoot.resolve("escape"), elsewhere);
        try {
            assertThat(factory().validate(DestinationType.local, Map.of("path", link.resolve("backups").toString())))
                    .extracting(e -> e.field()).containsExactly("path");
        } finally {
            Files.delete(link);
        }
    }
}
