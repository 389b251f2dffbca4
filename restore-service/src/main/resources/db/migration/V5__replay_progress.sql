-- A point-in-time restore's WAL replay (docs/restores.md "Follow it", progress.replay): where it
-- started (the base's redo point), the end of the WAL it can replay (the end of the last WAL file
-- fetched) and the last location the scratch server replayed, in PostgreSQL's 0/16B3748 form;
-- null for a restore without a replay (and the last one until the server first says it).
alter table restore_job
    add column replay_start_lsn text,
    add column replay_end_lsn   text,
    add column replay_lsn       text;
