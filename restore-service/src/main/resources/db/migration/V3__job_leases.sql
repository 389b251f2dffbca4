-- Job leases (docs/adr/0012-job-leases.md): a claimed restore carries its owner (claimed_by) and a
-- generation bumped at every claim and every takeover; heartbeat, progress, the swap journal, the
-- swap, its undo and the finish are conditional on (id, claimed_by, lease_generation).
alter table restore_job add column lease_generation bigint not null default 0;
