#!/usr/bin/env bash
# PITR benchmark (issue 14, deliverable 6): a point-in-time restore of a generated Odoo-shaped
# environment to a moment after LOAD minutes of pgbench load following its base, into a new
# environment through the gateway, against pgBackRest on the same cluster and the same WAL:
# `pgbackrest restore --type=time` of its own full backup, the same replay to the same moment on
# a scratch server, then `pg_dump -Fc | pg_restore` of the database into a new database (the work
# oCore's restore does after its replay). Both archives take every WAL file (archive_command runs
# ocore-wal, then pgbackrest archive-push). Checks both recovered databases: every pgbench
# transaction committed before the moment is there, the marker committed after it is not, and
# oCore's copy has pgBackRest's table checksums; oCore's filestore has the source's files.
# Appends a row to bench/pitr/RESULTS.md and ends with one line:
#   RESULT pitr rto_s=N ratio=X verified=yes|no
#
#   bench/pitr/run.sh [--size-mb N] [--load-minutes N] [--rate TPS] [--keep]
#
# See bench/pitr/README.md.
set -euo pipefail

SIZE_MB=1000
LOAD_MINUTES=10
RATE=50
KEEP=0
PG_PORT=15498
PG2_PORT=15499
STEP_TIMEOUT="${BENCH_STEP_TIMEOUT:-2400}"

usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while (( $# )); do
    case "$1" in
        --size-mb) SIZE_MB="$2"; shift 2 ;;
        --load-minutes) LOAD_MINUTES="$2"; shift 2 ;;
        --rate) RATE="$2"; shift 2 ;;
        --keep) KEEP=1; shift ;;
        -h|--help) usage 0 ;;
        *) echo "unknown argument $1" >&2; usage 2 ;;
    esac
