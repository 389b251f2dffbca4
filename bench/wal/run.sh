#!/usr/bin/env bash
# WAL archiving benchmark: on one throwaway PostgreSQL 15 cluster, a backlog of N WAL segments
# (archive_command failing while the WAL is written) drained by each archiver in turn, timed from
# the switch of archive_command until every .ready is .done:
#   ocore-wal -> wal-archiver -> a local destination
#   ocore-wal -> wal-archiver -> s3_compatible on a loopback s3proxy
#   pgBackRest archive-push, sync, local repo, zst
#   pgBackRest archive-push, async (process-max 2), local repo, zst
# then the RPO under pgbench load with archive_timeout = 60 s: for a probe commit every second,
# from the commit to its segment being durable (wal_file.archived_at); p50 and p99.
# Appends a row to bench/wal/RESULTS.md and ends with one line:
#   RESULT wal seg_per_s=X pgbackrest_seg_per_s=Y ratio=X rpo_p99_s=N
# (X: ocore-wal to the local destination, Y: pgBackRest async). Loopback only; every step bounded.
#
#   bench/wal/run.sh [--segments N] [--parallel N] [--rpo-seconds S] [--keep] [--no-pgbackrest] [--no-s3]
#
# See bench/wal/README.md.
set -euo pipefail

SEGMENTS=200
PARALLEL=4
RPO_SECONDS=300
KEEP=0
DO_PGBACKREST=1
DO_S3=1
PG_PORT=15498
S3_PORT=18091
STEP_TIMEOUT="${BENCH_STEP_TIMEOUT:-1800}"

usage() {
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

while (( $# )); do
    case "$1" in
        --segments) SEGMENTS="$2"; shift 2 ;;
        --parallel) PARALLEL="$2"; shift 2 ;;
        --rpo-seconds) RPO_SECONDS="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        --no-pgbackrest) DO_PGBACKREST=0; shift ;;
        --no-s3) DO_S3=0; shift ;;
        -h|--help) usage 0 ;;
        *) echo "unknown argument $1" >&2; usage 2 ;;
    esac
