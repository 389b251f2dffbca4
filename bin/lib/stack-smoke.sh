#!/usr/bin/env bash
# Smoke test of the local stack: `bin/stack up`, every component healthy on its management
# port, the gateway's summary /health, the public port refusing /q/metrics and
# /health/<service>, `bin/stack metrics`, a token the services accept, the demo environment
# (database, filestore, WAL archiving through wal-archiver), `up` again is harmless, then `bin/stack down` leaves
# no process behind.
#
#   bin/lib/stack-smoke.sh            (SMOKE_KEEP=1 skips the final `down`;
#                                      SMOKE_UP_ARGS=--no-build skips the build step)
#
# Services whose module is not built yet are reported as skipped, not failed.
set -euo pipefail

# shellcheck source=bin/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=bin/lib/keys.sh
source "$ROOT_DIR/bin/lib/keys.sh"
# shellcheck source=bin/lib/services.sh
source "$ROOT_DIR/bin/lib/services.sh"
# shellcheck source=bin/lib/pg.sh
source "$ROOT_DIR/bin/lib/pg.sh"

STACK="$ROOT_DIR/bin/stack"
FAILURES=0
WARNINGS=0
PASSES=0

pass() { printf '  %sPASS%s %s\n' "$C_GREEN" "$C_RESET" "$*"; PASSES=$(( PASSES + 1 )); }
fail() { printf '  %sFAIL%s %s\n' "$C_RED" "$C_RESET" "$*"; FAILURES=$(( FAILURES + 1 )); }
# SMOKE_STRICT=1 (bin/test) turns every warning into a failure: nothing may be skipped.
soft() {
    if [[ "${SMOKE_STRICT:-0}" == 1 ]]; then fail "$*"; return; fi
    printf '  %sWARN%s %s\n' "$C_YELLOW" "$C_RESET" "$*"; WARNINGS=$(( WARNINGS + 1 ))
}

check() {
    local what="$1"
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}

find_jdk || die "no JDK >= 21"

log "bin/stack up"
# shellcheck disable=SC2086 # SMOKE_UP_ARGS is a list of options
if "$STACK" up ${SMOKE_UP_ARGS:-}; then pass "bin/stack up"; else soft "bin/stack up reported unhealthy components (details above)"; fi

log "infrastructure"
check "PostgreSQL (services) accepts connections on 127.0.0.1:$PG_PORT" \
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"
check "role ocore logs in with its password over TCP (scram)" \
    env PGPASSWORD="$DB_PASSWORD" "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -d ocore_backup -qAtc 'select 1' -o /dev/null
for db in "${SERVICE_DATABASES[@]}"; do
    check "database $db exists" test "$(pg_psql "$PG_PORT" postgres "select 1 from pg_database where datname = '$db'")" = 1
done
check "Kafka listens on 127.0.0.1:$KAFKA_PORT" port_open "$KAFKA_PORT"
check "demo PostgreSQL accepts connections on 127.0.0.1:$DEMO_PG_PORT" \
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$DEMO_PG_PORT"

log "demo environment"
partners="$(PGPASSWORD=odoo "$PG_BIN/psql" -h 127.0.0.1 -p "$DEMO_PG_PORT" -U odoo -d odoo_demo -qAtc 'select count(*) from res_partner' 2>/dev/null || echo 0)"
check "odoo_demo has partners ($partners)" test "$partners" -gt 0
files="$(find "$STATE_DIR/demo/filestore/odoo_demo" -type f 2>/dev/null | wc -l)"
check "demo filestore has files ($files)" test "$files" -gt 0
check "odoo.conf names odoo_demo" grep -q '^db_name = odoo_demo$' "$STATE_DIR/demo/config/odoo.conf"
check "wal_level is replica and archive_mode on" test \
    "$(pg_psql "$DEMO_PG_PORT" postgres "select current_setting('wal_level') || ',' || current_setting('archive_mode')")" = "replica,on"
