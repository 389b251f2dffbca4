package io.ocore.backups.platform.backupformat.blobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FilestoreIndexTest {

    static final String A = "a".repeat(64);
    static final String B = "0123456789abcdef".repeat(4);

    @Test
    void writtenLinesAreTheAdrFormatAndReadBackEntryForEntry() throws Exception {
        List<FilestoreIndex.Entry> entries = List.of(
                new FilestoreIndex.Entry("ab", FilestoreIndex.Type.dir, 0755, 0, 1764633600000000000L, 0, List.of()),
                new FilestoreIndex.Entry("ab/ab12", FilestoreIndex.Type.file, 0644, 5123, 1764633600123456789L,
                        1764633600987654321L, List.of(A, B)),
                new FilestoreIndex.Entry("ab/empty", FilestoreIndex.Type.file, 0600, 0, 1L, 2L, List.of()),
                new FilestoreIndex.Entry("ab/ünïcode \"quoted\"", FilestoreIndex.Type.file, 0644, 3, 1L, 2L,
                        List.of(A)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FilestoreIndex.Writer w = new FilestoreIndex.Writer(out, 1 << 20);
        for (FilestoreIndex.Entry e : entries) {
            w.add(e);
        }
        w.finish();
        String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(5);
        assertThat(lines[0]).isEqualTo("{\"formatVersion\":1,\"kind\":\"ocore-filestore-index\",\"chunkBytes\":1048576}");
        assertThat(lines[1]).isEqualTo("{\"path\":\"ab\",\"type\":\"dir\",\"mode\":493,\"mtime\":1764633600000000000}");
        assertThat(lines[2]).isEqualTo("{\"path\":\"ab/ab12\",\"type\":\"file\",\"mode\":420,\"size\":5123,"
                + "\"mtime\":1764633600123456789,\"ctime\":1764633600987654321,\"blobs\":[\"" + A + "\",\"" + B + "\"]}");

        FilestoreIndex.Contents c = FilestoreIndex.read(new ByteArrayInputStream(out.toByteArray()));
        assertThat(c.chunkBytes()).isEqualTo(1 << 20);
        assertThat(c.entries()).containsExactlyElementsOf(entries);
        assertThat(c.byPath()).containsOnlyKeys("ab", "ab/ab12", "ab/empty", "ab/ünïcode \"quoted\"");
        assertThat(c.byPath().get("ab/ab12").blobs()).containsExactly(A, B);
        assertThat(List.copyOf(c.byPath().keySet())).as("in index order")
                .containsExactly("ab", "ab/ab12", "ab/empty", "ab/ünïcode \"quoted\"");
    }

    @Test
    void aNewerFormatOrSomethingElseIsRefused() {
        assertThatThrownBy(() -> read("{\"formatVersion\":2,\"kind\":\"ocore-filestore-index\",\"chunkBytes\":1}\n"))
                .isInstanceOf(IOException.class).hasMessageContaining("newer");
        assertThatThrownBy(() -> read("{\"formatVersion\":1,\"kind\":\"tar\",\"chunkBytes\":1}\n"))
                .isInstanceOf(IOException.class).hasMessageContaining("Not a filestore index");
        assertThatThrownBy(() -> read("")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> read("{\"formatVersion\":1,\"kind\":\"ocore-filestore-index\",\"chunkBytes\":1}\n"
                + "{\"path\":\"x\",\"type\":\"file\",\"mode\":420,\"size\":1,\"mtime\":1,\"ctime\":1,\"blobs\":[\"../x\"]}\n"))
                .isInstanceOf(IOException.class).hasMessageContaining("not a blob id");
        assertThatThrownBy(() -> read("{\"formatVersion\":1,\"kind\":\"ocore-filestore-index\",\"chunkBytes\":1}\n"
                + "{\"path\":\"x\",\"type\":\"symlink\"}\n"))
                .isInstanceOf(IOException.class).hasMessageContaining("unknown type");
    }

    @Test
    void aPackIndexRoundTripsAndIsTheAdrJson() {
        String packId = BlobLayout.newPackId();
        PackIndex index = new PackIndex(packId, List.of(new BlobLocation(A, packId, 0, 1234, 4096),
                new BlobLocation(B, packId, 1234, 29, 0)));
        String json = new String(index.toJson(), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"formatVersion\":1,\"packId\":\"" + packId + "\",\"blobs\":[{\"id\":\"" + A
                + "\",\"offset\":0,\"length\":1234,\"rawLength\":4096},{\"id\":\"" + B
                + "\",\"offset\":1234,\"length\":29,\"rawLength\":0}]}");
        assertThat(PackIndex.fromJson(index.toJson())).isEqualTo(index);
        assertThatThrownBy(() -> PackIndex.fromJson(json.replace("\"formatVersion\":1", "\"formatVersion\":9")
                .getBytes(StandardCharsets.UTF_8))).hasMessageContaining("newer");
        assertThatThrownBy(() -> PackIndex.fromJson(json.replace(packId, "../../x").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PackIndex.fromJson("[1]".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static FilestoreIndex.Contents read(String s) throws IOException {
        return FilestoreIndex.read(new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8)));
    }
}
