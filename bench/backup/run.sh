#!/usr/bin/env bash
# Backup benchmark: one full oCore backup to two destinations (local + s3_compatible on a
# loopback s3proxy) against the bare tools doing the same work (pg_dump | zstd, tar | zstd)
# and pgBackRest, on a generated Odoo-shaped environment in its own throwaway PostgreSQL
# cluster. Appends a dated row to bench/backup/RESULTS.md. Loopback only; every step bounded.
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
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
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
STATE="$ROOT/.state"
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
SAMPLER_PID=""
STACK_STARTED=0
BACKUP_IDS=()


cleanup() {
    local rc=$?
    set +e
    [[ -n "$SAMPLER_PID" ]] && kill "$SAMPLER_PID" 2>/dev/null
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
if [[ -f "$STATE/run/backup.pid" ]] && kill -0 "$(<"$STATE/run/backup.pid")" 2>/dev/null \
    && [[ "$(curl -s -o /dev/null -w '%{http_code}' "$GATEWAY/health" || true)" == 200 ]]; then
    log "using the running local stack (its backup-service must allow $STATE/backups, loopback S3, and environments on 127.0.0.1:$PG_PORT under $WORK)"
else
    log "bin/stack up --no-build"
    STACK_STARTED=1
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

log "starting s3proxy on 127.0.0.1:$S3_PORT (filesystem-nio2 in $WORK/s3)"
S3LIB="$STATE/bench/s3proxy-lib"
if [[ ! -f "$S3LIB/s3proxy-2.6.0.jar" ]]; then
    mkdir -p "$S3LIB"
    (cd "$ROOT" && timeout 900 ./mvnw -q -B -f bench/backup/s3proxy/pom.xml dependency:copy-dependencies \
        -DoutputDirectory="$S3LIB" -DincludeScope=runtime) >"$WORK/logs/s3proxy-build.log" 2>&1 \
        || die "cannot resolve s3proxy (log $WORK/logs/s3proxy-build.log)"
fi
mkdir -p "$WORK/s3/$S3_BUCKET"
cat > "$WORK/s3proxy.conf" <<CONF
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
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
LOCAL_ID="$(api POST /api/backup-destinations "{\"name\":\"bench local\",\"destinationType\":\"local\",\"config\":{\"path\":\"$LOCAL_DEST_DIR\"}}" | jget "['id']")" \
    || die "local destination registration failed"
S3_DEST_ID="$(api POST /api/backup-destinations "{\"name\":\"bench s3proxy\",\"destinationType\":\"s3_compatible\",\"config\":{\"bucket\":\"$S3_BUCKET\",\"region\":\"us-east-1\",\"endpoint\":\"http://127.0.0.1:$S3_PORT\",\"accessKeyId\":\"$S3_ID\",\"secretAccessKey\":\"$S3_SECRET\",\"pathPrefix\":\"ocore\"}}" | jget "['id']")" \
    || die "s3_compatible destination registration failed"
log "environment $ENV_ID, destinations local $LOCAL_ID, s3 $S3_DEST_ID"

# ---------------------------------------------------------------- 4. bare tools
export PGPASSWORD=odoo
PGDUMP="$PG_BIN/pg_dump -Fc -Z0 -h 127.0.0.1 -p $PG_PORT -U odoo $DB"
BARE_DB_CMD="$PGDUMP | zstd -3 -q -f -o $WORK/bare/db.dump.zst"
BARE_FS_CMD="tar -C $WORK/filestore -cf - $DB | zstd -3 -q -f -o $WORK/bare/fs.tar.zst"
log "bare tools, sequential: pg_dump -Fc -Z0 | zstd -3, then tar | zstd -3"
T0="$(now)"; timeout "$STEP_TIMEOUT" bash -o pipefail -c "$BARE_DB_CMD" || die "bare pg_dump failed"; T1="$(now)"
timeout "$STEP_TIMEOUT" bash -o pipefail -c "$BARE_FS_CMD" || die "bare tar failed"; T2="$(now)"
BARE_DB_S="$(elapsed "$T0" "$T1")"; BARE_FS_S="$(elapsed "$T1" "$T2")"
BARE_S="$(elapsed "$T0" "$T2")"
BARE_BYTES=$(( $(stat -c %s "$WORK/bare/db.dump.zst") + $(stat -c %s "$WORK/bare/fs.tar.zst") ))
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
# VmHWM is the peak since the JVM started (startup included); the sampler's max VmRSS is the
# peak during the backups only.
(
    peak=0
    while kill -0 "$BACKUP_PID" 2>/dev/null; do
        r="$(awk '$1 == "VmRSS:" {print $2}' "/proc/$BACKUP_PID/status" 2>/dev/null || echo 0)"
        (( r > peak )) && { peak=$r; echo "$peak" > "$WORK/rss-peak"; }
        sleep 0.2
    done
) &
SAMPLER_PID=$!

OCORE_TIMES=()
SERVICE_TIMES=()
STORED_BYTES=0
for run in $(seq $(( 1 - WARMUP )) "$RUNS"); do
    if (( run < 1 )); then
        log "oCore full backup to destinations: $DESTS (warm-up, not timed: JIT of a fresh JVM)"
    else
        log "oCore full backup to destinations: $DESTS (run $run/$RUNS)"
    fi
    T0="$(now)"
    case "$DESTS" in
        both) DEST_JSON="\"$LOCAL_ID\",\"$S3_DEST_ID\"" ;;
        local) DEST_JSON="\"$LOCAL_ID\"" ;;
        s3) DEST_JSON="\"$S3_DEST_ID\"" ;;
    esac
    BODY="$(api POST "/api/environments/$ENV_ID/backups" "{\"backupType\":\"full\",\"destinationIds\":[$DEST_JSON]}")" \
        || die "backup request failed"
    BID="$(printf '%s' "$BODY" | jget "['id']")"
    BACKUP_IDS+=("$BID")
    deadline=$(( $(date +%s) + STEP_TIMEOUT ))
    LAST_PHASE=""
    PHASES=""
    while :; do
        B="$(api GET "/api/backups/$BID")" || die "GET /api/backups/$BID failed"
        ST="$(printf '%s' "$B" | jget "['status']")"
        PH="$(printf '%s' "$B" | jget ".get('progress') and d['progress'].get('phase')")"
        if [[ "$PH" != "$LAST_PHASE" && "$PH" != None && "$PH" != False ]]; then
            PHASES+="${PH}@$(elapsed "$T0" "$(now)")s "
            LAST_PHASE="$PH"
        fi
        [[ "$ST" == completed || "$ST" == failed ]] && break
        (( $(date +%s) < deadline )) || die "backup $BID still $ST after ${STEP_TIMEOUT}s"
        sleep 0.25
    done
    T1="$(now)"
    [[ "$ST" == completed ]] || die "backup $BID failed: $(printf '%s' "$B" | jget "['error']") $(printf '%s' "$B" | jget "['failedDestinations']")"
    FAILED="$(printf '%s' "$B" | jget "['failedDestinations']")"
    [[ "$FAILED" == "[]" ]] || die "backup $BID completed without every destination: $FAILED"
    WALL="$(elapsed "$T0" "$T1")"
    SVC="$(printf '%s' "$B" | python3 -c "
