# shellcheck shell=bash
# bin/stack rotate-master-key: a new master key for the local stack, everything the services
# stored re-wrapped under it, the old key removed (docs/operations.md "Rotating the master key").
# Sourced by bin/stack after keys.sh and services.sh.

# The services that store values wrapped by the master key, each with POST /internal/admin/rewrap.
REWRAP_SERVICES=(destination backup alert)
ROTATION_PENDING="$KEYS_DIR/rotation.pending"

# rotation_stage_new_key: master.key becomes a new key with a new id; the old one moves to
# master-previous/<old id>.key. Written next to the live files, then renamed: the old key is on
# disk in master-previous/ before master.key changes, and rotation.pending says what is going on.
rotation_stage_new_key() {
    local old_id new_id
    old_id="$(master_key_id)"
    new_id="k$(date -u +%Y%m%d%H%M%S)"
    [[ "$new_id" != "$old_id" && ! -f "$MASTER_PREVIOUS_DIR/$new_id.key" ]] \
        || die "key id $new_id is taken; run the command again in a second"
    mkdir -p "$MASTER_PREVIOUS_DIR"
    chmod 700 "$MASTER_PREVIOUS_DIR"
    (
        umask 077
        cp "$MASTER_KEY_FILE" "$MASTER_PREVIOUS_DIR/$old_id.key.tmp"
        mv "$MASTER_PREVIOUS_DIR/$old_id.key.tmp" "$MASTER_PREVIOUS_DIR/$old_id.key"
        printf '%s %s\n' "$old_id" "$new_id" > "$ROTATION_PENDING"
        openssl rand -base64 32 > "$MASTER_KEY_FILE.next"
        printf '%s\n' "$new_id" > "$MASTER_KEY_ID_FILE.next"
    )
    rotation_finish_staging
    info "new master key $new_id (master.key); $old_id kept as master-previous/$old_id.key until nothing needs it"
}

# rotation_finish_staging: completes the two renames of a staged key (also after an interruption).
rotation_finish_staging() {
    if [[ -f "$MASTER_KEY_FILE.next" && -f "$MASTER_KEY_ID_FILE.next" ]]; then
        mv "$MASTER_KEY_FILE.next" "$MASTER_KEY_FILE"
        mv "$MASTER_KEY_ID_FILE.next" "$MASTER_KEY_ID_FILE"
    elif [[ -f "$MASTER_KEY_ID_FILE.next" ]]; then
        # master.key already holds the new key: only its id is left to move
        mv "$MASTER_KEY_ID_FILE.next" "$MASTER_KEY_ID_FILE"
    else
        rm -f "$MASTER_KEY_FILE.next"
    fi
}

# rotation_restart: restarts every JVM of the stack (each gets the master keys from
# services_common_env) and waits until they are ready.
rotation_restart() {
    local s started=() previous
    previous="$(master_previous_ids | paste -sd, -)"
    log "restarting the services with master key $(master_key_id)${previous:+ (previous: $previous)}"
    stop_pid "$GATEWAY"
    for s in "${SERVICES[@]}"; do
        stop_pid "$s"
    done
    FAILED_COMPONENTS=()
    for s in "${SERVICES[@]}" "$GATEWAY"; do
        if svc_start "$s"; then
            started+=("$s")
        fi
    done
    wait_ready "${started[@]}" || die "not ready after the restart: ${FAILED_COMPONENTS[*]}; the keys are in place," \
        "run 'bin/stack rotate-master-key --resume' once they are"
    for s in "${REWRAP_SERVICES[@]}"; do
        is_running "$s" || die "$s is not running: its wrapped values cannot be re-wrapped; the previous key is kept"
    done
}

