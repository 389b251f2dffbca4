package io.ocore.backups.platform.odoofixture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of the fixture that need no database (the database tests are in platform/testing). */
class OdooFixtureUnitTest {

    @TempDir
    Path tmp;

    @Test
    void copyTextFormatEscaping() {
        assertEquals("a\\tb\\nc\\rd\\\\e", CopyWriter.escape("a\tb\nc\rd\\e"));
        assertEquals("plain, text; 'quoted' \"double\"", CopyWriter.escape("plain, text; 'quoted' \"double\""));
    }

    @Test
    void filestoreUsesOdooLayoutAndStoresIdenticalContentOnce() throws Exception {
        Filestore fs = new Filestore(tmp.resolve("filestore/db"));
        byte[] content = "hello odoo".getBytes(StandardCharsets.UTF_8);
        Filestore.StoredFile first = fs.store(content);
        Filestore.StoredFile again = fs.store(content);
        String sha1 = Filestore.sha1Hex(content);
        assertEquals(40, sha1.length());
        assertEquals(sha1, first.checksum());
        assertEquals(sha1.substring(0, 2) + "/" + sha1, first.storeFname());
        assertArrayEquals(content, Files.readAllBytes(tmp.resolve("filestore/db").resolve(first.storeFname())));
        assertTrue(first.created());
        assertFalse(again.created());
        assertEquals(1, fs.files());
        assertEquals(content.length, fs.bytes());
    }

    @Test
    void dataDirFollowsOdooLayout() {
        assertEquals(Path.of("/srv/odoo"), OdooConfig.dataDirFor(Path.of("/srv/odoo/filestore/prod")));
        assertEquals(Path.of("/srv/files"), OdooConfig.dataDirFor(Path.of("/srv/files/prod")));
    }

    @Test
    void configHasTheConnectionSettings() throws Exception {
        Path conf = tmp.resolve("etc/odoo.conf");
        OdooConfig.write(conf, new DatabaseTarget("db.internal", 5433, "prod", "odoo", "s3cret"),
                tmp.resolve("data/filestore/prod"));
        Map<String, String> values = OdooConfig.read(conf);
        assertEquals("prod", values.get("db_name"));
        assertEquals("db.internal", values.get("db_host"));
        assertEquals("5433", values.get("db_port"));
        assertEquals("odoo", values.get("db_user"));
        assertEquals("s3cret", values.get("db_password"));
        assertEquals(tmp.resolve("data").toAbsolutePath().toString(), values.get("data_dir"));
        assertEquals(OdooConfig.ADMIN_PASSWD_PLACEHOLDER, values.get("admin_passwd"));
    }

    @Test
    void sizePlanGrowsWithTheTarget() {
        SizePlan small = SizePlan.forSize(1);
        SizePlan large = SizePlan.forSize(100);
        assertTrue(large.partners() > 50 * small.partners() / 2);
        assertTrue(large.invoices() > small.invoices() * 40);
        assertTrue(large.messages() > small.messages() * 40);
        assertEquals(50L * 1024 * 1024, large.filestoreBytes());
        assertThrows(IllegalArgumentException.class, () -> SizePlan.forSize(0));
    }

    @Test
    void attachmentContentIsDeterministic() {
        byte[] a = AttachmentContent.generate(new SplittableRandom(5), "application/pdf", 10_000);
        byte[] b = AttachmentContent.generate(new SplittableRandom(5), "application/pdf", 10_000);
        assertArrayEquals(a, b);
        assertEquals(10_000, a.length);
        assertTrue(new String(a, 0, 8, StandardCharsets.ISO_8859_1).startsWith("%PDF-1.7"));
    }
}
