#!/usr/bin/env bash
# End-to-end system test against a running local stack, through the gateway only, with the
# `ocore` CLI where the product docs give a CLI example. Run by bin/lib/stack-smoke.sh when
# SMOKE_SYSTEM=1 (bin/test does), or by hand after `bin/stack up`:
#
#   bin/lib/system-test.sh
#
# What it proves (a user's view): the demo environment and local destination exist; a
# destination tests ok; a full backup to it completes with checksums that match the stored
# objects; a backup to a good and a dead destination completes on the good one, lists the dead
# one and raises a destination_unreachable alert; the docs' schedule command works verbatim and
# answers next run times; a schedule left without a successful backup raises backup_overdue;
# permissions and organisation scoping hold at the edge.
set -euo pipefail

# shellcheck source=bin/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=bin/lib/pg.sh
source "$(dirname "${BASH_SOURCE[0]}")/pg.sh"

STACK="$ROOT_DIR/bin/stack"
OCORE="$ROOT_DIR/bin/ocore"
PASSES=0
FAILURES=0
pass() { printf '  %sPASS%s %s\n' "$C_GREEN" "$C_RESET" "$*"; PASSES=$(( PASSES + 1 )); }
fail() { printf '  %sFAIL%s %s\n' "$C_RED" "$C_RESET" "$*"; FAILURES=$(( FAILURES + 1 )); }
expect() { # expect WHAT ACTUAL EXPECTED
    if [[ "$2" == "$3" ]]; then pass "$1"; else fail "$1: got '$2', expected '$3'"; fi
}

eval "$("$STACK" env)"
export OCORE_URL OCORE_TOKEN
STATUS_FILE="$(mktemp)"
trap 'rm -f "$STATUS_FILE"' EXIT
# api METHOD PATH [JSON]: the body on stdout; the HTTP status of the last call via last_code (a
# file, since api usually runs in a command substitution's subshell).
api() {
    local method="$1" path="$2" body="${3:-}" out code
    out="$(mktemp)"
    if [[ -n "$body" ]]; then
        code="$(curl -s -o "$out" -w '%{http_code}' -X "$method" -H "Authorization: Bearer ${TOKEN:-$OCORE_TOKEN}" \
            -H 'Content-Type: application/json' --data "$body" "$OCORE_URL$path")"
    else
        code="$(curl -s -o "$out" -w '%{http_code}' -X "$method" -H "Authorization: Bearer ${TOKEN:-$OCORE_TOKEN}" "$OCORE_URL$path")"
    fi
    printf '%s' "$code" > "$STATUS_FILE"
    cat "$out"
    rm -f "$out"
}
last_code() { cat "$STATUS_FILE"; }

log "system test through the gateway ($OCORE_URL)"
if [[ -z "${OCORE_DEMO_ENV:-}" || -z "${OCORE_DEMO_DESTINATION:-}" ]]; then
    fail "bin/stack up registered the demo environment and local destination (env='${OCORE_DEMO_ENV:-}', destination='${OCORE_DEMO_DESTINATION:-}')"
    printf '\nsystem-test: %d passed, %d failed\n' "$PASSES" "$FAILURES"
    exit 1
fi
pass "demo environment $OCORE_DEMO_ENV and local destination $OCORE_DEMO_DESTINATION are registered"
ENV="$OCORE_DEMO_ENV"
DEST="$OCORE_DEMO_DESTINATION"

# --- destinations -------------------------------------------------------------------------
result="$("$OCORE" backup-destination test "$DEST" --output json || true)"
expect "the local destination tests ok" "$(jq -r '.ok' <<< "$result")" "true"
expect "it is verified afterwards" "$(api GET "/api/backup-destinations/$DEST" | jq -r '.isVerified')" "true"
dead_body='{"name":"unreachable sftp","destinationType":"sftp","config":{"host":"127.0.0.1","port":9,"username":"backup","password":"not-a-real-secret-9f3b","path":"/backups"}}'
DEAD="$(api POST /api/backup-destinations "$dead_body" | jq -r '.id')"
expect "an SFTP destination is created (201)" "$(last_code)" "201"
listing="$(api GET /api/backup-destinations)"
if grep -q "not-a-real-secret-9f3b" <<< "$listing"; then fail "secrets are masked in listings"; else pass "secrets are masked in listings"; fi
result="$("$OCORE" backup-destination test "$DEAD" --output json || true)"
expect "the dead destination tests not ok" "$(jq -r '.ok' <<< "$result")" "false"

