# shellcheck shell=bash
# A headless Chromium driven through chromedriver's W3C WebDriver protocol with curl and jq
# (Debian's `chromium` and `chromium-driver`; bin/test installs them). Sourced by the dashboard's
# system check; needs common.sh (port_free, poll_until, stop helpers).
#
#   wd_start                 chromedriver on $WD_PORT and one browser session (1024x768) -> $WD_SESSION
#   wd_stop                  ends the session and chromedriver
#   wd_go URL                navigates
#   wd_url                   the current address
#   wd_find CSS              an element id on stdout (fails when there is none)
#   wd_wait_text CSS TEXT    waits (deadline WD_TIMEOUT s) until the element's text contains TEXT
#   wd_text CSS              the element's visible text
#   wd_attr CSS NAME         one attribute (or property) of the element
#   wd_click CSS             clicks it
#   wd_clear CSS             empties an input
#   wd_type CSS TEXT         sends keys to it (WebDriver key codes, e.g. $WD_KEY_RIGHT)
#   wd_js SCRIPT [ARGS_JSON] runs a script in the page (execute/sync); its value as JSON
#   wd_js_async SCRIPT       runs an async script; the last argument is the callback
#   wd_js_file FILE          runs the script in FILE (any size: sent from a file, not argv)

WD_PORT="${OCORE_WEBDRIVER_PORT:-19515}"
WD_TIMEOUT="${OCORE_WEBDRIVER_TIMEOUT:-30}"
WD_CHROMIUM="${OCORE_CHROMIUM:-/usr/bin/chromium}"
WD_CHROMEDRIVER="${OCORE_CHROMEDRIVER:-/usr/bin/chromedriver}"
WD_ELEMENT_KEY="element-6066-11e4-a52e-4f735466cecf"
WD_KEY_LEFT=$'\uE012'
WD_KEY_RIGHT=$'\uE014'
WD_KEY_SHIFT=$'\uE008'
WD_KEY_PAGE_UP=$'\uE00E'
WD_KEY_PAGE_DOWN=$'\uE00F'
WD_KEY_HOME=$'\uE011'
WD_KEY_END=$'\uE010'
WD_KEY_ENTER=$'\uE007'
WD_SESSION=""
WD_PID=""

# wd_call METHOD PATH [JSON]: the response's JSON on stdout; fails on a WebDriver error
wd_call() {
    local out
    if [[ -n "${3:-}" ]]; then
        out="$(curl -s --max-time 60 -X "$1" -H 'Content-Type: application/json' --data "$3" "http://127.0.0.1:$WD_PORT$2")" || return 1
    else
        out="$(curl -s --max-time 60 -X "$1" "http://127.0.0.1:$WD_PORT$2")" || return 1
    fi
    printf '%s' "$out"
    ! jq -e '.value.error? // empty' <<< "$out" >/dev/null 2>&1
}

