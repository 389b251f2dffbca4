# Verification of stored copies (docs/verification.md): a fresh db backup verifies ok; one flipped
# byte in its stored database object makes it corrupt (exit 8) and raises backup_corrupted.
# Sourced by bin/lib/system-test.sh: api, expect, pass, fail, poll_until, $ENV, $DEST, $OCORE.

log "verify: every stored copy read back"
if vb_json="$("$OCORE" backup create --environment "$ENV" --type db --destinations "$DEST" --wait --timeout 10m --output json 2>/dev/null)"; then
    VB="$(jq -r '.id' <<< "$vb_json")"
    pass "a fresh db backup $VB to verify completed"
else
    VB=""
    fail "a fresh db backup to verify (exit $?)"
fi
if [[ -n "$VB" ]]; then
    if verified="$("$OCORE" backup verify "$VB" --wait --timeout 5m --output json 2>/dev/null)"; then
        pass "ocore backup verify B --wait exits 0 on an intact backup"
    else
        fail "ocore backup verify B --wait on an intact backup (exit $?): $verified"
    fi
    expect "the verification completed" "$(jq -r '.status' <<< "$verified")" "completed"
    expect "the local copy is ok" "$(jq -r --arg d "$DEST" '.destinations[$d].status' <<< "$verified")" "ok"

    vb_stored="$(find "$STATE_DIR/backups" -path "*$VB*" -name 'database*' -type f | head -n1)"
    if [[ -n "$vb_stored" ]]; then
        # flip one bit in the middle of the stored (encrypted) database object
        vb_size="$(stat -c %s "$vb_stored")"
        vb_off=$(( vb_size / 2 ))
        vb_byte="$(od -An -tu1 -j "$vb_off" -N1 "$vb_stored" | tr -d ' ')"
        printf '%b' "\\0$(printf '%03o' $(( vb_byte ^ 1 )))" | dd of="$vb_stored" bs=1 seek="$vb_off" conv=notrunc status=none
        set +e
        corrupt="$("$OCORE" backup verify "$VB" --wait --timeout 5m --output json 2>/dev/null)"
        vb_code=$?
        set -e
        expect "ocore backup verify --wait exits 8 on a corrupt copy" "$vb_code" "8"
        expect "the local copy is corrupt" "$(jq -r --arg d "$DEST" '.destinations[$d].status' <<< "$corrupt")" "corrupt"
        if jq -r --arg d "$DEST" '.destinations[$d].detail' <<< "$corrupt" | grep -q "database"; then
            pass "the detail names the database component"
        else
            fail "the detail names the database component: $(jq -c '.destinations' <<< "$corrupt")"
        fi
        corrupted_alert() {
            api GET "/api/backup-alerts?alertType=backup_corrupted" \
                | jq -e --arg b "$VB" --arg d "$DEST" '.items[] | select(.backupId == $b and .destinationId == $d)' >/dev/null
        }
        if poll_until 60 1 corrupted_alert; then
            pass "a backup_corrupted alert names the backup and the destination"
        else
            fail "no backup_corrupted alert for $VB within 60 s: $(api GET "/api/backup-alerts?alertType=backup_corrupted" | jq -c '[.items[] | {backupId, destinationId}]')"
        fi
        # put the byte back: later checks (the master-key rotation) download every completed backup
        printf '%b' "\\0$(printf '%03o' "$vb_byte")" | dd of="$vb_stored" bs=1 seek="$vb_off" conv=notrunc status=none
    else
        fail "the database object of $VB is on the local destination"
    fi
    api POST "/api/backups/00000000-0000-4000-8000-000000000000/verify" >/dev/null
    expect "verifying an unknown backup answers 404" "$(last_code)" "404"
fi
