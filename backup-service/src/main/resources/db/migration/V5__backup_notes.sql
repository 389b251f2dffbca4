-- What a completed backup could not store as it was listed (docs/backups.md "Notes"): a filestore
-- file deleted while the backup ran (Odoo's garbage collection), a file that kept changing while
-- it was read. A JSON array of plain sentences; never a secret.
alter table backup add column notes text not null default '[]';
