/**
 * PostgreSQL 15 WAL files read in Java (docs/adr/0017-wal-archiving.md): file names (segments,
 * {@code .partial}, {@code .backup}, {@code .history}), segment page headers checked against the
 * name, commit and abort records with their timestamps, timeline history and backup history files.
 * A plain library: no Quarkus, no I/O beyond the streams it is given.
 */
package io.ocore.backups.platform.walformat;
