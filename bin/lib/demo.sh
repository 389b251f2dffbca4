# shellcheck shell=bash
# The demo Odoo-shaped environment: its own PostgreSQL cluster with WAL archiving on,
# database odoo_demo filled by platform/odoo-fixture, its filestore and odoo.conf, then
# registered in the catalogue (environment + a `local` destination) through the gateway, and
# its WAL archived through wal-archiver (demo_wal_enable: the schedule's walEnabled, then what
# GET .../wal-config answers written into the cluster's configuration).

DEMO_PG_DIR="$DEMO_DIR/pg"
# The WAL token file (0600, the cluster's OS user) and the WAL settings wal-config answered
# (kept so that a restart of the cluster archives at once); OCORE_WAL_CLIENT_TOKEN_DIR in services.sh.
DEMO_WAL_DIR="$DEMO_DIR/wal"
DEMO_WAL_CONF="$DEMO_WAL_DIR/postgresql.wal.conf"
DEMO_FILESTORE="$DEMO_DIR/filestore/odoo_demo"
# odoo.conf in a folder of its own: the config root (ocore.environments.config-roots) holds nothing else
DEMO_CONFIG="$DEMO_DIR/config/odoo.conf"
DEMO_IDS="$DEMO_DIR/ids.env"
DEMO_DB=odoo_demo
DEMO_DB_USER=odoo
DEMO_DB_PASSWORD=odoo
DEMO_SIZE_MB="${OCORE_DEMO_SIZE_MB:-20}"
DEMO_SEED="${OCORE_DEMO_SEED:-42}"

# demo_pg_settings: the demo cluster's settings. archive_mode is on from the start: until
# demo_wal_enable has written archive_command (from wal-config) PostgreSQL keeps every WAL file.
demo_pg_settings() {
    printf '%s\n' "wal_level = replica" "archive_mode = on" "full_page_writes = on" \
        "max_wal_senders = 4" "wal_keep_size = 128MB"
    if [[ -f "$DEMO_WAL_CONF" ]]; then
        cat "$DEMO_WAL_CONF"
    fi
}

demo_pg_up() {
    mkdir -p "$DEMO_DIR"
    pg_init demo-pg "$DEMO_PG_DIR"
    pg_prepare_dir "$DEMO_WAL_DIR"
    pg_configure "$DEMO_PG_DIR" "$DEMO_PG_PORT" "$(demo_pg_settings)"
    pg_start demo-pg "$DEMO_PG_DIR" "$DEMO_PG_PORT"
    # odoo: the login an Odoo server would use. CREATEDB lets restores build the new database
    # beside the old one and swap by rename; REPLICATION lets pg_basebackup take base backups.
    pg_psql "$DEMO_PG_PORT" postgres "DO \$\$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$DEMO_DB_USER') THEN
            CREATE ROLE $DEMO_DB_USER LOGIN;
        END IF;
        ALTER ROLE $DEMO_DB_USER LOGIN CREATEDB REPLICATION PASSWORD '$DEMO_DB_PASSWORD';
    END \$\$;"
    if [[ "$(pg_psql "$DEMO_PG_PORT" postgres "SELECT 1 FROM pg_database WHERE datname = '$DEMO_DB'")" != "1" ]]; then
        pg_psql "$DEMO_PG_PORT" postgres "CREATE DATABASE $DEMO_DB OWNER $DEMO_DB_USER"
        info "created database $DEMO_DB"
    fi
}

# fixture_classpath: the odoo-fixture jar and its runtime dependencies (cached).
fixture_classpath() {
    local cpfile="$STATE_DIR/run/odoo-fixture.classpath" jar
    jar="$(compgen -G "$FIXTURE_JAR_GLOB" | grep -v -e '-sources' -e '-tests' | head -n1 || true)"
    if [[ -z "$jar" ]]; then
        log "building platform/odoo-fixture" >&2
        (cd "$ROOT_DIR" && ./mvnw -q -B -pl platform/odoo-fixture -am install -DskipTests) \
            >"$LOG_DIR/build-odoo-fixture.log" 2>&1 \
            || { tail_log "$LOG_DIR/build-odoo-fixture.log"; return 1; }
        jar="$(compgen -G "$FIXTURE_JAR_GLOB" | grep -v -e '-sources' -e '-tests' | head -n1)"
    fi
    if [[ ! -s "$cpfile" || "$ROOT_DIR/platform/odoo-fixture/pom.xml" -nt "$cpfile" ]]; then
        (cd "$ROOT_DIR" && ./mvnw -q -B -pl platform/odoo-fixture dependency:build-classpath \
            -Dmdep.includeScope=runtime -Dmdep.outputFile="$cpfile") >"$LOG_DIR/build-odoo-fixture.log" 2>&1 \
            || { tail_log "$LOG_DIR/build-odoo-fixture.log"; return 1; }
    fi
    printf '%s:%s' "$jar" "$(<"$cpfile")"
}

