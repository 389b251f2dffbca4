# shellcheck shell=bash
# oCore's Prometheus metrics on the local stack (docs/operations.md "Metrics"; issue 16): after the
# backup and the restore the system test made through the gateway, `bin/stack metrics` shows them
# counted, the demo environment's last successful backup, and every service's outbox gauge.
# Sourced by bin/lib/system-test.sh (pass, fail, expect, $ENV, $STACK, $SERVICES).

# shellcheck source=bin/lib/services.sh
source "$ROOT_DIR/bin/lib/services.sh"

log "metrics: backups, restores and outboxes on the management ports"
# metric_value TEXT NAME LABEL... -> the value of the first sample NAME{...} carrying every LABEL
metric_value() {
    local text="$1" name="$2"
    shift 2
    awk -v name="$name" -v labels="$*" '
        index($0, name "{") == 1 || index($0, name " ") == 1 {
            n = split(labels, want, " "); ok = 1
            for (i = 1; i <= n; i++) if (index($0, want[i]) == 0) ok = 0
            if (ok) { print $NF; exit }
        }' <<<"$text"
}
met_backup="$("$STACK" metrics backup 2>/dev/null || true)"
met_done="$(metric_value "$met_backup" ocore_backups_total 'status="completed"')"
if [[ -n "$met_done" ]] && awk -v v="$met_done" 'BEGIN { exit !(v >= 1) }'; then
    pass "metrics: ocore_backups_total counts the completed backups ($met_done)"
else
    fail "metrics: ocore_backups_total{status=\"completed\"} is ${met_done:-absent} after the system test's backups"
fi
met_last="$(metric_value "$met_backup" ocore_last_successful_backup_timestamp_seconds "environment=\"$ENV\"")"
met_now="$(date +%s)"
if [[ -n "$met_last" ]] && awk -v v="$met_last" -v now="$met_now" 'BEGIN { exit !(v > now - 7200 && v <= now + 60) }'; then
    pass "metrics: the demo environment's last successful backup is exposed ($(date -u -d "@$(awk -v v="$met_last" 'BEGIN { printf "%d", v }')" +%FT%TZ))"
else
    fail "metrics: ocore_last_successful_backup_timestamp_seconds{environment=\"$ENV\"} is ${met_last:-absent}, not a moment of the last two hours"
fi
met_restore="$("$STACK" metrics restore 2>/dev/null || true)"
met_restored="$(metric_value "$met_restore" ocore_restores_total 'status="completed"' 'target_type="same"')"
if [[ -n "$met_restored" ]] && awk -v v="$met_restored" 'BEGIN { exit !(v >= 1) }'; then
    pass "metrics: ocore_restores_total counts the completed restore to the same environment ($met_restored)"
else
    fail "metrics: ocore_restores_total{status=\"completed\",target_type=\"same\"} is ${met_restored:-absent} after the system test's restore"
fi
for met_svc in "${SERVICES[@]}"; do
    met_pending="$(metric_value "$("$STACK" metrics "$met_svc" 2>/dev/null || true)" ocore_outbox_pending_events)"
    if [[ -n "$met_pending" ]]; then
        pass "metrics: $met_svc exposes ocore_outbox_pending_events ($met_pending)"
    else
        fail "metrics: $met_svc has no ocore_outbox_pending_events"
    fi
done
