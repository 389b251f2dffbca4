#!/usr/bin/env bash
# Backup benchmark: one full oCore backup to two destinations (local + s3_compatible on a
# loopback s3proxy) against the bare tools doing the same work (pg_dump | zstd, tar | zstd)
# and pgBackRest, on a generated Odoo-shaped environment in its own throwaway PostgreSQL
# cluster; then, after adding 1% new attachments by bytes, a second full backup (the incremental
# figures) and a verification of the backup. Appends a dated row to bench/backup/RESULTS.md and
# ends with one line:
#   RESULT backup size_mb=N ratio=X rss_peak_mib=N incremental_ratio=X incremental_upload_fraction=X verified=yes|no
# Loopback only; every step bounded.
#
#   bench/backup/run.sh [--size-mb N] [--runs N] [--fresh-service] [--destinations both|local|s3]
#                       [--warmup N] [--keep] [--no-pgbackrest] [--no-hyperfine]
#
# See bench/backup/README.md.
set -euo pipefail

SIZE_MB=100
RUNS=1
KEEP=0
DO_PGBACKREST=1
DO_HYPERFINE=1
FRESH=0
WARMUP=1
DESTS=both
PG_PORT=15499
S3_PORT=18090
STEP_TIMEOUT="${BENCH_STEP_TIMEOUT:-1800}"

usage() {
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

while (( $# )); do
    case "$1" in
        --size-mb) SIZE_MB="$2"; shift 2 ;;
        --size-mb=*) SIZE_MB="${1#*=}"; shift ;;
        --runs) RUNS="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --no-pgbackrest) DO_PGBACKREST=0; shift ;;
        --no-hyperfine) DO_HYPERFINE=0; shift ;;
        --fresh-service) FRESH=1; shift ;;
        --warmup) WARMUP="$2"; shift 2 ;;
        --destinations) DESTS="$2"; shift 2 ;;
        -h|--help) usage 0 ;;
        *) echo "unknown argument $1" >&2; usage 2 ;;
    esac
