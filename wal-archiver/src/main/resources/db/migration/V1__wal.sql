-- Environments as the WAL archiver knows them (from EnvironmentRegistered / BackupScheduleChanged).
create table environment (
    id                 uuid primary key,
    org_id             uuid    not null,
    project_id         uuid,
    name               text,
    environment_type   text,
    wal_enabled        boolean not null default false,
    wal_retention_days integer not null default 7
);
create index environment_org on environment (org_id);

-- One archived WAL segment. first/last_commit_at are the commit timestamps inside it (null when
-- it holds no commit), which is what a PITR target can be chosen between.
create table wal_segment (
    environment_id  uuid        not null references environment (id),
    timeline        integer     not null,
    segment_no      bigint      not null,
    segment_name    text        not null,
    size_bytes      bigint      not null,
    sha256          text        not null,
    first_commit_at timestamptz,
    last_commit_at  timestamptz,
    archived_at     timestamptz not null,
    primary key (environment_id, segment_name)
);
create index wal_segment_order on wal_segment (environment_id, timeline, segment_no);
