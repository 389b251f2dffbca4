-- Shared by every service (platform-events): the transactional outbox and the consumed-event
-- table of idempotent consumers. Services' own migrations start at V1.

create table outbox_event (
    seq          bigserial primary key,
    id           uuid        not null unique,
    topic        text        not null,
    event_key    text        not null,
    event_type   text        not null,
    org_id       uuid        not null,
    payload      text        not null,
    created_at   timestamptz not null default now(),
    published_at timestamptz
);

-- The relay reads unpublished rows in insertion order.
create index outbox_event_unpublished on outbox_event (seq) where published_at is null;

create table consumed_event (
    event_id    uuid        not null,
    consumer    text        not null,
    consumed_at timestamptz not null default now(),
    primary key (event_id, consumer)
);