# --- a full backup to one destination -----------------------------------------------------
if backup_json="$("$OCORE" backup create --environment "$ENV" --type full --destinations "$DEST" --wait --timeout 10m --output json 2>/dev/null)"; then
    pass "ocore backup create --environment ENV --type full --wait completed"
else
    fail "ocore backup create --type full --wait (exit $?)"
fi
BACKUP="$(jq -r '.id' <<< "$backup_json")"
shown="$(api GET "/api/backups/$BACKUP")"
expect "the backup is completed" "$(jq -r '.status' <<< "$shown")" "completed"
db_sum="$(jq -r '.checksums.database' <<< "$shown")"
path="$(jq -r --arg d "$DEST" '.remotePaths[$d]' <<< "$shown")"
stored="$(find "$STATE_DIR/backups" -path "*$BACKUP*" -name 'database*' -type f | head -n1)"
if [[ -n "$stored" ]]; then
    expect "the stored database object hashes to the recorded SHA-256" "$(sha256sum "$stored" | cut -d' ' -f1)" "$db_sum"
else
    fail "the database object of $BACKUP is on the local destination (remote path $path)"
fi
if [[ -n "$(find "$STATE_DIR/backups" -path "*$BACKUP*" -name manifest.json -type f)" ]]; then
    pass "manifest.json was written"
else
    fail "manifest.json was written"
fi

# --- restore: back to the backup, then forward again from the pre-restore snapshot ---------
demo_sql() { PGPASSWORD=odoo "$PG_BIN/psql" -h 127.0.0.1 -p "$DEMO_PG_PORT" -U odoo -d odoo_demo -qAtc "$1"; }
await_restore() { # await_restore RESTORE_ID -> final status on stdout
    local id="$1" deadline=$(( $(now) + 600 )) status=""
    while (( $(now) < deadline )); do
        status="$(api GET "/api/restores/$id" | jq -r '.status')"
        [[ "$status" == completed || "$status" == failed ]] && break
        sleep 1
    done
    echo "$status"
}
filestore="$DEMO_DIR/filestore/odoo_demo"
partner="$(demo_sql "select min(id) from res_partner")"
original_name="$(demo_sql "select name from res_partner where id = $partner")"
demo_sql "update res_partner set name = 'changed after the backup' where id = $partner"
mkdir -p "$filestore/zz" && echo "added after the backup" > "$filestore/zz/added-after-backup"
# The demo environment is production: restoring onto it needs its name in confirm.
DEMO_NAME="$(api GET "/api/environments/$ENV" | jq -r '.name')"
refused="$(api POST "/api/backups/$BACKUP/restore" '{"targetType": "same"}')"
expect "a restore onto production without confirm answers 400" "$(last_code)" "400"
expect "naming the confirm field" "$(jq -r '.errors[0].field' <<< "$refused")" "confirm"
api POST "/api/backups/$BACKUP/restore" '{"targetType": "same", "confirm": "not-its-name"}' >/dev/null
expect "a restore onto production with a wrong name answers 400" "$(last_code)" "400"
restore="$(api POST "/api/backups/$BACKUP/restore" "$(jq -cn --arg n "$DEMO_NAME" '{targetType: "same", confirm: $n}')" | jq -r '.restoreId')"
expect "POST /api/backups/{id}/restore with confirm answers 202" "$(last_code)" "202"
expect "the restore to the same environment completes" "$(await_restore "$restore")" "completed"
expect "the database is back to the backup's state" "$(demo_sql "select name from res_partner where id = $partner")" "$original_name"
if [[ -e "$filestore/zz/added-after-backup" ]]; then fail "the filestore is back to the backup's state"; else pass "the filestore is back to the backup's state"; fi
logs="$(api GET "/api/restores/$restore/logs")"
if jq -e 'length > 0 and all(.[]; .durationMs != null)' <<< "$logs" >/dev/null; then
    pass "the restore's step log has a timed entry per step ($(jq -r '[.[].step] | join(", ")' <<< "$logs"))"
