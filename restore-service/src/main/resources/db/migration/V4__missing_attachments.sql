-- The attachments a restored database references that its restored filestore does not hold
-- (docs/restores.md "Attachments the database references"): null until checked (or when the
-- restore restores no filestore); a JSON array of the first 1000 store_fname values, sorted, and
-- the total count.
alter table restore_job
    add column missing_attachments      text,
    add column missing_attachment_count integer;