# WAL through wal-archiver: a switched segment comes back from GET /api/wal (the demo's own
# token file, read by the ocore-wal client) identical to the server's copy within 60 s
wal_conf="$STATE_DIR/demo/wal/postgresql.wal.conf"
wal_env="$(sed -n 's/^OCORE_DEMO_ENV=//p' "$STATE_DIR/demo/ids.env" 2>/dev/null || true)"
wal_token_file="$(sed -n "s/^archive_command = .*--token-file[= ]\([^ ']*\).*/\1/p" "$wal_conf" 2>/dev/null || true)"
if [[ -z "$wal_env" || -z "$wal_token_file" ]]; then
    fail "bin/stack up configured the demo's archive_command from wal-config ($wal_conf)"
else
    check "archive_command is the ocore-wal client" \
        grep -q "^ocore-wal\|ocore-wal push" <<< "$(pg_psql "$DEMO_PG_PORT" postgres "select current_setting('archive_command')")"
    # a WAL record first, so that the switch finishes a segment of its own
    pg_psql "$DEMO_PG_PORT" postgres "select pg_logical_emit_message(false, 'ocore-smoke', 'switch')" >/dev/null
    segment="$(pg_psql "$DEMO_PG_PORT" postgres "select pg_walfile_name(pg_switch_wal())")"
    wal_got="$(mktemp -d)"
    wal_archived() {
        (cd "$wal_got" && "$ROOT_DIR/deploy/wal/ocore-wal" fetch --url "http://127.0.0.1:$GATEWAY_PORT/api/wal/$wal_env" \
            --token-file "$wal_token_file" --prefetch 0 --retries 1 --spool "$wal_got/spool" "$segment" "$segment" 2>/dev/null)
    }
    if poll_until 60 1 wal_archived; then
        pass "WAL segment $segment reached wal-archiver within 60 s"
        check "GET /api/wal/ENV/$segment returns the server's bytes" cmp -s "$wal_got/$segment" "$STATE_DIR/demo/pg/pg_wal/$segment"
    else
        fail "WAL segment $segment not archived within 60 s (archiver: $(pg_psql "$DEMO_PG_PORT" postgres "select coalesce(last_failed_wal, '-') from pg_stat_archiver"); bin/stack logs demo-pg)"
    fi
    rm -rf "$wal_got"
fi

log "tokens"
token="$("$STACK" token --permissions view:environments,manage:environments --ttl 600)"
check "bin/stack token mints a JWT with three parts" test "$(tr -cd '.' <<< "$token")" = ".."
check "its RS256 signature verifies with .state/keys/jwt-public.pem" verify_token "$token"
payload="$(cut -d. -f2 <<< "$token" | tr '_-' '/+')"
while (( ${#payload} % 4 )); do payload+="="; done
claims="$(openssl base64 -d -A <<< "$payload")"
check "claims carry iss, org_id, permissions, groups" grep -q "\"iss\":\"$JWT_ISSUER\".*\"org_id\":\"$DEMO_ORG_ID\",\"permissions\":\[\"view:environments\",\"manage:environments\"\],\"groups\"" <<< "$claims"
eval "$("$STACK" env)"
check "bin/stack env exports OCORE_URL and OCORE_TOKEN" test -n "${OCORE_TOKEN:-}" -a "${OCORE_URL:-}" = "http://127.0.0.1:$GATEWAY_PORT"

log "services"
for s in "${SERVICES[@]}" "$GATEWAY"; do
    if ! svc_exists "$s" || [[ ! -f "$(svc_jar "$s")" ]]; then
        soft "$s is not built yet: skipped"
        continue
    fi
    mgmt="$(svc_mgmt_url "$s")"
    code="$(http_code "$mgmt/q/health/ready")"
    if [[ "$code" == 200 ]]; then pass "$s management /q/health/ready = 200"; else fail "$s management $mgmt/q/health/ready = $code"; fi
    code="$(http_code "$mgmt/q/health/live")"
    if [[ "$code" == 200 ]]; then pass "$s management /q/health/live = 200"; else fail "$s management $mgmt/q/health/live = $code"; fi
    code="$(http_code "$(svc_url "$s")/q/metrics")"
    check "$s API port refuses /q/metrics ($code)" test "$code" = 404
    [[ "$s" == "$GATEWAY" ]] && continue
    code="$(http_code "http://127.0.0.1:$GATEWAY_PORT/health/$(svc_key "$s")/ready")"
    check "gateway public port refuses /health/$(svc_key "$s")/ready ($code)" test "$code" = 404
done
if is_running "$GATEWAY"; then
    code="$(http_code "http://127.0.0.1:$GATEWAY_PORT/health")"
    check "gateway summary /health = 200 ($code)" test "$code" = 200
    check "gateway summary /health says only UP" \
        test "$(curl -s --max-time 5 "http://127.0.0.1:$GATEWAY_PORT/health")" = '{"status":"UP"}'
    for path in /q/metrics /q/health /q/health/ready; do
        code="$(http_code "http://127.0.0.1:$GATEWAY_PORT$path")"
        check "gateway public port refuses $path ($code)" test "$code" = 404
    done
fi
if is_running backup; then
    check "bin/stack metrics backup prints Prometheus text" \
        bash -c '"$1" metrics backup | grep -q "^jvm_memory_used_bytes{"' _ "$STACK"
fi
if is_running "$GATEWAY"; then
    code="$(http_code "http://127.0.0.1:$GATEWAY_PORT/api/backup-alerts" -H "Authorization: Bearer $OCORE_TOKEN")"
    case "$code" in
        200) pass "GET /api/backup-alerts with the demo token = 200" ;;
        404|502|503) soft "GET /api/backup-alerts = $code (service not there yet)" ;;
        *) fail "GET /api/backup-alerts with the demo token = $code" ;;
    esac
    code="$(http_code "http://127.0.0.1:$GATEWAY_PORT/api/backup-alerts")"
    check "GET /api/backup-alerts without a token = 401 ($code)" test "$code" = 401
fi

if [[ "${SMOKE_SYSTEM:-0}" == 1 ]]; then
    log "end-to-end system test"
    if "$ROOT_DIR/bin/lib/system-test.sh"; then pass "system test"; else fail "system test (details above)"; fi
    log "security suite"
    # each of its failed checks counts as a smoke failure; no summary line (it crashed) counts as one
    security_log="$(mktemp)"
    "$ROOT_DIR/bin/lib/security-test.sh" | tee "$security_log" || true
    security_failed="$(sed -n 's/^security-suite: [0-9]* passed, \([0-9]*\) failed$/\1/p' "$security_log" | tail -n1)"
    rm -f "$security_log"
    if [[ "${security_failed:-x}" == 0 ]]; then
        pass "security suite"
    elif [[ "${security_failed:-x}" =~ ^[0-9]+$ ]]; then
        fail "security suite: $security_failed check(s) failed (details above)"
        FAILURES=$(( FAILURES + security_failed - 1 ))
    else
        fail "security suite did not finish (details above)"
    fi
fi

log "bin/stack up again is harmless"
before="$(cat "$RUN_DIR"/*.pid 2>/dev/null | sort | tr '\n' ' ')"
"$STACK" up --no-build >/dev/null 2>&1 || true
after="$(cat "$RUN_DIR"/*.pid 2>/dev/null | sort | tr '\n' ' ')"
check "same processes after a second up" test "$before" = "$after"
check "bin/stack status" "$STACK" status

if [[ "${SMOKE_KEEP:-0}" == 1 ]]; then
    log "SMOKE_KEEP=1: leaving the stack running"
else
    log "bin/stack down"
    check "bin/stack down" "$STACK" down
    leftovers="$(pgrep -af -- "$STATE_DIR" || true)"
    if [[ -z "$leftovers" ]]; then pass "no process left with $STATE_DIR in its command line"; else fail "processes left: $leftovers"; fi
    for port in "$PG_PORT" "$DEMO_PG_PORT" "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT" 8080 8081 8082 8083 8084 8085 8086 \
        9080 9081 9082 9083 9084 9085 9086; do
        if port_open "$port"; then fail "port $port still open after down"; fi
    done
    pass "ports closed"
fi

printf '\n%d warning(s)\nstack-smoke: %d passed, %d failed\n' "$WARNINGS" "$PASSES" "$FAILURES"
(( FAILURES == 0 ))
