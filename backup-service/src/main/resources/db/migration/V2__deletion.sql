-- A deletion is a state (issue 11): a backup being deleted keeps its row with status 'deleting'
-- until every copy on every destination is gone; backup_deletion holds the request and the
-- deleter's progress, backup_tombstone what is left once the row has left the catalogue.
create table backup_deletion (
    backup_id            uuid primary key references backup (id) on delete cascade,
    org_id               uuid        not null,
    -- user | gfs | snapshot_retention | ... (BackupExpired.reason)
    reason               text        not null,
    -- the token subject of a user's DELETE; null for an expiry
    requested_by         text,
    requested_at         timestamptz not null,
    -- when the backup became 'deleting' (null while an expired backup is still running); the stuck
    -- alert counts from here
    deleting_since       timestamptz,
    -- JSON array of the destination ids already cleaned (never retried)
    cleaned_destinations text        not null default '[]',
    attempts             integer     not null default 0,
    -- when the deleter may (re)try; a claim pushes it forward by the claim lease
    next_attempt_at      timestamptz not null,
    last_error           text,
    -- BackupDeletionStuck published (once)
    stuck_reported_at    timestamptz
);
create index backup_deletion_due on backup_deletion (next_attempt_at);

create table backup_tombstone (
    id             uuid primary key,
    org_id         uuid        not null,
    environment_id uuid        not null,
    backup_type    text        not null,
    trigger        text        not null,
    reason         text        not null,
    requested_by   text,
    requested_at   timestamptz not null,
    deleted_at     timestamptz not null
);
create index backup_tombstone_listing on backup_tombstone (org_id, environment_id, deleted_at desc);
