package io.ocore.backups.platform.security.confinement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ocore.backups.platform.security.confinement.EnvironmentConfinement.Area;
import io.ocore.backups.platform.web.Problem;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnvironmentConfinementTest {

    static final Function<InetAddress, Optional<String>> LINK_LOCAL = a -> a.isLinkLocalAddress()
            ? Optional.of("must not point at a link-local or cloud metadata address") : Optional.empty();

    @TempDir
    Path tmp;

    EnvironmentConfinement confinement(List<String> servers) throws Exception {
        Files.createDirectories(tmp.resolve("fs"));
        Files.createDirectories(tmp.resolve("conf"));
        Files.createDirectories(tmp.resolve("state/keys"));
        return new EnvironmentConfinement(servers, List.of(tmp.resolve("fs").toString()),
                List.of(tmp.resolve("conf").toString()), List.of(tmp.resolve("state").toString()),
                List.of("postgresql://127.0.0.1:15432/ocore_backup", "jdbc:postgresql://127.0.0.1:15432/ocore_backup"));
    }

    @Test
    void pathsMustStayInsideTheirRootsOnTheirRealPath() throws Exception {
        EnvironmentConfinement c = confinement(List.of());
        assertThat(c.pathError(Area.FILESTORE, tmp.resolve("fs/odoo").toString())).isEmpty();
        assertThat(c.pathError(Area.FILESTORE, tmp.resolve("fs/not/yet/there").toString())).isEmpty();
        assertThat(c.pathError(Area.CONFIG, tmp.resolve("conf/odoo.conf").toString())).isEmpty();
        // the root itself, the other area's root, outside, '..', the kernel's views, the protected state
        assertThat(c.pathError(Area.FILESTORE, tmp.resolve("fs").toString())).isPresent();
        assertThat(c.pathError(Area.FILESTORE, tmp.resolve("conf/x").toString())).isPresent();
        assertThat(c.pathError(Area.FILESTORE, "/etc")).get().asString().contains("inside a configured filestore root");
        assertThat(c.pathError(Area.FILESTORE, tmp.resolve("fs/../state").toString())).get().asString().contains("'..'");
        assertThat(c.pathError(Area.CONFIG, "/proc/self/environ")).get().asString().contains("/proc");
        assertThat(c.pathError(Area.CONFIG, "relative/odoo.conf")).isPresent();

        // a link inside the root that leads out, and a dangling one
        Files.createSymbolicLink(tmp.resolve("fs/out"), Path.of("/etc"));
        Files.createSymbolicLink(tmp.resolve("fs/keys"), tmp.resolve("state/keys"));
        Files.createSymbolicLink(tmp.resolve("fs/nowhere"), tmp.resolve("missing"));
        assertThat(c.pathError(Area.FILESTORE, tmp.resolve("fs/out").toString())).get().asString()
                .contains("inside a configured filestore root");
        assertThat(c.pathError(Area.FILESTORE, tmp.resolve("fs/out/new").toString())).isPresent();
        assertThat(c.pathError(Area.FILESTORE, tmp.resolve("fs/keys").toString())).get().asString()
                .contains("protected");
        assertThat(c.pathError(Area.FILESTORE, tmp.resolve("fs/nowhere").toString())).isPresent();
        assertThatThrownBy(() -> c.confine(Area.FILESTORE, tmp.resolve("fs/out")))
                .isInstanceOf(ConfinementException.class)
                .hasMessage("the filestore path leaves the configured filestore roots");
        assertThat(c.confine(Area.FILESTORE, tmp.resolve("fs/odoo"))).isEqualTo(tmp.toRealPath().resolve("fs/odoo"));
    }

    @Test
    void noRootsRefuseEveryPath() {
        EnvironmentConfinement c = new EnvironmentConfinement(List.of(), List.of(), List.of(), List.of(), List.of());
        assertThat(c.pathError(Area.CONFIG, tmp.resolve("odoo.conf").toString())).get().asString()
                .contains("ocore.environments.config-roots");
    }

    @Test
    void databasesOnlyOnConfiguredServersNeverTheServicesOwn() throws Exception {
        assertThat(fields(confinement(List.of()).databaseServerErrors("127.0.0.1", 15433, LINK_LOCAL)))
                .containsExactly("database.host");
        EnvironmentConfinement c = confinement(List.of("127.0.0.1:15433", "localhost:15432", "169.254.169.254:5432"));
        assertThat(c.databaseServerErrors("127.0.0.1", 15433, LINK_LOCAL)).isEmpty();
        assertThat(c.databaseServerErrors("localhost", 15433, LINK_LOCAL)).isEmpty();
        assertThat(fields(c.databaseServerErrors("127.0.0.1", 15499, LINK_LOCAL))).containsExactly("database.port");
        assertThat(fields(c.databaseServerErrors("10.1.2.3", 15433, LINK_LOCAL))).containsExactly("database.host");
        // listed, yet the services' own server (under another name) and a metadata address stay refused
        assertThat(c.databaseServerErrors("localhost", 15432, LINK_LOCAL).get(0).message()).contains("own database");
        assertThat(c.databaseServerErrors("169.254.169.254", 5432, LINK_LOCAL).get(0).message()).contains("link-local");
        assertThat(c.databaseServerErrors("no-such-host.invalid", 5432, LINK_LOCAL).get(0).message())
                .isEqualTo("does not resolve");
    }

    @Test
    void urlsAndEntriesAreParsed() {
        assertThat(EnvironmentConfinement.serversOfUrl("vertx-reactive:postgresql://u@db.internal:6432,db2/x?ssl=1"))
                .containsExactly(new EnvironmentConfinement.Server("db.internal", 6432),
                        new EnvironmentConfinement.Server("db2", 5432));
        assertThat(EnvironmentConfinement.server("[::1]:5433")).isEqualTo(new EnvironmentConfinement.Server("::1", 5433));
    }

    private static List<String> fields(List<Problem.FieldError> errors) {
        return errors.stream().map(Problem.FieldError::field).toList();
    }
}
