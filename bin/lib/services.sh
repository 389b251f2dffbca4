# shellcheck shell=bash
# The Quarkus services and the gateway as background JVMs (quarkus-run.jar), each with the
# environment documented in docs/development.md, JSON logs to .state/logs/<name>.log and a
# PID file in .state/run.

# shellcheck source=bin/lib/traces.sh
source "$ROOT_DIR/bin/lib/traces.sh"

# Services in start order; the gateway comes last (it only forwards).
SERVICES=(destination backup scheduler restore alert wal-archiver)
GATEWAY=gateway

svc_module() {
    case "$1" in
        gateway) printf 'gateway' ;;
        wal-archiver) printf 'wal-archiver' ;;
        *) printf '%s-service' "$1" ;;
    esac
}

svc_port() {
    case "$1" in
        gateway) printf '8080' ;;
        destination) printf '8081' ;;
        backup) printf '8082' ;;
        scheduler) printf '8083' ;;
        restore) printf '8084' ;;
        alert) printf '8085' ;;
        wal-archiver) printf '8086' ;;
        *) die "unknown service $1" ;;
    esac
}

# The management interface (metrics, detailed health) of each JVM: loopback only, never the API port.
svc_mgmt_port() {
    case "$1" in
        gateway) printf '9080' ;;
        destination) printf '9081' ;;
        backup) printf '9082' ;;
        scheduler) printf '9083' ;;
        restore) printf '9084' ;;
        alert) printf '9085' ;;
        wal-archiver) printf '9086' ;;
        *) die "unknown service $1" ;;
    esac
}

svc_db() {
    case "$1" in
        wal-archiver) printf 'ocore_wal' ;;
        gateway) printf '' ;;
        *) printf 'ocore_%s' "$1" ;;
    esac
}

# The key under ocore.services.<key>.url, as the gateway names the services
# (gateway/src/main/java/.../config/ServicesConfig.java): destination, backup, scheduler,
# restore, alert, wal.
svc_key() {
    case "$1" in
        wal-archiver) printf 'wal' ;;
        *) printf '%s' "$1" ;;
    esac
}

# The JVM options of every service, in the one file the Kubernetes manifests read too
# (deploy/k8s/base/kustomization.yaml makes it the ocore-jvm ConfigMap): the `common` line, then
# the service's own line (its module name). docs/operations.md, "JVM memory budget".
JVM_OPTIONS_FILE="${OCORE_JVM_OPTIONS_FILE:-$ROOT_DIR/deploy/k8s/base/jvm-options.env}"

# jvm_options_value KEY: the value of KEY=... in $JVM_OPTIONS_FILE (comments and blank lines skipped).
jvm_options_value() {
    [[ -f "$JVM_OPTIONS_FILE" ]] || die "JVM options file $JVM_OPTIONS_FILE is missing"
    awk -v k="$1" 'index($0, k "=") == 1 { print substr($0, length(k) + 2); found = 1 } END { exit !found }' \
        "$JVM_OPTIONS_FILE"
}

