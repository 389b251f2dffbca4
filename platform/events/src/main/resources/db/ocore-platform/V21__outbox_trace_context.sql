-- Shared by every service (platform-events): the W3C trace context (traceparent, tracestate) of the
-- span that appended the event, so the relay's Kafka record continues that trace although it is
-- published after the transaction committed (OutboxRelay; docs/operations.md "Traces"). Null: the
-- event was appended outside any trace (or before this migration); it is published as a trace of
-- its own.

alter table outbox_event
    add column trace_parent text,
    add column trace_state  text;