# rotation_rewrap: calls every service's rewrap endpoint; prints each answer; fails when any
# service could not be asked or still has values under an older key.
rotation_rewrap() {
    local token s out code remaining total_remaining=0 bad=0
    token="$(mint_service_token ocore-rotate-master-key 3600)"
    log "re-wrapping everything stored under master key $(master_key_id)"
    for s in "${REWRAP_SERVICES[@]}"; do
        out="$(mktemp)"
        # no time limit worth guessing: backup-service rewrites one manifest per backup copy
        code="$(curl -s -o "$out" -w '%{http_code}' -X POST -H "Authorization: Bearer $token" \
            "$(svc_url "$s")/internal/admin/rewrap" || true)"
        if [[ "$code" != 200 ]] || ! remaining="$(jq -er '.remaining' < "$out")"; then
            warn "$s: POST /internal/admin/rewrap answered $code: $(head -c 400 "$out")"
            bad=1
        else
            info "$(printf '%-12s' "$s") $(jq -r '"re-wrapped \(.rewrapped), still under an older key \(.remaining), failed \(.failed), active \(.activeMasterKeyId)"' < "$out")"
            if [[ "$(jq -r '.activeMasterKeyId' < "$out")" != "$(master_key_id)" ]]; then
                warn "$s runs with master key $(jq -r '.activeMasterKeyId' < "$out"), not $(master_key_id)"
                bad=1
            fi
            jq -r '(.failures // [])[] | "      \(.kind) \(.id)\(if .destinationId then " on destination \(.destinationId)" else "" end): \(.reason)"' \
                < "$out"
            total_remaining=$(( total_remaining + remaining ))
        fi
        rm -f "$out"
    done
    (( bad == 0 && total_remaining == 0 ))
}

# rotation_drop_previous: deletes the previous keys (nothing needs them any more).
rotation_drop_previous() {
    local id
    while read -r id; do
        [[ -n "$id" ]] || continue
        rm -f "$MASTER_PREVIOUS_DIR/$id.key"
        info "removed the previous master key $id"
    done < <(master_previous_ids)
    rmdir "$MASTER_PREVIOUS_DIR" 2>/dev/null || true
}

# rotation_check_environments: no running JVM of the stack carries a key that was just removed.
rotation_check_environments() {
    local s pid ok=0
    for s in "${SERVICES[@]}" "$GATEWAY"; do
        pid="$(running_pid "$s")" || continue
        if tr '\0' '\n' < "/proc/$pid/environ" | grep -q '^OCORE_PREVIOUS_MASTER_KEYS_'; then
            warn "$s (pid $pid) still has a previous master key in its environment"
            ok=1
        fi
    done
    return "$ok"
}

# cmd_rotate_master_key [--resume]: the whole rotation. --resume skips the new key (after an
# interrupted or incomplete run): restart, re-wrap, and drop the previous keys once nothing needs them.
cmd_rotate_master_key() {
    local resume=false s
    while (( $# > 0 )); do
        case "$1" in
            --resume) resume=true ;;
            *) die "rotate-master-key: unknown option $1" ;;
        esac
        shift
    done
    [[ -f "$MASTER_KEY_FILE" ]] || die "no master key yet ($MASTER_KEY_FILE): run 'bin/stack up' first"
    find_jdk || die "no JDK >= 21 found (JAVA_HOME)"
    command -v jq >/dev/null || die "jq is needed (apt-get install -y jq)"
    mkdir -p "$RUN_DIR" "$LOG_DIR"
    take_lock
    for s in "${REWRAP_SERVICES[@]}"; do
        is_running "$s" || die "$s is not running: start the stack first (bin/stack up)"
    done
    if [[ -f "$MASTER_KEY_ID_FILE.next" || -f "$MASTER_KEY_FILE.next" ]]; then
        warn "an earlier rotation stopped while staging its key: completing it"
        rotation_finish_staging
        resume=true
    fi
    if [[ "$resume" == true ]]; then
        log "resuming the rotation to master key $(master_key_id)"
    else
        log "rotating the master key (was $(master_key_id))"
        rotation_stage_new_key
    fi
    rotation_restart
    if ! rotation_rewrap; then
        warn "something is still wrapped by an older key (above): the previous keys stay in $MASTER_PREVIOUS_DIR."
        warn "Fix what failed (an unreachable destination, a stopped service) and run 'bin/stack rotate-master-key --resume'."
        return 1
    fi
    if [[ -z "$(master_previous_ids)" ]]; then
        rm -f "$ROTATION_PENDING"
        ok "nothing is wrapped by another key than $(master_key_id); no previous key to remove"
        return 0
    fi
    log "nothing needs the previous keys any more: removing them"
    rotation_drop_previous
    rotation_restart
    rotation_check_environments || die "a service kept a previous key in its environment (above)"
    rm -f "$ROTATION_PENDING"
    ok "master key rotated: every service runs with $(master_key_id) only; every stored value is wrapped by it"
}
