# shellcheck shell=bash
# Shared by the benchmarks: a token for the benchmark's organisation and a small client of the
# gateway. The caller defines ROOT, ORG, GATEWAY and log, die.

# The stack a benchmark starts records no span (as deployed by default: OCORE_OTEL_SAMPLE_RATIO 0),
# unlike the local stack's default of every span (docs/operations.md "Traces and logs").
export OCORE_OTEL_SAMPLE_RATIO="${OCORE_OTEL_SAMPLE_RATIO:-0}"

# bench_login: sets TOKEN (bin/stack token, every permission of the seed, 2 h).
bench_login() {
    TOKEN="$(timeout 60 "$ROOT/bin/stack" token --permissions view:environments,manage:environments,manage:org_settings \
        --org "$ORG" --ttl 7200 --sub bench 2>/dev/null | tail -n1)"
    [[ "$TOKEN" == ey* ]] || die "bin/stack token gave no token"
    # environments belong to the platform: the benchmark registers its own as an operator
    PLATFORM_TOKEN="$(timeout 60 "$ROOT/bin/stack" token --permissions manage:platform \
        --org "$ORG" --ttl 7200 --sub bench-operator 2>/dev/null | tail -n1)"
    [[ "$PLATFORM_TOKEN" == ey* ]] || die "bin/stack token gave no manage:platform token"
}

# bench_environment_policy: the operator's confinement of environments for the stack this run
# starts: the demo's server and folders (bin/lib/services.sh) plus this run's ($PG_PORT, $WORK).
bench_environment_policy() {
    export OCORE_ENVIRONMENTS_DATABASE_SERVERS="127.0.0.1:15433,127.0.0.1:$PG_PORT"
    export OCORE_ENVIRONMENTS_FILESTORE_ROOTS="$STATE/demo/filestore,$WORK/filestore"
    export OCORE_ENVIRONMENTS_CONFIG_ROOTS="$STATE/demo/config,$WORK/config"
}

api() { # METHOD PATH [JSON] -> body on stdout; fails on a non-2xx
    local method="$1" path="$2" body="${3:-}" out code
    out="$(mktemp)"
    if [[ -n "$body" ]]; then
        code="$(curl -s -o "$out" -w '%{http_code}' --max-time 60 -X "$method" -H "Authorization: Bearer $TOKEN" \
            -H 'Content-Type: application/json' --data "$body" "$GATEWAY$path")"
    else
        code="$(curl -s -o "$out" -w '%{http_code}' --max-time 60 -X "$method" -H "Authorization: Bearer $TOKEN" \
            "$GATEWAY$path")"
    fi
    if [[ "$code" != 2* ]]; then
        log "$method $path answered $code: $(head -c 600 "$out")"
        rm -f "$out"
        return 1
    fi
    cat "$out"
    rm -f "$out"
}

jget() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval('d'+sys.argv[1]))" "$1"; }
