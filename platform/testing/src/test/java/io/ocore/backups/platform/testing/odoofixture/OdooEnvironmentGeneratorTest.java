package io.ocore.backups.platform.testing.odoofixture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ocore.backups.platform.odoofixture.GenerationSummary;
import io.ocore.backups.platform.odoofixture.OdooEnvironmentGenerator;
import io.ocore.backups.platform.testing.postgres.PostgresCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Odoo fixture against a real PostgreSQL (the shared throwaway cluster). */
class OdooEnvironmentGeneratorTest {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    @TempDir
    Path tmp;

    private static Connection newDatabase() throws SQLException {
        String name = PostgresCluster.shared().createDatabase("odoo_fixture_" + ProcessHandle.current().pid() + "_"
                + DATABASES.incrementAndGet());
        return PostgresCluster.shared().connect(name);
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void generatesOdooShapedDatabaseFilestoreAndConfig() throws Exception {
        Path filestore = tmp.resolve("data/filestore/odoo_t1");
        Path conf = tmp.resolve("odoo.conf");
        try (Connection c = newDatabase()) {
            GenerationSummary s = OdooEnvironmentGenerator.generate(c, filestore, conf, 4, 42L);

            for (var e : s.rowCounts().entrySet()) {
                assertEquals(e.getValue(), count(c, "select count(*) from " + e.getKey()), e.getKey());
                assertTrue(e.getValue() > 0, e.getKey() + " is empty");
            }
            assertTrue(s.rowCounts().keySet().containsAll(List.of("res_company", "res_partner", "res_users",
                    "ir_attachment", "ir_cron", "ir_mail_server", "fetchmail_server", "payment_provider",
                    "ir_config_parameter", "account_move", "account_move_line", "sale_order", "product_template",
                    "mail_message")));

            // configuration parameters as a production database has them
            assertEquals(1, count(c, "select count(*) from ir_config_parameter where key = 'database.uuid'"));
            assertEquals(1, count(c, "select count(*) from ir_config_parameter where key = 'database.secret'"));
            assertEquals(0, count(c, "select count(*) from ir_config_parameter where key = 'database.is_neutralized'"));
            assertTrue(count(c, "select count(*) from ir_cron where active") > 0);
            assertTrue(count(c, "select count(*) from ir_mail_server where active") > 0);
            assertTrue(count(c, "select count(*) from fetchmail_server where active and state = 'done'") > 0);
            assertTrue(count(c, "select count(*) from payment_provider where state = 'enabled'") > 0);
            assertEquals(0, count(c, "select count(*) from payment_provider where state not in ('enabled','test','disabled')"));

            // balanced journal entries, totals consistent with the summary
            assertEquals(0, count(c, "select count(*) from (select move_id from account_move_line group by move_id "
                    + "having sum(balance) <> 0) unbalanced"));
            assertEquals(0, count(c, "select count(*) from account_move m where m.amount_total <> m.amount_untaxed + m.amount_tax"));

            // every stored attachment: Odoo's filestore layout, sha1 = checksum, size = file_size, no db_datas
            assertEquals(0, count(c, "select count(*) from ir_attachment where db_datas is not null"));
            assertEquals(0, count(c, "select count(*) from ir_attachment where type = 'binary' and "
                    + "(store_fname is null or store_fname <> substr(checksum, 1, 2) || '/' || checksum)"));
            Set<String> referenced = new TreeSet<>();
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("select store_fname, checksum, file_size from ir_attachment "
                            + "where store_fname is not null")) {
                while (rs.next()) {
                    Path file = filestore.resolve(rs.getString(1));
                    assertTrue(Files.isRegularFile(file), "missing " + file);
                    byte[] bytes = Files.readAllBytes(file);
                    assertEquals(rs.getInt(3), bytes.length, file.toString());
                    assertEquals(rs.getString(2), sha1(bytes), file.toString());
                    referenced.add(rs.getString(1));
                }
            }
            List<String> onDisk = filesUnder(filestore);
            assertEquals(referenced, new TreeSet<>(onDisk), "filestore holds exactly the referenced files");
            assertEquals(s.fileCount(), onDisk.size());
            long bytes = 0;
            for (String f : onDisk) {
                bytes += Files.size(filestore.resolve(f));
            }
            assertEquals(s.fileBytes(), bytes);
            assertTrue(s.fileBytes() >= 2L * 1024 * 1024, "about half of 4 MB goes to the filestore");

            // odoo.conf
            String config = Files.readString(conf);
            assertTrue(config.startsWith("[options]"));
            assertTrue(config.contains("db_name = " + s.databaseName()), config);
            assertTrue(config.contains("db_host = 127.0.0.1"), config);
            assertTrue(config.contains("db_port = " + PostgresCluster.shared().port()), config);
            assertTrue(config.contains("db_user = postgres"), config);
            assertTrue(config.contains("data_dir = " + tmp.resolve("data").toAbsolutePath()), config);
            assertTrue(config.contains("admin_passwd = "), config);
        }
    }

