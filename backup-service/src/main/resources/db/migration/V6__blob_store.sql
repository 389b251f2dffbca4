-- The filestore by content (ADR 0015): each environment's blob store, per destination.

-- The environment's blob-store key, sealed by the master key (context blobstore:<environmentId>).
create table blob_store_key (
    environment_id uuid primary key,
    org_id         uuid        not null,
    sealed_key     text        not null,
    created_at     timestamptz not null default now()
);

-- Packs stored on a destination. state: live | deleting (recorded before the objects go).
create table blob_pack (
    destination_id uuid        not null,
    environment_id uuid        not null,
    pack_id        text        not null,
    org_id         uuid        not null,
    size_bytes     bigint      not null,
    blob_count     integer     not null,
    state          text        not null default 'live',
    created_at     timestamptz not null default now(),
    state_at       timestamptz not null default now(),
    primary key (destination_id, environment_id, pack_id)
);
create index blob_pack_deleting on blob_pack (state) where state <> 'live';

-- Where each blob is on each destination. doomed_at: no backup referenced it at the last mark;
-- a writer treats a doomed blob as absent; the sweep deletes it after the grace period.
create table blob_location (
    destination_id uuid        not null,
    environment_id uuid        not null,
    blob_id        text        not null,
    pack_id        text        not null,
    pack_offset    bigint      not null,
    stored_length  integer     not null,
    raw_length     integer     not null,
    doomed_at      timestamptz,
    primary key (destination_id, environment_id, blob_id),
    foreign key (destination_id, environment_id, pack_id) references blob_pack (destination_id, environment_id, pack_id)
);
create index blob_location_pack on blob_location (destination_id, environment_id, pack_id);
create index blob_location_doomed on blob_location (environment_id, doomed_at) where doomed_at is not null;

-- The blob ids a backup's filestore index references (BlobRefs: sorted 32-byte ids back to back),
-- recorded with its outcome; removed when the backup leaves the catalogue.
create table backup_blob_ref (
    backup_id      uuid primary key,
    environment_id uuid        not null,
    blob_ids       bytea       not null,
    blob_count     integer     not null
);
create index backup_blob_ref_environment on backup_blob_ref (environment_id);