done
[[ "$SIZE_MB" =~ ^[0-9]+$ && "$SIZE_MB" -ge 1 ]] || { echo "--size-mb must be a positive integer" >&2; exit 2; }
[[ "$RUNS" =~ ^[0-9]+$ && "$RUNS" -ge 1 ]] || { echo "--runs must be a positive integer" >&2; exit 2; }
[[ "$WARMUP" =~ ^[0-9]+$ ]] || { echo "--warmup must be a number" >&2; exit 2; }
[[ "$DESTS" =~ ^(both|local|s3)$ ]] || { echo "--destinations must be both, local or s3" >&2; exit 2; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH="$ROOT/bench/backup"
STATE="${OCORE_STATE_DIR:-$ROOT/.state}"
RESULTS="$BENCH/RESULTS.md"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
# postgres (the server's user) must traverse every parent of the cluster: /var/tmp, not /root.
WORK="/var/tmp/ocore-bench-$STAMP"
# local destinations must live under .state/backups (OCORE_DESTINATIONS_LOCAL_ROOTS)
LOCAL_DEST_DIR="$STATE/backups/bench-$STAMP"
PG_BIN="${OCORE_PG_BIN:-/usr/lib/postgresql/15/bin}"
DB=odoo_bench
S3_BUCKET=bench
S3_ID=bench-access
S3_SECRET="bench-secret-$RANDOM$RANDOM"
ORG="$(cat /proc/sys/kernel/random/uuid)"
PROJECT="$(cat /proc/sys/kernel/random/uuid)"
GATEWAY="http://127.0.0.1:8080"

# shellcheck source=bench/lib/common.sh
source "$ROOT/bench/lib/common.sh"
# shellcheck source=bin/lib/memory.sh
source "$ROOT/bin/lib/memory.sh"

JAVA_HOME="$(pick_java)" || die "no JDK >= 21 found"
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"

for tool in curl zstd tar "$PG_BIN/pg_dump" "$PG_BIN/initdb" python3; do
    command -v "$tool" >/dev/null || [[ -x "$tool" ]] || die "missing $tool (apt-get install -y zstd curl postgresql-15 python3)"
done
if (( DO_PGBACKREST )) && ! command -v pgbackrest >/dev/null; then
    die "pgbackrest is not installed: apt-get install -y pgbackrest (or --no-pgbackrest)"
fi
if (( DO_HYPERFINE )) && ! command -v hyperfine >/dev/null; then
    log "hyperfine not installed (apt-get install -y hyperfine): sequential timings only"
    DO_HYPERFINE=0
fi
for port in $PG_PORT $S3_PORT; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "port $port is taken (another bench running?)"
    fi
done

NPROC="$(nproc)"
LOAD_START="$(cut -d' ' -f1 /proc/loadavg)"
log "size ${SIZE_MB} MB, runs $RUNS, nproc $NPROC, load average at start $LOAD_START, work dir $WORK"

mkdir -p "$WORK"/{bare,s3,logs}
chmod 755 "$WORK"
S3PROXY_PID=""
STACK_STARTED=0
BACKUP_IDS=()
RESULT_LINE=""


cleanup() {
    local rc=$?
    set +e
    if [[ -n "${TOKEN:-}" ]]; then
        for id in "${BACKUP_IDS[@]}"; do
            curl -s -o /dev/null --max-time 60 -X DELETE -H "Authorization: Bearer $TOKEN" "$GATEWAY/api/backups/$id"
        done
    fi
    [[ -n "$S3PROXY_PID" ]] && kill "$S3PROXY_PID" 2>/dev/null && wait "$S3PROXY_PID" 2>/dev/null
    if [[ -f "$WORK/pg/PG_VERSION" ]]; then
        as_pg "$PG_BIN/pg_ctl" stop -D "$WORK/pg" -m fast -w >/dev/null 2>&1
    fi
    if (( STACK_STARTED )); then
        log "stopping the stack this run started"
        "$ROOT/bin/stack" down >/dev/null 2>&1
    fi
    if (( KEEP )); then
        log "kept $WORK and $LOCAL_DEST_DIR"
    else
        rm -rf "$WORK" "$LOCAL_DEST_DIR"
    fi
    # the very last line, on stdout, only when the run got to the end
    (( rc == 0 )) && [[ -n "$RESULT_LINE" ]] && printf '%s\n' "$RESULT_LINE"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- 1. the environment
log "initdb + start PostgreSQL on 127.0.0.1:$PG_PORT"
mkdir -p "$WORK/pg" "$WORK/sock" "$WORK/pgbackrest"
chown postgres: "$WORK/pg" "$WORK/sock" "$WORK/pgbackrest"
chmod 700 "$WORK/pg"
touch "$WORK/logs/pg.log"
chown postgres: "$WORK/logs/pg.log"
as_pg "$PG_BIN/initdb" -D "$WORK/pg" -U postgres --no-locale -E UTF8 --auth-local=trust --auth-host=trust \
    >"$WORK/logs/initdb.log" 2>&1 || die "initdb failed: $(tail -5 "$WORK/logs/initdb.log")"
cat > "$WORK/pgbackrest.conf" <<CONF
[global]
repo1-path=$WORK/pgbackrest
repo1-retention-full=1
compress-type=zst
compress-level=3
process-max=1
log-level-console=warn
log-level-file=off
lock-path=$WORK/pgbackrest
start-fast=y

[bench]
pg1-path=$WORK/pg
pg1-port=$PG_PORT
pg1-socket-path=$WORK/sock
CONF
chown postgres: "$WORK/pgbackrest.conf"
# WAL is not kept while generating and timing oCore / the bare tools; pgBackRest's own
# archive_command is switched on just before its backup (it needs the WAL of the backup).
ARCHIVE_CMD="/bin/true"
as_pg tee -a "$WORK/pg/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$WORK/sock'
shared_buffers = 128MB
wal_level = replica
archive_mode = on
archive_command = '$ARCHIVE_CMD'
max_wal_size = 1GB
fsync = on
CONF
as_pg "$PG_BIN/pg_ctl" start -D "$WORK/pg" -l "$WORK/logs/pg.log" -w -t 60 >/dev/null \
    || die "PostgreSQL did not start: $(tail -5 "$WORK/logs/pg.log")"
PSQL=("$PG_BIN/psql" -h "$WORK/sock" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt)
"${PSQL[@]}" -d postgres -c "CREATE ROLE odoo LOGIN PASSWORD 'odoo'" -c "CREATE DATABASE $DB OWNER odoo" >/dev/null

# shellcheck source=bench/lib/fixture.sh
source "$ROOT/bench/lib/fixture.sh"
generate_environment
FS_BYTES="$(du -sb "$FILESTORE" | cut -f1)"
FS_FILES="$(find "$FILESTORE" -type f | wc -l)"
log "generated in ${GEN_S}s: database $((DB_BYTES / 1048576)) MiB, filestore $((FS_BYTES / 1048576)) MiB ($FS_FILES files)"

# ---------------------------------------------------------------- 2. stack + s3proxy
# backup-service reads its own storage settings (docs/backups.md): the stack does not set them.
export OCORE_DESTINATIONS_LOCAL_ROOTS="$STATE/backups"
export OCORE_DESTINATIONS_ALLOW_PRIVATE_ENDPOINTS=true
# shellcheck source=bench/lib/api.sh
source "$ROOT/bench/lib/api.sh"
bench_environment_policy
# s3proxy speaks https, as AWS S3 and most providers do: over plain http the AWS SDK signs every
# chunk of every part with SHA-256 and s3proxy checks each signature, work no https deployment
# pays (bench/backup/RESULTS.md, 2026-12-03 evening). Its certificate is made for this run and
# trusted by the stack this run starts; a stack that was already running does not trust it, so
# the run then falls back to http, flagged in the row.
S3_SCHEME=http
TLS_DIR="$WORK/tls"
TLS_PASS="bench-$RANDOM$RANDOM"
if [[ -f "$STATE/run/backup.pid" ]] && kill -0 "$(<"$STATE/run/backup.pid")" 2>/dev/null \
    && [[ "$(curl -s -o /dev/null -w '%{http_code}' "$GATEWAY/health" || true)" == 200 ]]; then
    log "using the running local stack (its backup-service must allow $STATE/backups, loopback S3, and environments on 127.0.0.1:$PG_PORT under $WORK); s3proxy over http: this stack does not trust this run's certificate"
else
    mkdir -p "$TLS_DIR"
    KEYTOOL="$JAVA_HOME/bin/keytool"
    "$KEYTOOL" -genkeypair -alias s3proxy -keyalg EC -groupname secp256r1 -dname CN=127.0.0.1 \
        -ext SAN=ip:127.0.0.1 -validity 2 -keystore "$TLS_DIR/s3proxy.p12" -storetype PKCS12 \
        -storepass "$TLS_PASS" -keypass "$TLS_PASS" >"$WORK/logs/keytool.log" 2>&1 \
        && "$KEYTOOL" -exportcert -alias s3proxy -keystore "$TLS_DIR/s3proxy.p12" -storepass "$TLS_PASS" \
            -rfc -file "$TLS_DIR/s3proxy.pem" >>"$WORK/logs/keytool.log" 2>&1 \
        && "$KEYTOOL" -importcert -noprompt -alias s3proxy -file "$TLS_DIR/s3proxy.pem" \
            -keystore "$TLS_DIR/trust.p12" -storetype PKCS12 -storepass "$TLS_PASS" >>"$WORK/logs/keytool.log" 2>&1 \
        || die "keytool could not make s3proxy's certificate (log $WORK/logs/keytool.log)"
    S3_SCHEME=https
    log "bin/stack up --no-build (its JVMs trust this run's s3proxy certificate)"
    STACK_STARTED=1
    JAVA_TOOL_OPTIONS="-Djavax.net.ssl.trustStore=$TLS_DIR/trust.p12 -Djavax.net.ssl.trustStoreType=PKCS12 -Djavax.net.ssl.trustStorePassword=$TLS_PASS" \
        timeout 600 "$ROOT/bin/stack" up --no-build >"$WORK/logs/stack-up.log" 2>&1 \
        || log "bin/stack up reported problems (log $WORK/logs/stack-up.log); going on"
fi
if (( FRESH )) && (( ! STACK_STARTED )); then
    # a backup-service started for this run: its VmHWM covers this run's backups only
    old_pid="$(<"$STATE/run/backup.pid")"
    log "restarting backup-service (pid $old_pid) so its peak RSS covers this run only"
    kill "$old_pid"
    for _ in $(seq 1 60); do kill -0 "$old_pid" 2>/dev/null || break; sleep 0.5; done
    timeout 600 "$ROOT/bin/stack" up --no-build >"$WORK/logs/stack-up.log" 2>&1 \
        || log "bin/stack up reported problems (log $WORK/logs/stack-up.log); going on"
fi
for s in gateway backup destination; do
    pidf="$STATE/run/$s.pid"
    [[ -f "$pidf" ]] && kill -0 "$(<"$pidf")" 2>/dev/null || die "$s is not running (see $WORK/logs/stack-up.log)"
done
BACKUP_PID="$(<"$STATE/run/backup.pid")"

log "starting s3proxy on $S3_SCHEME://127.0.0.1:$S3_PORT (filesystem-nio2 in $WORK/s3)"
S3LIB="$STATE/bench/s3proxy-lib"
if [[ ! -f "$S3LIB/s3proxy-2.6.0.jar" ]]; then
    mkdir -p "$S3LIB"
    (cd "$ROOT" && timeout 900 ./mvnw -q -B -f bench/backup/s3proxy/pom.xml dependency:copy-dependencies \
        -DoutputDirectory="$S3LIB" -DincludeScope=runtime) >"$WORK/logs/s3proxy-build.log" 2>&1 \
        || die "cannot resolve s3proxy (log $WORK/logs/s3proxy-build.log)"
fi
mkdir -p "$WORK/s3/$S3_BUCKET"
if [[ "$S3_SCHEME" == https ]]; then
    printf 's3proxy.secure-endpoint=https://127.0.0.1:%s\ns3proxy.keystore-path=%s\ns3proxy.keystore-password=%s\n' \
        "$S3_PORT" "$TLS_DIR/s3proxy.p12" "$TLS_PASS" >"$WORK/s3proxy.conf"
else
    printf 's3proxy.endpoint=http://127.0.0.1:%s\n' "$S3_PORT" >"$WORK/s3proxy.conf"
fi
cat >> "$WORK/s3proxy.conf" <<CONF
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_ID
s3proxy.credential=$S3_SECRET
jclouds.provider=filesystem-nio2
jclouds.identity=$S3_ID
jclouds.credential=$S3_SECRET
jclouds.filesystem.basedir=$WORK/s3
CONF
"$JAVA" -Xmx256m -Dlogback.configurationFile="$BENCH/s3proxy/logback.xml" -cp "$S3LIB/*" \
    org.gaul.s3proxy.Main --properties "$WORK/s3proxy.conf" >"$WORK/logs/s3proxy.log" 2>&1 &
S3PROXY_PID=$!
for _ in $(seq 1 120); do
    (exec 3<>"/dev/tcp/127.0.0.1/$S3_PORT") 2>/dev/null && break
    kill -0 "$S3PROXY_PID" 2>/dev/null || die "s3proxy exited: $(tail -5 "$WORK/logs/s3proxy.log")"
    sleep 0.5
done

# ---------------------------------------------------------------- 3. registration
# shellcheck source=bench/lib/api.sh
source "$ROOT/bench/lib/api.sh"
bench_login

mkdir -p "$LOCAL_DEST_DIR"
ENV_ID="$(TOKEN="$PLATFORM_TOKEN" api POST /api/environments "{\"name\":\"bench-$SIZE_MB\",\"projectId\":\"$PROJECT\",\"environmentType\":\"staging\",\"database\":{\"host\":\"127.0.0.1\",\"port\":$PG_PORT,\"name\":\"$DB\",\"user\":\"odoo\",\"password\":\"odoo\"},\"filestorePath\":\"$FILESTORE\",\"configPath\":\"$CONFIG\"}" | jget "['id']")" \
    || die "environment registration failed"
# new_destinations N: a fresh pair (a local folder and a prefix of the s3proxy bucket) for run N,
# so that every timed backup is a FIRST full backup: a destination that already holds the
# environment's blobs receives only what it lacks (ADR 0015), which is the incremental case.
new_destinations() {
    local dir="$LOCAL_DEST_DIR/run$1"
    mkdir -p "$dir"
    LOCAL_ID="$(api POST /api/backup-destinations "{\"name\":\"bench local $1\",\"destinationType\":\"local\",\"config\":{\"path\":\"$dir\"}}" | jget "['id']")" \
        || die "local destination registration failed"
    S3_DEST_ID="$(api POST /api/backup-destinations "{\"name\":\"bench s3proxy $1\",\"destinationType\":\"s3_compatible\",\"config\":{\"bucket\":\"$S3_BUCKET\",\"region\":\"us-east-1\",\"endpoint\":\"$S3_SCHEME://127.0.0.1:$S3_PORT\",\"accessKeyId\":\"$S3_ID\",\"secretAccessKey\":\"$S3_SECRET\",\"pathPrefix\":\"ocore-run$1\"}}" | jget "['id']")" \
        || die "s3_compatible destination registration failed"
    case "$DESTS" in
        both) DEST_JSON="\"$LOCAL_ID\",\"$S3_DEST_ID\""; DEST_DIRS=("$dir" "$WORK/s3/$S3_BUCKET/ocore-run$1") ;;
        local) DEST_JSON="\"$LOCAL_ID\""; DEST_DIRS=("$dir") ;;
        s3) DEST_JSON="\"$S3_DEST_ID\""; DEST_DIRS=("$WORK/s3/$S3_BUCKET/ocore-run$1") ;;
    esac
}
new_destinations 0
log "environment $ENV_ID, destinations local $LOCAL_ID, s3 $S3_DEST_ID"

