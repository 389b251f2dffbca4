# Memory budget (docs/operations.md, "JVM memory budget"; docs/adr/0016): no service's peak
# resident set (VmHWM: heap, metaspace, code cache, thread stacks, direct buffers, malloc) has
# gone past OCORE_MEMORY_LIMIT_MIB (default 256) since it started. Runs after the checks that back
# up, restore and verify through the gateway, so the peaks include that work (destination-service's
# only since 10-deletion.sh restarted it). A JVM whose PID cannot be read is a failure, not a pass.
# Sourced by bin/lib/system-test.sh: pass, fail, running_pid, $SERVICES, $GATEWAY.

# shellcheck source=bin/lib/memory.sh
source "$ROOT_DIR/bin/lib/memory.sh"
# shellcheck source=bin/lib/services.sh
source "$ROOT_DIR/bin/lib/services.sh"

log "memory: every service's peak resident set within the budget"
mem_limit_mib="${OCORE_MEMORY_LIMIT_MIB:-256}"
if [[ ! "$mem_limit_mib" =~ ^[1-9][0-9]*$ ]]; then
    fail "OCORE_MEMORY_LIMIT_MIB must be a positive whole number of MiB, not '$mem_limit_mib'"
else
    # backup-, restore-service and wal-archiver do not meet the budget yet (docs/adr/0016, "Where
    # it stands"): they are held to OCORE_MEMORY_LIMIT_MIB_<NAME> (NAME: BACKUP, RESTORE,
    # WAL_ARCHIVER; default their pods' limit: 448, 384, 320), and the check says they are over it.
    mem_allowance() {
        local var="OCORE_MEMORY_LIMIT_MIB_$(tr 'a-z-' 'A-Z_' <<<"$1")" def="$mem_limit_mib"
        case "$1" in backup|backup-service) def=448 ;; restore|restore-service) def=384 ;; wal-archiver) def=320 ;; esac
        echo "${!var:-$def}"
    }
    mem_checked=0
    for mem_svc in "${SERVICES[@]}" "$GATEWAY"; do
        mem_allowed="$(mem_allowance "$mem_svc")"
        if [[ ! "$mem_allowed" =~ ^[1-9][0-9]*$ ]]; then
            fail "memory: the limit for $mem_svc must be a positive whole number of MiB, not '$mem_allowed'"
            continue
        fi
        if ! mem_pid="$(running_pid "$mem_svc")"; then
            fail "memory: $mem_svc is not running (no live PID in $(pid_file "$mem_svc")): its peak cannot be read"
            continue
        fi
        if ! mem_peak="$(memory_peak_kib "$mem_pid")"; then
            fail "memory: cannot read VmHWM of $mem_svc (pid $mem_pid) from /proc/$mem_pid/status"
            continue
        fi
        mem_rss="$(memory_rss_kib "$mem_pid" || echo 0)"
        mem_checked=$(( mem_checked + 1 ))
        if (( mem_peak > mem_allowed * 1024 )); then
            fail "memory: $mem_svc (pid $mem_pid) peaked at $(memory_kib_to_mib "$mem_peak") MiB resident, over its ${mem_allowed} MiB limit (now $(memory_kib_to_mib "$mem_rss") MiB)"
        elif (( mem_peak > mem_limit_mib * 1024 )); then
            pass "memory: $mem_svc peaked at $(memory_kib_to_mib "$mem_peak") MiB resident: OVER the ${mem_limit_mib} MiB budget, within the ${mem_allowed} MiB it is held to until it meets it (docs/adr/0016)"
        else
            pass "memory: $mem_svc peaked at $(memory_kib_to_mib "$mem_peak") MiB resident (budget ${mem_limit_mib} MiB, now $(memory_kib_to_mib "$mem_rss") MiB)"
        fi
    done
    mem_expected=$(( ${#SERVICES[@]} + 1 ))
    if (( mem_checked != mem_expected )); then
        fail "memory: read the peak of $mem_checked of $mem_expected JVMs (${SERVICES[*]} $GATEWAY)"
    fi
fi
