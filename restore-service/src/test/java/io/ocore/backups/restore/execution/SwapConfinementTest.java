package io.ocore.backups.restore.execution;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ocore.backups.platform.security.confinement.ConfinementException;
import io.ocore.backups.platform.security.confinement.EnvironmentConfinement;
import io.ocore.backups.platform.testing.postgres.PostgresCluster;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * The swap, its undo (crash recovery's too) and the drop of the old copies refuse, touching
 * nothing, when a path they would rename or delete left the operator's roots.
 */
@QuarkusTest
class SwapConfinementTest {

    @Inject
    EnvironmentConfinement confinement;

    @Test
    void noRenameOrDeleteOfAPathThatLeftTheRoots() throws Exception {
        PostgresCluster pg = PostgresCluster.shared();
        String id = UUID.randomUUID().toString().substring(0, 8);
        String target = pg.createDatabase("swapt_" + id);
        String temp = pg.createDatabase("swapt_" + id + "_restore_" + id);
        Path root = Path.of(ConfigProvider.getConfig().getValue("ocore.environments.filestore-roots", String.class));
        // the target's filestore is (now) a link out of the roots; the fresh copy is inside them
        Path outside = Files.createTempDirectory("ocore-outside-");
        Files.writeString(outside.resolve("id_rsa"), "KEEP ME");
        Path old = Files.createDirectories(Path.of(outside + ".prerestore-" + id));
        Files.writeString(old.resolve("kept"), "KEEP ME TOO");
        Path fs = root.resolve("swapt_" + id);
        Files.createSymbolicLink(fs, outside);
        Path tempFs = Files.createDirectories(root.resolve("swapt_" + id + ".restore-" + id));
        Work w = new Work("127.0.0.1", pg.port(), PostgresCluster.SUPERUSER, UUID.randomUUID(), target, temp,
                "swapt_" + id + "_prerestore_" + id, fs.toString(), tempFs.toString(), old.toString(), null, false);
        TargetServer server = new TargetServer("127.0.0.1", pg.port(), PostgresCluster.SUPERUSER, "",
                Path.of("pg_restore"));

        assertThatThrownBy(() -> Swap.swap(server, w, confinement, point -> {
        })).isInstanceOf(ConfinementException.class)
                .hasMessage("the filestore path leaves the configured filestore roots");
        assertThatThrownBy(() -> Swap.undo(server, w, true, confinement)).isInstanceOf(ConfinementException.class);
        assertThatThrownBy(() -> Swap.dropOld(server, w, confinement)).isInstanceOf(ConfinementException.class);

        assertThat(server.exists(target)).isTrue();
        assertThat(server.exists(temp)).isTrue();
        assertThat(Files.isSymbolicLink(fs)).isTrue();
        assertThat(tempFs).isDirectory();
        assertThat(Files.readString(outside.resolve("id_rsa"))).isEqualTo("KEEP ME");
        assertThat(Files.readString(old.resolve("kept"))).isEqualTo("KEEP ME TOO");
        try (Stream<Path> s = Files.list(outside)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).isEqualTo(List.of("id_rsa"));
        }
    }
}