    @Test
    void sameSeedSameData() throws Exception {
        GenerationSummary a;
        GenerationSummary b;
        List<String> digestA;
        List<String> digestB;
        try (Connection c = newDatabase()) {
            a = OdooEnvironmentGenerator.generate(c, tmp.resolve("a/filestore/a"), tmp.resolve("a.conf"), 2, 7L);
            digestA = contentDigest(c);
        }
        try (Connection c = newDatabase()) {
            b = OdooEnvironmentGenerator.generate(c, tmp.resolve("b/filestore/b"), tmp.resolve("b.conf"), 2, 7L);
            digestB = contentDigest(c);
        }
        assertEquals(a.rowCounts(), b.rowCounts());
        assertEquals(a.databaseUuid(), b.databaseUuid());
        assertEquals(a.invoiceTotal(), b.invoiceTotal());
        assertEquals(a.fileBytes(), b.fileBytes());
        assertEquals(digestA, digestB);
        assertEquals(filesUnder(tmp.resolve("a/filestore/a")), filesUnder(tmp.resolve("b/filestore/b")));

        try (Connection c = newDatabase()) {
            GenerationSummary other = OdooEnvironmentGenerator.generate(c, tmp.resolve("c/filestore/c"),
                    tmp.resolve("c.conf"), 2, 8L);
            assertNotEquals(a.databaseUuid(), other.databaseUuid());
            assertNotEquals(a.invoiceTotal(), other.invoiceTotal());
        }
    }

    @Test
    void sizeScalesTheData() throws Exception {
        GenerationSummary small;
        GenerationSummary large;
        try (Connection c = newDatabase()) {
            small = OdooEnvironmentGenerator.generate(c, tmp.resolve("s/filestore/s"), tmp.resolve("s.conf"), 2, 1L);
        }
        try (Connection c = newDatabase()) {
            large = OdooEnvironmentGenerator.generate(c, tmp.resolve("l/filestore/l"), tmp.resolve("l.conf"), 8, 1L);
        }
        for (String table : List.of("res_partner", "account_move", "account_move_line", "mail_message", "sale_order")) {
            assertTrue(large.rowCounts().get(table) > 3 * small.rowCounts().get(table), table);
        }
        assertTrue(large.fileBytes() > 3 * small.fileBytes());
        assertTrue(large.databaseBytes() > small.databaseBytes());
    }

    @Test
    void refusesADatabaseThatAlreadyHasOdooTables() throws Exception {
        try (Connection c = newDatabase()) {
            OdooEnvironmentGenerator.generate(c, tmp.resolve("x/filestore/x"), tmp.resolve("x.conf"), 1, 1L);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> OdooEnvironmentGenerator
                    .generate(c, tmp.resolve("y/filestore/y"), tmp.resolve("y.conf"), 1, 1L));
            assertTrue(e.getMessage().contains("empty database"), e.getMessage());
            assertFalse(Files.exists(tmp.resolve("y.conf")));
        }
    }

    @Test
    void cliWritesTheSameAsTheApi() throws Exception {
        String name = PostgresCluster.shared().createDatabase("odoo_fixture_cli_" + ProcessHandle.current().pid());
        Path conf = tmp.resolve("cli/odoo.conf");
        OdooEnvironmentGenerator.main(new String[] {"--jdbc-url", PostgresCluster.shared().jdbcUrl(name), "--user",
            "postgres", "--password", "", "--filestore", tmp.resolve("cli/filestore/" + name).toString(), "--config",
            conf.toString(), "--size-mb", "1", "--seed", "3"});
        try (Connection c = PostgresCluster.shared().connect(name)) {
            assertTrue(count(c, "select count(*) from res_partner") > 0);
            assertNull(nullIfZero(count(c, "select count(*) from ir_config_parameter where key = 'database.is_neutralized'")));
        }
        assertTrue(Files.readString(conf).contains("db_name = " + name));
    }

    private static Long nullIfZero(long v) {
        return v == 0 ? null : v;
    }

    /** md5 of every table's rows in id order: equal digests, equal data. */
    private static List<String> contentDigest(Connection c) throws SQLException {
        List<String> out = new ArrayList<>();
        for (String table : List.of("res_partner", "res_users", "ir_config_parameter", "account_move",
                "account_move_line", "sale_order", "mail_message", "ir_attachment", "product_template")) {
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("select md5(string_agg(t::text, '|' order by id)) from " + table + " t")) {
                rs.next();
                out.add(table + "=" + rs.getString(1));
            }
        }
        return out;
    }

    private static List<String> filesUnder(Path root) throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).map(p -> root.relativize(p).toString().replace('\\', '/'))
                    .sorted().toList();
        }
    }

    private static String sha1(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes));
    }
}