# ---------------------------------------------------------------- 4. bare tools
export PGPASSWORD=odoo
PGDUMP="$PG_BIN/pg_dump -Fc -Z0 -h 127.0.0.1 -p $PG_PORT -U odoo $DB"
BARE_DB_CMD="$PGDUMP | zstd -3 -q -f -o $WORK/bare/db.dump.zst"
BARE_FS_CMD="tar -C $WORK/filestore -cf - $DB | zstd -3 -q -f -o $WORK/bare/fs.tar.zst"
# bare_sequential: times the bare pipelines one after the other; sets BARE_DB_S BARE_FS_S BARE_S BARE_BYTES
bare_sequential() {
    local t0 t1 t2
    t0="$(now)"; timeout "$STEP_TIMEOUT" bash -o pipefail -c "$BARE_DB_CMD" || die "bare pg_dump failed"; t1="$(now)"
    timeout "$STEP_TIMEOUT" bash -o pipefail -c "$BARE_FS_CMD" || die "bare tar failed"; t2="$(now)"
    BARE_DB_S="$(elapsed "$t0" "$t1")"; BARE_FS_S="$(elapsed "$t1" "$t2")"
    BARE_S="$(elapsed "$t0" "$t2")"
    BARE_BYTES=$(( $(stat -c %s "$WORK/bare/db.dump.zst") + $(stat -c %s "$WORK/bare/fs.tar.zst") ))
}
log "bare tools, sequential: pg_dump -Fc -Z0 | zstd -3, then tar | zstd -3"
bare_sequential
log "bare: database ${BARE_DB_S}s + filestore ${BARE_FS_S}s = ${BARE_S}s, $((BARE_BYTES / 1048576)) MiB"
HF_S="-"
if (( DO_HYPERFINE )); then
    log "hyperfine (2 runs of the bare database + filestore pipelines)"
    if timeout "$STEP_TIMEOUT" hyperfine --runs 2 --style basic --export-json "$WORK/hyperfine.json" \
        "bash -o pipefail -c '$BARE_DB_CMD && $BARE_FS_CMD'" >"$WORK/logs/hyperfine.log" 2>&1; then
        HF_S="$(python3 -c "import json; print(f\"{json.load(open('$WORK/hyperfine.json'))['results'][0]['mean']:.2f}\")")"
        log "hyperfine mean ${HF_S}s"
    else
        log "hyperfine failed (log kept in $WORK/logs/hyperfine.log)"
    fi