# svc_jvm_options NAME: one option a line, `common` first, then the service's own.
svc_jvm_options() {
    local module line key words=()
    module="$(svc_module "$1")"
    for key in common "$module"; do
        line="$(jvm_options_value "$key")" || { warn "no $key= line in $JVM_OPTIONS_FILE"; return 1; }
        read -ra words <<< "$line"
        (( ${#words[@]} == 0 )) || printf '%s\n' "${words[@]}"
    done
}

svc_jar() { printf '%s/%s/target/quarkus-app/quarkus-run.jar' "$ROOT_DIR" "$(svc_module "$1")"; }

svc_exists() { [[ -f "$ROOT_DIR/$(svc_module "$1")/pom.xml" ]]; }

svc_url() { printf 'http://127.0.0.1:%s' "$(svc_port "$1")"; }

svc_mgmt_url() { printf 'http://127.0.0.1:%s' "$(svc_mgmt_port "$1")"; }

CLI_JAR="$ROOT_DIR/cli/target/ocore.jar"
FIXTURE_JAR_GLOB="$ROOT_DIR/platform/odoo-fixture/target/platform-odoo-fixture-*.jar"

# build_needed: true when a module's runnable (service quarkus-run.jar, cli jar, trace collector jar,
# fixture jar) is missing.
build_needed() {
    local s
    for s in "${SERVICES[@]}" "$GATEWAY"; do
        if svc_exists "$s" && [[ ! -f "$(svc_jar "$s")" ]]; then
            return 0
        fi
    done
    [[ -f "$ROOT_DIR/cli/pom.xml" && ! -f "$CLI_JAR" ]] && return 0
    [[ -f "$ROOT_DIR/tools/trace-collector/pom.xml" && ! -f "$TRACE_COLLECTOR_JAR" ]] && return 0
    compgen -G "$FIXTURE_JAR_GLOB" >/dev/null || return 0
    return 1
}

# stack_build MODE: MODE is missing (build when something is missing), always, or never.
# A failed build does not stop `up`: whatever was built still starts.
stack_build() {
    local mode="$1"
    case "$mode" in
        never) return 0 ;;
        missing) build_needed || return 0 ;;
    esac
    log "building (./mvnw -q install -DskipTests; log in $LOG_DIR/build.log)"
    if (cd "$ROOT_DIR" && ./mvnw -q -B install -DskipTests) >"$LOG_DIR/build.log" 2>&1; then
        ok "build done"
    else
        tail_log "$LOG_DIR/build.log" 40
        warn "the build failed: starting the components that were built before"
    fi
}

# Environment shared by every service and the gateway.
services_common_env() {
    local s key
    export QUARKUS_PROFILE=prod
    export QUARKUS_HTTP_HOST=127.0.0.1
    export QUARKUS_MANAGEMENT_HOST=127.0.0.1
    export KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:$KAFKA_PORT"
    export MP_JWT_VERIFY_PUBLICKEY_LOCATION="$JWT_PUBLIC_KEY"
    export MP_JWT_VERIFY_ISSUER="$JWT_ISSUER"
    export MP_JWT_VERIFY_AUDIENCES="$USER_TOKEN_AUDIENCE"
    OCORE_SERVICE_SIGNING_KEY="$(<"$SERVICE_SIGNING_KEY_FILE")"
    OCORE_MASTER_KEY="$(<"$MASTER_KEY_FILE")"
    OCORE_MASTER_KEY_ID="$(master_key_id)"
    export OCORE_SERVICE_SIGNING_KEY OCORE_MASTER_KEY OCORE_MASTER_KEY_ID
    # Previous master keys (during bin/stack rotate-master-key) and nothing else: a key removed
    # from master-previous/ must not come back from the caller's environment.
    local v id
    for v in $(compgen -e OCORE_PREVIOUS_MASTER_KEYS_ || true); do
        unset "$v"
    done
    while read -r id; do
        [[ -n "$id" ]] || continue
        [[ "$id" =~ $MASTER_KEY_ID_RE ]] || die "$MASTER_PREVIOUS_DIR/$id.key: '$id' is not a key id"
        export "OCORE_PREVIOUS_MASTER_KEYS_${id^^}=$(<"$MASTER_PREVIOUS_DIR/$id.key")"
    done < <(master_previous_ids)
    # Operator settings of the local stack: local destinations live under .state/backups, and
    # loopback endpoints (a local S3 or SFTP server, a webhook receiver) are allowed here only.
    export OCORE_DESTINATIONS_LOCAL_ROOTS="$BACKUPS_DIR"
    export OCORE_DESTINATIONS_ALLOW_PRIVATE_ENDPOINTS=true
    export OCORE_ALERTS_WEBHOOKS_ALLOW_PRIVATE_TARGETS=true
    export OCORE_STATE_DIR="$STATE_DIR"
    # every trace recorded, to the local trace collector (bin/lib/traces.sh)
    traces_env
    # glibc malloc arenas of every JVM (deploy/k8s/base/jvm-options.env, docs/operations.md)
    MALLOC_ARENA_MAX="$(jvm_options_value MALLOC_ARENA_MAX)" || die "no MALLOC_ARENA_MAX= line in $JVM_OPTIONS_FILE"
    export MALLOC_ARENA_MAX
    # Where environments may be (docs/operations.md): the demo's PostgreSQL, its filestore and config
    # folders; never the stack's own state. A caller's environment wins (the benchmarks add theirs).
    export OCORE_ENVIRONMENTS_DATABASE_SERVERS="${OCORE_ENVIRONMENTS_DATABASE_SERVERS:-127.0.0.1:$DEMO_PG_PORT}"
    export OCORE_ENVIRONMENTS_FILESTORE_ROOTS="${OCORE_ENVIRONMENTS_FILESTORE_ROOTS:-$DEMO_DIR/filestore}"
    export OCORE_ENVIRONMENTS_CONFIG_ROOTS="${OCORE_ENVIRONMENTS_CONFIG_ROOTS:-$DEMO_DIR/config}"
    export OCORE_ENVIRONMENTS_PROTECTED_PATHS="${OCORE_ENVIRONMENTS_PROTECTED_PATHS:-$KEYS_DIR,$PG_DIR,$KAFKA_DIR,$RUN_DIR,$LOG_DIR,$BACKUPS_DIR,$DEMO_DIR/pg,$DEMO_DIR/wal}"
    # What GET .../wal-config answers on this stack (docs/wal.md): servers reach the archive
    # through the gateway, run this repository's client, and keep the token under .state/demo/wal.
    export OCORE_WAL_PUBLIC_URL="${OCORE_WAL_PUBLIC_URL:-http://127.0.0.1:$GATEWAY_PORT}"
    export OCORE_WAL_CLIENT_COMMAND="${OCORE_WAL_CLIENT_COMMAND:-$ROOT_DIR/deploy/wal/ocore-wal}"
    export OCORE_WAL_CLIENT_TOKEN_DIR="${OCORE_WAL_CLIENT_TOKEN_DIR:-$DEMO_DIR/wal}"
    # Quick WAL feedback on one machine (production: 60 s and PT2M): a commit reaches the archive
    # within 15 s (archive_timeout, as wal-config answers it), and archiving failing for 30 s
    # raises wal_archive_failing. bin/lib/system/55-wal-backpressure.sh relies on both.
    export OCORE_WAL_ARCHIVE_TIMEOUT="${OCORE_WAL_ARCHIVE_TIMEOUT:-15s}"
    export OCORE_WAL_FAILING_WARNING_AFTER="${OCORE_WAL_FAILING_WARNING_AFTER:-PT30S}"
    # The scheduler looks for due and overdue schedules every 10 s here (60 s in production):
    # quick feedback on one machine, for a cheap indexed query.
    export OCORE_SCHEDULER_TICK="${OCORE_SCHEDULER_TICK:-10s}"
    for s in "${SERVICES[@]}"; do
        key="$(svc_key "$s")"
        key="${key^^}"
        export "OCORE_SERVICES_${key//-/_}_URL=$(svc_url "$s")"
        export "OCORE_SERVICES_${key//-/_}_MANAGEMENT_URL=$(svc_mgmt_url "$s")"
    done
    # Optional overrides for every JVM: .state/stack.env (KEY=VALUE lines).
    if [[ -f "$STATE_DIR/stack.env" ]]; then
        set -a
        # shellcheck disable=SC1091
        source "$STATE_DIR/stack.env"
        set +a
    fi
}

# svc_start NAME: starts one service or the gateway unless it runs (or is not built).
svc_start() {
    local name="$1" port mgmt_port db jar
    port="$(svc_port "$name")"
    mgmt_port="$(svc_mgmt_port "$name")"
    jar="$(svc_jar "$name")"
    if is_running "$name"; then
        info "$name already running (port $port)"
        return 0
    fi
    if ! svc_exists "$name"; then
        warn "$name: module $(svc_module "$name") does not exist yet; skipped"
        return 1
    fi
    if [[ ! -f "$jar" ]]; then
        warn "$name: $jar is not built; skipped"
        return 1
    fi
    if port_open "$port"; then
        warn "$name: port $port is taken by another process; skipped"
        return 1
    fi
    if port_open "$mgmt_port"; then
        warn "$name: management port $mgmt_port is taken by another process; skipped"
        return 1
    fi
    db="$(svc_db "$name")"
    (
        services_common_env
        export QUARKUS_HTTP_PORT="$port"
        export QUARKUS_MANAGEMENT_PORT="$mgmt_port"
        if [[ -n "$db" ]]; then
            export QUARKUS_DATASOURCE_USERNAME="$DB_USER"
            export QUARKUS_DATASOURCE_PASSWORD="$DB_PASSWORD"
            export QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://127.0.0.1:$PG_PORT/$db"
            export QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://127.0.0.1:$PG_PORT/$db"
        fi
        cd "$STATE_DIR" || exit 1
        local opts jvm_opts=()
        opts="$(svc_jvm_options "$name")" || { warn "$name: not started (JVM options)"; exit 1; }
        mapfile -t jvm_opts <<< "$opts"
        start_java "$name" "$LOG_DIR/$name.log" "${jvm_opts[@]}" -jar "$jar"
    ) || return 1
    info "started $name (pid $(<"$(pid_file "$name")"), port $port, management $mgmt_port, log $LOG_DIR/$name.log)"
    return 0
}

# Readiness on the management port (the API port does not serve /q/health).
svc_ready() {
    [[ "$(http_code "$(svc_mgmt_url "$1")/q/health/ready")" == "200" ]]
}

# wait_ready NAMES...: polls every management /q/health/ready until all answer 200 or READY_TIMEOUT
# passes; a process that exits is reported at once. Returns 1 with the culprits' log tails.
wait_ready() {
    local pending=("$@") still=() name deadline
    (( ${#pending[@]} == 0 )) && return 0
    log "waiting for ${pending[*]} to be ready (deadline ${READY_TIMEOUT}s)"
    deadline=$(( $(now) + READY_TIMEOUT ))
    while (( ${#pending[@]} > 0 )); do
        still=()
        for name in "${pending[@]}"; do
            if ! is_running "$name"; then
                warn "$name exited during startup"
                tail_log "$LOG_DIR/$name.log" 40
                FAILED_COMPONENTS+=("$name")
            elif svc_ready "$name"; then
                ok "$name ready ($(svc_url "$name"))"
            else
                still+=("$name")
            fi
        done
        pending=("${still[@]}")
        (( ${#pending[@]} == 0 )) && break
        if (( $(now) >= deadline )); then
            for name in "${pending[@]}"; do
                warn "$name is not ready after ${READY_TIMEOUT}s: $(svc_mgmt_url "$name")/q/health/ready answers $(http_code "$(svc_mgmt_url "$name")/q/health/ready")"
                tail_log "$LOG_DIR/$name.log" 30
                FAILED_COMPONENTS+=("$name")
            done
            return 1
        fi
        sleep 1
    done
    (( ${#FAILED_COMPONENTS[@]} == 0 ))
}

services_up() {
    local started=() s
    for s in "${SERVICES[@]}" "$GATEWAY"; do
        if svc_start "$s"; then
            started+=("$s")
        fi
    done
    wait_ready "${started[@]}" || true
}

services_down() {
    local s
    stop_pid "$GATEWAY"
    for s in "${SERVICES[@]}"; do
        stop_pid "$s"
    done
}
