-- Verifications (POST /api/backups/{id}/verify, and the scrub): every stored copy of a backup read
-- back, checked against its SHA-256, decrypted, decompressed and compared with its manifest.
-- No foreign key to backup: a verification stays readable after its backup is deleted.
create table verification (
    id           uuid primary key,
    org_id       uuid        not null,
    backup_id    uuid        not null,
    -- verify (a user asked) or scrub (the scheduled job)
    trigger      text        not null,
    -- running | completed | failed
    status       text        not null,
    -- JSON object destId -> {status: ok|corrupt|missing|unreachable, detail}
    destinations text        not null default '{}',
    error        text,
    -- the instance running it: a restart fails the ones it left running
    node         text        not null,
    started_at   timestamptz not null,
    completed_at timestamptz
);
create index verification_backup on verification (backup_id, started_at desc);
create index verification_running on verification (node) where status = 'running';

-- When each backup was last verified, and the scrub's claim on it (one replica scrubs a backup).
create table backup_verification_state (
    backup_id        uuid primary key,
    last_verified_at timestamptz,
    scrub_claimed_by text,
    scrub_claimed_at timestamptz
);
create index backup_verification_state_due on backup_verification_state (last_verified_at nulls first);
