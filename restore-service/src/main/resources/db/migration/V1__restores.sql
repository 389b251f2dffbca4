-- A restore job and its step log (the seed's "restore progress endpoint" and "operation logs").
create table restore_job (
    id                      uuid primary key,
    org_id                  uuid        not null,
    backup_id               uuid        not null,
    source_environment_id   uuid        not null,
    target_type             text        not null,
    target_environment_id   uuid,
    new_environment_name    text,
    pitr_timestamp          timestamptz,
    neutralize              boolean     not null default false,
    status                  text        not null,
    pre_restore_snapshot_id uuid,
    progress_step           text,
    progress_percent        integer     not null default 0,
    bytes_done              bigint      not null default 0,
    bytes_total             bigint,
    error                   text,
    created_at              timestamptz not null,
    started_at              timestamptz,
    completed_at            timestamptz
);
create index restore_job_target on restore_job (org_id, target_environment_id, created_at desc, id desc);

create table restore_step (
    restore_id  uuid        not null references restore_job (id),
    seq         integer     not null,
    step        text        not null,
    status      text        not null,
    message     text,
    started_at  timestamptz not null,
    finished_at timestamptz,
    primary key (restore_id, seq)
);
