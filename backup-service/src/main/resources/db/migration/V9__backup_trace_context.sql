-- The W3C trace context (traceparent, tracestate) of the request or BackupRequested event that asked
-- for the backup: the worker's run continues that trace, and so do the events it publishes
-- (docs/operations.md "Traces"). Null: asked outside any trace, or before this migration.

alter table backup
    add column trace_parent text,
    add column trace_state  text;
