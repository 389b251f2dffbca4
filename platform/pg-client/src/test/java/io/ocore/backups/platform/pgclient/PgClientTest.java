package io.ocore.backups.platform.pgclient;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PgClientTest {

    @Test
    void theNewestInstalledVersionWinsUnlessAFolderIsConfigured(@TempDir Path root) throws Exception {
        for (String version : new String[] {"9", "13", "15"}) {
            Path bin = Files.createDirectories(root.resolve(version).resolve("bin"));
            Path program = Files.writeString(bin.resolve("pg_dump"), "#!/bin/sh\n");
            Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.createDirectories(root.resolve("16/bin")); // a newer version without that program

        assertThat(PgPrograms.locate("pg_dump", Optional.empty(), root)).isEqualTo(root.resolve("15/bin/pg_dump"));
        assertThat(PgPrograms.locate("pg_dump", Optional.of("/opt/pg/bin"), root)).isEqualTo(Path.of("/opt/pg/bin/pg_dump"));
        assertThat(PgPrograms.locate("pg_restore", Optional.empty(), root)).isEqualTo(Path.of("pg_restore"));
    }

    @Test
    void theLastLineOfALongErrorOutputIsKept() throws Exception {
        StringBuilder noise = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            noise.append("pg_dump: warning ").append(i).append('\n');
        }
        noise.append("pg_dump: error: connection to server failed: FATAL:  database \"x\" does not exist\n\n");
        StderrTail tail = StderrTail.of(new ByteArrayInputStream(noise.toString().getBytes(StandardCharsets.UTF_8)));
        tail.await(5000);
        assertThat(tail.lastLine()).isEqualTo("pg_dump: error: connection to server failed: FATAL:  database \"x\" does not exist");
        assertThat(StderrTail.of(new ByteArrayInputStream(new byte[0])).lastLine()).isNotNull();
    }

    @Test
    void nothingWrittenSaysSo() throws Exception {
        StderrTail tail = StderrTail.of(new ByteArrayInputStream(new byte[0]));
        tail.await(5000);
        assertThat(tail.lastLine()).isEqualTo("no error output");
    }
}