# demo_generate: fills odoo_demo once (marker .state/demo/.generated).
demo_generate() {
    if [[ -f "$DEMO_DIR/odoo.conf" && ! -e "$DEMO_CONFIG" ]]; then
        # a stack made before the config root: its odoo.conf moves into its folder
        mkdir -p "$(dirname "$DEMO_CONFIG")"
        mv "$DEMO_DIR/odoo.conf" "$DEMO_CONFIG"
    fi
    [[ -f "$DEMO_DIR/.generated" ]] && { info "demo environment already generated ($DEMO_DB, $DEMO_FILESTORE)"; return 0; }
    local cp
    cp="$(fixture_classpath)" || { warn "cannot build the odoo fixture: demo database left empty"; return 1; }
    log "generating the demo Odoo environment ($DEMO_SIZE_MB MB, seed $DEMO_SEED)"
    # a failed earlier attempt rolled its transaction back, but start from scratch anyway
    pg_psql "$DEMO_PG_PORT" postgres "DROP DATABASE IF EXISTS $DEMO_DB WITH (FORCE)"
    pg_psql "$DEMO_PG_PORT" postgres "CREATE DATABASE $DEMO_DB OWNER $DEMO_DB_USER"
    rm -rf "$DEMO_FILESTORE"
    mkdir -p "$DEMO_FILESTORE" "$(dirname "$DEMO_CONFIG")"
    if PGPASSWORD="$DEMO_DB_PASSWORD" "$JAVA" -Xmx256m "-Docore.stack.home=$STATE_DIR" \
        "-Docore.stack.component=demo-generate" -cp "$cp" \
        io.ocore.backups.platform.odoofixture.OdooEnvironmentGenerator \
        --jdbc-url "jdbc:postgresql://127.0.0.1:$DEMO_PG_PORT/$DEMO_DB" --user "$DEMO_DB_USER" \
        --filestore "$DEMO_FILESTORE" --config "$DEMO_CONFIG" \
        --size-mb "$DEMO_SIZE_MB" --seed "$DEMO_SEED" >"$LOG_DIR/demo-generate.log" 2>&1; then
        touch "$DEMO_DIR/.generated"
        sed 's/^/    /' "$LOG_DIR/demo-generate.log" | tail -n 4
        ok "demo environment generated"
    else
        tail_log "$LOG_DIR/demo-generate.log"
        warn "demo generation failed (log $LOG_DIR/demo-generate.log); 'bin/stack up' tries again"
        return 1
    fi
}

demo_ids_load() {
    OCORE_DEMO_ENV=""
    OCORE_DEMO_DESTINATION=""
    if [[ -f "$DEMO_IDS" ]]; then
        # shellcheck disable=SC1090
        source "$DEMO_IDS"
    fi
}

demo_ids_save() {
    local tmp="$DEMO_IDS.tmp"
    {
        printf '# ids of the demo objects bin/stack registered through the gateway\n'
        printf 'OCORE_DEMO_ENV=%s\n' "$OCORE_DEMO_ENV"
        printf 'OCORE_DEMO_DESTINATION=%s\n' "$OCORE_DEMO_DESTINATION"
    } > "$tmp"
    mv "$tmp" "$DEMO_IDS"
}

