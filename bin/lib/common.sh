# shellcheck shell=bash
# shellcheck disable=SC2034 # the constants here are used by bin/stack and the other bin/lib files
# Shared helpers of bin/stack: paths, logging, JDK discovery, PID files, polling.
# Sourced, never executed.

# ---------------------------------------------------------------- paths and constants
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE_DIR="${OCORE_STATE_DIR:-$ROOT_DIR/.state}"
RUN_DIR="$STATE_DIR/run"
LOG_DIR="$STATE_DIR/logs"
KEYS_DIR="$STATE_DIR/keys"
PG_DIR="$STATE_DIR/pg"
KAFKA_DIR="$STATE_DIR/kafka"
DEMO_DIR="$STATE_DIR/demo"
BACKUPS_DIR="$STATE_DIR/backups"
PG_BIN="${OCORE_PG_BIN:-/usr/lib/postgresql/15/bin}"

PG_PORT=15432
DEMO_PG_PORT=15433
KAFKA_PORT=19092
KAFKA_CONTROLLER_PORT=19093
GATEWAY_PORT=8080
DB_USER=ocore
DB_PASSWORD=ocore

DEMO_ORG_ID="00000000-0000-0000-0000-00000000d0d0"
DEMO_PROJECT_ID="00000000-0000-0000-0000-0000000000d1"
SERVICE_ORG_ID="00000000-0000-0000-0000-000000000000"
JWT_ISSUER="${OCORE_JWT_ISSUER:-https://ocore.local/issuer}"

# Deadlines (seconds); overridable for slow machines.
READY_TIMEOUT="${OCORE_READY_TIMEOUT:-180}"
STOP_TIMEOUT="${OCORE_STOP_TIMEOUT:-30}"

# ---------------------------------------------------------------- output
if [[ -t 1 ]]; then
    C_BOLD=$'\e[1m'; C_RED=$'\e[31m'; C_GREEN=$'\e[32m'; C_YELLOW=$'\e[33m'; C_RESET=$'\e[0m'
else
    C_BOLD=""; C_RED=""; C_GREEN=""; C_YELLOW=""; C_RESET=""
fi

log()  { printf '%s==>%s %s\n' "$C_BOLD" "$C_RESET" "$*"; }
info() { printf '    %s\n' "$*"; }
ok()   { printf '    %s%s%s\n' "$C_GREEN" "$*" "$C_RESET"; }
warn() { printf '%swarning:%s %s\n' "$C_YELLOW" "$C_RESET" "$*" >&2; }
die()  { printf '%serror:%s %s\n' "$C_RED" "$C_RESET" "$*" >&2; exit 1; }

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# ---------------------------------------------------------------- time and polling
now() { date +%s; }

# poll_until DEADLINE_SECONDS INTERVAL COMMAND...: runs COMMAND until it succeeds or the
# deadline passes (returns 1 then). The pause between attempts is the polling interval,
# never a guess of how long something takes.
poll_until() {
    local timeout="$1" interval="$2"
    shift 2
    local deadline=$(( $(now) + timeout ))
    while true; do
        if "$@"; then
            return 0
        fi
        if (( $(now) >= deadline )); then
            return 1
        fi
        sleep "$interval"
    done
}

