# Point-in-time restore on the demo environment (issue 14's scenario, ADR 0018, docs/restores.md):
# after a full backup (the PITR base), rows and attachments written at t1, t2 and t3 a few
# seconds apart, each across a segment switch, the way Odoo writes them (the file under
# <2 hex>/<sha1> first, then its ir_attachment row). A PITR restore to a moment between t2 and t3
# into a new environment, with the CLI as docs/cli.md gives it, holds the rows of t1 and t2 and
# not t3, the files of t1 and t2, and nothing its database references is missing; moments
# before the base or after the coverage are refused naming the covered range.
# Sourced by bin/lib/system-test.sh: api, expect, pass, fail, demo_sql, $ENV, $DEST, $OCORE, $STATE_DIR, $DEMO_DIR.

log "PITR: a restore to a moment between two commits, rows and attachments as they were then"
pitr_fs="$DEMO_DIR/filestore/odoo_demo"
pitr_tmp="$(mktemp -d)"
pitr_base="$("$OCORE" backup create --environment "$ENV" --type full --destinations "$DEST" --wait --timeout 10m \
    --output json 2>/dev/null | jq -r '.id' || true)"
expect "the PITR base (a full backup of the WAL-enabled demo environment) completed" \
    "$(api GET "/api/backups/$pitr_base" | jq -r '.status')" "completed"
