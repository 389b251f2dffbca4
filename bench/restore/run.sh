#!/usr/bin/env bash
# Restore benchmark: the restore of a full oCore backup (local destination) of a generated
# Odoo-shaped environment into a NEW environment, through the gateway, timed as a client sees it
# (the RTO) and step by step (the service's operation log), against the bare tools doing the same
# work from local files (zstd -d | pg_restore, zstd -d | tar -x). Checks every restored copy
# (row counts and a checksum of every table, sha256 of every filestore file), appends a dated row
# to bench/restore/RESULTS.md and ends with one line:
#   RESULT restore size_mb=N ratio=X verified=yes|no
# Loopback only; every step bounded. Hold /tmp/ocore-stack.lock around it on shared machines.
#
#   bench/restore/run.sh [--size-mb N] [--runs N] [--warmup N] [--neutralize]
#                        [--parallel-reference] [--autovacuum] [--keep]
#
# See bench/restore/README.md.
set -euo pipefail

SIZE_MB=100
RUNS=1
WARMUP=1
NEUTRALIZE=false
PAR_REF=0
AUTOVACUUM=off
NAPTIME=1min
KEEP=0
PG_PORT=15498
STEP_TIMEOUT="${BENCH_STEP_TIMEOUT:-1800}"
POLL=0.25

usage() {
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    exit "${1:-0}"
}

while (( $# )); do
    case "$1" in
        --size-mb) SIZE_MB="$2"; shift 2 ;;
        --size-mb=*) SIZE_MB="${1#*=}"; shift ;;
        --runs) RUNS="$2"; shift 2 ;;
        --warmup) WARMUP="$2"; shift 2 ;;
        --neutralize) NEUTRALIZE=true; shift ;;
        --parallel-reference) PAR_REF=1; shift ;;
        --autovacuum) AUTOVACUUM=on; NAPTIME=1s; shift ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage 0 ;;
        *) echo "unknown argument $1" >&2; usage 2 ;;
    esac
