# shellcheck shell=bash
# The local stack's traces: a trace collector (tools/trace-collector, OTLP/HTTP with protobuf
# bodies on 127.0.0.1:$TRACE_PORT) that appends every span to $TRACES_FILE, one JSON object a
# line (past 64 MiB it becomes $TRACES_FILE.1 and a new file begins); every service and the
# gateway export to it and record every trace (docs/operations.md, "Traces and logs"). `bin/stack traces [ID]` reads the file.

TRACE_PORT="${OCORE_TRACE_PORT:-14318}"
TRACES_FILE="$LOG_DIR/traces.jsonl"
TRACE_COLLECTOR_JAR="$ROOT_DIR/tools/trace-collector/target/trace-collector.jar"

# traces_up: starts the collector unless it runs; without its jar the services record nothing.
traces_up() {
    if is_running trace-collector; then
        return 0
    fi
    if [[ ! -f "$TRACE_COLLECTOR_JAR" ]]; then
        warn "trace-collector: $TRACE_COLLECTOR_JAR is not built: no traces are recorded"
        return 1
    fi
    if port_open "$TRACE_PORT"; then
        warn "trace-collector: port $TRACE_PORT is taken by another process: no traces are recorded"
        return 1
    fi
    start_java trace-collector "$LOG_DIR/trace-collector.log" -XX:+UseSerialGC -Xms8m -Xmx32m \
        -XX:TieredStopAtLevel=1 -jar "$TRACE_COLLECTOR_JAR" "$TRACE_PORT" "$TRACES_FILE"
    if poll_until 30 0.2 port_open "$TRACE_PORT"; then
        info "started trace-collector (pid $(<"$(pid_file trace-collector)"), 127.0.0.1:$TRACE_PORT, spans to $TRACES_FILE)"
    else
        warn "trace-collector did not listen on $TRACE_PORT within 30 s"
        tail_log "$LOG_DIR/trace-collector.log" 20
        return 1
    fi
}

traces_down() {
    stop_pid trace-collector
}

# traces_env: what the JVMs need to export to the collector. A caller's OCORE_OTEL_ENDPOINT (a
# collector of their own, OTLP/gRPC as in production) wins, and so does OCORE_OTEL_SAMPLE_RATIO.
traces_env() {
    export OCORE_OTEL_SAMPLE_RATIO="${OCORE_OTEL_SAMPLE_RATIO:-1}"
    if [[ -z "${OCORE_OTEL_ENDPOINT:-}" ]]; then
        export OCORE_OTEL_ENDPOINT="http://127.0.0.1:$TRACE_PORT"
        export QUARKUS_OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf
    fi
}

# cmd_traces [ID]: without ID the newest traces, one a line; with a trace id, a backup id or a
# restore id (any span attribute equal to it), every span of the traces it is in, in order.
cmd_traces() {
    local id="${1:-}" files=()
    [[ $# -le 1 ]] || die "usage: bin/stack traces [TRACE_ID|BACKUP_ID|RESTORE_ID]"
    [[ -s "$TRACES_FILE" ]] || die "no span recorded yet ($TRACES_FILE): is trace-collector running (bin/stack status)?"
    # the collector starts a new file past 64 MiB; the one before is FILE.1
    [[ -f "$TRACES_FILE.1" ]] && files+=("$TRACES_FILE.1")
    files+=("$TRACES_FILE")
    if [[ -z "$id" ]]; then
        printf '%-32s  %-24s  %5s  %s\n' TRACE STARTED SPANS "SERVICES: FIRST SPAN"
        jq -rs 'group_by(.traceId) | map(sort_by(.startUnixNano)) | sort_by(.[0].startUnixNano) | .[-20:][]
                | "\(.[0].traceId)  \(.[0].start[0:23])Z  \(length | tostring | (" " * (5 - length)) + .)  \(map(.service) | unique | join(",")): \(.[0].name)"' \
            "${files[@]}"
        return 0
    fi
    local out
    out="$(jq -rs --arg id "$id" '
        (map(select(.traceId == $id or ([.attributes[]? | tostring] | index($id)))) | map(.traceId) | unique) as $traces
        | group_by(.traceId) | map(select(.[0].traceId as $t | $traces | index($t))) | map(sort_by(.startUnixNano)) | .[]
        | .[0].startUnixNano as $t0
        | "trace \(.[0].traceId)",
          (.[] | "  +\((.startUnixNano - $t0) / 1000000 | floor | tostring | (" " * (7 - length)) + .) ms \(.durationMs | floor | tostring | (" " * (7 - length)) + .) ms  \(.service)  \(.kind)  \(.name)\(if .status == "ERROR" then "  ERROR" else "" end)\([.attributes | to_entries[] | select(.key | startswith("ocore.")) | " \(.key)=\(.value)"] | join(""))")
        ' "${files[@]}")"
    [[ -n "$out" ]] || die "no recorded span has trace id or attribute '$id'"
    printf '%s\n' "$out"
}