fi

# ---------------------------------------------------------------- 5. oCore backups (+ RSS)
rss_kb() { awk -v f="$1" '$1 == f":" {print $2}' "/proc/$BACKUP_PID/status" 2>/dev/null || echo 0; }
HWM_BEFORE_KB="$(rss_kb VmHWM)"
RSS_IDLE_KB="$(rss_kb VmRSS)"
# VmHWM is the peak since the JVM started (startup included); the highest VmRSS that
# bench/lib/watch.py sees while it follows the backups is the peak during the backups only.
RSS_PEAK_KB=0

# The peak resident set of every oCore service (VmHWM, bin/lib/memory.sh), read after each
# backup and at the end: VmHWM only grows, so a living service's last reading is its peak; a
# service that exits keeps the reading taken before.
OCORE_SERVICES=(gateway destination backup scheduler restore alert wal-archiver)
declare -A SVC_PEAK_KIB=()
record_service_peaks() {
    local s pid k
    for s in "${OCORE_SERVICES[@]}"; do
        [[ -f "$STATE/run/$s.pid" ]] || continue
        pid="$(<"$STATE/run/$s.pid")"
        k="$(memory_peak_kib "$pid")" || continue
        if (( k > ${SVC_PEAK_KIB[$s]:-0} )); then SVC_PEAK_KIB[$s]=$k; fi
    done
    return 0
}
record_service_peaks


