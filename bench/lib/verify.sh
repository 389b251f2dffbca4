# shellcheck shell=bash
# Shared by the benchmarks: what a restored copy is compared by. The caller defines PSQL (array,
# without -d).

# table_checksums DB FILE: "schema.table rows md5" for every table outside the system schemas,
# sorted; md5 over the rows' text forms in sorted order (independent of the physical row order)
table_checksums() {
    local db="$1" out="$2" t q=""
    while IFS= read -r t; do
        q+="SELECT '$t' || ' ' || count(*) || ' ' || coalesce(md5(string_agg(md5(x::text), '' ORDER BY md5(x::text))), '-') FROM $t x;"$'\n'
    done < <("${PSQL[@]}" -d "$db" -c "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables
        WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")
    [[ -n "$q" ]] || return 1
    "${PSQL[@]}" -d "$db" <<<"$q" >"$out"
}
# file_hashes DIR FILE: "sha256  path" of every regular file under DIR, sorted by path
file_hashes() {
    [[ -d "$1" ]] || return 1
    (cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum) >"$2"
}
