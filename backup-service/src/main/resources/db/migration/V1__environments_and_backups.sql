-- The environment catalogue: one Odoo instance (database, filestore, odoo.conf).
create table environment (
    id                 uuid primary key,
    org_id             uuid        not null,
    project_id         uuid        not null,
    name               text        not null,
    environment_type   text        not null,
    db_host            text        not null,
    db_port            integer     not null,
    db_name            text        not null,
    db_user            text        not null,
    -- EnvelopeCipher sealed form, bound to the environment id; never returned by the public API
    db_password_sealed text        not null,
    filestore_path     text        not null,
    config_path        text        not null,
    created_at         timestamptz not null,
    updated_at         timestamptz not null
);
create index environment_listing on environment (org_id, created_at desc, id desc);

create table backup (
    id                  uuid primary key,
    org_id              uuid        not null,
    environment_id      uuid        not null references environment (id),
    backup_type         text        not null,
    trigger             text        not null,
    status              text        not null,
    -- BackupRequested.idempotencyKey: a redelivered request finds its backup instead of adding one
    idempotency_key     text unique,
    destination_ids     text        not null,
    size_bytes          bigint,
    checksums           text        not null default '{}',
    gfs_tiers           text        not null default '[]',
    remote_paths        text        not null default '{}',
    failed_destinations text        not null default '[]',
    error               text,
    phase               text,
    bytes_done          bigint      not null default 0,
    -- which worker runs it, and when it last said it was alive (crash recovery)
    claimed_by          text,
    heartbeat_at        timestamptz,
    started_at          timestamptz,
    completed_at        timestamptz,
    created_at          timestamptz not null
);
create index backup_listing on backup (org_id, environment_id, created_at desc, id desc);
create index backup_pending on backup (created_at) where status = 'pending';
-- One backup of an environment runs at a time; later ones wait as pending.
create unique index backup_one_running_per_environment on backup (environment_id) where status = 'in_progress';

-- The destinations of each environment's schedule, learnt from BackupScheduleChanged.
create table schedule_destinations (
    environment_id  uuid primary key,
    org_id          uuid        not null,
    destination_ids text        not null,
    updated_at      timestamptz not null
);