else
    fail "the restore's step log: $logs"
fi
snapshot="$(api GET "/api/restores/$restore" | jq -r '.preRestoreSnapshotId')"
expect "a pre-restore snapshot was taken" "$(api GET "/api/backups/$snapshot" | jq -r '.trigger + " " + .status')" "pre_restore completed"
again="$(api POST "/api/backups/$snapshot/restore" "$(jq -cn --arg n "$DEMO_NAME" '{targetType: "same", confirm: $n}')" | jq -r '.restoreId')"
expect "restoring the snapshot completes" "$(await_restore "$again")" "completed"
expect "restoring the snapshot brings the change back" "$(demo_sql "select name from res_partner where id = $partner")" "changed after the backup"
if [[ -e "$filestore/zz/added-after-backup" ]]; then pass "and the added file"; else fail "and the added file"; fi

# --- one good and one dead destination ----------------------------------------------------
backup_json="$("$OCORE" backup create --environment "$ENV" --type db --destinations "$DEST,$DEAD" --wait --timeout 10m --output json 2>/dev/null || true)"
B2="$(jq -r '.id' <<< "$backup_json")"
shown="$(api GET "/api/backups/$B2")"
expect "a backup with one dead destination still completes" "$(jq -r '.status' <<< "$shown")" "completed"
expect "remotePaths lists only the good destination" "$(jq -r '.remotePaths | keys | join(",")' <<< "$shown")" "$DEST"
if jq -e --arg d "$DEAD" 'tostring | contains($d)' <<< "$(jq '.failedDestinations' <<< "$shown")" >/dev/null; then
    pass "failedDestinations names the dead destination"
else
    fail "failedDestinations names the dead destination: $(jq -c '.failedDestinations' <<< "$shown")"
fi
alert_seen() {
    api GET "/api/backup-alerts?alertType=destination_unreachable" \
        | jq -e --arg d "$DEAD" '.items[] | select(.destinationId == $d)' >/dev/null
}
if poll_until 60 1 alert_seen; then pass "a destination_unreachable alert names the dead destination"; else fail "no destination_unreachable alert for $DEAD within 60 s"; fi
if api GET "/api/backup-alerts" | grep -q "not-a-real-secret-9f3b"; then fail "alerts never contain secrets"; else pass "alerts never contain secrets"; fi

# --- a backup with no reachable destination fails visibly -----------------------------------
if "$OCORE" backup create --environment "$ENV" --type db --destinations "$DEAD" --wait --timeout 10m >/dev/null 2>&1; then
    fail "a backup whose only destination is dead does not complete"
else
    code=$?
    expect "ocore backup create --wait exits 8 when the backup failed" "$code" "8"
fi
failed_alert() {
    api GET "/api/backup-alerts?alertType=backup_failed" | jq -e '.items | length > 0' >/dev/null
}
if poll_until 60 1 failed_alert; then pass "a backup_failed alert is raised"; else fail "no backup_failed alert within 60 s"; fi
repeated() {
    api GET "/api/backup-alerts?alertType=destination_unreachable" \
        | jq -e --arg d "$DEAD" '[.items[] | select(.destinationId == $d)] | length == 1 and .[0].occurrences >= 2' >/dev/null
}
if poll_until 60 1 repeated; then
    pass "repeated failures of one destination are one alert with occurrences >= 2"
else
    fail "repeated failures of one destination: $(api GET "/api/backup-alerts?alertType=destination_unreachable" | jq -c '[.items[] | {destinationId, occurrences}]')"
fi

