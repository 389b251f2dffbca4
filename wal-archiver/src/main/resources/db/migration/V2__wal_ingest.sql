-- WAL archiving (issue 13, docs/adr/0017-wal-archiving.md). wal_segment (V1) was written only by a
-- test: wal_file replaces it and holds every archived file, whatever its kind.
drop table wal_segment;

-- The schedule as far as WAL goes (BackupScheduleChanged): where WAL goes, and whether archiving is on.
alter table environment add column schedule_enabled boolean not null default false;
alter table environment add column destination_ids uuid[] not null default '{}';

-- The environment's WAL token: one live token per environment. Looked up by the SHA-256 of the
-- presented token (hex); kept sealed (EnvelopeCipher, context 'waltoken:<environmentId>') only so
-- that GET wal-config can show it again. A rotation replaces the row: the old token fails at once.
create table wal_token (
    environment_id uuid primary key references environment (id),
    token_hash     text        not null unique,
    sealed_token   text        not null,
    created_at     timestamptz not null
);

-- One archived WAL file: a segment, a .partial segment, a backup history file (.backup) or a
-- timeline history file (.history). A row exists only once the file is durable on every
-- destination in destination_ids (the schedule's destinations when it was archived).
create table wal_file (
    environment_id  uuid        not null references environment (id),
    file_name       text        not null,
    kind            text        not null check (kind in ('segment', 'partial', 'backup', 'history')),
    timeline        integer     not null,
    -- the segment number (segment, partial, backup: the segment it names); null for history
    segment_no      bigint,
    -- the plaintext: size and SHA-256 (hex); what a second PUT of the same name is compared with
    size_bytes      bigint      not null,
    sha256          text        not null,
    -- the stored object (compressed, encrypted), the same bytes on every destination
    stored_bytes    bigint      not null,
    -- commit and abort records read from the segment (WalSegmentReader); null when it holds none
    first_commit_at timestamptz,
    last_commit_at  timestamptz,
    commit_count    integer     not null default 0,
    destination_ids uuid[]      not null,
    archived_at     timestamptz not null,
    primary key (environment_id, file_name)
);
create index wal_file_order on wal_file (environment_id, timeline, segment_no);
create index wal_file_archived on wal_file (environment_id, archived_at);

-- Archiving health per environment: ingest records each attempt's outcome (upserts below), the
-- health monitor reads it, publishes WalArchiveFailed / WalArchiveRecovered and sets
-- alerted_severity to what it has published.
--   success: last_success_at = now, last_success_file = f, last_attempt_at = now,
--            failing_since = null, failed_attempts = 0
--   failure: last_attempt_at = now, failing_since = coalesce(failing_since, now),
--            failed_attempts = failed_attempts + 1, last_failure_file = f, last_failure_reason = r
create table wal_archive_health (
    environment_id      uuid primary key references environment (id),
    last_success_at     timestamptz,
    last_success_file   text,
    last_attempt_at     timestamptz,
    failing_since       timestamptz,
    failed_attempts     integer not null default 0,
    last_failure_file   text,
    last_failure_reason text,
    -- null (nothing published), 'warning' or 'critical'
    alerted_severity    text
);

-- PITR bases: each completed backup of a WAL-enabled environment (BackupCompleted.pitrBase);
-- removed on BackupDeleted. The oldest one bounds WAL retention.
create table pitr_base (
    backup_id      uuid primary key,
    org_id         uuid        not null,
    environment_id uuid        not null references environment (id),
    start_lsn      text        not null,
    stop_lsn       text        not null,
    timeline       integer     not null,
    start_wal_file text        not null,
    consistent_at  timestamptz not null,
    completed_at   timestamptz not null
);
create index pitr_base_env on pitr_base (environment_id, completed_at);

-- Gaps already published as WalGapDetected (once each).
create table wal_gap (
    environment_id uuid        not null references environment (id),
    after_file     text        not null,
    before_file    text        not null,
    detected_at    timestamptz not null,
    primary key (environment_id, after_file, before_file)
);
