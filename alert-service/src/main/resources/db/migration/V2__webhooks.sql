-- Per-organisation webhooks notified of every raised, repeated or resolved alert.
create table webhook (
    id            uuid primary key,
    org_id        uuid        not null,
    url           text        not null,
    -- the HMAC signing secret, sealed with the master key (EnvelopeCipher)
    secret_sealed text        not null,
    enabled       boolean     not null default true,
    created_at    timestamptz not null
);
create index webhook_org on webhook (org_id);

-- One delivery of one alert notification to one webhook, with its attempts (the delivery log).
create table webhook_delivery (
    id              uuid primary key,
    webhook_id      uuid        not null references webhook (id) on delete cascade,
    org_id          uuid        not null,
    alert_id        uuid        not null,
    payload         text        not null,
    status          text        not null, -- pending, delivered, failed
    attempts        integer     not null default 0,
    last_status     integer,
    last_error      text,
    next_attempt_at timestamptz not null,
    created_at      timestamptz not null,
    delivered_at    timestamptz
);
create index webhook_delivery_due on webhook_delivery (next_attempt_at) where status = 'pending';
create index webhook_delivery_log on webhook_delivery (webhook_id, created_at desc, id desc);