done
[[ "$SIZE_MB" =~ ^[0-9]+$ && "$SIZE_MB" -ge 1 ]] || { echo "--size-mb must be a positive integer" >&2; exit 2; }
[[ "$RUNS" =~ ^[0-9]+$ && "$RUNS" -ge 1 ]] || { echo "--runs must be a positive integer" >&2; exit 2; }
[[ "$WARMUP" =~ ^[0-9]+$ ]] || { echo "--warmup must be a number" >&2; exit 2; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH="$ROOT/bench/restore"
STATE="${OCORE_STATE_DIR:-$ROOT/.state}"
RESULTS="$BENCH/RESULTS.md"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
# postgres (the server's user) must traverse every parent of the cluster: /var/tmp, not /root.
WORK="/var/tmp/ocore-bench-restore-$STAMP"
# local destinations must live under .state/backups (OCORE_DESTINATIONS_LOCAL_ROOTS)
LOCAL_DEST_DIR="$STATE/backups/bench-restore-$STAMP"
PG_BIN="${OCORE_PG_BIN:-/usr/lib/postgresql/15/bin}"
DB=odoo_bench
ORG="$(cat /proc/sys/kernel/random/uuid)"
PROJECT="$(cat /proc/sys/kernel/random/uuid)"
GATEWAY="http://127.0.0.1:8080"
# tables whose row counts must be equal in the source and every restored copy
CHECK_TABLES=(res_partner res_users product_product sale_order account_move account_move_line mail_message ir_attachment)

# shellcheck source=bench/lib/common.sh
source "$ROOT/bench/lib/common.sh"

JAVA_HOME="$(pick_java)" || die "no JDK >= 21 found"
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"

for tool in curl zstd tar "$PG_BIN/pg_dump" "$PG_BIN/pg_restore" "$PG_BIN/initdb" python3; do
    command -v "$tool" >/dev/null || [[ -x "$tool" ]] || die "missing $tool (apt-get install -y zstd curl postgresql-15 python3)"
done
if (exec 3<>"/dev/tcp/127.0.0.1/$PG_PORT") 2>/dev/null; then
    die "port $PG_PORT is taken (another bench running?)"
fi

NPROC="$(nproc)"
LOAD_START="$(cut -d' ' -f1 /proc/loadavg)"
log "size ${SIZE_MB} MB, runs $RUNS, warm-up $WARMUP, neutralize $NEUTRALIZE, autovacuum $AUTOVACUUM, nproc $NPROC, load average at start $LOAD_START, work dir $WORK"

mkdir -p "$WORK"/{bare,logs,restored}
chmod 755 "$WORK"
STACK_STARTED=0
BACKUP_ID=""
RESULT_LINE=""


cleanup() {
    local rc=$?
    set +e
    if [[ -n "${TOKEN:-}" && -n "$BACKUP_ID" ]]; then
        curl -s -o /dev/null --max-time 60 -X DELETE -H "Authorization: Bearer $TOKEN" "$GATEWAY/api/backups/$BACKUP_ID"
    fi
    if [[ -f "$WORK/pg/PG_VERSION" ]]; then
        timeout 180 runuser -u postgres -- "$PG_BIN/pg_ctl" stop -D "$WORK/pg" -m fast -w -t 120 >/dev/null 2>&1
    fi
    if (( STACK_STARTED )); then
        log "stopping the stack this run started"
        timeout 300 "$ROOT/bin/stack" down >/dev/null 2>&1
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
mkdir -p "$WORK/pg" "$WORK/sock"
chown postgres: "$WORK/pg" "$WORK/sock"
chmod 700 "$WORK/pg"
touch "$WORK/logs/pg.log"
chown postgres: "$WORK/logs/pg.log"
timeout 300 runuser -u postgres -- "$PG_BIN/initdb" -D "$WORK/pg" -U postgres --no-locale -E UTF8 --auth-local=trust --auth-host=trust \
    >"$WORK/logs/initdb.log" 2>&1 || die "initdb failed: $(tail -5 "$WORK/logs/initdb.log")"
# The same server settings as bench/backup (wal_level replica, as a server with PITR would run),
# without archiving: nothing here needs the WAL. Autovacuum is off unless --autovacuum (then with
# a 1 s naptime, so that it visits each new database at once, as on a server with many
# databases): an autovacuum worker busy in the freshly restored database when the swap renames
# it makes the restore fail for a non-superuser environment user (see README.md, "Findings").
as_pg tee -a "$WORK/pg/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$WORK/sock'
shared_buffers = 128MB
wal_level = replica
max_wal_size = 1GB
fsync = on
autovacuum = $AUTOVACUUM
autovacuum_naptime = $NAPTIME
log_autovacuum_min_duration = 0
log_line_prefix = '%m [%p] %q%u@%d/%a '
CONF
as_pg "$PG_BIN/pg_ctl" start -D "$WORK/pg" -l "$WORK/logs/pg.log" -w -t 60 >/dev/null \
    || die "PostgreSQL did not start: $(tail -5 "$WORK/logs/pg.log")"
PSQL=(timeout 600 env PGOPTIONS=--client-min-messages=warning "$PG_BIN/psql" -h "$WORK/sock" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt)
# odoo needs CREATEDB: a restore creates the new database as the environment's user (docs/restores.md)
"${PSQL[@]}" -d postgres -c "CREATE ROLE odoo LOGIN CREATEDB PASSWORD 'odoo'" -c "CREATE DATABASE $DB OWNER odoo" >/dev/null

# shellcheck source=bench/lib/fixture.sh
source "$ROOT/bench/lib/fixture.sh"
generate_environment

# row counts of CHECK_TABLES, "table=n ..." in one query (a missing table fails it)
row_counts() {
    local db="$1" t q="SELECT concat_ws(' '"
    for t in "${CHECK_TABLES[@]}"; do
        q+=", '$t=' || (SELECT count(*) FROM public.$t)"
    done
    "${PSQL[@]}" -d "$db" -c "$q)"
}
# "files bytes tree-sha": regular files, their byte total and a hash of the sorted (path, size) list
tree_summary() {
    local dir="$1"
    [[ -d "$dir" ]] || { printf 'absent'; return; }
    (cd "$dir" && find . -type f -printf '%P %s\n' | LC_ALL=C sort >"$WORK/tree.list")
    printf '%s %s %s' "$(wc -l <"$WORK/tree.list")" \
        "$(awk '{s += $NF} END {printf "%d", s}' "$WORK/tree.list")" \
        "$(sha256sum "$WORK/tree.list" | cut -c1-16)"
}
# shellcheck source=bench/lib/verify.sh
source "$ROOT/bench/lib/verify.sh"
SRC_COUNTS="$(row_counts "$DB")"
SRC_TREE="$(tree_summary "$FILESTORE")"
read -r FS_FILES FS_BYTES _ <<<"$SRC_TREE"
log "generated in ${GEN_S}s: database $((DB_BYTES / 1048576)) MiB, filestore $((FS_BYTES / 1048576)) MiB ($FS_FILES files)"
log "source rows: $SRC_COUNTS"
table_checksums "$DB" "$WORK/source.tables" || die "cannot checksum the source's tables"
file_hashes "$FILESTORE" "$WORK/source.files" || die "cannot hash the source's filestore"
SRC_TABLES="$(wc -l <"$WORK/source.tables")"
log "source: $SRC_TABLES tables checksummed, $(wc -l <"$WORK/source.files") files hashed"

# verify NAME DB FILESTORE: the restored copy has the source's row counts, table checksums
# (skipped with --neutralize, which changes rows on purpose) and files (sha256 of every one);
# a difference is logged and makes VERIFIED=no (the run goes on: the RESULT line says so)
VERIFIED=yes
verify() {
    local what="$1" db="$2" fs="$3" counts tree ok=1
    counts="$(row_counts "$db")" || counts="(cannot count rows in $db)"
    if [[ "$counts" != "$SRC_COUNTS" ]]; then
        log "$what: row counts differ: source [$SRC_COUNTS] restored $db [$counts]"; ok=0
    fi
    if [[ "$NEUTRALIZE" == true ]]; then
        log "$what: table checksums not compared (--neutralize changes rows): not verified"; ok=0
    elif ! table_checksums "$db" "$WORK/restored.tables" || ! cmp -s "$WORK/source.tables" "$WORK/restored.tables"; then
        log "$what: tables differ from the source: $(diff "$WORK/source.tables" "$WORK/restored.tables" 2>&1 | head -c 600)"; ok=0
    fi
    tree="$(tree_summary "$fs")"
    if [[ "$tree" != "$SRC_TREE" ]]; then
        log "$what: filestore differs: source [$SRC_TREE] restored $fs [$tree] (files bytes list-hash)"; ok=0
    fi
    if ! file_hashes "$fs" "$WORK/restored.files" || ! cmp -s "$WORK/source.files" "$WORK/restored.files"; then
        log "$what: filestore contents differ: $(diff "$WORK/source.files" "$WORK/restored.files" 2>&1 | head -c 600)"; ok=0
    fi
    if (( ok )); then
        log "$what verified: $SRC_TABLES tables' rows and checksums equal, $FS_FILES files' sha256 equal ($FS_BYTES bytes)"
    else
        VERIFIED=no
    fi
    return 0
}

# ---------------------------------------------------------------- 2. stack
# shellcheck source=bench/lib/api.sh
source "$ROOT/bench/lib/api.sh"
bench_environment_policy
if [[ -f "$STATE/run/restore.pid" ]] && kill -0 "$(<"$STATE/run/restore.pid")" 2>/dev/null \
    && [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$GATEWAY/health" || true)" == 200 ]]; then
    log "using the running local stack (its services must allow $STATE/backups as a local root, and environments on 127.0.0.1:$PG_PORT under $WORK)"
else
    log "bin/stack up --no-build"
    STACK_STARTED=1
    timeout 900 "$ROOT/bin/stack" up --no-build >"$WORK/logs/stack-up.log" 2>&1 \
        || log "bin/stack up reported problems (log $WORK/logs/stack-up.log); going on"
fi
for s in gateway backup destination restore; do
    pidf="$STATE/run/$s.pid"
    [[ -f "$pidf" ]] && kill -0 "$(<"$pidf")" 2>/dev/null || die "$s is not running (see $WORK/logs/stack-up.log)"
done
RESTORE_PID="$(<"$STATE/run/restore.pid")"

# ---------------------------------------------------------------- 3. registration + the backup
# shellcheck source=bench/lib/api.sh
source "$ROOT/bench/lib/api.sh"
bench_login
# cheap field read for the polling loops (no python start per poll): "key":"value"
sfield() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" | head -n1; }

mkdir -p "$LOCAL_DEST_DIR"
ENV_ID="$(TOKEN="$PLATFORM_TOKEN" api POST /api/environments "{\"name\":\"bench-restore-$SIZE_MB\",\"projectId\":\"$PROJECT\",\"environmentType\":\"staging\",\"database\":{\"host\":\"127.0.0.1\",\"port\":$PG_PORT,\"name\":\"$DB\",\"user\":\"odoo\",\"password\":\"odoo\"},\"filestorePath\":\"$FILESTORE\",\"configPath\":\"$CONFIG\"}" | jget "['id']")" \
    || die "environment registration failed"
LOCAL_ID="$(api POST /api/backup-destinations "{\"name\":\"bench restore local\",\"destinationType\":\"local\",\"config\":{\"path\":\"$LOCAL_DEST_DIR\"}}" | jget "['id']")" \
    || die "local destination registration failed"
log "environment $ENV_ID, local destination $LOCAL_ID ($LOCAL_DEST_DIR)"

log "the backup to restore: a full oCore backup to the local destination (not timed as part of the restore)"
T0="$(now)"
BACKUP_ID="$(api POST "/api/environments/$ENV_ID/backups" "{\"backupType\":\"full\",\"destinationIds\":[\"$LOCAL_ID\"]}" | jget "['id']")" \
    || die "backup request failed"
deadline=$(( $(date +%s) + STEP_TIMEOUT ))
while :; do
    B="$(api GET "/api/backups/$BACKUP_ID")" || die "GET /api/backups/$BACKUP_ID failed"
    ST="$(printf '%s' "$B" | sfield status)"
    [[ "$ST" == completed || "$ST" == failed ]] && break
    (( $(date +%s) < deadline )) || die "backup $BACKUP_ID still $ST after ${STEP_TIMEOUT}s"
    sleep 0.5
done
[[ "$ST" == completed ]] || die "backup $BACKUP_ID failed: $(printf '%s' "$B" | jget "['error']")"
BACKUP_S="$(elapsed "$T0" "$(now)")"
STORED_BYTES="$(printf '%s' "$B" | jget "['sizeBytes']")"
log "backup $BACKUP_ID completed in ${BACKUP_S}s, $((STORED_BYTES / 1048576)) MiB stored"

# ---------------------------------------------------------------- 4. the bare tools' input files
# The same formats oCore stores (pg_dump -Fc -Z0 then zstd -3; a tar of the filestore's content
# then zstd -3), unencrypted, in local files. Made once, not timed.
export PGPASSWORD=odoo
log "bare input files: pg_dump -Fc -Z0 | zstd -3, tar -C filestore . | zstd -3 (not timed)"
timeout "$STEP_TIMEOUT" bash -o pipefail -c \
    "$PG_BIN/pg_dump -Fc -Z0 -h 127.0.0.1 -p $PG_PORT -U odoo $DB | zstd -3 -q -f -o $WORK/bare/db.dump.zst" \
    || die "bare pg_dump failed"
timeout "$STEP_TIMEOUT" bash -o pipefail -c "tar -C $FILESTORE -cf - . | zstd -3 -q -f -o $WORK/bare/filestore.tar.zst" \
    || die "bare tar failed"
BARE_IN_BYTES=$(( $(stat -c %s "$WORK/bare/db.dump.zst") + $(stat -c %s "$WORK/bare/filestore.tar.zst") ))
log "bare input: $((BARE_IN_BYTES / 1048576)) MiB (oCore's stored copy: $((STORED_BYTES / 1048576)) MiB)"

PGRESTORE_FLAGS="--no-owner --no-privileges --exit-on-error"
# bare_restore N: times the bare restore; sets BARE_DB_S BARE_FS_S BARE_CPU
bare_restore() {
    local n="$1" tdb="bare_$1" tfs="$WORK/bare/fs_$1" t0 t1 t2 cpu
    "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS $tdb" -c "CHECKPOINT" >/dev/null
    rm -rf "$tfs"
    timeout 120 sync || true
    # createdb as odoo (as oCore does: template0, owned by the environment's user), then the
    # one-job pg_restore from the pipe, with oCore's flags
    t0="$(now)"
    { TIMEFORMAT='%U %S'; time timeout "$STEP_TIMEOUT" bash -o pipefail -c \
        "$PG_BIN/psql -h 127.0.0.1 -p $PG_PORT -U odoo -d postgres -qAt -v ON_ERROR_STOP=1 -c 'CREATE DATABASE $tdb TEMPLATE template0' \
         && zstd -d -q -c $WORK/bare/db.dump.zst | $PG_BIN/pg_restore $PGRESTORE_FLAGS -h 127.0.0.1 -p $PG_PORT -U odoo -d $tdb" \
        2>"$WORK/logs/bare-db-$n.log" ; } 2>"$WORK/bare/time-db-$n" || die "bare database restore failed: $(tail -3 "$WORK/logs/bare-db-$n.log")"
    t1="$(now)"
    { TIMEFORMAT='%U %S'; time timeout "$STEP_TIMEOUT" bash -o pipefail -c \
        "mkdir -p $tfs && zstd -d -q -c $WORK/bare/filestore.tar.zst | tar -x -C $tfs" \
        2>"$WORK/logs/bare-fs-$n.log" ; } 2>"$WORK/bare/time-fs-$n" || die "bare filestore restore failed: $(tail -3 "$WORK/logs/bare-fs-$n.log")"
    t2="$(now)"
    BARE_DB_S="$(elapsed "$t0" "$t1")"
    BARE_FS_S="$(elapsed "$t1" "$t2")"
    BARE_CPU_DB="$(awk '{printf "%.2f", $1 + $2}' "$WORK/bare/time-db-$n")"
    BARE_CPU_FS="$(awk '{printf "%.2f", $1 + $2}' "$WORK/bare/time-fs-$n")"
    verify "bare restore $n" "$tdb" "$tfs"
    "${PSQL[@]}" -d postgres -c "DROP DATABASE $tdb" >/dev/null
    rm -rf "$tfs"
}

# ---------------------------------------------------------------- 5. restores: oCore and bare

# ocore_restore LABEL: one restore into a new environment; sets RTO SVC PICKUP STEPS_LINE STEP_CPU_LINE CPU_JVM CPU_CHILD
ocore_restore() {
    local label="$1" body rid r w st t0 t1 name
    name="restore $label"
    "${PSQL[@]}" -d postgres -c "CHECKPOINT" >/dev/null
    timeout 120 sync || true
    t0="$(now)"
    body="$(api POST "/api/backups/$BACKUP_ID/restore" "{\"targetType\":\"new\",\"newEnvironmentName\":\"$name\",\"neutralize\":$NEUTRALIZE}")" \
        || die "restore request failed"
    POST_S="$(elapsed "$t0" "$(now)")"
    rid="$(printf '%s' "$body" | sfield restoreId)"
    [[ -n "$rid" ]] || die "no restoreId in: $body"
    # one process follows the restore and counts restore-service's CPU (no curl, sed and awk per
    # poll: that took a share of the machine from the restore being timed)
    w="$(TOKEN="$TOKEN" python3 "$ROOT/bench/lib/watch.py" --url "$GATEWAY/api/restores/$rid" --t0 "$t0" --phase progress.step \
        --interval "$POLL" --deadline-s "$STEP_TIMEOUT" --pid "$RESTORE_PID" --body-out "$WORK/logs/restore-$label.json")" \
        || die "following restore $rid failed"
    r="$(<"$WORK/logs/restore-$label.json")"
    st="$(printf '%s' "$w" | jget "['status']")"
    PHASES="$(printf '%s' "$w" | jget "['phases']") "
    t1="$(now)"
    api GET "/api/restores/$rid/logs" >"$WORK/logs/restore-$label-steps.json" || die "GET /api/restores/$rid/logs failed"
    [[ "$st" == completed ]] || die "restore $rid failed: $(printf '%s' "$r" | jget "['error']"); steps: $(cat "$WORK/logs/restore-$label-steps.json")"
    printf '%s' "$w" >"$WORK/logs/restore-$label-watch.json"
    # client clock and service timestamps are the same host's clock: the RTO (request to the
    # restore's completedAt, as the backup benchmark times a backup) splits into request -> created
    # (the POST), created -> started (pick-up) and the service's run; completed -> seen is the poll's
    read -r RTO SVC PICKUP TO_CREATED SEEN_AFTER CPU_JVM CPU_CHILD <<<"$(python3 -c "
import json
from datetime import datetime
d=json.load(open('$WORK/logs/restore-$label.json'))
w=json.load(open('$WORK/logs/restore-$label-watch.json'))
p=lambda s: datetime.fromisoformat(s.replace('Z','+00:00')).timestamp()
c, s, e = p(d['createdAt']), p(d['startedAt']), p(d['completedAt'])
j, k = w['cpu_ticks']
print(f'{e - $t0:.2f} {e - s:.2f} {s - c:.2f} {c - $t0:.2f} {$t1 - e:.2f} {j / w[\"hz\"]:.2f} {k / w[\"hz\"]:.2f}')")"
    STEPS_LINE="$(python3 -c "
import json
short={'resolve':'resolve','restore_database':'database','restore_filestore':'filestore','restore_config':'config',
       'neutralize':'neutralize','swap':'swap','register_environment':'register','pre_restore_snapshot':'snapshot'}
steps=json.load(open('$WORK/logs/restore-$label-steps.json'))
print(', '.join(f\"{short.get(s['step'], s['step'])} {(s['durationMs'] or 0)/1000:.2f}\" + ('' if s['status']=='completed' else ' ('+s['status']+')') for s in steps))")"
    STEP_CPU_LINE="$(python3 -c "
import json
w=json.load(open('$WORK/logs/restore-$label-watch.json'))
print(' '.join(f'{k} {v / w[\"hz\"]:.2f}' for k, v in w['cpu_ticks_by_phase'].items()))")"
    log "phases (first seen, since the request): ${PHASES}completed@${RTO}s"
    log "restore $rid ($label) completed: RTO ${RTO}s (request to completedAt) = request->created ${TO_CREATED}s (POST answered in ${POST_S}s) + pick-up ${PICKUP}s + service ${SVC}s (then seen ${SEEN_AFTER}s later)"
    log "  steps (s): $STEPS_LINE"
    log "  CPU s: restore-service JVM $CPU_JVM, its children (pg_restore) $CPU_CHILD; by step seen while polling: $STEP_CPU_LINE"
    # the new environment, as registered: its database, filestore and config are checked
    local env_id env_json ndb nfs nconf
    env_id="$(printf '%s' "$r" | sfield targetEnvironmentId)"
    env_json="$(api GET "/api/environments/$env_id")" || die "the new environment $env_id is not in the catalogue"
    ndb="$(printf '%s' "$env_json" | jget "['database']['name']")"
    nfs="$(printf '%s' "$env_json" | jget "['filestorePath']")"
    nconf="$(printf '%s' "$env_json" | jget "['configPath']")"
    verify "oCore restore $label (environment $env_id, database $ndb)" "$ndb" "$nfs"
    grep -Eq "^db_name *= *$ndb *$" "$nconf" || die "oCore restore $label: $nconf does not name db_name = $ndb"
    # untimed: drop the copy so that every restore starts from the same cluster state
    "${PSQL[@]}" -d postgres -c "DROP DATABASE $ndb WITH (FORCE)" >/dev/null
    rm -rf "$nfs" "$nconf"
}

for w in $(seq 1 "$WARMUP"); do
    log "oCore restore into a new environment (warm-up $w/$WARMUP, not timed: JIT of a fresh JVM)"
    ocore_restore "w$w"
done

OCORE_RTOS=()
BARE_TIMES=()
BEST_RTO=""
for run in $(seq 1 "$RUNS"); do
    log "bare restore (run $run/$RUNS): createdb + zstd -d | pg_restore (one job, oCore's flags), then zstd -d | tar -x"
    bare_restore "$run"
    BARE_S="$(python3 -c "print(f'{$BARE_DB_S + $BARE_FS_S:.2f}')")"
    log "bare: database ${BARE_DB_S}s (CPU ${BARE_CPU_DB}s) + filestore ${BARE_FS_S}s (CPU ${BARE_CPU_FS}s) = ${BARE_S}s"
    BARE_TIMES+=("$BARE_S")
    if [[ -z "${BEST_BARE:-}" ]] || python3 -c "import sys; sys.exit(0 if $BARE_S < $BEST_BARE else 1)"; then
        BEST_BARE="$BARE_S"; BEST_BARE_DB="$BARE_DB_S"; BEST_BARE_FS="$BARE_FS_S"
        BEST_BARE_CPU="$BARE_CPU_DB + $BARE_CPU_FS"
    fi

    log "oCore restore into a new environment (run $run/$RUNS)"
    ocore_restore "r$run"
    OCORE_RTOS+=("$RTO")
    if [[ -z "$BEST_RTO" ]] || python3 -c "import sys; sys.exit(0 if $RTO < $BEST_RTO else 1)"; then
        BEST_RTO="$RTO"; BEST_SVC="$SVC"; BEST_PICKUP="$PICKUP"; BEST_STEPS="$STEPS_LINE"
        BEST_TO_CREATED="$TO_CREATED"; BEST_SEEN_AFTER="$SEEN_AFTER"
        BEST_CPU="$CPU_JVM + $CPU_CHILD"
    fi
done

PAR_NOTE=""
if (( PAR_REF )); then
    # Reference only (not the compared figure): pg_restore -j needs a seekable file, so the dump is
    # decompressed to disk first; the decompression is counted.
    log "reference: zstd -d to a file, then pg_restore -j $NPROC"
    "${PSQL[@]}" -d postgres -c "DROP DATABASE IF EXISTS bare_par" -c "CHECKPOINT" >/dev/null
    timeout 120 sync || true
    T0="$(now)"
    timeout "$STEP_TIMEOUT" bash -o pipefail -c \
        "zstd -d -q -f $WORK/bare/db.dump.zst -o $WORK/bare/db.dump \
         && $PG_BIN/psql -h 127.0.0.1 -p $PG_PORT -U odoo -d postgres -qAt -v ON_ERROR_STOP=1 -c 'CREATE DATABASE bare_par TEMPLATE template0' \
         && $PG_BIN/pg_restore $PGRESTORE_FLAGS -j $NPROC -h 127.0.0.1 -p $PG_PORT -U odoo -d bare_par $WORK/bare/db.dump" \
        2>"$WORK/logs/bare-par.log" || die "parallel reference failed: $(tail -3 "$WORK/logs/bare-par.log")"
    PAR_S="$(elapsed "$T0" "$(now)")"
    [[ "$(row_counts bare_par)" == "$SRC_COUNTS" ]] || die "parallel reference: row counts differ (a reference only: not the verified figure)"
    "${PSQL[@]}" -d postgres -c "DROP DATABASE bare_par" >/dev/null
    rm -f "$WORK/bare/db.dump"
    log "reference: database via a file and pg_restore -j $NPROC: ${PAR_S}s (one job from the pipe: ${BEST_BARE_DB}s)"
    PAR_NOTE="; database by zstd -d to a file + pg_restore -j $NPROC: ${PAR_S} s"
fi

RATIO="$(python3 -c "print(f'{$BEST_RTO / $BEST_BARE:.2f}')")"
SVC_RATIO="$(python3 -c "print(f'{$BEST_SVC / $BEST_BARE:.2f}')")"
log "oCore RTO ${BEST_RTO}s (service ${BEST_SVC}s) vs bare ${BEST_BARE}s: ${RATIO}x (service ${SVC_RATIO}x)"

# ---------------------------------------------------------------- 6. record
BUSY=""
python3 -c "import sys; sys.exit(0 if float('$LOAD_START') > 2 else 1)" && BUSY=" **busy machine (load ${LOAD_START} > 2)**"
NEUT_NOTE=""
[[ "$NEUTRALIZE" == true ]] && NEUT_NOTE="; **neutralize on** (the bare tools do not neutralize)"
[[ "$AUTOVACUUM" == on ]] && NEUT_NOTE+="; autovacuum on (naptime $NAPTIME)"
# a diagnostic JVM setting reaches every JVM of a stack this run started
[[ -n "${JAVA_TOOL_OPTIONS:-}" ]] && NEUT_NOTE+="; **JAVA_TOOL_OPTIONS=${JAVA_TOOL_OPTIONS}**$( (( STACK_STARTED )) || printf ' (stack already running: not applied to it)')"
if [[ ! -f "$RESULTS" ]]; then
    cat > "$RESULTS" <<'HEAD'
# Restore benchmark results

Rows appended by `bench/restore/run.sh` (see README.md). Times in seconds, sizes in MiB.
`oCore RTO` = one restore of a full backup (database, filestore, config; `local` destination)
into a **new** environment, from the POST to the restore's `completedAt` (best of `runs`; until the
2026-12-03 18:58 row, to the poll, every 0.25 s, that saw it); `service` = the restore's own `startedAt -> completedAt`. `bare` = createdb
+ `zstd -d | pg_restore` (one job, oCore's flags) then `zstd -d | tar -x`, from local unencrypted
files, sequential sum, best of `runs`. `ratio` = oCore RTO / bare (service / bare in brackets).
`steps` = the best run's RTO split: `request` (POST sent -> the restore's `createdAt`), `pick-up`
(`createdAt -> startedAt`), each step of the service's operation log (`GET
/api/restores/{id}/logs`, `durationMs`), then `seen` (`completedAt` -> the poll that saw it; not
part of the RTO since the 2026-12-03 18:58 row).
`CPU` = restore-service JVM + its pg_restore child (oCore) against the bare pipelines (database +
filestore), in CPU seconds. Every restored copy is checked (row counts of 8 tables, filestore
file count, bytes and path/size list equal the source's; since the RESULT line, also the row
count and checksum of every table and the sha256 of every file: `verified` in the notes).

| date (UTC) | nproc | load at start | size asked | db MiB | filestore MiB (files) | stored MiB | oCore RTO s | service s | bare s (db + fs) | ratio | steps s (best run) | CPU s oCore / bare | notes |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
HEAD
fi
printf '| %s | %s | %s | %s MB | %s | %s (%s) | %s | %s | %s | %s (%s + %s) | %sx (%sx) | request %s, pick-up %s, %s, seen %s | %s / %s | runs %s, bare %s, warm-up %s; backup %s s%s%s%s |\n' \
    "$(date -u +%Y-%m-%d\ %H:%M)" "$NPROC" "$LOAD_START" "$SIZE_MB" "$((DB_BYTES / 1048576))" \
    "$((FS_BYTES / 1048576))" "$FS_FILES" "$((STORED_BYTES / 1048576))" "$BEST_RTO" "$BEST_SVC" \
    "$BEST_BARE" "$BEST_BARE_DB" "$BEST_BARE_FS" "$RATIO" "$SVC_RATIO" "$BEST_TO_CREATED" "$BEST_PICKUP" "$BEST_STEPS" "$BEST_SEEN_AFTER" \
    "$BEST_CPU" "$BEST_BARE_CPU" "$(IFS=,; echo "${OCORE_RTOS[*]}")" "$(IFS=,; echo "${BARE_TIMES[*]}")" \
    "$WARMUP" "$BACKUP_S" "$PAR_NOTE" "$NEUT_NOTE; verified $VERIFIED" "$BUSY" >> "$RESULTS"
log "appended to $RESULTS:"
tail -n1 "$RESULTS" >&2
RESULT_LINE="RESULT restore size_mb=$SIZE_MB ratio=$RATIO verified=$VERIFIED"