done
[[ "$SEGMENTS" =~ ^[0-9]+$ && "$SEGMENTS" -ge 4 ]] || { echo "--segments must be >= 4" >&2; exit 2; }
[[ "$PARALLEL" =~ ^[0-9]+$ && "$PARALLEL" -ge 1 ]] || { echo "--parallel must be >= 1" >&2; exit 2; }
[[ "$RPO_SECONDS" =~ ^[0-9]+$ ]] || { echo "--rpo-seconds must be a number (0: no RPO phase)" >&2; exit 2; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH="$ROOT/bench/wal"
STATE="${OCORE_STATE_DIR:-$ROOT/.state}"
RESULTS="$BENCH/RESULTS.md"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
# postgres (the server's user) must traverse every parent of the cluster: /var/tmp, not /root.
WORK="/var/tmp/ocore-bench-wal-$STAMP"
LOCAL_DEST_DIR="$STATE/backups/bench-wal-$STAMP"
PG_BIN="${OCORE_PG_BIN:-/usr/lib/postgresql/15/bin}"
S3_BUCKET=benchwal
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
[[ "$(id -u)" == 0 ]] || die "run as root (the cluster runs as postgres through runuser)"
for tool in curl jq python3 "$PG_BIN/initdb" "$PG_BIN/pgbench"; do
    command -v "$tool" >/dev/null || [[ -x "$tool" ]] || die "missing $tool (apt-get install -y curl jq python3 postgresql-15)"
done
if (( DO_PGBACKREST )) && ! command -v pgbackrest >/dev/null; then
    log "pgbackrest is not installed: apt-get install -y pgbackrest"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q pgbackrest >/dev/null 2>&1 || die "cannot install pgbackrest (or --no-pgbackrest)"
fi
for port in $PG_PORT $S3_PORT; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        die "port $port is taken (another bench running?)"
    fi
done
LOAD_START="$(cut -d' ' -f1 /proc/loadavg)"
log "segments $SEGMENTS, ocore-wal --parallel $PARALLEL, RPO phase ${RPO_SECONDS}s, nproc $(nproc), load $LOAD_START, work $WORK"
mkdir -p "$WORK"/{s3,logs,filestore/bench,config,pgbackrest,spool}
chmod 755 "$WORK"
printf '[options]\ndb_name = bench\n' > "$WORK/config/odoo.conf"
S3PROXY_PID=""
PGBENCH_PID=""
STACK_STARTED=0
RESULT_LINE=""
cleanup() {
    local rc=$?
    set +e
    [[ -n "$PGBENCH_PID" ]] && kill "$PGBENCH_PID" 2>/dev/null
    [[ -n "$S3PROXY_PID" ]] && kill "$S3PROXY_PID" 2>/dev/null && wait "$S3PROXY_PID" 2>/dev/null
    if [[ -f "$WORK/pg/PG_VERSION" ]]; then
        as_pg "$PG_BIN/pg_ctl" stop -D "$WORK/pg" -m immediate -w >/dev/null 2>&1
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
    (( rc == 0 )) && [[ -n "$RESULT_LINE" ]] && printf '%s\n' "$RESULT_LINE"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- 1. the cluster
log "initdb + start PostgreSQL on 127.0.0.1:$PG_PORT"
mkdir -p "$WORK/pg" "$WORK/sock"
chown postgres: "$WORK/pg" "$WORK/sock" "$WORK/pgbackrest" "$WORK/spool"
chmod 700 "$WORK/pg"
touch "$WORK/logs/pg.log"
chown postgres: "$WORK/logs/pg.log"
as_pg "$PG_BIN/initdb" -D "$WORK/pg" -U postgres --no-locale -E UTF8 --auth-local=trust --auth-host=trust \
    >"$WORK/logs/initdb.log" 2>&1 || die "initdb failed: $(tail -5 "$WORK/logs/initdb.log")"
# the archiving settings live in an included file rewritten by set_archive_command
as_pg tee -a "$WORK/pg/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$WORK/sock'
shared_buffers = 128MB
wal_level = replica
archive_mode = on
max_wal_size = 8GB
fsync = on
include_if_exists = 'bench-archive.conf'
CONF
PSQL=("$PG_BIN/psql" -h "$WORK/sock" -p "$PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt)
# set_archive_command CMD [ARCHIVE_TIMEOUT]: rewrites the archiving settings and reloads
set_archive_command() {
    printf "archive_command = '%s'\narchive_timeout = %s\n" "${1//\'/\'\'}" "${2:-0}" \
        | as_pg tee "$WORK/pg/bench-archive.conf" >/dev/null
    if [[ -f "$WORK/pg/postmaster.pid" ]]; then
        "${PSQL[@]}" -c "select pg_reload_conf()" >/dev/null
    fi
}
set_archive_command /bin/false
as_pg "$PG_BIN/pg_ctl" start -D "$WORK/pg" -l "$WORK/logs/pg.log" -w -t 60 >/dev/null \
    || die "PostgreSQL did not start: $(tail -5 "$WORK/logs/pg.log")"
"${PSQL[@]}" -c "create table fill (id bigint, pad text)" >/dev/null
ready_count() { find "$WORK/pg/pg_wal/archive_status" -name '*.ready' | wc -l; }

# backlog N: with archive_command failing, writes WAL until N segments wait (.ready)
backlog() {
    local want="$1" before
    set_archive_command /bin/false
    before="$(ready_count)"
    (( before == 0 )) || die "$before segments still wait before a backlog"
    while (( $(ready_count) < want )); do
        # about 16 MiB of WAL per round, then a switch: each round is one segment or two
        "${PSQL[@]}" -c "insert into fill select g, md5(g::text) || repeat('x', 100) from generate_series(1, 90000) g" \
            -c "select pg_switch_wal()" >/dev/null
    done
    # the last rounds may have made more: the drain is timed for what waits
    BACKLOG="$(ready_count)"
    "${PSQL[@]}" -c "truncate fill" -c "checkpoint" >/dev/null
}

# drain NAME CMD: switches archive_command to CMD and times until no segment waits; sets DRAIN_S, SEG_PER_S
drain() {
    local name="$1" cmd="$2" t0 t1 deadline
    backlog "$SEGMENTS"
    log "$name: draining $BACKLOG segments"
    t0="$(now)"
    set_archive_command "$cmd"
    deadline=$(( $(date +%s) + STEP_TIMEOUT ))
    while (( $(ready_count) > 0 )); do
        (( $(date +%s) < deadline )) || die "$name: $(ready_count) segments still wait after ${STEP_TIMEOUT}s (log $WORK/logs/pg.log)"
        sleep 0.2
    done
    t1="$(now)"
    DRAIN_S="$(elapsed "$t0" "$t1")"
    SEG_PER_S="$(python3 -c "print(f'{$BACKLOG / max($DRAIN_S, 0.01):.1f}')")"
    log "$name: $BACKLOG segments in ${DRAIN_S}s = $SEG_PER_S segments/s"
    set_archive_command /bin/false
}

# ---------------------------------------------------------------- 2. stack + s3proxy
export OCORE_DESTINATIONS_LOCAL_ROOTS="$STATE/backups"
export OCORE_DESTINATIONS_ALLOW_PRIVATE_ENDPOINTS=true
# shellcheck source=bench/lib/api.sh
source "$ROOT/bench/lib/api.sh"
bench_environment_policy
if [[ -f "$STATE/run/wal-archiver.pid" ]] && kill -0 "$(<"$STATE/run/wal-archiver.pid")" 2>/dev/null \
    && [[ "$(curl -s -o /dev/null -w '%{http_code}' "$GATEWAY/health" || true)" != 000 ]]; then
    log "using the running local stack (it must allow environments on 127.0.0.1:$PG_PORT under $WORK)"
else
    log "bin/stack up --no-build"
    STACK_STARTED=1
    timeout 600 "$ROOT/bin/stack" up --no-build >"$WORK/logs/stack-up.log" 2>&1 \
        || log "bin/stack up reported problems (log $WORK/logs/stack-up.log); going on"
fi
for s in gateway wal-archiver destination scheduler; do
    pidf="$STATE/run/$s.pid"
    if ! { [[ -f "$pidf" ]] && kill -0 "$(<"$pidf")" 2>/dev/null; }; then
        die "$s is not running (see $WORK/logs/stack-up.log)"
    fi
done
if (( DO_S3 )); then
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
    "$JAVA" -Xmx256m -Dlogback.configurationFile="$ROOT/bench/backup/s3proxy/logback.xml" -cp "$S3LIB/*" \
        org.gaul.s3proxy.Main --properties "$WORK/s3proxy.conf" >"$WORK/logs/s3proxy.log" 2>&1 &
    S3PROXY_PID=$!
    for _ in $(seq 1 120); do
        (exec 3<>"/dev/tcp/127.0.0.1/$S3_PORT") 2>/dev/null && break
        kill -0 "$S3PROXY_PID" 2>/dev/null || die "s3proxy exited: $(tail -5 "$WORK/logs/s3proxy.log")"
        sleep 0.5
    done
fi

# ---------------------------------------------------------------- 3. environments with WAL on
bench_login
mkdir -p "$LOCAL_DEST_DIR"
LOCAL_ID="$(api POST /api/backup-destinations "{\"name\":\"bench wal local\",\"destinationType\":\"local\",\"config\":{\"path\":\"$LOCAL_DEST_DIR\"}}" | jq -r .id)" \
    || die "local destination registration failed"
if (( DO_S3 )); then
    S3_DEST_ID="$(api POST /api/backup-destinations "{\"name\":\"bench wal s3proxy\",\"destinationType\":\"s3_compatible\",\"config\":{\"bucket\":\"$S3_BUCKET\",\"region\":\"us-east-1\",\"endpoint\":\"http://127.0.0.1:$S3_PORT\",\"accessKeyId\":\"$S3_ID\",\"secretAccessKey\":\"$S3_SECRET\",\"pathPrefix\":\"ocore\"}}" | jq -r .id)" \
        || die "s3_compatible destination registration failed"
fi
# wal_environment NAME DEST_ID: an environment of this cluster whose schedule archives WAL to
# DEST_ID; sets ENV_ID and ARCHIVE_CMD (wal-config's command, the token file written as it says)
wal_environment() {
    local name="$1" dest="$2" config token_file
    ENV_ID="$(TOKEN="$PLATFORM_TOKEN" api POST /api/environments "{\"name\":\"$name\",\"projectId\":\"$PROJECT\",\"environmentType\":\"staging\",\"database\":{\"host\":\"127.0.0.1\",\"port\":$PG_PORT,\"name\":\"postgres\",\"user\":\"postgres\",\"password\":\"x\"},\"filestorePath\":\"$WORK/filestore/bench\",\"configPath\":\"$WORK/config/odoo.conf\"}" | jq -r .id)" \
        || die "environment registration failed"
    api PUT "/api/environments/$ENV_ID/backup-schedule" "{\"enabled\":false,\"dbFrequency\":\"daily\",\"fullFrequency\":\"weekly\",\"retainHourly\":0,\"retainDaily\":7,\"retainWeekly\":2,\"retainMonthly\":0,\"walEnabled\":true,\"walRetentionDays\":7,\"destinationIds\":[\"$dest\"]}" >/dev/null \
        || die "schedule with walEnabled refused"
    for _ in $(seq 1 60); do
        config="$(api GET "/api/environments/$ENV_ID/wal-config" 2>/dev/null)" && break
        config=""
        sleep 1
    done
    [[ -n "$config" ]] || die "GET wal-config of $ENV_ID never answered 200"
    token_file="$WORK/spool/$ENV_ID.wal-token"
    (umask 077; jq -j .walToken <<< "$config" > "$token_file")
    chown postgres: "$token_file"
    # the command wal-config gives, with the token file of this run and the client's parallelism
    ARCHIVE_CMD="$(jq -r .archiveCommand <<< "$config" | sed "s#--token-file [^ ]*#--token-file $token_file --parallel $PARALLEL#")"
}

# ---------------------------------------------------------------- 4. the drains
wal_environment "bench-wal-local" "$LOCAL_ID"
ENV_LOCAL="$ENV_ID"
CMD_LOCAL="$ARCHIVE_CMD"
log "environment $ENV_LOCAL archives to the local destination: ${CMD_LOCAL%% --token-file*}"
drain "ocore-wal local" "$CMD_LOCAL"
OCORE_LOCAL="$SEG_PER_S"; OCORE_LOCAL_N="$BACKLOG"

OCORE_S3="-"
if (( DO_S3 )); then
    wal_environment "bench-wal-s3" "$S3_DEST_ID"
    drain "ocore-wal s3proxy" "$ARCHIVE_CMD"
    OCORE_S3="$SEG_PER_S"
fi

PGBR_SYNC="-"; PGBR_ASYNC="-"; PGBR_VERSION="-"
if (( DO_PGBACKREST )); then
    PGBR_VERSION="$(pgbackrest version | awk '{print $2}')"
    cat > "$WORK/pgbackrest.conf" <<CONF
[global]
repo1-path=$WORK/pgbackrest
compress-type=zst
compress-level=3
log-level-console=warn
log-level-file=off
lock-path=$WORK/pgbackrest
spool-path=$WORK/spool/pgbackrest
[bench]
pg1-path=$WORK/pg
pg1-port=$PG_PORT
pg1-socket-path=$WORK/sock
CONF
    mkdir -p "$WORK/spool/pgbackrest"
    chown postgres: "$WORK/pgbackrest.conf" "$WORK/spool/pgbackrest"
    as_pg pgbackrest --config="$WORK/pgbackrest.conf" --stanza=bench stanza-create >"$WORK/logs/pgbackrest.log" 2>&1 \
        || die "pgbackrest stanza-create failed: $(tail -5 "$WORK/logs/pgbackrest.log")"
    drain "pgBackRest sync" "pgbackrest --config=$WORK/pgbackrest.conf --stanza=bench archive-push %p"
    PGBR_SYNC="$SEG_PER_S"
    drain "pgBackRest async (process-max 2)" \
        "pgbackrest --config=$WORK/pgbackrest.conf --stanza=bench --archive-async --process-max=2 archive-push %p"
    PGBR_ASYNC="$SEG_PER_S"
fi

# ---------------------------------------------------------------- 5. RPO under pgbench load
RPO_P50="-"; RPO_P99="-"; RPO_N=0
if (( RPO_SECONDS > 0 )); then
    log "RPO: pgbench load for ${RPO_SECONDS}s, archive_timeout = 60s, a probe commit every second"
    set_archive_command "$CMD_LOCAL" 60
    "$PG_BIN/pgbench" -h "$WORK/sock" -p "$PG_PORT" -U postgres -i -s 5 -q postgres >"$WORK/logs/pgbench-init.log" 2>&1 \
        || die "pgbench -i failed: $(tail -3 "$WORK/logs/pgbench-init.log")"
    "${PSQL[@]}" -c "create table rpo_probe (at timestamptz)" >/dev/null
    # let the initialisation's WAL drain first: the probes measure steady load
    for _ in $(seq 1 600); do (( $(ready_count) == 0 )) && break; sleep 0.5; done
    "$PG_BIN/pgbench" -h "$WORK/sock" -p "$PG_PORT" -U postgres -c 2 -j 1 -R 20 -T "$RPO_SECONDS" postgres \
        >"$WORK/logs/pgbench.log" 2>&1 &
    PGBENCH_PID=$!
    # one psql session: insert (its time, before the commit), then the segment holding the commit
    for (( i = 0; i < RPO_SECONDS; i++ )); do
        printf "insert into rpo_probe values (clock_timestamp()) returning extract(epoch from at);\n"
        printf "select pg_walfile_name(pg_current_wal_insert_lsn());\n"
        sleep 1
    done | "${PSQL[@]}" > "$WORK/rpo-probes.txt"
    wait "$PGBENCH_PID" || true
    PGBENCH_PID=""
    last_seg="$(tail -n1 "$WORK/rpo-probes.txt")"
    # the last probes' segment is closed by archive_timeout at the latest
    archived_at() {
        PGPASSWORD=ocore "$PG_BIN/psql" -h 127.0.0.1 -p 15432 -U ocore -d ocore_wal -qAt -c \
            "select file_name, extract(epoch from archived_at) from wal_file where environment_id = '$ENV_LOCAL'"
    }
    for _ in $(seq 1 180); do
        archived_at | grep -q "^$last_seg|" && break
        sleep 1
    done
    archived_at > "$WORK/rpo-archived.txt"
    read -r RPO_N RPO_P50 RPO_P99 < <(python3 - "$WORK/rpo-probes.txt" "$WORK/rpo-archived.txt" <<'PY'
import sys
lines = [l.strip() for l in open(sys.argv[1]) if l.strip()]
probes = [(float(lines[i]), lines[i + 1]) for i in range(0, len(lines) - 1, 2)]
archived = {}
for l in open(sys.argv[2]):
    if "|" in l:
        name, at = l.strip().split("|")
        archived[name] = float(at)
rpo = sorted(archived[s] - t for t, s in probes if s in archived)
missing = sum(1 for t, s in probes if s not in archived)
if not rpo:
    print(0, "-", "-")
else:
    pct = lambda p: rpo[min(len(rpo) - 1, int(round(p * (len(rpo) - 1))))]
    print(len(rpo), f"{pct(0.5):.1f}", f"{pct(0.99):.1f}" if missing == 0 else "inf")
PY
)
    log "RPO over $RPO_N probes: p50 ${RPO_P50}s, p99 ${RPO_P99}s"
fi

# ---------------------------------------------------------------- 6. results
RATIO="-"
[[ "$PGBR_ASYNC" != "-" ]] && RATIO="$(python3 -c "print(f'{$OCORE_LOCAL / max($PGBR_ASYNC, 0.01):.2f}')")"
LOAD_END="$(cut -d' ' -f1 /proc/loadavg)"
COMMIT="$(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '-')"
if [[ ! -f "$RESULTS" ]]; then
    cat > "$RESULTS" <<'HEAD'
# WAL archiving benchmark results

Appended by `bench/wal/run.sh` (README.md beside it). Segments/s: a backlog of that many 16 MiB
segments drained from the switch of archive_command until none is `.ready`. RPO: a probe commit
every second under pgbench load (20 tps) with archive_timeout = 60 s, to its segment's
`wal_file.archived_at`.

| date (UTC) | commit | segments | ocore-wal local seg/s | ocore-wal s3proxy seg/s | pgBackRest sync seg/s | pgBackRest async seg/s | ratio | RPO p50 s | RPO p99 s (probes) | --parallel | load start/end | pgBackRest |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
HEAD
fi
printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s (%s) | %s | %s/%s | %s |\n' \
    "$STAMP" "$COMMIT" "$OCORE_LOCAL_N" "$OCORE_LOCAL" "$OCORE_S3" "$PGBR_SYNC" "$PGBR_ASYNC" "$RATIO" \
    "$RPO_P50" "$RPO_P99" "$RPO_N" "$PARALLEL" "$LOAD_START" "$LOAD_END" "$PGBR_VERSION" >> "$RESULTS"
log "appended to $RESULTS"
RESULT_LINE="RESULT wal seg_per_s=$OCORE_LOCAL pgbackrest_seg_per_s=$PGBR_ASYNC ratio=$RATIO rpo_p99_s=$RPO_P99"
