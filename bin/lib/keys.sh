# shellcheck shell=bash
# Keys of the local stack (generated once, under .state/keys, never committed) and JWT
# minting with openssl only (no Java needed):
#   jwt-private.pem / jwt-public.pem  RSA 2048, RS256 signing of user tokens (aud ocore-api)
#   master.key                        OCORE_MASTER_KEY, base64 of 32 random bytes
#   service-signing.key               OCORE_SERVICE_SIGNING_KEY, base64 of 32 random bytes: the HS256
#                                     key of the service tokens the services mint for each other
#   master.key.id                     OCORE_MASTER_KEY_ID, its id (k1 when absent)
#   master-previous/<id>.key          OCORE_PREVIOUS_MASTER_KEYS_<ID>: older keys kept readable
#                                     during bin/stack rotate-master-key

JWT_PRIVATE_KEY="$KEYS_DIR/jwt-private.pem"
JWT_PUBLIC_KEY="$KEYS_DIR/jwt-public.pem"
MASTER_KEY_FILE="$KEYS_DIR/master.key"
SERVICE_SIGNING_KEY_FILE="$KEYS_DIR/service-signing.key"
# The claims every service token carries (platform/security ServiceTokens, docs/adr/0010-service-tokens.md).
SERVICE_TOKEN_ISSUER="ocore-services"
SERVICE_TOKEN_AUDIENCE="ocore-internal"
USER_TOKEN_AUDIENCE="ocore-api"
MASTER_KEY_ID_FILE="$KEYS_DIR/master.key.id"
MASTER_PREVIOUS_DIR="$KEYS_DIR/master-previous"
# Key ids become part of variable names (OCORE_PREVIOUS_MASTER_KEYS_<ID>), which the services
# read back lowercased: lowercase letters and digits only.
MASTER_KEY_ID_RE='^[a-z][a-z0-9]{0,31}$'

keys_ensure() {
    mkdir -p "$KEYS_DIR"
    chmod 700 "$KEYS_DIR"
    if [[ ! -f "$JWT_PRIVATE_KEY" ]]; then
        log "generating the JWT signing key pair ($KEYS_DIR)"
        (umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$JWT_PRIVATE_KEY" 2>/dev/null)
        rm -f "$JWT_PUBLIC_KEY"
    fi
    if [[ ! -f "$JWT_PUBLIC_KEY" ]]; then
        openssl pkey -in "$JWT_PRIVATE_KEY" -pubout -out "$JWT_PUBLIC_KEY" 2>/dev/null
        chmod 644 "$JWT_PUBLIC_KEY"
    fi
    if [[ ! -f "$MASTER_KEY_FILE" ]]; then
        log "generating the master key ($MASTER_KEY_FILE)"
        (umask 077 && openssl rand -base64 32 > "$MASTER_KEY_FILE" && printf 'k1\n' > "$MASTER_KEY_ID_FILE")
    fi
    if [[ ! -f "$SERVICE_SIGNING_KEY_FILE" ]]; then
        log "generating the service token signing key ($SERVICE_SIGNING_KEY_FILE)"
        (umask 077 && openssl rand -base64 32 > "$SERVICE_SIGNING_KEY_FILE")
    fi
    chmod 600 "$SERVICE_SIGNING_KEY_FILE"
    # the 30-day internal:service token of earlier versions: no service accepts it any more
    rm -f "$KEYS_DIR/service.token"
}

# master_key_id: the id of master.key (k1, the services' default, for a stack from before ids).
master_key_id() {
    local id=k1
    [[ -f "$MASTER_KEY_ID_FILE" ]] && id="$(tr -d '[:space:]' < "$MASTER_KEY_ID_FILE")"
    [[ "$id" =~ $MASTER_KEY_ID_RE ]] || die "$MASTER_KEY_ID_FILE holds '$id', not a key id (e.g. k2)"
    printf '%s' "$id"
}

# master_previous_ids: the ids of the previous master keys, one a line (none outside a rotation).
master_previous_ids() {
    local f
    for f in "$MASTER_PREVIOUS_DIR"/*.key; do
        [[ -f "$f" ]] || continue
        f="${f##*/}"
        printf '%s\n' "${f%.key}"
    done
}

b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

# json_string S: S as a JSON string literal (quotes, backslashes and control characters escaped).
json_string() {
    local s="$1"
    s="${s//\\/\\\\}"
    s="${s//\"/\\\"}"
    s="${s//$'\n'/\\n}"
    s="${s//$'\r'/\\r}"
    s="${s//$'\t'/\\t}"
    printf '"%s"' "$s"
}

UUID_RE='^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$'
PERMISSION_RE='^[a-z_]+:[a-z_]+$'

