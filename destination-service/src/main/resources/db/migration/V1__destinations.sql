-- Backup destinations of every organisation. The config is split: non-secret fields in
-- `config` (plain jsonb), secret fields sealed together in `secrets_sealed` with the
-- platform's EnvelopeCipher (AES-256-GCM data key wrapped by the master key, bound to the
-- destination id). Plaintext secrets are never written to this database (ADR 0006).
create table destination (
    id                uuid primary key,
    org_id            uuid        not null,
    name              text        not null,
    destination_type  text        not null,
    config            jsonb       not null,
    -- names of the secret fields present, so responses can mask them without decrypting
    secret_fields     text[]      not null default '{}',
    secrets_sealed    text,
    -- bumped whenever config or secrets change: a test result of an older config is not recorded
    config_revision   integer     not null default 0,
    is_verified       boolean     not null default false,
    -- health state of the last test: true while failing (events fire on changes only)
    failing           boolean     not null default false,
    last_tested_at    timestamptz,
    last_error        text,
    last_failure_kind text,
    -- the health monitor claims rows whose time has come (FOR UPDATE SKIP LOCKED) and moves it on
    next_check_at     timestamptz not null,
    created_at        timestamptz not null,
    updated_at        timestamptz not null
);

create unique index destination_name_per_org on destination (org_id, lower(name));
create index destination_listing on destination (org_id, created_at desc, id desc);
create index destination_due on destination (next_check_at);

-- What uses a destination, learned from events: the schedule of an environment
-- (BackupScheduleChanged.destinationIds) or a stored backup (BackupCompleted.remotePaths,
-- removed by BackupDeleted). A destination with rows here cannot be deleted.
create table destination_usage (
    destination_id uuid        not null,
    usage_kind     text        not null check (usage_kind in ('schedule', 'backup')),
    -- the environment for a schedule, the backup for a backup
    ref_id         uuid        not null,
    org_id         uuid        not null,
    environment_id uuid        not null,
    recorded_at    timestamptz not null default now(),
    primary key (org_id, destination_id, usage_kind, ref_id)
);

create index destination_usage_by_ref on destination_usage (org_id, usage_kind, ref_id);

-- Environment names from EnvironmentRegistered, so a 409 can name what uses a destination.
create table known_environment (
    environment_id uuid primary key,
    org_id         uuid not null,
    name           text not null
);
