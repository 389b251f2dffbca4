# shellcheck shell=bash
# Shared by the benchmarks: generates the Odoo-shaped environment (platform/odoo-fixture) into
# the benchmark's own cluster. The caller defines ROOT, WORK, JAVA, PG_PORT, DB, SIZE_MB,
# STEP_TIMEOUT, PSQL (array) and log, die, now, elapsed.

# fixture_classpath: the generator's jar and its runtime classpath (built once if missing).
fixture_classpath() {
    local jar cpfile="$WORK/fixture.classpath"
    jar="$(ls "$ROOT"/platform/odoo-fixture/target/platform-odoo-fixture-*.jar 2>/dev/null | grep -v -e sources -e tests | head -n1 || true)"
    if [[ -z "$jar" ]]; then
        (cd "$ROOT" && timeout 900 ./mvnw -q -B -pl platform/odoo-fixture -am install -DskipTests) >"$WORK/logs/build.log" 2>&1 \
            || die "cannot build platform/odoo-fixture (log $WORK/logs/build.log)"
        jar="$(ls "$ROOT"/platform/odoo-fixture/target/platform-odoo-fixture-*.jar | grep -v -e sources -e tests | head -n1)"
    fi
    (cd "$ROOT" && timeout 600 ./mvnw -q -B -o -pl platform/odoo-fixture dependency:build-classpath \
        -Dmdep.includeScope=runtime -Dmdep.outputFile="$cpfile") >"$WORK/logs/classpath.log" 2>&1 \
        || (cd "$ROOT" && timeout 600 ./mvnw -q -B -pl platform/odoo-fixture dependency:build-classpath \
            -Dmdep.includeScope=runtime -Dmdep.outputFile="$cpfile") >"$WORK/logs/classpath.log" 2>&1 \
        || die "cannot resolve the odoo-fixture classpath (log $WORK/logs/classpath.log)"
    printf '%s:%s' "$jar" "$(<"$cpfile")"
}

# generate_environment: fills database $DB (owner odoo) and writes the filestore and odoo.conf;
# sets FILESTORE, CONFIG, GEN_S (seconds) and DB_BYTES.
generate_environment() {
    local t0
    FILESTORE="$WORK/filestore/$DB"
    # inside the run's filestore and config roots (bench_environment_policy)
    CONFIG="$WORK/config/odoo.conf"
    mkdir -p "$FILESTORE" "$WORK/config"
    log "generating the Odoo-shaped environment (${SIZE_MB} MB)"
    t0="$(now)"
    PGPASSWORD=odoo timeout "$STEP_TIMEOUT" "$JAVA" -Xmx512m -cp "$(fixture_classpath)" \
        io.ocore.backups.platform.odoofixture.OdooEnvironmentGenerator \
        --jdbc-url "jdbc:postgresql://127.0.0.1:$PG_PORT/$DB" --user odoo --filestore "$FILESTORE" \
        --config "$CONFIG" --size-mb "$SIZE_MB" --seed 42 >"$WORK/logs/generate.log" 2>&1 \
        || die "generation failed: $(tail -5 "$WORK/logs/generate.log")"
    GEN_S="$(elapsed "$t0" "$(now)")"
    chmod -R a+rX "$WORK/filestore" "$CONFIG"
    "${PSQL[@]}" -d "$DB" -c "VACUUM ANALYZE" >/dev/null
    DB_BYTES="$("${PSQL[@]}" -d postgres -c "SELECT pg_database_size('$DB')")"
}
