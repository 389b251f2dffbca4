# WAL archiving through the gateway (ADR 0017, docs/wal.md): the demo cluster archives through
# the ocore-wal client; /api/wal takes the environment's WAL token only (a user JWT and a wrong
# token: 401; the WAL token opens nothing else); PUT of an archived file again is 200, other
# content under its name 409, and the archive keeps the first content.
# Sourced by bin/lib/system-test.sh: api, expect, pass, fail, poll_until, pg_psql, $ENV, $OCORE_URL,
# $OCORE_TOKEN, $STATE_DIR, $DEMO_PG_PORT, $ROOT_DIR.

log "WAL: archive_command through wal-archiver, the WAL token and idempotent ingest"
wal_conf="$STATE_DIR/demo/wal/postgresql.wal.conf"
wal_token_file="$(sed -n "s/^archive_command = .*--token-file[= ]\([^ ']*\).*/\1/p" "$wal_conf" 2>/dev/null || true)"
wal_url="$OCORE_URL/api/wal/$ENV"
wal_tmp="$(mktemp -d)"
# wal_code METHOD NAME [AUTH_HEADER_FILE] [BODY_FILE]: the HTTP status of one /api/wal call
wal_code() {
    local args=(-s -o "$wal_tmp/body" -w '%{http_code}' --max-time 120 -X "$1")
    [[ -n "${3:-}" ]] && args+=(-H "@$3")
    [[ -n "${4:-}" ]] && args+=(-H 'Content-Type: application/octet-stream' --data-binary "@$4")
    curl "${args[@]}" "$wal_url/$2" || true
}
if [[ -z "$wal_token_file" || ! -r "$wal_token_file" ]]; then
    fail "bin/stack up wrote the demo's WAL token file and archive_command ($wal_conf)"
else
    # header files: the tokens stay off curl's command line
    (umask 077
     printf 'Authorization: Bearer %s\n' "$(<"$wal_token_file")" > "$wal_tmp/wal.auth"
     printf 'Authorization: Bearer %s\n' "$OCORE_TOKEN" > "$wal_tmp/user.auth"
     printf 'Authorization: Bearer ocwal_%s\n' "$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' | head -c 43)" > "$wal_tmp/wrong.auth")

    # the demo cluster's own archiving: a fresh segment is served back by GET within 60 s
    pg_psql "$DEMO_PG_PORT" postgres "select pg_logical_emit_message(false, 'ocore-system', 'switch')" >/dev/null
    wal_seg="$(pg_psql "$DEMO_PG_PORT" postgres "select pg_walfile_name(pg_switch_wal())")"
    wal_served() { [[ "$(wal_code GET "$wal_seg" "$wal_tmp/wal.auth")" == 200 ]]; }
    if poll_until 60 1 wal_served; then
        pass "the demo cluster archived $wal_seg through wal-archiver within 60 s"
    else
        fail "the demo cluster archived $wal_seg within 60 s (GET answers $(wal_code GET "$wal_seg" "$wal_tmp/wal.auth"))"
    fi
    cp "$STATE_DIR/demo/pg/pg_wal/$wal_seg" "$wal_tmp/seg"
    wal_code GET "$wal_seg" "$wal_tmp/wal.auth" >/dev/null
    if cmp -s "$wal_tmp/body" "$wal_tmp/seg"; then
        pass "GET /api/wal/ENV/$wal_seg returns the server's bytes"
    else
        fail "GET /api/wal/ENV/$wal_seg returns the server's bytes"
    fi

    expect "a user JWT is refused on GET /api/wal (401)" "$(wal_code GET "$wal_seg" "$wal_tmp/user.auth")" "401"
    expect "a user JWT is refused on PUT /api/wal (401)" "$(wal_code PUT "$wal_seg" "$wal_tmp/user.auth" "$wal_tmp/seg")" "401"
    expect "a wrong WAL token is refused (401)" "$(wal_code PUT "$wal_seg" "$wal_tmp/wrong.auth" "$wal_tmp/seg")" "401"
    expect "no token: 401" "$(wal_code GET "$wal_seg")" "401"
    wal_other_code="$(curl -s -o /dev/null -w '%{http_code}' -H "@$wal_tmp/wal.auth" "$OCORE_URL/api/environments/$ENV" || true)"
    expect "the WAL token opens nothing but /api/wal (GET /api/environments/ENV: 401)" "$wal_other_code" "401"
    expect "PUT of the archived segment again: 200" "$(wal_code PUT "$wal_seg" "$wal_tmp/wal.auth" "$wal_tmp/seg")" "200"
    expect "PUT of it a second time: 200" "$(wal_code PUT "$wal_seg" "$wal_tmp/wal.auth" "$wal_tmp/seg")" "200"
    # other content under the same name, page headers intact: one byte of the last page's body
    cp "$wal_tmp/seg" "$wal_tmp/other"
    wal_size="$(stat -c %s "$wal_tmp/other")"
    printf '\x5a' | dd of="$wal_tmp/other" bs=1 seek=$(( wal_size - 100 )) conv=notrunc status=none
    expect "PUT of other content under its name: 409" "$(wal_code PUT "$wal_seg" "$wal_tmp/wal.auth" "$wal_tmp/other")" "409"
    wal_code GET "$wal_seg" "$wal_tmp/wal.auth" >/dev/null
    if cmp -s "$wal_tmp/body" "$wal_tmp/seg"; then
        pass "the archive still serves the first content after the 409"
    else
        fail "the archive still serves the first content after the 409"
    fi
    # the client says so too, and fails (PostgreSQL keeps the file)
    mkdir -p "$wal_tmp/data/pg_wal"
    cp "$wal_tmp/other" "$wal_tmp/data/pg_wal/$wal_seg"
    if wal_out="$(cd "$wal_tmp/data" && "$ROOT_DIR/deploy/wal/ocore-wal" push --url "$wal_url" --token-file "$wal_token_file" \
        "pg_wal/$wal_seg" "$wal_seg" 2>&1)"; then
        fail "ocore-wal push of other content fails: it exited 0 ($wal_out)"
    elif grep -q 409 <<< "$wal_out"; then
        pass "ocore-wal push of other content fails and names the 409"
    else
        fail "ocore-wal push of other content names the 409: $wal_out"
    fi
fi
rm -rf "$wal_tmp"
