# shellcheck shell=bash
# Traces on the local stack (docs/operations.md "Traces and logs"; issue 16): one backup asked for
# through the gateway with the CLI is one trace in `bin/stack traces BACKUP`, from the gateway's
# request through backup-service's run (and destination-service's side of its destination lookup)
# and its BackupCompleted event to the services consuming it; the tokens used are nowhere in the recorded spans.
# Sourced by bin/lib/system-test.sh (pass, fail, expect, $ENV, $DEST, $STACK, $OCORE).

# shellcheck source=bin/lib/services.sh
source "$ROOT_DIR/bin/lib/services.sh"

log "traces: one backup, one trace across the services"
tr_out="$("$OCORE" backup create --environment "$ENV" --type db --destinations "$DEST" --wait 2>&1 || true)"
tr_backup="$(grep -oE '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}' <<<"$tr_out" | head -n 1)"
# _trace_complete: the backup's trace holds the request, the run, its call to destination-service,
# the event and a consumer
_trace_complete() {
    tr_trace="$("$STACK" traces "$tr_backup" 2>/dev/null || true)"
    grep -q '  gateway  SERVER  POST' <<<"$tr_trace" \
        && grep -q '  backup-service  INTERNAL  backup run' <<<"$tr_trace" \
        && grep -q '  destination-service  SERVER  GET /internal/destinations/' <<<"$tr_trace" \
        && grep -q '  backup-service  PRODUCER  backup-events publish' <<<"$tr_trace" \
        && grep -q '  alert-service  CONSUMER  backup-events receive' <<<"$tr_trace"
}
if [[ -z "$tr_backup" ]]; then
    fail "traces: ocore backup create answered no backup id: $tr_out"
elif poll_until 60 1 _trace_complete; then
    pass "traces: bin/stack traces $tr_backup shows the gateway's request, backup-service's run, destination-service's lookup of the destination, BackupCompleted's publication and alert-service's consumer"
    expect "traces: they are one trace" "$(grep -c '^trace ' <<<"$tr_trace")" "1"
else
    fail "traces: bin/stack traces $tr_backup within 60 s lacks the request, the run, the destination lookup, the publication or a consumer:"$'\n'"$tr_trace"
fi
if [[ -s "$TRACES_FILE" ]] && ! grep -qF "${OCORE_TOKEN##*.}" "$TRACES_FILE"; then
    pass "traces: the bearer token (its signature) is not in the recorded spans"
else
    fail "traces: $TRACES_FILE is empty, or holds the bearer token"
fi
