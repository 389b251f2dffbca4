-- WAL alert types take the issue's names (issue 13): alerts stored under the old names load again.
update alert set alert_type = 'wal_archive_failing' where alert_type = 'wal_archive_failed';
update alert set alert_type = 'wal_gap' where alert_type = 'wal_gap_detected';
