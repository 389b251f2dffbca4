-- PITR bases (ADR 0017): every backup of a WAL-enabled environment also carries a physical base
-- (pg_basebackup), the `base` component.

-- Whether the environment's schedule archives WAL, as the last BackupScheduleChanged said: a manual
-- backup of such an environment takes a base too.
alter table schedule_destinations add column wal_enabled boolean not null default false;

-- Decided when the backup is requested (BackupRequested.baseBackup, or the schedule's walEnabled).
alter table backup add column base_backup boolean not null default false;
-- What the completed base holds (manifest pitrBase, BackupCompleted.pitrBase); null without a base.
alter table backup add column pitr_start_lsn      text;
alter table backup add column pitr_stop_lsn       text;
alter table backup add column pitr_timeline       integer;
alter table backup add column pitr_start_wal_file text;
alter table backup add column pitr_consistent_at  timestamptz;