port_open() {
    local port="$1"
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

port_free() { ! port_open "$1"; }

# http_code URL [curl args...]: prints the HTTP status (000 when nothing answers).
http_code() {
    local url="$1"
    shift
    curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$@" "$url" 2>/dev/null || true
}

# ---------------------------------------------------------------- JDK
java_major() {
    local java="$1" line
    line="$("$java" -XshowSettings:properties -version 2>&1 | grep -m1 'java.specification.version' || true)"
    line="${line##*= }"
    line="${line%%.*}"
    [[ "$line" =~ ^[0-9]+$ ]] && printf '%s' "$line"
}

# find_jdk: sets JAVA_HOME to a JDK >= 21 (JAVA_HOME if good, Temurin 25, any /usr/lib/jvm/*).
find_jdk() {
    local candidates=() c major
    [[ -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
    candidates+=(/usr/lib/jvm/temurin-25-jdk-amd64)
    for c in /usr/lib/jvm/*; do
        candidates+=("$c")
    done
    for c in "${candidates[@]}"; do
        [[ -x "$c/bin/java" && -x "$c/bin/javac" ]] || continue
        major="$(java_major "$c/bin/java")"
        if [[ -n "$major" ]] && (( major >= 21 )); then
            export JAVA_HOME="$c"
            JAVA="$c/bin/java"
            return 0
        fi
    done
    return 1
}

# ensure_prerequisites: JDK >= 21, PostgreSQL 15 server binaries, openssl, curl, jq.
ensure_prerequisites() {
    local missing_apt=()
    command -v openssl >/dev/null || missing_apt+=(openssl)
    command -v curl >/dev/null || missing_apt+=(curl)
    command -v jq >/dev/null || missing_apt+=(jq)
    [[ -x "$PG_BIN/postgres" && -x "$PG_BIN/initdb" && -x "$PG_BIN/pg_ctl" ]] || missing_apt+=(postgresql-15)
    if ! find_jdk; then
        # Temurin is not in Debian: openjdk-21 is not in bookworm either (17 only); the
        # Adoptium apt repository provides temurin-21-jdk / temurin-25-jdk.
        if is_root && apt-cache show openjdk-21-jdk-headless >/dev/null 2>&1; then
            missing_apt+=(openjdk-21-jdk-headless)
        else
            cat >&2 <<'MSG'
error: no JDK >= 21 found (JAVA_HOME, /usr/lib/jvm/temurin-25-jdk-amd64, /usr/lib/jvm/*).
Install one, e.g. Temurin from the Adoptium apt repository:
    apt-get install -y wget apt-transport-https gpg
    wget -qO - https://packages.adoptium.net/artifactory/api/gpg/key/public | gpg --dearmor > /etc/apt/trusted.gpg.d/adoptium.gpg
    echo "deb https://packages.adoptium.net/artifactory/deb $(. /etc/os-release; echo "$VERSION_CODENAME") main" > /etc/apt/sources.list.d/adoptium.list
    apt-get update && apt-get install -y temurin-25-jdk
(or on Debian 13 / Ubuntu 24.04: apt-get install -y openjdk-21-jdk-headless), then export JAVA_HOME.
MSG
            exit 1
        fi
    fi
    if (( ${#missing_apt[@]} > 0 )); then
        if is_root && command -v apt-get >/dev/null; then
            log "installing ${missing_apt[*]} (apt)"
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_apt[@]}"
            find_jdk || die "still no JDK >= 21 after installing ${missing_apt[*]}"
        else
            die "missing: ${missing_apt[*]}. Install with: sudo apt-get install -y ${missing_apt[*]}"
        fi
    fi
    [[ -x "$PG_BIN/postgres" ]] || die "PostgreSQL 15 server binaries not found in $PG_BIN (apt-get install -y postgresql-15)"
}

# ---------------------------------------------------------------- PID files
# Every Java process bin/stack starts carries -Docore.stack.home=$STATE_DIR and
# -Docore.stack.component=<name>; a PID file counts only if its process still has both
# in its command line, so a recycled PID never makes us signal a stranger.

pid_file() { printf '%s/%s.pid' "$RUN_DIR" "$1"; }

pid_matches() {
    local pid="$1" name="$2" cmdline
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    [[ -r "/proc/$pid/cmdline" ]] || return 1
    cmdline="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null || true)"
    [[ "$cmdline" == *"-Docore.stack.home=$STATE_DIR "* && "$cmdline" == *"-Docore.stack.component=$name "* ]]
}

# running_pid NAME: prints the PID of the stack's live process NAME, or fails.
running_pid() {
    local name="$1" file pid
    file="$(pid_file "$name")"
    [[ -f "$file" ]] || return 1
    pid="$(<"$file")"
    if pid_matches "$pid" "$name"; then
        printf '%s' "$pid"
        return 0
    fi
    return 1
}

is_running() { running_pid "$1" >/dev/null; }

# start_java NAME LOGFILE JAVA_ARGS...: starts a detached JVM (own session, no terminal)
# with the stack's markers, records its PID.
start_java() {
    local name="$1" logfile="$2"
    shift 2
    mkdir -p "$RUN_DIR" "$LOG_DIR"
    printf '\n=== %s starting %s ===\n' "$(date -Is)" "$name" >> "$logfile"
    # 9>&-: the child must not inherit bin/stack's lock (see take_lock)
    setsid "$JAVA" "-Docore.stack.home=$STATE_DIR" "-Docore.stack.component=$name" "$@" \
        >> "$logfile" 2>&1 < /dev/null 9>&- &
    local pid=$!
    printf '%s\n' "$pid" > "$(pid_file "$name")"
}

# stop_pid NAME [TIMEOUT]: TERM, wait with a deadline, then KILL. Removes the PID file.
stop_pid() {
    local name="$1" timeout="${2:-$STOP_TIMEOUT}" pid
    if pid="$(running_pid "$name")"; then
        kill -TERM "$pid" 2>/dev/null || true
        if ! poll_until "$timeout" 0.2 pid_gone "$pid"; then
            warn "$name (pid $pid) did not stop within ${timeout}s: killing it"
            kill -KILL "$pid" 2>/dev/null || true
            poll_until 10 0.2 pid_gone "$pid" || warn "$name (pid $pid) survived SIGKILL"
        fi
        info "stopped $name (pid $pid)"
    fi
    rm -f "$(pid_file "$name")"
}

pid_gone() { ! kill -0 "$1" 2>/dev/null; }

# tail_log FILE [LINES]
tail_log() {
    local file="$1" lines="${2:-30}"
    if [[ -f "$file" ]]; then
        printf -- '----- last %s lines of %s -----\n' "$lines" "$file" >&2
        tail -n "$lines" "$file" >&2
        printf -- '-----\n' >&2
    fi
}
