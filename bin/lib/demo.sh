# shellcheck shell=bash
# The demo Odoo-shaped environment: its own PostgreSQL cluster with WAL archiving on,
# database odoo_demo filled by platform/odoo-fixture, its filestore and odoo.conf, then
# registered in the catalogue (environment + a `local` destination) through the gateway.

DEMO_PG_DIR="$DEMO_DIR/pg"
DEMO_SPOOL="$DEMO_DIR/wal-spool"
DEMO_FILESTORE="$DEMO_DIR/filestore/odoo_demo"
# odoo.conf in a folder of its own: the config root (ocore.environments.config-roots) holds nothing else
DEMO_CONFIG="$DEMO_DIR/config/odoo.conf"
DEMO_IDS="$DEMO_DIR/ids.env"
DEMO_DB=odoo_demo
DEMO_DB_USER=odoo
DEMO_DB_PASSWORD=odoo
DEMO_SIZE_MB="${OCORE_DEMO_SIZE_MB:-20}"
DEMO_SEED="${OCORE_DEMO_SEED:-42}"

demo_pg_up() {
    mkdir -p "$DEMO_DIR"
    pg_init demo-pg "$DEMO_PG_DIR"
    pg_prepare_dir "$DEMO_SPOOL"
    chmod 750 "$DEMO_SPOOL"
    # archive_command runs as the server's user, through /bin/sh: `test ! -f` keeps an
    # already archived segment from being overwritten (PostgreSQL's documented idiom).
    # The WAL issue switches it to the wal-archiver's HTTP endpoint (curl with a
    # per-environment token; wal-archiver answers 2xx only once the segment is durable).
    pg_configure "$DEMO_PG_DIR" "$DEMO_PG_PORT" "wal_level = replica
archive_mode = on
archive_timeout = 60
archive_command = 'test ! -f $DEMO_SPOOL/%f && cp %p $DEMO_SPOOL/%f'
full_page_writes = on
max_wal_senders = 4
wal_keep_size = 128MB"
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

# api_post PATH JSON [TOKEN]: POSTs through the gateway (the demo token unless TOKEN); sets API_CODE and API_BODY.
api_post() {
    local path="$1" body="$2" token="${3:-$DEMO_TOKEN}" out
    out="$(mktemp)"
    API_CODE="$(curl -s -o "$out" -w '%{http_code}' --max-time 30 -X POST \
        -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -H 'Accept: application/json' \
        --data "$body" "http://127.0.0.1:$GATEWAY_PORT$path" 2>/dev/null || true)"
    API_BODY="$(head -c 2000 "$out")"
    rm -f "$out"
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
}

demo_pg_down() {
    pg_stop demo-pg "$DEMO_PG_DIR"
}
