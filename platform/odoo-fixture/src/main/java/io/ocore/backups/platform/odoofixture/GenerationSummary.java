package io.ocore.backups.platform.odoofixture;

import java.nio.file.Path;
import java.util.Map;

/**
 * What {@link OdooEnvironmentGenerator} produced.
 *
 * @param databaseName     the database the tables went into
 * @param databaseUuid     the {@code database.uuid} parameter written to ir_config_parameter
 * @param rowCounts        rows per table, in load order
 * @param attachmentRows   ir_attachment rows backed by a filestore file (several rows may share one file)
 * @param fileCount        distinct files written to the filestore
 * @param fileBytes        total bytes of those files
 * @param databaseBytes    {@code pg_database_size} after the load
 * @param filestoreDir     the filestore directory ({@code <data_dir>/filestore/<db>})
 * @param configPath       the odoo.conf written
 * @param invoiceTotal     sum of account_move.amount_total, handy to compare after a restore
 */
public record GenerationSummary(
        String databaseName,
        String databaseUuid,
        Map<String, Long> rowCounts,
        long attachmentRows,
        long fileCount,
        long fileBytes,
        long databaseBytes,
        Path filestoreDir,
        Path configPath,
        String invoiceTotal) {

    public long totalRows() {
        return rowCounts.values().stream().mapToLong(Long::longValue).sum();
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        out.append("database ").append(databaseName).append(" (uuid ").append(databaseUuid).append("): ")
                .append(databaseBytes).append(" bytes\n");
        rowCounts.forEach((table, count) -> out.append(String.format("  %-20s %,10d rows%n", table, count)));
        out.append(String.format("filestore %s: %,d files, %,d bytes (%,d attachment rows)%n",
                filestoreDir, fileCount, fileBytes, attachmentRows));
        out.append("config ").append(configPath).append('\n');
        out.append("sum(account_move.amount_total) = ").append(invoiceTotal);
        return out.toString();
    }
}
