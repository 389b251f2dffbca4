#!/usr/bin/env bash
# The security suite (issue 10, item 9) against a running local stack: bad tokens, another
# organisation's ids, the trust-boundary refusals and a bounded fuzz run, all on loopback. Run by
# bin/lib/stack-smoke.sh after the system test (SMOKE_SYSTEM=1), or by hand after `bin/stack up`:
#
#   bin/lib/security-test.sh [extra suite options, e.g. --seed 42 or --groups fuzz]
#
# OCORE_SECURITY_FUZZ_COUNT (10000), OCORE_SECURITY_SEED (random) and OCORE_SECURITY_TIMEOUT
# (300 s for the whole suite) override the defaults. Ends with
# `security-suite: N passed, N failed`; exit 0 only when nothing failed. docs/security.md "The security suite".
set -euo pipefail

# shellcheck source=bin/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=bin/lib/keys.sh
source "$ROOT_DIR/bin/lib/keys.sh"
# shellcheck source=bin/lib/services.sh
source "$ROOT_DIR/bin/lib/services.sh"

find_jdk || die "no JDK >= 21"
SUITE_JAR="$ROOT_DIR/security-suite/target/security-suite.jar"
if [[ ! -f "$SUITE_JAR" ]]; then
    log "building security-suite"
    (cd "$ROOT_DIR" && ./mvnw -B -ntp -q -pl security-suite package -DskipTests) || die "security-suite did not build"
fi
[[ -f "$JWT_PRIVATE_KEY" ]] || die "no stack keys ($JWT_PRIVATE_KEY): run 'bin/stack up' first"

eval "$("$ROOT_DIR/bin/stack" env)"
[[ -n "${OCORE_DEMO_ENV:-}" && -n "${OCORE_DEMO_DESTINATION:-}" ]] \
    || die "the demo environment or destination is not registered (bin/stack up registers them)"

service_args=()
for s in "${SERVICES[@]}"; do
    service_args+=(--service "$(svc_key "$s")=$(svc_url "$s")")
done
# the services' own signing key: the service-token checks need it, so its absence fails the run
[[ -f "$SERVICE_SIGNING_KEY_FILE" ]] || die "no service signing key ($SERVICE_SIGNING_KEY_FILE): run 'bin/stack up' first"
key_args=(--service-signing-key "$SERVICE_SIGNING_KEY_FILE")
seed_args=()
[[ -n "${OCORE_SECURITY_SEED:-}" ]] && seed_args=(--seed "$OCORE_SECURITY_SEED")

log "security suite against $OCORE_URL"
# timeout: a hung stack must fail the suite, not the CI job's own limit
timeout --kill-after=10 "${OCORE_SECURITY_TIMEOUT:-300}" "$JAVA" -Xmx512m -jar "$SUITE_JAR" \
    --gateway "$OCORE_URL" \
    --key "$JWT_PRIVATE_KEY" \
    --routes "$ROOT_DIR/gateway/src/main/resources/application.properties" \
    --demo-org "$DEMO_ORG_ID" \
    --demo-env "$OCORE_DEMO_ENV" \
    --demo-destination "$OCORE_DEMO_DESTINATION" \
    --keys-dir "$KEYS_DIR" \
    --services-db "127.0.0.1:$PG_PORT" \
    "${service_args[@]}" \
    --fuzz-count "${OCORE_SECURITY_FUZZ_COUNT:-10000}" \
    "${key_args[@]}" \
    "${seed_args[@]}" \
    "$@"