wd_start() {
    [[ -x "$WD_CHROMIUM" ]] || { echo "no Chromium at $WD_CHROMIUM (apt-get install -y chromium chromium-driver)" >&2; return 1; }
    [[ -x "$WD_CHROMEDRIVER" ]] || { echo "no chromedriver at $WD_CHROMEDRIVER (apt-get install -y chromium-driver)" >&2; return 1; }
    port_free "$WD_PORT" || { echo "port $WD_PORT is taken (OCORE_WEBDRIVER_PORT)" >&2; return 1; }
    "$WD_CHROMEDRIVER" --port="$WD_PORT" --allowed-ips=127.0.0.1 >"$LOG_DIR/chromedriver.log" 2>&1 &
    WD_PID=$!
    wd_up() { curl -sf "http://127.0.0.1:$WD_PORT/status" | jq -e '.value.ready' >/dev/null; }
    poll_until 30 0.2 wd_up || { echo "chromedriver did not start (log $LOG_DIR/chromedriver.log)" >&2; return 1; }
    local caps
    caps="$(jq -cn --arg bin "$WD_CHROMIUM" '{capabilities: {alwaysMatch: {browserName: "chrome",
        "goog:chromeOptions": {binary: $bin, args: ["--headless=new", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--window-size=1024,768", "--lang=en-US"]}}}}')"
    WD_SESSION="$(wd_call POST /session "$caps" | jq -r '.value.sessionId // empty')" || true
    [[ -n "$WD_SESSION" ]] || { echo "no browser session (log $LOG_DIR/chromedriver.log)" >&2; return 1; }
}

wd_stop() {
    [[ -n "$WD_SESSION" ]] && wd_call DELETE "/session/$WD_SESSION" >/dev/null 2>&1
    WD_SESSION=""
    if [[ -n "$WD_PID" ]]; then
        kill "$WD_PID" 2>/dev/null || true
        wait "$WD_PID" 2>/dev/null || true
        WD_PID=""
    fi
}

wd_go() { wd_call POST "/session/$WD_SESSION/url" "$(jq -cn --arg u "$1" '{url: $u}')" >/dev/null; }
wd_url() { wd_call GET "/session/$WD_SESSION/url" | jq -r '.value'; }
wd_find() {
    wd_call POST "/session/$WD_SESSION/element" "$(jq -cn --arg c "$1" '{using: "css selector", value: $c}')" \
        | jq -er --arg k "$WD_ELEMENT_KEY" '.value[$k]'
}
wd_exists() { wd_find "$1" >/dev/null 2>&1; }
wd_text() {
    local el
    el="$(wd_find "$1")" || return 1
    wd_call GET "/session/$WD_SESSION/element/$el/text" | jq -r '.value'
}
wd_attr() {
    local el
    el="$(wd_find "$1")" || return 1
    wd_call GET "/session/$WD_SESSION/element/$el/property/$2" | jq -r 'if .value == null then "" else .value | tostring end'
}
wd_click() {
    local el
    el="$(wd_find "$1")" || return 1
    wd_call POST "/session/$WD_SESSION/element/$el/click" '{}' >/dev/null
}
wd_type() {
    local el
    el="$(wd_find "$1")" || return 1
    wd_call POST "/session/$WD_SESSION/element/$el/value" "$(jq -cn --arg t "$2" '{text: $t}')" >/dev/null
}
wd_clear() {
    local el
    el="$(wd_find "$1")" || return 1
    wd_call POST "/session/$WD_SESSION/element/$el/clear" '{}' >/dev/null
}
# wd_click_at CSS FRACTION: a real mouse click at FRACTION (0..1) of the element's width, mid-height
wd_click_at() {
    local el width x
    el="$(wd_find "$1")" || return 1
    width="$(wd_call GET "/session/$WD_SESSION/element/$el/rect" | jq -r '.value.width')"
    x="$(awk -v w="$width" -v f="$2" 'BEGIN { x = int(w * f - w / 2); if (x > w / 2 - 1) x = int(w / 2 - 1); if (x < -w / 2 + 1) x = int(-w / 2 + 1); print x }')"
    wd_call POST "/session/$WD_SESSION/actions" "$(jq -cn --arg k "$WD_ELEMENT_KEY" --arg el "$el" --argjson x "$x" \
        '{actions: [{type: "pointer", id: "mouse", parameters: {pointerType: "mouse"}, actions: [
            {type: "pointerMove", origin: {($k): $el}, x: $x, y: 0}, {type: "pointerDown", button: 0},
            {type: "pointerUp", button: 0}]}]}')" >/dev/null
    wd_call DELETE "/session/$WD_SESSION/actions" >/dev/null
}
wd_js() {
    wd_call POST "/session/$WD_SESSION/execute/sync" "$(jq -cn --arg s "$1" --argjson a "${2:-[]}" '{script: $s, args: $a}')" | jq -c '.value'
}
wd_js_file() {
    local body out
    body="$(mktemp)"
    jq -n --rawfile s "$1" '{script: $s, args: []}' >"$body"
    out="$(curl -s --max-time 60 -X POST -H 'Content-Type: application/json' --data-binary "@$body" \
        "http://127.0.0.1:$WD_PORT/session/$WD_SESSION/execute/sync")"
    rm -f "$body"
    jq -e '.value | type != "object" or (has("error") | not)' <<<"$out" >/dev/null || return 1
    jq -c '.value' <<<"$out"
}
wd_js_async() {
    wd_call POST "/session/$WD_SESSION/execute/async" "$(jq -cn --arg s "$1" '{script: $s, args: []}')" | jq -c '.value'
}
# wd_wait_text CSS TEXT: until the element exists and its text contains TEXT
wd_wait_text() {
    _wd_has_text() { local t; t="$(wd_text "$1" 2>/dev/null)" && [[ "$t" == *"$2"* ]]; }
    poll_until "$WD_TIMEOUT" 0.2 _wd_has_text "$1" "$2"
}
# wd_wait CSS: until the element exists
wd_wait() { poll_until "$WD_TIMEOUT" 0.2 wd_exists "$1"; }
