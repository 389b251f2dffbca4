-- Execution of restores: claims, heartbeats, the swap journal, awaited pre-restore snapshots.
alter table restore_job
    add column kind           text not null default 'restore',   -- restore | neutralize
    add column claimed_by     text,
    add column heartbeat_at   timestamptz,
    -- the swap journal (docs/adr/0009-restore-swap.md): null/preparing -> swapping -> swapped
    add column swap_state     text,
    -- JSON: where the work happens (server, database and directory names; never a password)
    add column work           text,
    -- old database/filestore still to drop after a completed swap
    add column cleanup_pending boolean not null default false;
alter table restore_job alter column backup_id drop not null;

create index restore_job_pending on restore_job (created_at) where status = 'pending';
-- One restore (or neutralization) per target at a time.
create unique index restore_job_one_active_per_target on restore_job (target_environment_id)
    where status in ('pending', 'in_progress') and target_environment_id is not null;

-- Pre-restore snapshots requested with BackupRequested and awaited on backup-events.
create table awaited_snapshot (
    idempotency_key text primary key,
    restore_id      uuid        not null references restore_job (id),
    status          text        not null,            -- waiting, completed, failed
    backup_id       uuid,
    reason          text,
    requested_at    timestamptz not null,
    answered_at     timestamptz
);