import json,sys
from datetime import datetime
d=json.load(sys.stdin)
p=lambda s: datetime.fromisoformat(s.replace('Z','+00:00'))
print(f\"{(p(d['completedAt'])-p(d['startedAt'])).total_seconds():.2f}\")")"
    STORED_BYTES="$(printf '%s' "$B" | jget "['sizeBytes']")"
    if (( run >= 1 )); then
        OCORE_TIMES+=("$WALL")
        SERVICE_TIMES+=("$SVC")
    fi
    log "phases (first seen, since the request): ${PHASES}completed@${WALL}s"
    log "backup $BID completed: ${WALL}s wall (request to completed; startedAt->completedAt ${SVC}s), $((STORED_BYTES / 1048576)) MiB per copy"
done
kill "$SAMPLER_PID" 2>/dev/null; wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""
RSS_PEAK_KB="$(cat "$WORK/rss-peak" 2>/dev/null || echo 0)"
HWM_AFTER_KB="$(rss_kb VmHWM)"
OCORE_BEST="$(printf '%s\n' "${OCORE_TIMES[@]}" | sort -g | head -n1)"
RATIO="$(python3 -c "print(f'{$OCORE_BEST / $BARE_S:.2f}')")"
log "RSS idle $((RSS_IDLE_KB / 1024)) MiB, peak during backups $((RSS_PEAK_KB / 1024)) MiB, VmHWM $((HWM_BEFORE_KB / 1024)) -> $((HWM_AFTER_KB / 1024)) MiB; ratio vs bare sequential ${RATIO}x"

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
python3 -c "import sys; sys.exit(0 if float('$LOAD_START') > 2 else 1)" && BUSY=" **busy machine (load ${LOAD_START} > 2)**"
if [[ ! -f "$RESULTS" ]]; then
    cat > "$RESULTS" <<'HEAD'
# Backup benchmark results

Rows appended by `bench/backup/run.sh` (see README.md). Times in seconds, sizes in MiB.
`oCore` = one full backup (database, filestore, config) to two destinations at once (local +
s3_compatible on loopback s3proxy), from the POST to `completed` as a client sees it (best of
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
    "$((RSS_IDLE_KB / 1024))" "$((RSS_PEAK_KB / 1024))" "$(IFS=,; echo "${OCORE_TIMES[*]}"), warm-up $WARMUP$DEST_NOTE" "$BUSY" >> "$RESULTS"
log "appended to $RESULTS:"
tail -n1 "$RESULTS" >&2