done
[[ "$SIZE_MB" =~ ^[1-9][0-9]*$ ]] || { echo "--size-mb must be a positive integer" >&2; exit 2; }
[[ "$LOAD_MINUTES" =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "--load-minutes must be a number" >&2; exit 2; }
[[ "$RATE" =~ ^[1-9][0-9]*$ ]] || { echo "--rate must be a positive integer" >&2; exit 2; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${OCORE_STATE_DIR:-$ROOT/.state}"
RESULTS="$ROOT/bench/pitr/RESULTS.md"
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
WORK="/var/tmp/ocore-bench-pitr-$STAMP"
LOCAL_DEST_DIR="$STATE/backups/bench-pitr-$STAMP"
PG_BIN="${OCORE_PG_BIN:-/usr/lib/postgresql/15/bin}"
DB=odoo_bench
ORG="$(cat /proc/sys/kernel/random/uuid)"
PROJECT="$(cat /proc/sys/kernel/random/uuid)"
GATEWAY="http://127.0.0.1:8080"

# shellcheck source=bench/lib/common.sh
source "$ROOT/bench/lib/common.sh"
JAVA_HOME="$(pick_java)" || die "no JDK >= 21 found"
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"
for tool in curl jq python3 pgbackrest "$PG_BIN/initdb" "$PG_BIN/pgbench" "$PG_BIN/pg_dump" "$PG_BIN/pg_restore"; do
    command -v "$tool" >/dev/null || [[ -x "$tool" ]] || die "missing $tool (apt-get install -y pgbackrest postgresql-15 jq curl python3)"
done
for p in "$PG_PORT" "$PG2_PORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "port $p is taken (another bench running?)"; fi
done
LOAD_START="$(cut -d' ' -f1 /proc/loadavg)"
log "size ${SIZE_MB} MB, pgbench ${LOAD_MINUTES} min at $RATE tps, nproc $(nproc), load $LOAD_START, work $WORK"
mkdir -p "$WORK"/{logs,spool,pgbackrest,sock,sock2}
chmod 755 "$WORK"
chown postgres: "$WORK/pgbackrest" "$WORK/spool" "$WORK/sock" "$WORK/sock2"
STACK_STARTED=0
RESULT_LINE=""

cleanup() {
    local rc=$?
    set +e
    for d in "$WORK/pg" "$WORK/pgbr"; do
        [[ -f "$d/postmaster.pid" ]] && timeout 120 runuser -u postgres -- "$PG_BIN/pg_ctl" stop -D "$d" -m immediate -w >/dev/null 2>&1
    done
    if (( STACK_STARTED )); then
        log "stopping the stack this run started"
        timeout 300 "$ROOT/bin/stack" down >/dev/null 2>&1
    fi
    if (( KEEP )); then log "kept $WORK and $LOCAL_DEST_DIR"; else rm -rf "$WORK" "$LOCAL_DEST_DIR"; fi
    (( rc == 0 )) && [[ -n "$RESULT_LINE" ]] && printf '%s\n' "$RESULT_LINE"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- 1. the cluster and the environment
log "initdb + start PostgreSQL on 127.0.0.1:$PG_PORT (WAL archived, replication for the bases)"
mkdir -p "$WORK/pg"
chown postgres: "$WORK/pg"
chmod 700 "$WORK/pg"
touch "$WORK/logs/pg.log" "$WORK/logs/pgbr.log"
chown postgres: "$WORK/logs/pg.log" "$WORK/logs/pgbr.log"
timeout 300 runuser -u postgres -- "$PG_BIN/initdb" -D "$WORK/pg" -U postgres --no-locale -E UTF8 --auth-local=trust \
    --auth-host=trust >"$WORK/logs/initdb.log" 2>&1 || die "initdb failed: $(tail -5 "$WORK/logs/initdb.log")"
as_pg tee -a "$WORK/pg/postgresql.conf" >/dev/null <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$WORK/sock'
shared_buffers = 128MB
wal_level = replica
max_wal_senders = 4
max_wal_size = 1GB
timezone = 'UTC'
archive_mode = on
include_if_exists = 'bench-archive.conf'
CONF
set_archive_command() {
    printf "archive_command = '%s'\narchive_timeout = 60\n" "${1//\'/\'\'}" | as_pg tee "$WORK/pg/bench-archive.conf" >/dev/null
    [[ -f "$WORK/pg/postmaster.pid" ]] && "${PSQL[@]}" -d postgres -c "select pg_reload_conf()" >/dev/null
    return 0
}
PSQL=(timeout 900 env PGOPTIONS=--client-min-messages=warning "$PG_BIN/psql" -h "$WORK/sock" -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qAt)
set_archive_command /bin/false
as_pg "$PG_BIN/pg_ctl" start -D "$WORK/pg" -l "$WORK/logs/pg.log" -w -t 60 >/dev/null \
    || die "PostgreSQL did not start: $(tail -5 "$WORK/logs/pg.log")"
# the environment's user: CREATEDB for the restore's new database, REPLICATION for the PITR base (docs/wal.md)
"${PSQL[@]}" -d postgres -c "CREATE ROLE odoo LOGIN CREATEDB REPLICATION PASSWORD 'odoo'" -c "CREATE DATABASE $DB OWNER odoo" >/dev/null
# shellcheck source=bench/lib/fixture.sh
source "$ROOT/bench/lib/fixture.sh"
generate_environment
log "generated in ${GEN_S}s: database $((DB_BYTES / 1048576)) MiB"
# shellcheck source=bench/lib/verify.sh
source "$ROOT/bench/lib/verify.sh"
file_hashes "$FILESTORE" "$WORK/source.files" || die "cannot hash the source's filestore"

# ---------------------------------------------------------------- 2. stack, environment, archiving to both
# shellcheck source=bench/lib/api.sh
source "$ROOT/bench/lib/api.sh"
bench_environment_policy
if [[ -f "$STATE/run/wal-archiver.pid" ]] && kill -0 "$(<"$STATE/run/wal-archiver.pid")" 2>/dev/null \
    && [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$GATEWAY/health" || true)" == 200 ]]; then
    log "using the running local stack (it must allow environments on 127.0.0.1:$PG_PORT under $WORK)"
else
    log "bin/stack up --no-build"
    STACK_STARTED=1
    timeout 900 "$ROOT/bin/stack" up --no-build >"$WORK/logs/stack-up.log" 2>&1 \
        || log "bin/stack up reported problems (log $WORK/logs/stack-up.log); going on"
fi
bench_login
mkdir -p "$LOCAL_DEST_DIR"
ENV_ID="$(TOKEN="$PLATFORM_TOKEN" api POST /api/environments "{\"name\":\"bench-pitr-$SIZE_MB\",\"projectId\":\"$PROJECT\",\"environmentType\":\"staging\",\"database\":{\"host\":\"127.0.0.1\",\"port\":$PG_PORT,\"name\":\"$DB\",\"user\":\"odoo\",\"password\":\"odoo\"},\"filestorePath\":\"$FILESTORE\",\"configPath\":\"$CONFIG\"}" | jq -r .id)" \
    || die "environment registration failed"
LOCAL_ID="$(api POST /api/backup-destinations "{\"name\":\"bench pitr local\",\"destinationType\":\"local\",\"config\":{\"path\":\"$LOCAL_DEST_DIR\"}}" | jq -r .id)" \
    || die "local destination registration failed"
api PUT "/api/environments/$ENV_ID/backup-schedule" "{\"enabled\":false,\"dbFrequency\":\"daily\",\"fullFrequency\":\"weekly\",\"retainHourly\":0,\"retainDaily\":7,\"retainWeekly\":2,\"retainMonthly\":0,\"walEnabled\":true,\"walRetentionDays\":7,\"destinationIds\":[\"$LOCAL_ID\"]}" >/dev/null \
    || die "schedule with walEnabled refused"
config=""
for _ in $(seq 1 60); do
    config="$(api GET "/api/environments/$ENV_ID/wal-config" 2>/dev/null)" && break
    config=""
    sleep 1
done
[[ -n "$config" ]] || die "GET wal-config of $ENV_ID never answered 200"
token_file="$WORK/spool/$ENV_ID.wal-token"
(umask 077; jq -j .walToken <<< "$config" > "$token_file")
chown postgres: "$token_file"
OCORE_CMD="$(jq -r .archiveCommand <<< "$config" | sed "s#--token-file [^ ]*#--token-file $token_file#")"
cat > "$WORK/pgbackrest.conf" <<CONF
[global]
repo1-path=$WORK/pgbackrest
compress-type=zst
compress-level=3
process-max=2
start-fast=y
log-level-console=warn
log-level-file=off
lock-path=$WORK/pgbackrest
spool-path=$WORK/spool
[bench]
pg1-path=$WORK/pg
pg1-port=$PG_PORT
pg1-socket-path=$WORK/sock
CONF
chown postgres: "$WORK/pgbackrest.conf"
PGBR=(pgbackrest --config="$WORK/pgbackrest.conf" --stanza=bench)
as_pg "${PGBR[@]}" stanza-create >"$WORK/logs/pgbackrest.log" 2>&1 || die "stanza-create failed: $(tail -5 "$WORK/logs/pgbackrest.log")"
# every WAL file goes to both archives; PostgreSQL retries it until both took it
set_archive_command "$OCORE_CMD && ${PGBR[*]} archive-push %p"
log "archive_command: ocore-wal push ... && pgbackrest archive-push %p"

# ---------------------------------------------------------------- 3. the bases, then the load
log "bases: a full oCore backup (with its PITR base) and a full pgBackRest backup"
# full_backup: a full backup to the local destination, waited for; sets BACKUP_ID and BACKUP_JSON
full_backup() {
    local st deadline
    BACKUP_ID="$(api POST "/api/environments/$ENV_ID/backups" "{\"backupType\":\"full\",\"destinationIds\":[\"$LOCAL_ID\"]}" | jq -r .id)" \
        || die "backup request failed"
    deadline=$(( $(date +%s) + STEP_TIMEOUT ))
    while :; do
        BACKUP_JSON="$(api GET "/api/backups/$BACKUP_ID")"
        st="$(jq -r .status <<< "$BACKUP_JSON")"
        [[ "$st" == completed || "$st" == failed ]] && break
        (( $(date +%s) < deadline )) || die "backup $BACKUP_ID still $st"
        sleep 1
    done
    [[ "$st" == completed ]] || die "backup $BACKUP_ID failed: $(jq -r .error <<< "$BACKUP_JSON")"
}
# backup-service learns walEnabled from the schedule's event: a backup taken before it has no
# PITR base (pitrBase null); the next one has
for attempt in 1 2 3 4 5; do
    full_backup
    [[ "$(jq -r '.pitrBase.startLsn // empty' <<< "$BACKUP_JSON")" != "" ]] && break
    (( attempt < 5 )) || die "no backup of $ENV_ID carries a PITR base"
    log "backup $BACKUP_ID has no PITR base yet (backup-service had not heard of walEnabled): again"
    sleep 2
done
log "oCore base: backup $BACKUP_ID, $(jq -c .pitrBase <<< "$BACKUP_JSON")"
as_pg "${PGBR[@]}" --type=full backup >>"$WORK/logs/pgbackrest.log" 2>&1 || die "pgbackrest backup failed: $(tail -5 "$WORK/logs/pgbackrest.log")"
LOAD_S="$(python3 -c "print(int($LOAD_MINUTES * 60))")"
log "pgbench: init (scale 10) into $DB, then ${LOAD_S}s at $RATE tps"
PGB=(timeout "$STEP_TIMEOUT" "$PG_BIN/pgbench" -h "$WORK/sock" -p "$PG_PORT" -U odoo)
"${PGB[@]}" -i -s 10 -q "$DB" >"$WORK/logs/pgbench-init.log" 2>&1 || die "pgbench -i failed: $(tail -3 "$WORK/logs/pgbench-init.log")"
"${PGB[@]}" -c 2 -j 1 -R "$RATE" -T "$LOAD_S" "$DB" >"$WORK/logs/pgbench.log" 2>&1 || die "pgbench failed: $(tail -3 "$WORK/logs/pgbench.log")"
# the moment: after the load stopped, before a marker committed a second later
sleep 1
TARGET_ISO="$("${PSQL[@]}" -d "$DB" -c "select to_char(now() at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')")"
TARGET_PG="$("${PSQL[@]}" -d "$DB" -c "select to_char(now() at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS.US+00')")"
EXPECTED_TX="$("${PSQL[@]}" -d "$DB" -c "select count(*) from pgbench_history")"
sleep 1
"${PSQL[@]}" -d "$DB" -c "create table bench_after_target as select now() as at" -c "checkpoint" >/dev/null
"${PSQL[@]}" -d postgres -c "select pg_switch_wal()" >/dev/null
log "target $TARGET_ISO: $EXPECTED_TX pgbench transactions before it; waiting for both archives and the coverage"
target_epoch="$(python3 -c "import datetime; print(datetime.datetime.fromisoformat('${TARGET_ISO/Z/+00:00}').timestamp())")"
deadline=$(( $(date +%s) + STEP_TIMEOUT ))
while :; do
    to="$(api GET "/api/backups/$BACKUP_ID/pitr-range" 2>/dev/null | jq -r '.to // empty' || true)"
    ready="$(find "$WORK/pg/pg_wal/archive_status" -name '*.ready' | wc -l)"
    if [[ -n "$to" ]] && (( ready == 0 )) \
        && python3 -c "import sys,datetime; sys.exit(0 if datetime.datetime.fromisoformat('${to/Z/+00:00}').timestamp() > $target_epoch else 1)"; then
        break
    fi
    (( $(date +%s) < deadline )) || die "the coverage never passed the target (to: $to, $ready files waiting)"
    sleep 1
done
WAL_FILES="$(api GET "/api/environments/$ENV_ID/wal-coverage" | jq -r .segmentCount)"
log "covered to $to; $WAL_FILES WAL segments archived"

# ---------------------------------------------------------------- 4. oCore's PITR restore
"${PSQL[@]}" -d postgres -c "checkpoint" >/dev/null
sync
log "oCore: restore of backup $BACKUP_ID to $TARGET_ISO into a new environment"
T0="$(now)"
RID="$(api POST "/api/backups/$BACKUP_ID/restore" "{\"targetType\":\"new\",\"newEnvironmentName\":\"bench-pitr-restored\",\"neutralize\":false,\"pitrTimestamp\":\"$TARGET_ISO\"}" | jq -r .restoreId)" \
    || die "restore request refused"
deadline=$(( $(date +%s) + STEP_TIMEOUT ))
while :; do
    r="$(api GET "/api/restores/$RID")"
    st="$(jq -r .status <<< "$r")"
    [[ "$st" == completed || "$st" == failed ]] && break
    (( $(date +%s) < deadline )) || die "restore $RID still $st"
    sleep 0.5
done
T1="$(now)"
[[ "$st" == completed ]] || die "restore $RID failed: $(jq -r .error <<< "$r")"
OCORE_S="$(elapsed "$T0" "$T1")"
STEPS="$(api GET "/api/restores/$RID/logs" | jq -r '[.[] | "\(.step) \((.durationMs // 0) / 1000 | . * 10 | round / 10)s"] | join(", ")')"
TARGET_ENV="$(api GET "/api/environments/$(jq -r .targetEnvironmentId <<< "$r")")"
OCORE_DB="$(jq -r .database.name <<< "$TARGET_ENV")"
OCORE_FS="$(jq -r .filestorePath <<< "$TARGET_ENV")"
log "oCore: ${OCORE_S}s ($STEPS); database $OCORE_DB"

# ---------------------------------------------------------------- 5. pgBackRest: restore, replay, dump | restore
log "pgBackRest: restore --type=time to the same moment, replay on a scratch server, pg_dump | pg_restore"
mkdir -p "$WORK/pgbr"
chown postgres: "$WORK/pgbr"
chmod 700 "$WORK/pgbr"
sync
T0="$(now)"
as_pg "${PGBR[@]}" --pg1-path="$WORK/pgbr" --type=time "--target=$TARGET_PG" --target-action=promote restore \
    >>"$WORK/logs/pgbackrest.log" 2>&1 || die "pgbackrest restore failed: $(tail -5 "$WORK/logs/pgbackrest.log")"
T_RESTORED="$(now)"
as_pg "$PG_BIN/pg_ctl" start -D "$WORK/pgbr" -l "$WORK/logs/pgbr.log" -w -t 60 \
    -o "-c port=$PG2_PORT -c listen_addresses='' -c unix_socket_directories='$WORK/sock2' -c archive_mode=off -c hot_standby=off" \
    >/dev/null 2>&1 || true
PSQL2=(timeout 600 "$PG_BIN/psql" -h "$WORK/sock2" -p "$PG2_PORT" -U postgres -qAt)
deadline=$(( $(date +%s) + STEP_TIMEOUT ))
until [[ "$("${PSQL2[@]}" -d postgres -c "select pg_is_in_recovery()" 2>/dev/null || true)" == f ]]; do
    (( $(date +%s) < deadline )) || die "the pgBackRest copy never promoted: $(tail -5 "$WORK/logs/pgbr.log")"
    sleep 0.2
done
T_REPLAYED="$(now)"
"${PSQL[@]}" -d postgres -c "CREATE DATABASE pgbr_restored OWNER odoo TEMPLATE template0" >/dev/null
timeout "$STEP_TIMEOUT" bash -o pipefail -c "$PG_BIN/pg_dump -Fc -Z0 -h $WORK/sock2 -p $PG2_PORT -U postgres $DB \
    | $PG_BIN/pg_restore --no-owner --no-privileges --exit-on-error -h $WORK/sock -p $PG_PORT -U odoo -d pgbr_restored" \
    2>"$WORK/logs/pgbr-dump.log" || die "pg_dump | pg_restore failed: $(tail -3 "$WORK/logs/pgbr-dump.log")"
T1="$(now)"
PGBR_S="$(elapsed "$T0" "$T1")"
PGBR_STEPS="restore $(elapsed "$T0" "$T_RESTORED")s, replay $(elapsed "$T_RESTORED" "$T_REPLAYED")s, dump+restore $(elapsed "$T_REPLAYED" "$T1")s"
log "pgBackRest: ${PGBR_S}s ($PGBR_STEPS)"
as_pg "$PG_BIN/pg_ctl" stop -D "$WORK/pgbr" -m fast -w >/dev/null 2>&1 || true

# ---------------------------------------------------------------- 6. checks
VERIFIED=yes
for d in "$OCORE_DB" pgbr_restored; do
    n="$("${PSQL[@]}" -d "$d" -c "select count(*) from pgbench_history" 2>&1 || true)"
    after="$("${PSQL[@]}" -d "$d" -c "select to_regclass('bench_after_target') is null" 2>&1 || true)"
    if [[ "$n" == "$EXPECTED_TX" && "$after" == t ]]; then
        log "$d: the $n transactions before the moment, not the marker after it"
    else
        log "$d: $n pgbench transactions (expected $EXPECTED_TX), marker absent: $after"; VERIFIED=no
    fi
done
table_checksums "$OCORE_DB" "$WORK/ocore.tables" || VERIFIED=no
table_checksums pgbr_restored "$WORK/pgbr.tables" || VERIFIED=no
if cmp -s "$WORK/ocore.tables" "$WORK/pgbr.tables"; then
    log "oCore's copy has pgBackRest's checksums in all $(wc -l <"$WORK/ocore.tables") tables"
else
    log "tables differ: $(diff "$WORK/ocore.tables" "$WORK/pgbr.tables" | head -c 600)"; VERIFIED=no
fi
if file_hashes "$OCORE_FS" "$WORK/ocore.files" && cmp -s "$WORK/source.files" "$WORK/ocore.files"; then
    log "oCore's filestore: the source's $(wc -l <"$WORK/source.files") files, sha256 equal"
else
    log "oCore's filestore differs from the source's"; VERIFIED=no
fi

# ---------------------------------------------------------------- 7. the row and the result
RATIO="$(python3 -c "print(f'{$OCORE_S / $PGBR_S:.2f}')")"
LOAD_END="$(cut -d' ' -f1 /proc/loadavg)"
if [[ ! -f "$RESULTS" ]]; then
    cat > "$RESULTS" <<'HEAD'
# PITR benchmark results

Appended by `bench/pitr/run.sh` (README.md beside it). oCore: request to `completed` of a PITR
restore into a new environment (client clock). pgBackRest: `restore --type=time` + replay on a
scratch server until promoted + `pg_dump -Fc -Z0 | pg_restore` into a new database. Same cluster,
same WAL, same moment.

| date (UTC) | commit | size | load | WAL segments | oCore s (steps) | pgBackRest s (steps) | ratio | verified | load avg start/end |
|---|---|---|---|---|---|---|---|---|---|
HEAD
fi
printf '| %s | %s | %s MB (db %s MiB) | %s min at %s tps | %s | %s (%s) | %s (%s) | %sx | %s | %s/%s |\n' \
    "$STAMP" "$(git -C "$ROOT" rev-parse --short HEAD)" "$SIZE_MB" "$((DB_BYTES / 1048576))" "$LOAD_MINUTES" "$RATE" \
    "$WAL_FILES" "$OCORE_S" "$STEPS" "$PGBR_S" "$PGBR_STEPS" "$RATIO" "$VERIFIED" "$LOAD_START" "$LOAD_END" >> "$RESULTS"
log "appended to $RESULTS"
RESULT_LINE="RESULT pitr rto_s=$OCORE_S ratio=$RATIO verified=$VERIFIED"
