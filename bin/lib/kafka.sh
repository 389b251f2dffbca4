# shellcheck shell=bash
# Single-node KRaft Kafka 4.1.2 for the local stack, run as a plain JVM from jars that Maven
# resolves (deploy/local/kafka/pom.xml): no Docker, no Kafka tarball.

KAFKA_CONF_DIR="$ROOT_DIR/deploy/local/kafka"
# The topics of platform/events Topics.all(); created up front (6 partitions, RF 1) so that
# consumers never race the first producer. Keep in sync with Topics.java.
KAFKA_TOPICS=(environment-events destination-events backup-events schedule-events restore-events wal-events alert-events operations-events)
# Dead letters (issue 11): every consumer's dead-letter topic, platform/events Topics.deadLetterTopics()
# (<service>.<topic>.dlq; CreateTopics gives them 30 days' retention). DeadLetterTopicsTest checks this list.
KAFKA_TOPICS+=(
    alert-service.backup-events.dlq
    alert-service.destination-events.dlq
    alert-service.schedule-events.dlq
    alert-service.restore-events.dlq
    alert-service.wal-events.dlq
    alert-service.operations-events.dlq
    backup-service.schedule-events.dlq
    destination-service.schedule-events.dlq
    destination-service.backup-events.dlq
    destination-service.environment-events.dlq
    restore-service.backup-events.dlq
    scheduler-service.environment-events.dlq
    scheduler-service.backup-events.dlq
    wal-archiver.environment-events.dlq
    wal-archiver.schedule-events.dlq
    wal-archiver.backup-events.dlq
)
# shellcheck disable=SC2153 # KAFKA_DIR comes from common.sh
KAFKA_LIB="$KAFKA_DIR/lib"

# kafka_resolve: copies the broker's jars into .state/kafka/lib (again when the pom changed).
kafka_resolve() {
    local stamp="$KAFKA_LIB/.pom.sha256" want
    want="$(sha256sum "$KAFKA_CONF_DIR/pom.xml" | cut -d' ' -f1)"
    if [[ -f "$stamp" && "$(<"$stamp")" == "$want" ]] && compgen -G "$KAFKA_LIB/kafka_2.13-*.jar" >/dev/null; then
        return 0
    fi
    log "resolving Kafka jars (Maven) into $KAFKA_LIB"
    rm -rf "$KAFKA_LIB"
    mkdir -p "$KAFKA_LIB"
    (cd "$ROOT_DIR" && ./mvnw -q -B -f deploy/local/kafka/pom.xml dependency:copy-dependencies \
        -DoutputDirectory="$KAFKA_LIB" -DincludeScope=runtime) >"$LOG_DIR/kafka-resolve.log" 2>&1 \
        || { tail_log "$LOG_DIR/kafka-resolve.log"; die "could not resolve the Kafka jars"; }
    printf '%s\n' "$want" > "$stamp"
}

kafka_render_config() {
    sed -e "s#@BROKER_PORT@#$KAFKA_PORT#g" \
        -e "s#@CONTROLLER_PORT@#$KAFKA_CONTROLLER_PORT#g" \
        -e "s#@DATA_DIR@#$KAFKA_DIR/data#g" \
        "$KAFKA_CONF_DIR/server.properties.template" > "$KAFKA_DIR/server.properties"
}

kafka_java_opts() {
    KAFKA_JAVA_OPTS=(-Xms128m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20
        -Djava.awt.headless=true
        "-Dlog4j2.configurationFile=$KAFKA_CONF_DIR/log4j2.properties"
        -cp "$KAFKA_LIB/*")
}

# kafka_format: formats the metadata log once (a random cluster id, kept in .state/kafka/cluster.id).
kafka_format() {
    [[ -f "$KAFKA_DIR/data/meta.properties" ]] && return 0
    local cluster_id
    if [[ -f "$KAFKA_DIR/cluster.id" ]]; then
        cluster_id="$(<"$KAFKA_DIR/cluster.id")"
    else
        # a Kafka cluster id is 16 random bytes, base64url without padding
        cluster_id="$(openssl rand 16 | openssl base64 -A | tr '+/' '-_' | tr -d '=')"
        printf '%s\n' "$cluster_id" > "$KAFKA_DIR/cluster.id"
    fi
    log "formatting Kafka storage (cluster id $cluster_id)"
    mkdir -p "$KAFKA_DIR/data"
    kafka_java_opts
    "$JAVA" "${KAFKA_JAVA_OPTS[@]}" kafka.tools.StorageTool format --cluster-id "$cluster_id" --standalone \
        -c "$KAFKA_DIR/server.properties" >"$LOG_DIR/kafka-format.log" 2>&1 \
        || { tail_log "$LOG_DIR/kafka-format.log"; die "kafka storage format failed"; }
}

kafka_up() {
    mkdir -p "$KAFKA_DIR"
    if is_running kafka; then
        info "kafka already running (127.0.0.1:$KAFKA_PORT)"
        return 0
    fi
    port_free "$KAFKA_PORT" || die "port $KAFKA_PORT is taken by another process; kafka cannot start"
    port_free "$KAFKA_CONTROLLER_PORT" || die "port $KAFKA_CONTROLLER_PORT is taken by another process; kafka cannot start"
    kafka_resolve
    kafka_render_config
    kafka_format
    kafka_java_opts
    start_java kafka "$LOG_DIR/kafka.log" "${KAFKA_JAVA_OPTS[@]}" kafka.Kafka "$KAFKA_DIR/server.properties"
    if ! poll_until 90 0.3 kafka_ready; then
        tail_log "$LOG_DIR/kafka.log" 40
        die "kafka did not open 127.0.0.1:$KAFKA_PORT within 90 s"
    fi
    ok "kafka started (127.0.0.1:$KAFKA_PORT, controller $KAFKA_CONTROLLER_PORT, data $KAFKA_DIR/data)"
    kafka_topics
}

# kafka_topics: creates the missing topics (once; marker .state/kafka/topics.done).
kafka_topics() {
    local want="${KAFKA_TOPICS[*]}"
    [[ -f "$KAFKA_DIR/topics.done" && "$(<"$KAFKA_DIR/topics.done")" == "$want" ]] && return 0
    if "$JAVA" -Xmx128m -cp "$KAFKA_LIB/*" "-Dlog4j2.configurationFile=$KAFKA_CONF_DIR/log4j2.properties" \
        -Dlog4j2.level=WARN "$KAFKA_CONF_DIR/CreateTopics.java" "127.0.0.1:$KAFKA_PORT" "${KAFKA_TOPICS[@]}" \
        >"$LOG_DIR/kafka-topics.log" 2>&1; then
        printf '%s\n' "$want" > "$KAFKA_DIR/topics.done"
        info "$(grep -m1 '^topics created' "$LOG_DIR/kafka-topics.log" || true)"
    else
        tail_log "$LOG_DIR/kafka-topics.log"
        warn "could not create the topics up front; the broker auto-creates them (6 partitions) on first use"
    fi
}

kafka_ready() {
    is_running kafka || { tail_log "$LOG_DIR/kafka.log" 40; die "kafka exited during startup"; }
    port_open "$KAFKA_PORT"
}

kafka_down() {
    stop_pid kafka 60
}
