package io.ocore.backups.restore.execution;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OdooConfTest {

    @Test
    void theDatabaseAndDataDirAreRewrittenEverythingElseKept() {
        String conf = """
                [options]
                ; the production server
                admin_passwd = secret
                db_name = odoo_prod
                dbfilter = ^odoo_prod$
                data_dir = /var/lib/odoo
                workers = 4

                [queue_job]
                channels = root:2
                """;
        String out = new String(OdooConf.rewrite(conf.getBytes(StandardCharsets.UTF_8), "odoo_qa",
                Path.of("/srv/odoo/filestore/odoo_qa")), StandardCharsets.UTF_8);
        assertThat(out).contains("db_name = odoo_qa\n").contains("dbfilter = ^odoo_qa$\n")
                .contains("data_dir = /srv/odoo\n").contains("; the production server").contains("workers = 4")
                .contains("[queue_job]\nchannels = root:2").doesNotContain("odoo_prod");
    }

    @Test
    void missingKeysAreAddedToTheOptionsSection() {
        String out = new String(OdooConf.rewrite("[options]\nworkers = 2\n".getBytes(StandardCharsets.UTF_8),
                "odoo_new", Path.of("/data/odoo_new")), StandardCharsets.UTF_8);
        assertThat(out).startsWith("[options]\nworkers = 2\ndb_name = odoo_new\ndbfilter = ^odoo_new$\n")
                .doesNotContain("data_dir");
        assertThat(new String(OdooConf.rewrite(new byte[0], "x", Path.of("/a/x")), StandardCharsets.UTF_8))
                .contains("[options]").contains("db_name = x");
    }

    @Test
    void newDatabaseNamesAreSlugs() {
        assertThat(RestoreExecution.newDatabaseName("QA copy (March)", "abcd1234")).isEqualTo("odoo_qa_copy_march");
        assertThat(RestoreExecution.newDatabaseName("!!!", "abcd1234")).isEqualTo("odoo_abcd1234");
        assertThat(RestoreExecution.newDatabaseName("x".repeat(100), "abcd1234")).hasSize(40);
    }
}