# ocore_backup LABEL: one full backup to $DESTS, polled to the end; sets BID WALL SVC PHASES B
ocore_backup() {
    local body st t0
    t0="$(now)"
    body="$(api POST "/api/environments/$ENV_ID/backups" "{\"backupType\":\"full\",\"destinationIds\":[$DEST_JSON]}")" \
        || die "backup request failed"
    BID="$(printf '%s' "$body" | jget "['id']")"
    BACKUP_IDS+=("$BID")
    # one process follows the backup (no curl and python per poll: that took a quarter of the
    # machine from the backup being timed) and samples backup-service's resident set meanwhile
    W="$(TOKEN="$TOKEN" python3 "$ROOT/bench/lib/watch.py" --url "$GATEWAY/api/backups/$BID" --t0 "$t0" --phase progress.phase \
        --deadline-s "$STEP_TIMEOUT" --pid "$BACKUP_PID" --body-out "$WORK/backup-last.json")" \
        || die "following backup $BID failed"
    B="$(<"$WORK/backup-last.json")"
    st="$(printf '%s' "$W" | jget "['status']")"
    PHASES="$(printf '%s' "$W" | jget "['phases']") "
    local peak
    peak="$(printf '%s' "$W" | jget "['rss_peak_kib']")"
    (( peak > RSS_PEAK_KB )) && RSS_PEAK_KB=$peak
    [[ "$st" == completed ]] || die "backup $BID ($1) failed: $(printf '%s' "$B" | jget "['error']") $(printf '%s' "$B" | jget "['failedDestinations']")"
    [[ "$(printf '%s' "$B" | jget "['failedDestinations']")" == "[]" ]] \
        || die "backup $BID ($1) completed without every destination: $(printf '%s' "$B" | jget "['failedDestinations']")"
    # request to completion: the client's clock before the POST to the service's completedAt (one
    # machine, one clock), so neither the poll interval nor the poll's own cost (curl and python
    # per poll: seconds on a loaded machine) is counted as backup time
    read -r WALL SVC <<<"$(printf '%s' "$B" | python3 -c "
import json,sys
from datetime import datetime
d=json.load(sys.stdin)
p=lambda s: datetime.fromisoformat(s.replace('Z','+00:00'))
print(f\"{p(d['completedAt']).timestamp() - float(sys.argv[1]):.2f} {(p(d['completedAt'])-p(d['startedAt'])).total_seconds():.2f}\")" "$t0")"
    record_service_peaks
}

