create table alert (
    id             uuid primary key,
    org_id         uuid        not null,
    alert_type     text        not null,
    severity       text        not null,
    message        text        not null,
    environment_id uuid,
    destination_id uuid,
    backup_id      uuid,
    is_read        boolean     not null default false,
    occurrences    integer     not null default 1,
    -- alerts of one ongoing condition (e.g. one destination failing) share a key while open
    dedup_key      text,
    first_seen_at  timestamptz not null,
    last_seen_at   timestamptz not null,
    resolved_at    timestamptz,
    created_at     timestamptz not null
);

create unique index alert_one_open_per_condition on alert (org_id, dedup_key)
    where dedup_key is not null and resolved_at is null;
create index alert_listing on alert (org_id, created_at desc, id desc);
