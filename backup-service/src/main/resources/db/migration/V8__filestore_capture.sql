-- Continuous capture of the filestore of WAL-enabled environments (docs/backups.md "Continuous
-- filestore capture", docs/backup-format.md "Capture objects").

-- How long the schedule keeps its WAL (BackupScheduleChanged.walRetentionDays): captures older
-- than that, plus the collector's grace, are deleted by the collector.
alter table schedule_destinations add column wal_retention_days integer not null default 7;

-- One capture that saw something new: its object <orgId>/<envId>/blobs/captures/<name>.index.enc on
-- each destination of destination_ids (JSON array), and the blob ids its files reference
-- (BlobRefs: sorted 32-byte ids back to back), which the collector counts as referenced while the
-- row exists.
create table filestore_capture (
    id              uuid primary key,
    org_id          uuid        not null,
    environment_id  uuid        not null,
    name            text        not null,
    captured_at     timestamptz not null,
    destination_ids text        not null,
    file_count      integer     not null,
    raw_bytes       bigint      not null,
    blob_ids        bytea       not null,
    blob_count      integer     not null,
    unique (environment_id, name)
);
create index filestore_capture_environment on filestore_capture (environment_id, captured_at);

-- The change cache of the next capture walk: the filestore index of the last walk, zstd-compressed
-- and sealed by the master key (context filestore-capture-state:<environmentId>). Lost or
-- unreadable: the next walk starts from the newest blob-store backup's index.
create table filestore_capture_state (
    environment_id uuid primary key,
    state_sealed   text        not null,
    walked_at      timestamptz not null
);
