-- Job leases (docs/adr/0012-job-leases.md): a claimed backup carries its owner (claimed_by) and a
-- generation bumped at every claim and every takeover; heartbeat, progress and finish are
-- conditional on (id, claimed_by, lease_generation).
alter table backup add column lease_generation bigint not null default 0;