# api_call METHOD PATH [JSON] [TOKEN]: one call through the gateway (the demo token unless
# TOKEN); sets API_CODE and API_BODY (its first 8000 bytes).
api_call() {
    local method="$1" path="$2" body="${3:-}" token="${4:-$DEMO_TOKEN}" out data=()
    out="$(mktemp)"
    [[ -n "$body" ]] && data=(-H 'Content-Type: application/json' --data "$body")
    API_CODE="$(curl -s -o "$out" -w '%{http_code}' --max-time 30 -X "$method" \
        -H "Authorization: Bearer $token" -H 'Accept: application/json' "${data[@]}" \
        "http://127.0.0.1:$GATEWAY_PORT$path" 2>/dev/null || true)"
    API_BODY="$(head -c 8000 "$out")"
    rm -f "$out"
}

# api_post PATH JSON [TOKEN]: POSTs through the gateway (the demo token unless TOKEN); sets API_CODE and API_BODY.
api_post() {
    api_call POST "$1" "$2" "${3:-$DEMO_TOKEN}"
}

# json_id: the first "id" member of a JSON object on stdin (enough for our own API's answers).
json_id() {
    grep -o '"id"[[:space:]]*:[[:space:]]*"[^"]*"' | head -n1 | sed 's/.*"\([^"]*\)"$/\1/'
}

# demo_register: environment and local destination, each once; tolerant of missing endpoints.
demo_register() {
    demo_ids_load
    if ! svc_ready "$GATEWAY"; then
        warn "gateway not ready: demo environment and destination not registered (run 'bin/stack up' again later)"
        return 0
    fi
    DEMO_TOKEN="$(demo_token 600)"
    mkdir -p "$BACKUPS_DIR"
    if [[ -z "$OCORE_DEMO_ENV" ]]; then
        # environments belong to the platform: registered by an operator's token, not the demo user's
        api_post /api/environments "{\"name\":\"demo\",\"projectId\":\"$DEMO_PROJECT_ID\",\"environmentType\":\"production\",\"database\":{\"host\":\"127.0.0.1\",\"port\":$DEMO_PG_PORT,\"name\":\"$DEMO_DB\",\"user\":\"$DEMO_DB_USER\",\"password\":\"$DEMO_DB_PASSWORD\"},\"filestorePath\":$(json_string "$DEMO_FILESTORE"),\"configPath\":$(json_string "$DEMO_CONFIG")}" \
            "$(mint_token manage:platform "$DEMO_ORG_ID" 600 ocore-stack-operator)"
        if [[ "$API_CODE" == 2* ]]; then
            OCORE_DEMO_ENV="$(printf '%s' "$API_BODY" | json_id || true)"
            ok "registered the demo environment: ${OCORE_DEMO_ENV:-<no id in the answer>}"
        else
            warn "POST /api/environments answered $API_CODE (not available yet?): demo environment not registered. ${API_BODY:0:300}"
        fi
    fi
    if [[ -z "$OCORE_DEMO_DESTINATION" ]]; then
        api_post /api/backup-destinations "{\"name\":\"local\",\"destinationType\":\"local\",\"config\":{\"path\":$(json_string "$BACKUPS_DIR")}}"
        if [[ "$API_CODE" == 2* ]]; then
            OCORE_DEMO_DESTINATION="$(printf '%s' "$API_BODY" | json_id || true)"
            ok "registered the local destination: ${OCORE_DEMO_DESTINATION:-<no id in the answer>} ($BACKUPS_DIR)"
        else
            warn "POST /api/backup-destinations answered $API_CODE (not available yet?): local destination not registered. ${API_BODY:0:300}"
        fi
    fi
    demo_ids_save
    demo_wal_enable || warn "WAL archiving of the demo environment is not set up (run 'bin/stack up' again later)"
}