# blob_store_bytes: bytes under every blobs/ folder of the destinations
blob_store_bytes() {
    local d total=0 b
    for d in "${DEST_DIRS[@]}"; do
        while IFS= read -r b; do
            total=$(( total + $(du -sb "$b" | cut -f1) ))
        done < <(find "$d" -type d -name blobs -prune 2>/dev/null)
    done
    printf '%s' "$total"
}
# filestore_component_bytes BACKUP_ID: the backup's filestore.* objects on the destinations
filestore_component_bytes() {
    local d total=0 n
    for d in "${DEST_DIRS[@]}"; do
        n="$(find "$d" -path "*$1/*" -name 'filestore.*' -type f -printf '%s\n' 2>/dev/null | awk '{s += $1} END {printf "%d", s}')"
        total=$(( total + n ))
    done
    printf '%s' "$total"
}

OCORE_TIMES=()
SERVICE_TIMES=()
STORED_BYTES=0
for run in $(seq $(( 1 - WARMUP )) "$RUNS"); do
    if (( run < 1 )); then
        log "oCore full backup to destinations: $DESTS (warm-up, not timed: JIT of a fresh JVM)"
    else
        log "oCore first full backup to fresh destinations: $DESTS (run $run/$RUNS)"
    fi
    (( run == 1 - WARMUP )) || new_destinations "$(( run + WARMUP ))"
    ocore_backup "run $run"
    STORED_BYTES="$(printf '%s' "$B" | jget "['sizeBytes']")"
    if (( run >= 1 )); then
        OCORE_TIMES+=("$WALL")
        SERVICE_TIMES+=("$SVC")
    fi
    log "phases (first seen, since the request): ${PHASES}completed@${WALL}s"
    log "backup $BID completed: ${WALL}s wall (request to completed; startedAt->completedAt ${SVC}s), $((STORED_BYTES / 1048576)) MiB per copy"
done
HWM_AFTER_KB="$(rss_kb VmHWM)"
OCORE_BEST="$(printf '%s\n' "${OCORE_TIMES[@]}" | sort -g | head -n1)"
RATIO="$(python3 -c "print(f'{$OCORE_BEST / $BARE_S:.2f}')")"
log "RSS idle $((RSS_IDLE_KB / 1024)) MiB, peak during backups $((RSS_PEAK_KB / 1024)) MiB, VmHWM $((HWM_BEFORE_KB / 1024)) -> $((HWM_AFTER_KB / 1024)) MiB; ratio vs bare sequential ${RATIO}x"
FIRST_BID="$BID" # the last timed run, on the pair the incremental backup goes to
# the whole filestore as stored by a first full backup: the last timed backup's filestore
# objects and every blob under its (fresh) destinations' blob store
FULL_FS_STORED=$(( $(filestore_component_bytes "$FIRST_BID") + $(blob_store_bytes) ))

# ---------------------------------------------------------------- 5b. incremental: +1% attachments
# New attachments as Odoo writes them (<2 hex>/<sha1 of the content>, random bytes: attachments
# are mostly already-compressed PDFs and images), 1% of the filestore's bytes; the database is
# unchanged. Then a second full backup, timed against the bare tools over the whole (grown)
# environment, and the filestore bytes it uploaded: per destination folder (the local one and
# the s3proxy bucket's directory), the new backup's filestore component objects (filestore.*)
# plus the growth of the blob store folders (blobs/), over the same measure of the whole
# filestore as the first full backup stored it (FULL_FS_STORED).
ADD_WANT=$(( FS_BYTES / 100 ))
(( ADD_WANT > 0 )) || ADD_WANT=1
read -r ADD_FILES ADD_BYTES <<<"$(python3 - "$FILESTORE" "$ADD_WANT" <<'PY'
import hashlib, os, random, sys
root, want = sys.argv[1], int(sys.argv[2])
sizes = random.Random(4242)
files = written = 0
while written < want:
    data = os.urandom(max(1, min(want - written, sizes.choice([2048, 16384, 65536, 262144, 1048576, 3145728]))))
    sha = hashlib.sha1(data).hexdigest()
    os.makedirs(os.path.join(root, sha[:2]), exist_ok=True)
    with open(os.path.join(root, sha[:2], sha), "wb") as f:
        f.write(data)
    files += 1
    written += len(data)
print(files, written)
PY
)" || die "could not add the new attachments"
[[ "${ADD_BYTES:-}" =~ ^[0-9]+$ ]] || die "could not add the new attachments"
chmod -R a+rX "$WORK/filestore"
FS_BYTES_INC="$(du -sb "$FILESTORE" | cut -f1)"
log "added $ADD_FILES attachments, $ADD_BYTES bytes ($(python3 -c "print(f'{100 * $ADD_BYTES / $FS_BYTES:.2f}')")% of the filestore's $FS_BYTES)"

DEST_BYTES_BEFORE="$(du -scb "${DEST_DIRS[@]}" | tail -n1 | cut -f1)"
BLOBS_BEFORE="$(blob_store_bytes)"
log "oCore full backup after the addition (the incremental figures)"
ocore_backup incremental
INC_BID="$BID"
INC_S="$WALL"
DEST_GROWTH=$(( $(du -scb "${DEST_DIRS[@]}" | tail -n1 | cut -f1) - DEST_BYTES_BEFORE ))
INC_FS_UPLOADED=$(( $(filestore_component_bytes "$INC_BID") + $(blob_store_bytes) - BLOBS_BEFORE ))
log "incremental backup $INC_BID: ${INC_S}s; destinations grew by $DEST_GROWTH bytes, of which filestore $INC_FS_UPLOADED bytes"
FIRST_BARE=("$BARE_DB_S" "$BARE_FS_S" "$BARE_S" "$BARE_BYTES")
log "bare tools again over the grown environment"
bare_sequential
INC_BARE_S="$BARE_S"
BARE_DB_S="${FIRST_BARE[0]}"; BARE_FS_S="${FIRST_BARE[1]}"; BARE_S="${FIRST_BARE[2]}"; BARE_BYTES="${FIRST_BARE[3]}"
INC_RATIO="$(python3 -c "print(f'{$INC_S / $INC_BARE_S:.2f}')")"
(( FULL_FS_STORED > 0 )) || die "no filestore object of backup $FIRST_BID found under ${DEST_DIRS[*]}"
INC_FRACTION="$(python3 -c "print(f'{$INC_FS_UPLOADED / $FULL_FS_STORED:.3f}')")"
log "incremental: ${INC_S}s vs bare ${INC_BARE_S}s = ${INC_RATIO}x; uploaded $INC_FS_UPLOADED filestore bytes = ${INC_FRACTION} of the $FULL_FS_STORED a full backup stores ($(python3 -c "print(f'{$INC_FS_UPLOADED / (${#DEST_DIRS[@]} * $FS_BYTES_INC):.3f}')") of the raw filestore bytes, per destination)"

# ---------------------------------------------------------------- 5c. verification
# verify_backup BACKUP_ID: POST /api/backups/{id}/verify, polled; 0 when it completed and every
# destination's copy is ok (docs/verification.md)
verify_backup() {
    local vid v st deadline
    vid="$(api POST "/api/backups/$1/verify" | jget "['id']")" || return 1
    deadline=$(( $(date +%s) + STEP_TIMEOUT ))
    while :; do
        v="$(api GET "/api/verifications/$vid")" || return 1
        st="$(printf '%s' "$v" | jget "['status']")"
        [[ "$st" != running ]] && break
        (( $(date +%s) < deadline )) || { log "verification $vid still running after ${STEP_TIMEOUT}s"; return 1; }
        sleep 0.5
    done
    VERDICTS="$(printf '%s' "$v" | jget "['destinations']")"
    log "verification $vid of $1: $st, $VERDICTS"
    [[ "$st" == completed ]] && printf '%s' "$v" | python3 -c "
import json, sys
d = json.load(sys.stdin)['destinations'] or {}
sys.exit(0 if len(d) == int(sys.argv[1]) and all(r['status'] == 'ok' for r in d.values()) else 1)" "${#DEST_DIRS[@]}"
}
VERIFIED=yes
for id in "$FIRST_BID" "$INC_BID"; do
    verify_backup "$id" || { VERIFIED=no; log "backup $id did not verify"; }
done
record_service_peaks

# ---------------------------------------------------------------- 6. pgBackRest
PGBR_S="-"
PGBR_BYTES=0
if (( DO_PGBACKREST )); then
    log "pgBackRest full backup (compress-type=zst level 3, process-max=1, local repo)"
    "${PSQL[@]}" -d postgres -c "ALTER SYSTEM SET archive_command = 'pgbackrest --config=$WORK/pgbackrest.conf --stanza=bench archive-push %p'" \
        -c "SELECT pg_reload_conf()" >/dev/null
    as_pg pgbackrest --config="$WORK/pgbackrest.conf" --stanza=bench stanza-create >"$WORK/logs/pgbackrest.log" 2>&1 \
        || die "pgbackrest stanza-create failed: $(tail -5 "$WORK/logs/pgbackrest.log")"
    T0="$(now)"
    timeout "$STEP_TIMEOUT" runuser -u postgres -- pgbackrest --config="$WORK/pgbackrest.conf" --stanza=bench \
        --type=full backup >>"$WORK/logs/pgbackrest.log" 2>&1 \
        || die "pgbackrest backup failed: $(tail -5 "$WORK/logs/pgbackrest.log")"
    PGBR_S="$(elapsed "$T0" "$(now)")"
    PGBR_BYTES="$(as_pg pgbackrest --config="$WORK/pgbackrest.conf" --stanza=bench --output=json info \
        | python3 -c "import json,sys; print(json.load(sys.stdin)[0]['backup'][-1]['info']['repository']['delta'])")"
    log "pgBackRest: ${PGBR_S}s, $((PGBR_BYTES / 1048576)) MiB in the repository (whole cluster, no filestore)"
fi

# ---------------------------------------------------------------- 7. record
BUSY=""
DEST_NOTE=""
[[ "$DESTS" == both ]] || DEST_NOTE="; **one destination only: $DESTS**"
DEST_NOTE+="; s3proxy over $S3_SCHEME"
[[ "$S3_SCHEME" == https ]] || DEST_NOTE+=" **(a running stack: per-chunk SigV4 signing on both sides)**"
python3 -c "import sys; sys.exit(0 if float('$LOAD_START') > 2 else 1)" && BUSY=" **busy machine (load ${LOAD_START} > 2)**"
if [[ ! -f "$RESULTS" ]]; then
    cat > "$RESULTS" <<'HEAD'
# Backup benchmark results

Rows appended by `bench/backup/run.sh` (see README.md). Times in seconds, sizes in MiB.
`oCore` = one full backup (database, filestore, config) to two destinations at once (local +
s3_compatible on loopback s3proxy; https since 2026-12-03 19:00, the notes say which), from the POST to the backup's `completedAt` (best of
`runs`; the service's own `startedAt -> completedAt` in brackets). `bare` = `pg_dump -Fc -Z0 |
zstd -3` then `tar -cf - filestore | zstd -3`, one destination, no encryption, sequential sum
(`hyperfine` mean of the same two pipelines in brackets). `ratio` = oCore / bare (target <= 1.10).
`pgBackRest` = a full physical backup of the same cluster (zst level 3, process-max 1, local repo;
no filestore). RSS = backup-service's resident set: idle before, peak sampled every 0.2 s during
the backups (JVM -Xmx256m, as `bin/stack` runs it).

| date (UTC) | nproc | load at start | size asked | db MiB | filestore MiB | oCore s | bare s | ratio | pgBackRest s | stored MiB oCore / bare / pgBackRest | RSS idle -> peak MiB | notes |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
HEAD
fi
printf '| %s | %s | %s | %s MB | %s | %s | %s (%s) | %s (%s) | %sx | %s | %s / %s / %s | %s -> %s | runs %s%s |\n' \
    "$(date -u +%Y-%m-%d\ %H:%M)" "$NPROC" "$LOAD_START" "$SIZE_MB" "$((DB_BYTES / 1048576))" "$((FS_BYTES / 1048576))" \
    "$OCORE_BEST" "$(IFS=,; echo "${SERVICE_TIMES[*]}")" "$BARE_S" "$HF_S" "$RATIO" "$PGBR_S" \
    "$((STORED_BYTES / 1048576))" "$((BARE_BYTES / 1048576))" "$((PGBR_BYTES / 1048576))" \
    "$((RSS_IDLE_KB / 1024))" "$((RSS_PEAK_KB / 1024))" "$(IFS=,; echo "${OCORE_TIMES[*]}"), warm-up $WARMUP$DEST_NOTE; +1% attachments: backup $INC_S s / bare $INC_BARE_S s = ${INC_RATIO}x, filestore upload fraction $INC_FRACTION; verified $VERIFIED" "$BUSY" >> "$RESULTS"
log "appended to $RESULTS:"
tail -n1 "$RESULTS" >&2

PEAK_KIB=0
PEAK_LINE=""
for s in "${!SVC_PEAK_KIB[@]}"; do
    PEAK_LINE+="$s $(memory_kib_to_mib "${SVC_PEAK_KIB[$s]}") "
    if (( SVC_PEAK_KIB[$s] > PEAK_KIB )); then PEAK_KIB=${SVC_PEAK_KIB[$s]}; fi
done
(( PEAK_KIB > 0 )) || die "no oCore service's VmHWM could be read from $STATE/run/*.pid"
log "peak resident set (VmHWM) by service, MiB: $PEAK_LINE"
RESULT_LINE="RESULT backup size_mb=$SIZE_MB ratio=$RATIO rss_peak_mib=$(memory_kib_to_mib "$PEAK_KIB") incremental_ratio=$INC_RATIO incremental_upload_fraction=$INC_FRACTION verified=$VERIFIED"