# --- a destination goes down and comes back ------------------------------------------------
flaky_dir="$STATE_DIR/backups/flaky-$$"
mkdir -p "$flaky_dir"
FLAKY="$(api POST /api/backup-destinations "{\"name\":\"flaky disk\",\"destinationType\":\"local\",\"config\":{\"path\":\"$flaky_dir\"}}" | jq -r '.id')"
expect "a second local destination is created (201)" "$(last_code)" "201"
expect "it tests ok" "$("$OCORE" backup-destination test "$FLAKY" --output json | jq -r '.ok')" "true"
mv "$flaky_dir" "$flaky_dir.away"
expect "with its folder gone it tests not ok" "$("$OCORE" backup-destination test "$FLAKY" --output json | jq -r '.ok')" "false"
open_alert() {
    api GET "/api/backup-alerts?alertType=destination_unreachable" \
        | jq -e --arg d "$FLAKY" '.items[] | select(.destinationId == $d and .resolvedAt == null)' >/dev/null
}
if poll_until 60 1 open_alert; then pass "an open destination_unreachable alert names it"; else fail "no open alert for $FLAKY within 60 s"; fi
mv "$flaky_dir.away" "$flaky_dir"
expect "with its folder back it tests ok again" "$("$OCORE" backup-destination test "$FLAKY" --output json | jq -r '.ok')" "true"
resolved_alert() {
    api GET "/api/backup-alerts?alertType=destination_unreachable" \
        | jq -e --arg d "$FLAKY" '[.items[] | select(.destinationId == $d)] | length == 1 and .[0].resolvedAt != null' >/dev/null
}
if poll_until 60 1 resolved_alert; then pass "the recovery resolves that alert"; else fail "the alert for $FLAKY was not resolved within 60 s"; fi

# --- schedules: the docs' CLI and curl examples -------------------------------------------
if "$OCORE" backup schedule set --environment "$ENV" --db-frequency 6h --full-frequency daily \
        --retain-hourly 24 --retain-daily 7 --destinations "$DEST" >/dev/null; then
    pass "ocore backup schedule set (the docs' example) succeeds"
else
    fail "ocore backup schedule set (the docs' example)"
fi
schedule="$(api PUT "/api/environments/$ENV/backup-schedule" "{\"enabled\": true, \"dbFrequency\": \"6h\", \"fullFrequency\": \"daily\", \"retainHourly\": 24, \"retainDaily\": 7, \"retainWeekly\": 4, \"retainMonthly\": 12, \"walEnabled\": true, \"walRetentionDays\": 7, \"destinationIds\": [\"$DEST\"]}")"
expect "PUT backup-schedule (the docs' curl body) answers 200" "$(last_code)" "200"
schedule="$(api GET "/api/environments/$ENV/backup-schedule")"
if [[ "$(jq -r '.nextDbBackupAt' <<< "$schedule")" == 20* && "$(jq -r '.nextFullBackupAt' <<< "$schedule")" == 20* ]]; then
    pass "the schedule answers nextDbBackupAt and nextFullBackupAt"
else
    fail "the schedule answers next run times: $schedule"
fi
api PUT "/api/environments/$ENV/backup-schedule" '{"enabled": true, "dbFrequency": "5m", "retainHourly": -1}' >/dev/null
expect "a bad schedule is a 400" "$(last_code)" "400"

# --- an overdue schedule raises backup_overdue -------------------------------------------
# A schedule is overdue when no backup of a kind succeeded within twice its frequency (12 h
# for the 6h database frequency above). Nobody waits 12 h here: the test moves the schedule's
# overdue time into the past in scheduler-service's own database, the state the schedule would
# be in had its backups kept failing since then. Everything after that is the product's own
# path: the scheduler's tick notices it, BackupOverdue goes through Kafka to alert-service,
# and the alert is read through the gateway. A BackupCompleted consumed late would move the
# time forward again, so the move is repeated until the episode is reported.
backdate_overdue() {
    pg_psql "$PG_PORT" ocore_scheduler "UPDATE backup_schedule SET db_overdue_at = now() - interval '1 minute'
        WHERE environment_id = '$ENV' AND enabled AND NOT db_overdue" >/dev/null
}
overdue_alert() {
    backdate_overdue
    api GET "/api/backup-alerts?alertType=backup_overdue&environmentId=$ENV" \
        | jq -e '.items | length == 1 and .[0].severity == "critical"' >/dev/null
}
if poll_until 90 1 overdue_alert; then
    pass "an overdue schedule raises one critical backup_overdue alert for the environment"
    overdue="$("$OCORE" backup alerts list --type backup_overdue --output json)"
    if jq -e --arg e "$ENV" '[.[] | select(.environmentId == $e)][0].message | test("database \\(db\\) backup")' \
            <<< "$overdue" >/dev/null; then
        pass "ocore backup alerts list shows it with a message naming the overdue database backups"
    else
        fail "the backup_overdue alert's message: $overdue"
    fi