# demo_wal_enable: WAL archiving of the demo environment through wal-archiver, every `up`
# (idempotent): the schedule gets walEnabled and the local destination, GET .../wal-config
# (manage:environments) gives the commands, settings and token; the token goes to the file its
# archive_command names (0600, the cluster's OS user), the settings into the cluster's
# configuration (reloaded).
demo_wal_enable() {
    [[ -n "$OCORE_DEMO_ENV" && -n "$OCORE_DEMO_DESTINATION" ]] || return 1
    command -v jq >/dev/null || { warn "jq is missing: cannot read the API's answers"; return 1; }
    local schedule body config token_file tmp settings
    api_call GET "/api/environments/$OCORE_DEMO_ENV/backup-schedule"
    [[ "$API_CODE" == 200 ]] || { warn "GET backup-schedule answered $API_CODE: ${API_BODY:0:300}"; return 1; }
    schedule="$API_BODY"
    if [[ "$(jq -r --arg d "$OCORE_DEMO_DESTINATION" '.walEnabled and (.destinationIds | index($d) != null)' <<< "$schedule")" != true ]]; then
        # the schedule as it is (enabled or not, its retention), plus WAL to the local destination
        body="$(jq -c --arg d "$OCORE_DEMO_DESTINATION" '{enabled, dbFrequency, fullFrequency, retainHourly,
            retainDaily, retainWeekly, retainMonthly, walEnabled: true, walRetentionDays: (.walRetentionDays // 7),
            destinationIds: ((.destinationIds // []) + [$d] | unique)} + (if .timezone then {timezone} else {} end)' <<< "$schedule")"
        api_call PUT "/api/environments/$OCORE_DEMO_ENV/backup-schedule" "$body"
        [[ "$API_CODE" == 200 ]] || { warn "PUT backup-schedule (walEnabled) answered $API_CODE: ${API_BODY:0:300}"; return 1; }
        ok "demo schedule: WAL archiving on, to the local destination"
    fi
    # wal-archiver learns of the schedule through Kafka: a few seconds
    local deadline=$(( $(now) + 60 ))
    while :; do
        api_call GET "/api/environments/$OCORE_DEMO_ENV/wal-config"
        [[ "$API_CODE" == 200 ]] && break
        if (( $(now) >= deadline )); then
            warn "GET wal-config answered $API_CODE: ${API_BODY:0:300}"
            return 1
        fi
        sleep 1
    done
    config="$API_BODY"
    # where the token goes (wal-config's tokenFile): under the demo's WAL folder only
    token_file="$(jq -r '.tokenFile // empty' <<< "$config")"
    if [[ "$token_file" != "$DEMO_WAL_DIR"/* || "$token_file" == *..* ]]; then
        warn "wal-config names the token file '$token_file', not one under $DEMO_WAL_DIR (OCORE_WAL_CLIENT_TOKEN_DIR): not written"
        return 1
    fi
    mkdir -p "$(dirname "$token_file")"
    tmp="$token_file.tmp"
    (umask 077; jq -j '.walToken' <<< "$config" > "$tmp")
    is_root && chown "$(pg_owner):" "$tmp" "$(dirname "$token_file")"
    chmod 600 "$tmp"
    mv -f "$tmp" "$token_file"
    # the settings as wal-config writes them (values already quoted for postgresql.conf)
    settings="$(jq -r --arg env "$OCORE_DEMO_ENV" '
        "# from GET /api/environments/\($env)/wal-config (bin/lib/demo.sh demo_wal_enable)",
        (.settings // {} | to_entries[] | select(.key | test("^[a-z_]+$")) | "\(.key) = \(.value)")' <<< "$config")" \
        || { warn "cannot read wal-config's answer"; return 1; }
    grep -q '^archive_command = ' <<< "$settings" || { warn "wal-config's settings hold no archive_command"; return 1; }
    if [[ ! -f "$DEMO_WAL_CONF" || "$(<"$DEMO_WAL_CONF")" != "$settings" ]]; then
        printf '%s\n' "$settings" > "$DEMO_WAL_CONF.tmp"
        mv -f "$DEMO_WAL_CONF.tmp" "$DEMO_WAL_CONF"
        pg_configure "$DEMO_PG_DIR" "$DEMO_PG_PORT" "$(demo_pg_settings)"
        pg_psql "$DEMO_PG_PORT" postgres "SELECT pg_reload_conf()" >/dev/null
        ok "demo PostgreSQL archives its WAL through wal-archiver ($(jq -r '.archiveCommand' <<< "$config" | sed 's/ --token-file.*//'))"
    else
        info "demo PostgreSQL already archives its WAL through wal-archiver"
    fi
    local pending
    pending="$(pg_psql "$DEMO_PG_PORT" postgres "SELECT string_agg(name, ', ') FROM pg_settings WHERE pending_restart")"
    [[ -z "$pending" ]] || warn "demo PostgreSQL needs a restart for: $pending (bin/stack down; bin/stack up)"
}

demo_pg_down() {
    pg_stop demo-pg "$DEMO_PG_DIR"
}