demo_sql "create table if not exists ocore_pitr_probe (label text primary key, at timestamptz not null)" >/dev/null
# pitr_write LABEL: an attachment file, its ir_attachment row and a probe row, committed, then a
# segment switch; the file's store_fname on stdout
pitr_write() {
    local label="$1" content sha rel
    content="ocore pitr check $label $(date +%s%N) $RANDOM"
    sha="$(printf '%s' "$content" | sha1sum | cut -c1-40)"
    rel="${sha:0:2}/$sha"
    mkdir -p "$pitr_fs/${sha:0:2}"
    printf '%s' "$content" > "$pitr_fs/$rel"
    demo_sql "begin;
        insert into ir_attachment (name, type, store_fname, file_size, checksum, mimetype, create_date, write_date)
            values ('pitr-$label.txt', 'binary', '$rel', ${#content}, '$sha', 'text/plain', now(), now());
        insert into ocore_pitr_probe values ('$label', clock_timestamp());
        commit;" >/dev/null
    pg_psql "$DEMO_PG_PORT" postgres "select pg_switch_wal()" >/dev/null
    printf '%s' "$rel"
}
pitr_f1="$(pitr_write t1)"
sleep 1.2 # commits a second apart: the moments between them are what is restored to
pitr_f2="$(pitr_write t2)"
sleep 1.2
pitr_moment="$(demo_sql "select to_char(now() at time zone 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')")"
touch "$pitr_tmp/after-t2"
sleep 1.2
pitr_f3="$(pitr_write t3)"
pitr_t3_at="$(demo_sql "select extract(epoch from at) from ocore_pitr_probe where label = 't3'")"
# the WAL of t3 archived and read (coverage from commit times), and the continuous filestore
# capture past t2's file (ADR 0015 "Continuous capture", every 20 s here)
pitr_covered() {
    local to
    to="$(api GET "/api/backups/$pitr_base/pitr-range" | jq -r '.to // empty')"
    [[ -n "$to" ]] && python3 -c "import sys,datetime; sys.exit(0 if datetime.datetime.fromisoformat('${to/Z/+00:00}').timestamp() >= $pitr_t3_at else 1)"
}
pitr_captured() {
    [[ -n "$(find "$STATE_DIR/backups" -path "*/$ENV/blobs/captures/*" -type f -newer "$pitr_tmp/after-t2" -print -quit)" ]]
}
if poll_until 120 1 pitr_covered; then
    pass "the base's pitr-range reaches t3's commit: $(api GET "/api/backups/$pitr_base/pitr-range" | jq -c .)"
else
    fail "the base's pitr-range reaches t3's commit within 120 s: $(api GET "/api/backups/$pitr_base/pitr-range")"
fi
if poll_until 90 1 pitr_captured; then
    pass "the filestore capture ran after t2's attachment appeared"
else
    fail "a filestore capture object newer than t2's attachment is on the local destination within 90 s"
fi
pitr_range="$(api GET "/api/backups/$pitr_base/pitr-range")"
pitr_from="$(jq -r '.from' <<< "$pitr_range")"

# moments outside the range: 400 naming pitrTimestamp, the covered range and the nearest moment
for pitr_out in "2000-01-01T00:00:00Z" "2999-01-01T00:00:00Z"; do
    pitr_refusal="$(api POST "/api/backups/$pitr_base/restore" \
        "$(jq -cn --arg m "$pitr_out" '{targetType: "new", newEnvironmentName: "pitr-refused", pitrTimestamp: $m}')")"
    expect "a PITR restore to $pitr_out answers 400" "$(last_code)" "400"
    if [[ "$(jq -r '.errors[0].field' <<< "$pitr_refusal")" == pitrTimestamp ]] \
        && grep -q "${pitr_from:0:16}" <<< "$pitr_refusal"; then
        pass "the refusal names pitrTimestamp and the covered range ($(jq -r '.errors[0].message' <<< "$pitr_refusal" | cut -c1-160))"
    else
        fail "the refusal of $pitr_out names pitrTimestamp and the range from $pitr_from: $pitr_refusal"
    fi
done

# the restore, as the CLI docs give it
pitr_restore="$("$OCORE" backup restore "$pitr_base" --pitr "$pitr_moment" --target new --name "pitr-check" --wait \
    --timeout 10m --output json 2>"$pitr_tmp/cli.err" || true)"
pitr_id="$(jq -r '.id // .restoreId // empty' <<< "$pitr_restore" 2>/dev/null || true)"
pitr_shown="$(api GET "/api/restores/$pitr_id")"
expect "ocore backup restore BASE --pitr $pitr_moment --target new --name pitr-check --wait completes" \
    "$(jq -r '.status' <<< "$pitr_shown")" "completed"
expect "no attachment its database references is missing" "$(jq -r '.missingAttachmentCount' <<< "$pitr_shown")" "0"
pitr_target="$(jq -r '.targetEnvironmentId' <<< "$pitr_shown")"
pitr_env="$(api GET "/api/environments/$pitr_target")"
pitr_db="$(jq -r '.database.name' <<< "$pitr_env")"
pitr_target_fs="$(jq -r '.filestorePath' <<< "$pitr_env")"
pitr_rows="$(PGPASSWORD=odoo "$PG_BIN/psql" -h 127.0.0.1 -p "$DEMO_PG_PORT" -U odoo -d "$pitr_db" -qAtc \
    "select string_agg(label, ',' order by label) from ocore_pitr_probe" 2>&1 || true)"
expect "the new environment's database holds the rows of t1 and t2, not t3" "$pitr_rows" "t1,t2"
if [[ -f "$pitr_target_fs/$pitr_f1" && -f "$pitr_target_fs/$pitr_f2" ]] \
    && cmp -s "$pitr_fs/$pitr_f1" "$pitr_target_fs/$pitr_f1" && cmp -s "$pitr_fs/$pitr_f2" "$pitr_target_fs/$pitr_f2"; then
    pass "its filestore holds the attachments of t1 and t2, byte for byte"
else
    fail "its filestore ($pitr_target_fs) holds the attachments of t1 ($pitr_f1) and t2 ($pitr_f2)"
fi
if [[ ! -e "$pitr_target_fs/$pitr_f3" ]]; then
    pass "and not t3's, written after the moment"
else
    fail "the attachment of t3 ($pitr_f3), written after the moment, is not in the restored filestore"
fi
replay_msg="$(api GET "/api/restores/$pitr_id/logs" | jq -r '.[] | select(.step == "replay_wal") | .message')"
if grep -q 'promoted at the target' <<< "$replay_msg"; then
    pass "the replay_wal step says it stopped at the target ($(cut -c1-160 <<< "$replay_msg"))"
else
    fail "the replay_wal step says it stopped at the target: $replay_msg $(cat "$pitr_tmp/cli.err")"
fi
rm -rf "$pitr_tmp"