else
    fail "no backup_overdue alert for $ENV within 90 s: $(api GET "/api/backup-alerts?alertType=backup_overdue")"
fi

# --- the edge: permissions and organisations ----------------------------------------------
TOKEN="$("$STACK" token --permissions view:environments --ttl 600)" api POST "/api/environments/$ENV/backups" '{"backupType":"db"}' >/dev/null
expect "view:environments alone cannot create a backup (403)" "$(last_code)" "403"
TOKEN="$("$STACK" token --permissions view:environments --ttl 600)" api GET "/api/backups/$BACKUP" >/dev/null
expect "view:environments can read a backup" "$(last_code)" "200"
other_org="00000000-0000-0000-0000-0000000000ff"
TOKEN="$("$STACK" token --permissions view:environments,manage:environments,manage:org_settings --org "$other_org" --ttl 600)" \
    api GET "/api/backups/$BACKUP" >/dev/null
expect "another organisation gets 404 for the backup" "$(last_code)" "404"
TOKEN="$("$STACK" token --permissions manage:org_settings --org "$other_org" --ttl 600)" \
    api GET "/api/backup-destinations/$DEST" >/dev/null
expect "another organisation gets 404 for the destination" "$(last_code)" "404"
# environments belong to the platform: the demo user's token registers none; an operator's
# token is held to the configured server and roots (bin/lib/services.sh)
probe="{\"name\":\"probe\",\"projectId\":\"$DEMO_PROJECT_ID\",\"environmentType\":\"staging\",\"database\":{\"host\":\"127.0.0.1\",\"port\":$DEMO_PG_PORT,\"name\":\"odoo_demo\",\"user\":\"odoo\",\"password\":\"x\"},\"filestorePath\":\"$DEMO_DIR/filestore/probe\",\"configPath\":\"/proc/self/environ\"}"
api POST /api/environments "$probe" >/dev/null
expect "the demo user's token cannot register an environment (403)" "$(last_code)" "403"
body="$(TOKEN="$("$STACK" token --permissions manage:platform --ttl 600)" api POST /api/environments "$probe")"
expect "configPath /proc/self/environ is refused (400 configPath)" "$(last_code) $(jq -r '[.errors[].field] | join(",")' <<< "$body" 2>/dev/null)" "400 configPath"
TOKEN="not-a-token" api GET "/api/environments/$ENV" >/dev/null
expect "a bad token is refused at the gateway (401)" "$(last_code)" "401"
api GET "/internal/destinations/$DEST" >/dev/null
expect "internal endpoints are not reachable through the gateway" "$(last_code)" "404"

# --- one file per behaviour under bin/lib/system/ (NN-name.sh, run in name order) -------
# Each is sourced here: it uses api/expect/pass/fail, $ENV, $DEST, $BACKUP, $STACK, $OCORE, and
# leaves every service it stops running again.
# By hand, SYSTEM_CHECKS='55-*' runs only the checks whose file names match (and not the rotation);
# bin/test never sets it, so CI runs them all.
for check in "$(dirname "${BASH_SOURCE[0]}")"/system/${SYSTEM_CHECKS:-*}.sh; do
    [[ -f "$check" ]] || { fail "no system check matches '${SYSTEM_CHECKS:-*}'"; continue; }
    log "system check $(basename "$check")"
    # shellcheck source=/dev/null
    source "$check"
done

# --- master-key rotation: restarts every service, so it goes last -------------------------
if [[ -z "${SYSTEM_CHECKS:-}" ]]; then
    # shellcheck source=bin/lib/rotation-test.sh
    source "$(dirname "${BASH_SOURCE[0]}")/rotation-test.sh"
else
    log "SYSTEM_CHECKS='$SYSTEM_CHECKS': only the matching checks ran (no master-key rotation)"
fi

printf '\nsystem-test: %d passed, %d failed\n' "$PASSES" "$FAILURES"
(( FAILURES == 0 ))