# mint_token PERMISSIONS_CSV ORG_ID TTL_SECONDS [SUBJECT]: prints an RS256 JWT signed with
# the stack's private key: iss, sub, upn, aud (ocore-api), iat, exp, jti, org_id, permissions and groups.
mint_token() {
    local perms_csv="$1" org_id="$2" ttl="$3" subject="${4:-demo-user}"
    [[ -f "$JWT_PRIVATE_KEY" ]] || die "no signing key yet ($JWT_PRIVATE_KEY): run 'bin/stack up' first"
    [[ "$org_id" =~ $UUID_RE ]] || die "--org must be a UUID, got '$org_id'"
    if ! [[ "$ttl" =~ ^[0-9]+$ ]] || (( ttl == 0 )); then
        die "--ttl must be a positive number of seconds, got '$ttl'"
    fi
    local perms=() p list="" iat exp header payload signing_input signature jti
    IFS=',' read -r -a perms <<< "$perms_csv"
    (( ${#perms[@]} > 0 )) || die "--permissions needs at least one permission"
    for p in "${perms[@]}"; do
        p="${p//[[:space:]]/}"
        [[ -z "$p" ]] && continue
        [[ "$p" =~ $PERMISSION_RE ]] || die "not a permission: '$p' (e.g. manage:environments)"
        list+="${list:+,}$(json_string "$p")"
    done
    iat="$(now)"
    exp=$(( iat + ttl ))
    jti="$(openssl rand -hex 16)"
    header='{"alg":"RS256","typ":"JWT","kid":"ocore-local"}'
    payload="{\"iss\":$(json_string "$JWT_ISSUER"),\"sub\":$(json_string "$subject"),\"upn\":$(json_string "$subject@ocore.local"),\"aud\":\"$USER_TOKEN_AUDIENCE\",\"iat\":$iat,\"exp\":$exp,\"jti\":\"$jti\",\"org_id\":\"$org_id\",\"permissions\":[$list],\"groups\":[$list]}"
    signing_input="$(printf '%s' "$header" | b64url).$(printf '%s' "$payload" | b64url)"
    signature="$(printf '%s' "$signing_input" | openssl dgst -sha256 -sign "$JWT_PRIVATE_KEY" -binary | b64url)"
    printf '%s.%s\n' "$signing_input" "$signature"
}

# verify_token TOKEN: checks the RS256 signature with the public key (used by the smoke test).
verify_token() {
    local token="$1" input sig_b64 pad
    input="${token%.*}"
    sig_b64="${token##*.}"
    sig_b64="${sig_b64//-/+}"
    sig_b64="${sig_b64//_//}"
    pad=$(( (4 - ${#sig_b64} % 4) % 4 ))
    sig_b64+="$(printf '%*s' "$pad" '' | tr ' ' '=')"
    printf '%s' "$input" | openssl dgst -sha256 -verify "$JWT_PUBLIC_KEY" \
        -signature <(printf '%s' "$sig_b64" | openssl base64 -d -A) >/dev/null 2>&1
}

# hmac_sha256 KEY_FILE < MESSAGE: the binary HMAC-SHA256 (RFC 2104) of stdin under the base64 key in
# KEY_FILE, built from openssl's SHA-256 so that the key never appears on a command line (ps).
hmac_sha256() {
    local key_file="$1" i b h ipad="" opad="" inner
    local -a key
    read -r -a key <<< "$(openssl base64 -d -A < "$key_file" | od -An -v -tu1 | tr '\n' ' ')"
    (( ${#key[@]} >= 32 && ${#key[@]} <= 64 )) || die "$key_file must hold base64 of 32 to 64 bytes"
    for (( i = 0; i < 64; i++ )); do
        b="${key[i]:-0}"
        printf -v h '\\x%02x' $(( b ^ 0x36 ))
        ipad+="$h"
        printf -v h '\\x%02x' $(( b ^ 0x5c ))
        opad+="$h"
    done
    # the pads are \xHH escapes meant for printf's format (SC2059 on purpose)
    # shellcheck disable=SC2059
    inner="$({ printf "$ipad"; cat; } | openssl dgst -sha256 -binary | od -An -v -tx1 | tr -d ' \n')"
    # shellcheck disable=SC2059
    { printf "$opad"; printf "$(sed 's/../\\x&/g' <<< "$inner")"; } | openssl dgst -sha256 -binary
}

# mint_service_token SUBJECT [TTL_SECONDS, default 900, at most 3600]: prints an HS256 service
# token signed with the service signing key, for scripts that call /internal/... endpoints:
# iss ocore-services, sub SUBJECT, aud ocore-internal, iat, exp, jti, groups [internal:service].
mint_service_token() {
    local subject="$1" ttl="${2:-900}" iat exp jti header payload signing_input signature
    [[ -n "$subject" ]] || die "mint_service_token needs a subject (the calling service or script)"
    [[ -f "$SERVICE_SIGNING_KEY_FILE" ]] || die "no service signing key yet ($SERVICE_SIGNING_KEY_FILE): run 'bin/stack up' first"
    if ! [[ "$ttl" =~ ^[0-9]+$ ]] || (( ttl == 0 || ttl > 3600 )); then
        die "a service token lives 1 to 3600 seconds, not '$ttl'"
    fi
    iat="$(now)"
    exp=$(( iat + ttl ))
    jti="$(openssl rand -hex 16)"
    header='{"alg":"HS256","typ":"JWT"}'
    payload="{\"iss\":\"$SERVICE_TOKEN_ISSUER\",\"sub\":$(json_string "$subject"),\"aud\":\"$SERVICE_TOKEN_AUDIENCE\",\"iat\":$iat,\"exp\":$exp,\"jti\":\"$jti\",\"groups\":[\"internal:service\"]}"
    signing_input="$(printf '%s' "$header" | b64url).$(printf '%s' "$payload" | b64url)"
    signature="$(printf '%s' "$signing_input" | hmac_sha256 "$SERVICE_SIGNING_KEY_FILE" | b64url)"
    printf '%s.%s\n' "$signing_input" "$signature"
}

demo_token() {
    mint_token "manage:environments,view:environments,manage:org_settings" "$DEMO_ORG_ID" "${1:-43200}" "demo-user"
}
