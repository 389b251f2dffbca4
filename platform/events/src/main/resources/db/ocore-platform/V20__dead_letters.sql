-- Shared by every consuming service (platform-events, issue 11): the events a consumer failed to
-- handle after its in-place retries, recorded before the source message is acknowledged, and
-- retried with exponential backoff until they succeed (DeadLetterRetrier; docs/events.md
-- "Dead letters"). One row per (event, consumer): a redelivered failure records nothing new.

create table dead_letter (
    id              uuid        primary key,
    event_id        uuid        not null,
    consumer        text        not null,
    -- the source topic (= the channel); its dead-letter topic is <service>.<topic>.dlq
    topic           text        not null,
    event_type      text        not null,
    org_id          uuid,
    -- the CloudEvent in structured JSON form: id, type, source, subject, time, orgid, data
    envelope        jsonb       not null,
    -- the last failure (exception class and message)
    reason          text        not null,
    -- delivery attempts that failed: the first delivery (with its in-place retries) counts as one
    attempts        integer     not null,
    status          text        not null check (status in ('pending', 'done')),
    next_attempt_at timestamptz not null,
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    completed_at    timestamptz,
    unique (event_id, consumer)
);

create index dead_letter_due on dead_letter (next_attempt_at) where status = 'pending';
