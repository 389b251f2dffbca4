# shellcheck shell=bash
# Master-key rotation end to end (issue 10, item 8), sourced at the end of bin/lib/system-test.sh
# (it uses its api, expect, pass, fail, await_restore, $STACK, $OCORE, $ENV, $DEST): a db and a
# full backup of the demo environment, `bin/stack rotate-master-key`, then the old key is gone
# from .state/keys and from every service's environment, every component of every completed
# backup downloads through the gateway with its checksum verified, and a restore to a new
# environment completes. The services run with the new key only from here on.

rotation_test() {
    local db_json full_json db_backup full_backup old_id old_key new_id s pid leaked=0 out tmp
    log "master-key rotation"
    db_json="$("$OCORE" backup create --environment "$ENV" --type db --destinations "$DEST" --wait --timeout 10m --output json 2>/dev/null || true)"
    full_json="$("$OCORE" backup create --environment "$ENV" --type full --destinations "$DEST" --wait --timeout 10m --output json 2>/dev/null || true)"
    db_backup="$(jq -r '.id // empty' <<< "$db_json")"
    full_backup="$(jq -r '.id // empty' <<< "$full_json")"
    expect "a db backup before the rotation completes" "$(api GET "/api/backups/$db_backup" | jq -r '.status')" "completed"
    expect "a full backup before the rotation completes" "$(api GET "/api/backups/$full_backup" | jq -r '.status')" "completed"

    api POST /internal/admin/rewrap >/dev/null
    expect "the rewrap endpoint is not reachable through the gateway" "$(last_code)" "404"
    for s in destination:8081 backup:8082 alert:8085; do
        expect "${s%%:*}-service refuses a user token on POST /internal/admin/rewrap" \
            "$(http_code "http://127.0.0.1:${s##*:}/internal/admin/rewrap" -X POST -H "Authorization: Bearer $OCORE_TOKEN")" "401"
    done

    old_id="$(tr -d '[:space:]' < "$STATE_DIR/keys/master.key.id" 2>/dev/null || echo k1)"
    old_key="$(<"$STATE_DIR/keys/master.key")"
    out="$(mktemp)"
    if "$STACK" rotate-master-key > "$out" 2>&1; then
        pass "bin/stack rotate-master-key completes"
    else
        fail "bin/stack rotate-master-key (exit $?): $(tail -n 20 "$out")"
    fi
    sed 's/^/      /' "$out"
    rm -f "$out"

    new_id="$(tr -d '[:space:]' < "$STATE_DIR/keys/master.key.id" 2>/dev/null || echo k1)"
    if [[ "$new_id" != "$old_id" ]]; then pass "the master key has a new id ($old_id -> $new_id)"; else fail "the master key id is still $old_id"; fi
    if grep -rqF -- "$old_key" "$STATE_DIR/keys"; then
        fail "the old master key is gone from $STATE_DIR/keys"
    else
        pass "the old master key is gone from $STATE_DIR/keys"
    fi
    for s in destination backup scheduler restore alert wal-archiver gateway; do
        pid="$(running_pid "$s")" || { fail "$s runs after the rotation"; leaked=1; continue; }
        if tr '\0' '\n' < "/proc/$pid/environ" | grep -qF -- "$old_key"; then
            fail "$s (pid $pid) still has the old master key in its environment"
            leaked=1
        fi
    done
    (( leaked == 0 )) && pass "no service has the old master key in its environment"

    # every component of every completed backup of every environment the demo org sees
    tmp="$(mktemp -d)"
    local envs env_id cursor page ids id total=0 verified=0
    envs="$(api GET "/api/environments?limit=100" | jq -r '.items[].id')"
    for env_id in $envs; do
        cursor=""
        while true; do
            page="$(api GET "/api/environments/$env_id/backups?status=completed&limit=100${cursor:+&cursor=$cursor}")"
            ids="$(jq -r '.items[].id' <<< "$page")"
            for id in $ids; do
                total=$(( total + 1 ))
                if "$OCORE" backup download "$id" --to "$tmp/$id" --output json > "$tmp/$id.json" 2> "$tmp/$id.err"; then
                    verified=$(( verified + 1 ))
                else
                    fail "ocore backup download $id after the rotation: $(tail -n 3 "$tmp/$id.err")"
                fi
                rm -rf "${tmp:?}/$id"
            done
            cursor="$(jq -r '.nextCursor // empty' <<< "$page")"
            [[ -n "$cursor" ]] || break
        done
    done
    rm -rf "$tmp"
    if (( total >= 2 && verified == total )); then
        pass "every component of all $total completed backups downloads with its checksum verified after the rotation"
    else
        fail "downloads after the rotation: $verified of $total completed backups verified"
    fi

    local restore
    restore="$(api POST "/api/backups/$full_backup/restore" "{\"targetType\": \"new\", \"newEnvironmentName\": \"rotated $new_id\"}" | jq -r '.restoreId')"
    expect "a restore of the pre-rotation full backup to a new environment is accepted (202)" "$(last_code)" "202"
    expect "that restore completes with only the new master key" "$(await_restore "$restore")" "completed"
}

rotation_test
