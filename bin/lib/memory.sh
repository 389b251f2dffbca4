# shellcheck shell=bash
# Resident memory of a process, read from /proc/PID/status (proc(5)). Sourced, never executed.
# The budget these figures are judged against is in docs/operations.md ("JVM memory budget").
#
#   memory_peak_kib PID   peak resident set (VmHWM) since the process started, in KiB
#   memory_rss_kib PID    resident set now (VmRSS), in KiB
#   memory_kib_to_mib KIB rounded up to whole MiB
#
# Each prints one integer and returns 0, or prints nothing and returns 1 when the process is
# gone or unreadable: a caller that judges a budget must treat that as a failure, not a pass.

# memory_status_kib PID FIELD: the value in kB of one /proc/PID/status field (VmHWM, VmRSS, ...).
memory_status_kib() {
    local pid="$1" field="$2" value
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    [[ "$field" =~ ^[A-Za-z]+$ ]] || return 1
    value="$(awk -v f="$field:" '$1 == f && $3 == "kB" { print $2; found = 1 } END { exit !found }' \
        "/proc/$pid/status" 2>/dev/null)" || return 1
    [[ "$value" =~ ^[0-9]+$ ]] || return 1
    printf '%s\n' "$value"
}

memory_peak_kib() { memory_status_kib "$1" VmHWM; }

memory_rss_kib() { memory_status_kib "$1" VmRSS; }

memory_kib_to_mib() {
    [[ "$1" =~ ^[0-9]+$ ]] || return 1
    printf '%s\n' $(( ($1 + 1023) / 1024 ))
}
