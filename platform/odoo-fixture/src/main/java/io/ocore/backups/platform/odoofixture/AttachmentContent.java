package io.ocore.backups.platform.odoofixture;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Bytes that look like the files Odoo users upload, with their typical compressibility:
 * images are incompressible, PDFs half text half compressed streams, text/CSV/HTML very
 * compressible. Benchmarks of compression therefore see a realistic mix.
 */
final class AttachmentContent {

    private static final byte[] PNG_MAGIC = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    private static final byte[] JPEG_MAGIC = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0};

    private AttachmentContent() {
    }

    static byte[] generate(SplittableRandom r, String mimetype, int size) {
        byte[] out = new byte[size];
        switch (mimetype) {
            case "image/png" -> {
                r.nextBytes(out);
                System.arraycopy(PNG_MAGIC, 0, out, 0, Math.min(PNG_MAGIC.length, size));
            }
            case "image/jpeg" -> {
                r.nextBytes(out);
                System.arraycopy(JPEG_MAGIC, 0, out, 0, Math.min(JPEG_MAGIC.length, size));
            }
            case "application/pdf" -> {
                int textPart = size / 2;
                fillText(r, out, 0, textPart, "%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n1 0 obj\n<< /Type /Catalog >>\nstream\n");
                byte[] binary = new byte[size - textPart];
                r.nextBytes(binary);
                System.arraycopy(binary, 0, out, textPart, binary.length);
            }
            case "text/csv" -> fillText(r, out, 0, size, "id,partner,amount,date\n");
            case "text/html" -> fillText(r, out, 0, size, "<!DOCTYPE html><html><body>");
            default -> fillText(r, out, 0, size, "");
        }
        return out;
    }

    private static void fillText(SplittableRandom r, byte[] out, int from, int to, String header) {
        int pos = from;
        byte[] head = header.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < head.length && pos < to; i++) {
            out[pos++] = head[i];
        }
        int line = 0;
        while (pos < to) {
            String chunk = FakeData.sentence(r, 40 + r.nextInt(80)) + " " + (line++) + ";" + r.nextInt(1_000_000) + "\n";
            byte[] bytes = chunk.getBytes(StandardCharsets.UTF_8);
            int n = Math.min(bytes.length, to - pos);
            System.arraycopy(bytes, 0, out, pos, n);
            pos += n;
        }
    }
}
