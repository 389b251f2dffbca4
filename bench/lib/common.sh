# shellcheck shell=bash
# Shared by the benchmarks: logging, timing, the JDK and the postgres user.

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
as_pg() { runuser -u postgres -- "$@"; }
now() { date +%s.%N; }
elapsed() { python3 -c "print(f'{$2 - $1:.2f}')"; }

# pick_java: a JDK >= 21 (JAVA_HOME first).
pick_java() {
    local j
    for j in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
        [[ -n "$j" && -x "$j/bin/java" ]] || continue
        local v
        v="$("$j/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')"
        if [[ "${v%%.*}" -ge 21 ]]; then
            printf '%s' "$j"
            return 0
        fi
    done
    return 1
}
