# WAL coverage, back-pressure and catch-up through the gateway (ADR 0017 "Back-pressure",
# docs/wal.md): a commit shows in GET .../wal-coverage within archive_timeout (15 s on the local
# stack) with no manual WAL switch; with the demo's WAL destination unable to write, archiving
# fails, PostgreSQL keeps the segment (.ready) and wal_archive_failing opens after warning-after
# (30 s on the local stack); writable again, the backlog is archived, the coverage reaches the
# commits made meanwhile and the alert resolves.
# Sourced by bin/lib/system-test.sh: api, expect, pass, fail, poll_until, pg_psql, $ENV, $DEST,
# $STATE_DIR, $DEMO_PG_PORT.

log "WAL: coverage follows commits; a failing destination holds the WAL back, then it catches up"
wb_pg_wal="$STATE_DIR/demo/pg/pg_wal"
# wb_commit: one commit on the demo cluster; prints its transaction's start (epoch microseconds)
wb_commit() {
    pg_psql "$DEMO_PG_PORT" postgres "create table if not exists ocore_system_wal (at timestamptz);
        insert into ocore_system_wal values (now()) returning (extract(epoch from now()) * 1000000)::bigint"
}
# wb_covered_to: the latest commit the coverage vouches for (epoch microseconds), 0 if none
wb_covered_to() {
    local to
    to="$(api GET "/api/environments/$ENV/wal-coverage" | jq -r '[.ranges[]?.to] | max // empty')"
    [[ -n "$to" ]] || { echo 0; return; }
    echo $(( $(date -d "$to" +%s%N) / 1000 ))
}
wb_covers() { (( $(wb_covered_to) >= $1 )); }
wb_failing_alert() { # wb_failing_alert open|resolved
    api GET "/api/backup-alerts?alertType=wal_archive_failing" | jq -e --arg e "$ENV" --arg s "$1" \
        '[.items[] | select(.environmentId == $e) | select(if $s == "open" then .resolvedAt == null else .resolvedAt != null end)] | length > 0' >/dev/null
}

wb_at="$(wb_commit)"
if poll_until 45 1 wb_covers "$wb_at"; then
    pass "a commit is in the WAL coverage within archive_timeout (15 s here), no manual switch"
else
    fail "a commit at $wb_at (µs) is not in the WAL coverage after 45 s: $(api GET "/api/environments/$ENV/wal-coverage" | jq -c '{ranges, latestArchivedAt}')"
fi

wb_dest_path="$(api GET "/api/backup-destinations/$DEST" | jq -r '.config.path // empty')"
# <destination>/<org>/<env>/wal (docs/backup-format.md "WAL files")
wb_wal_dir="$(find "${wb_dest_path:-/nonexistent}" -mindepth 3 -maxdepth 3 -type d -path "*/$ENV/wal" 2>/dev/null | head -n1)"
wb_gaps() { api GET "/api/environments/$ENV/wal-coverage" | jq -r '.gaps | length'; }
if [[ -z "$wb_dest_path" || -z "$wb_wal_dir" ]]; then
    fail "the demo's WAL lies on its local destination under <org>/<env>/wal ('$wb_wal_dir')"
else
    wb_gaps_before="$(wb_gaps)"
    # the destination cannot write WAL: a file stands where the wal folder was
    mv "$wb_wal_dir" "$wb_wal_dir.system-check"
    printf 'not a folder\n' > "$wb_wal_dir"
    wb_failed_before="$(pg_psql "$DEMO_PG_PORT" postgres "select failed_count from pg_stat_archiver")"
    wb_held_at="$(wb_commit)"
    wb_held_seg="$(pg_psql "$DEMO_PG_PORT" postgres "select pg_walfile_name(pg_switch_wal())")"
    wb_archive_failed() {
        (( $(pg_psql "$DEMO_PG_PORT" postgres "select failed_count from pg_stat_archiver") > wb_failed_before ))
    }
    if poll_until 30 1 wb_archive_failed; then
        pass "with the destination failing, archive_command fails (PostgreSQL counts it in pg_stat_archiver)"
    else
        fail "archive_command did not fail within 30 s with the WAL destination unwritable"
    fi
    if [[ -f "$wb_pg_wal/archive_status/$wb_held_seg.ready" && -f "$wb_pg_wal/$wb_held_seg" ]]; then
        pass "PostgreSQL keeps $wb_held_seg and its .ready: nothing is dropped"
    else
        fail "PostgreSQL keeps $wb_held_seg and its .ready ($(ls "$wb_pg_wal/archive_status" | tail -n 3 | tr '\n' ' '))"
    fi
    if wb_covers "$wb_held_at"; then
        fail "the coverage claims a commit whose segment could not be stored"
    else
        pass "the coverage does not claim the commit held back"
    fi
    if poll_until 90 2 wb_failing_alert open; then
        pass "a wal_archive_failing alert opens for the environment (warning-after: 30 s here)"
    else
        fail "no open wal_archive_failing alert for $ENV within 90 s: $(api GET "/api/backup-alerts?alertType=wal_archive_failing" | jq -c '[.items[] | {environmentId, severity, resolvedAt}]')"
    fi

    # writable again: the held segment and a newer commit are archived, the alert resolves
    rm -f "$wb_wal_dir"
    mv "$wb_wal_dir.system-check" "$wb_wal_dir"
    wb_after="$(wb_commit)"
    pg_psql "$DEMO_PG_PORT" postgres "select pg_switch_wal()" >/dev/null
    if poll_until 120 1 wb_covers "$wb_after"; then
        pass "archiving catches up once the destination is back: the coverage reaches the commits made meanwhile"
    else
        fail "the coverage did not reach the commit after recovery within 120 s: $(api GET "/api/environments/$ENV/wal-coverage" | jq -c '{ranges, gaps, latestArchivedAt}')"
    fi
    if [[ ! -f "$wb_pg_wal/archive_status/$wb_held_seg.ready" ]]; then
        pass "$wb_held_seg was archived after the failure (.ready gone)"
    else
        fail "$wb_held_seg still waits to be archived"
    fi
    if poll_until 60 2 wb_failing_alert resolved; then
        pass "the wal_archive_failing alert resolves once archiving has caught up"
    else
        fail "the wal_archive_failing alert of $ENV did not resolve within 60 s"
    fi
    expect "the failure left no new gap in the coverage" "$(wb_gaps)" "$wb_gaps_before"
fi
