# The filestore by content (ADR 0015, docs/backups.md): two full backups of the unchanged demo
# environment; the second stores a tiny fraction of the filestore's bytes on the local
# destination, its filestore component is a blob index, and its blobs are the first one's.
# Sourced by bin/lib/system-test.sh: api, expect, pass, fail, $ENV, $DEST, $OCORE, $STATE_DIR, $DEMO_DIR.

log "blob dedup: a second full backup of an unchanged filestore stores almost nothing"
bd_filestore="$DEMO_DIR/filestore/odoo_demo"
bd_fs_bytes="$(find "$bd_filestore" -type f -printf '%s\n' | awk '{s += $1} END {print s + 0}')"
bd_stored() { # bytes of every pack and pack index of the demo environment on the local destination
    find "$STATE_DIR/backups" -path "*/$ENV/blobs/*" -type f -printf '%s\n' 2>/dev/null | awk '{s += $1} END {print s + 0}'
}
bd_full() { # a full backup to the local destination -> its id on stdout
    "$OCORE" backup create --environment "$ENV" --type full --destinations "$DEST" --wait --timeout 10m \
        --output json 2>/dev/null | jq -r '.id'
}
bd_before="$(bd_stored)"
BD1="$(bd_full || true)"
bd_after1="$(bd_stored)"
BD2="$(bd_full || true)"
bd_after2="$(bd_stored)"
expect "the first full backup completed" "$(api GET "/api/backups/$BD1" | jq -r '.status')" "completed"
expect "the second full backup completed" "$(api GET "/api/backups/$BD2" | jq -r '.status')" "completed"
if (( bd_after1 > 0 )); then
    pass "the blob store holds the filestore ($bd_after1 bytes in packs, filestore $bd_fs_bytes bytes; $(( bd_after1 - bd_before )) added by the first)"
else
    fail "the blob store under $STATE_DIR/backups/*/$ENV/blobs holds packs after a full backup"
fi
bd_added=$(( bd_after2 - bd_after1 ))
# at most 2 % of the filestore (issue 12); an unchanged filestore adds nothing at all
if (( bd_fs_bytes > 0 && bd_added * 50 <= bd_fs_bytes )); then
    pass "the second full backup stored $bd_added bytes of blobs for a filestore of $bd_fs_bytes bytes"
else
    fail "the second full backup stored $bd_added bytes of blobs for a filestore of $bd_fs_bytes bytes (at most 2 %)"
fi
bd_manifest="$(find "$STATE_DIR/backups" -path "*/backups/$BD2/manifest.json" -type f | head -n1)"
if [[ -n "$bd_manifest" ]]; then
    expect "its manifest is format 2" "$(jq -r '.formatVersion' "$bd_manifest")" "2"
    expect "its filestore component is a blob index" \
        "$(jq -r '.components[] | select(.name == "filestore") | .layout' "$bd_manifest")" "blob-index"
    if [[ -n "$(find "$(dirname "$bd_manifest")" -name 'filestore.index.zst.enc' -type f)" ]]; then
        pass "the backup's directory holds filestore.index.zst.enc"
    else
        fail "the backup's directory holds filestore.index.zst.enc: $(ls "$(dirname "$bd_manifest")")"
    fi
else
    fail "the manifest of $BD2 is on the local destination"
fi
