-- Environments learned from environment-events (EnvironmentRegistered); backup-service owns the catalogue.
create table known_environment (
    id               uuid primary key,
    org_id           uuid        not null,
    project_id       uuid,
    name             text,
    environment_type text        not null,
    registered_at    timestamptz not null
);

create table backup_schedule (
    environment_id       uuid primary key,
    org_id               uuid        not null,
    enabled              boolean     not null,
    db_frequency         text        not null,
    full_frequency       text        not null,
    retain_hourly        integer     not null,
    retain_daily         integer     not null,
    retain_weekly        integer     not null,
    retain_monthly       integer     not null,
    wal_enabled          boolean     not null,
    wal_retention_days   integer     not null,
    destination_ids      text        not null,
    timezone             text        not null,
    -- null while disabled
    next_db_at           timestamptz,
    next_full_at         timestamptz,
    -- since when the tiers could fill (enabled, or frequencies/retention changed): retention warnings
    retention_since      timestamptz not null,
    enabled_since        timestamptz,
    last_db_success_at   timestamptz,
    last_full_success_at timestamptz,
    -- when the kind becomes overdue (last success or enabling + twice its frequency), and whether
    -- the current overdue episode was already reported
    db_overdue_at        timestamptz,
    full_overdue_at      timestamptz,
    db_overdue           boolean     not null default false,
    full_overdue         boolean     not null default false,
    -- tiers whose current shortfall was reported (comma separated)
    warned_tiers         text        not null default '',
    created_at           timestamptz not null,
    updated_at           timestamptz not null
);

-- The dispatcher's claim: enabled schedules by their earliest due time.
create index backup_schedule_due on backup_schedule (least(next_db_at, next_full_at)) where enabled;

-- Completed backups learned from backup-events, for GFS.
create table recorded_backup (
    id             uuid primary key,
    org_id         uuid        not null,
    environment_id uuid        not null,
    backup_type    text        not null,
    trigger        text        not null,
    completed_at   timestamptz not null,
    gfs_tiers      text        not null default '',
    -- set when scheduler expired it (BackupExpired) or backup-service deleted it (BackupDeleted)
    gone_at        timestamptz,
    gone_reason    text
);

create index recorded_backup_live on recorded_backup (environment_id, completed_at desc) where gone_at is null;
create index recorded_backup_snapshots on recorded_backup (completed_at) where gone_at is null and trigger = 'pre_restore';
