# shellcheck shell=bash
# A deletion is a state (docs/backups.md "Deleting a backup"): with destination-service stopped,
# DELETE answers 202 and the backup shows deleting while its files stay on the destination; once
# destination-service is back the deletion finishes: 404, and no file of the backup is left.
# Sourced by bin/lib/system-test.sh (api, expect, pass, fail, $ENV, $DEST, $OCORE, $STATE_DIR).

# shellcheck source=bin/lib/keys.sh
source "$ROOT_DIR/bin/lib/keys.sh"
# shellcheck source=bin/lib/services.sh
source "$ROOT_DIR/bin/lib/services.sh"
FAILED_COMPONENTS=()

deletion_files() { find "$STATE_DIR/backups" -path "*$1*" -type f 2>/dev/null | wc -l | tr -d ' '; }

if del_json="$("$OCORE" backup create --environment "$ENV" --type db --destinations "$DEST" --wait --timeout 10m \
    --output json 2>/dev/null)"; then
    pass "deletion: a db backup to the local destination completed"
else
    fail "deletion: ocore backup create --type db --wait (exit $?)"
fi
DEL_BACKUP="$(jq -r '.id // empty' <<< "${del_json:-{\}}")"
if [[ -n "$DEL_BACKUP" ]]; then
    del_before="$(deletion_files "$DEL_BACKUP")"
    if (( del_before > 0 )); then pass "deletion: its files are under \$STATE_DIR/backups"; else
        fail "deletion: no file of backup $DEL_BACKUP under $STATE_DIR/backups"; fi

    stop_pid destination
    deleted="$(api DELETE "/api/backups/$DEL_BACKUP")"
    expect "deletion: DELETE with destination-service stopped answers 202" "$(last_code)" "202"
    expect "deletion: the answer says deleting" "$(jq -r '.status' <<< "$deleted")" "deleting"
    # the deleter tries (and fails to reach destination-service) at least twice before we judge
    del_deadline=$(( $(date +%s) + 60 ))
    while (( $(pg_psql "$PG_PORT" ocore_backup "select coalesce(max(attempts), 0) from backup_deletion where backup_id = '$DEL_BACKUP'" 2>/dev/null || echo 0) < 2 )) \
        && (( $(date +%s) < del_deadline )); do
        sleep 0.5
    done
    expect "deletion: the deleter retried while destination-service was down" \
        "$(pg_psql "$PG_PORT" ocore_backup "select attempts >= 2 from backup_deletion where backup_id = '$DEL_BACKUP'" 2>/dev/null)" "t"
    expect "deletion: GET shows deleting while destination-service is down" \
        "$(api GET "/api/backups/$DEL_BACKUP" | jq -r '.status')" "deleting"
    expect "deletion: it is listed with status=deleting" \
        "$(api GET "/api/environments/$ENV/backups?status=deleting" | jq -r --arg b "$DEL_BACKUP" \
            '[.items[] | select(.id == $b)] | length')" "1"
    expect "deletion: its files are all still there" "$(deletion_files "$DEL_BACKUP")" "$del_before"
    restore_answer="$(api POST "/api/backups/$DEL_BACKUP/restore" '{"targetType":"same"}')"
    expect "deletion: a deleting backup cannot be restored (409)" "$(last_code)" "409"

    find_jdk || fail "deletion: a JDK to start destination-service with" # sets JAVA for svc_start
    svc_start destination || true
    wait_ready destination || fail "deletion: destination-service is ready again"
    del_deadline=$(( $(date +%s) + 120 ))
    while api GET "/api/backups/$DEL_BACKUP" >/dev/null && [[ "$(last_code)" != "404" ]] \
        && (( $(date +%s) < del_deadline )); do
        sleep 1
    done
    expect "deletion: once destination-service is back the backup is gone (404)" "$(last_code)" "404"
    expect "deletion: no file of the backup is left" "$(deletion_files "$DEL_BACKUP")" "0"
    unset restore_answer deleted
fi
