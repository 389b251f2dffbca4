package io.ocore.backups.platform.pgclient;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PgErrorsTest {

    @Test
    void theServersHostAddressesAndPortAreReplacedByWords() {
        assertThat(PgErrors.hideServer("pg_dump exited with code 1: pg_dump: error: connection to server at "
                + "\"127.0.0.1\", port 15433 failed: Connection refused", "127.0.0.1", 15433))
                .isEqualTo("pg_dump exited with code 1: pg_dump: error: connection to the environment's database "
                        + "server failed: Connection refused");
        assertThat(PgErrors.hideServer("pg_restore: error: connection to server at \"db.internal\" (10.0.0.5), port "
                + "5432 failed: FATAL:  password authentication failed for user \"odoo\"", "db.internal", 5432))
                .isEqualTo("pg_restore: error: connection to the environment's database server failed: FATAL:  "
                        + "password authentication failed for user \"odoo\"");
        assertThat(PgErrors.hideServer("could not connect to the environment's database odoo_db on db:6432: "
                + "Connection to db:6432 refused. Check that the hostname and port are correct", "db", 6432))
                .doesNotContain("db:").doesNotContain("6432").contains("odoo_db");
        assertThat(PgErrors.hideServer("a database named odoo_x already exists on [::1]:5433", "::1", 5433))
                .isEqualTo("a database named odoo_x already exists on the environment's database server");
        assertThat(PgErrors.hideServer("The connection attempt failed. (192.168.1.20)", "pg.example", 5432))
                .doesNotContain("192.168");
    }
}
