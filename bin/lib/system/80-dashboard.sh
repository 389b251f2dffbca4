# The dashboard (docs/dashboard.md) in a real headless Chromium, driven through chromedriver
# (bin/lib/webdriver.sh): the token handed over in the address and removed from it, the
# sign-in screen, an environment's backups, a db backup started with the button and followed to
# completion, the restore dialog's production confirmation, the PITR slider on a real base
# (keys, refusal of an uncovered moment, snapping of a click) and on drawn gaps, the slider's
# logic in the page, axe-core on the main screens (no serious or critical violation), and a
# restore to a new environment followed to completion.
# No Chromium is a failure, never a skip: bin/test installs chromium and chromium-driver.
# Sourced by bin/lib/system-test.sh: api, expect, pass, fail, poll_until, pg_psql, $ENV, $DEST, $BACKUP,
# $STACK, $OCORE_URL, $OCORE_TOKEN, $LOG_DIR, $DEMO_PG_PORT.

log "dashboard: headless Chromium through chromedriver"
# shellcheck source=bin/lib/webdriver.sh
source "$ROOT_DIR/bin/lib/webdriver.sh"

db_ms() { jq -rn --arg t "$1" '$t | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601 * 1000'; }

# unlabelled SCREEN: fails for every form control of the page without an accessible name
# (label, aria-label, aria-labelledby or, for a button, its text)
unlabelled() {
    local missing
    missing="$(wd_js 'return [...document.querySelectorAll("#main input, #main select, #main textarea, #main button, #main [role=slider]")]
        .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute("aria-label") && !e.getAttribute("aria-labelledby")
          && !(e.tagName === "BUTTON" && e.textContent.trim()))
        .map((e) => e.id || e.name || e.outerHTML.slice(0, 60))')"
    if [[ "$missing" == "[]" ]]; then pass "$1: every form control has an accessible name"; else fail "$1: controls without an accessible name: $missing"; fi
}

# axe-core (npm, pinned), the accessibility engine the check runs in the page: fetched once into
# .cache/ with `npm pack` (npm verifies the registry's integrity hash); OCORE_AXE_JS overrides.
AXE_VERSION=4.14.1
axe_js() {
    local dir="$ROOT_DIR/.cache/axe-core-$AXE_VERSION"
    if [[ -n "${OCORE_AXE_JS:-}" ]]; then echo "$OCORE_AXE_JS"; return 0; fi
    if [[ ! -s "$dir/axe.min.js" ]]; then
        local tmp
        tmp="$(mktemp -d)"
        (cd "$tmp" && npm pack --silent "axe-core@$AXE_VERSION" >/dev/null 2>&1 && tar xzf "axe-core-$AXE_VERSION.tgz") \
            && mkdir -p "$dir" && cp "$tmp/package/axe.min.js" "$dir/axe.min.js"
        rm -rf "$tmp"
    fi
    [[ -s "$dir/axe.min.js" ]] && echo "$dir/axe.min.js"
}

# accessible SCREEN: axe-core's WCAG rules on the screen as drawn; fails on every serious or
# critical violation (minor and moderate ones are listed in the log, not failed)
accessible() {
    local js script found
    if ! js="$(axe_js)"; then
        fail "$1: axe-core $AXE_VERSION could not be fetched with npm (or set OCORE_AXE_JS)"
        return 0
    fi
    script="$(mktemp)"
    { cat "$js"; echo; echo 'return typeof axe;'; } >"$script"
    if [[ "$(wd_js_file "$script")" != '"object"' ]]; then
        rm -f "$script"
        fail "$1: axe-core could not be loaded into the page"
        return 0
    fi
    rm -f "$script"
    found="$(wd_js_async 'const done = arguments[arguments.length - 1];
        axe.run(document, {resultTypes: ["violations"]}).then((r) => done(r.violations.map((v) =>
            ({impact: v.impact, text: v.id + " (" + v.impact + ", " + v.nodes.length + "): "
                + v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")}))))
          .catch((e) => done([{impact: "critical", text: "axe failed: " + e}]));')"
    if [[ -z "$found" || "$found" == null ]]; then
        fail "$1: axe-core gave no answer"
        return 0
    fi
    local minor serious
    minor="$(jq -r '[.[] | select(.impact != "serious" and .impact != "critical") | .text] | join(" | ")' <<<"$found")"
    serious="$(jq -r '[.[] | select(.impact == "serious" or .impact == "critical") | .text] | join(" | ")' <<<"$found")"
    [[ -n "$minor" ]] && echo "    axe, minor or moderate on $1: $minor"
    if [[ -z "$serious" ]]; then
        pass "$1: axe-core $AXE_VERSION finds no serious or critical accessibility violation"
    else
        fail "$1: axe-core finds serious or critical violations: $serious"
    fi
}

dashboard_checks() {
    local env_name url new_backup range from_ms to_ms max_ms to_after_ms value restore_id
    env_name="$(api GET "/api/environments/$ENV" | jq -r '.name')"

    # --- the link bin/stack dashboard-url prints: the token in the address, then gone from it
    url="$("$STACK" dashboard-url)"
    expect "bin/stack dashboard-url links the demo environment's screen with a token" \
        "${url%%\?token=*}" "$OCORE_URL/#/environments/$ENV"
    wd_go "$url"
    if wd_wait_text "#main h1" "$env_name"; then
        pass "#/environments/ENV?token=JWT signs in and shows the environment '$env_name'"
    else
        fail "#/environments/ENV?token=JWT shows the environment (h1: '$(wd_text "#main h1" 2>/dev/null)')"
        return 0
    fi
    # the first screen's time, measured on a second load (the first one warmed the JVMs and the
    # browser; the modules are revalidated, not re-sent)
    local first_ms
    wd_js 'location.reload(); return true' >/dev/null
    _screen_marked() { [[ "$(wd_js 'return performance.getEntriesByName("ocore:screen").length')" == 1 ]]; }
    poll_until "$WD_TIMEOUT" 0.2 _screen_marked || true
    first_ms="$(wd_js 'const m = performance.getEntriesByName("ocore:screen")[0]; return m ? Math.round(m.startTime) : -1')"
    if (( first_ms >= 0 && first_ms < 1000 )); then
        pass "the environment screen is drawn ${first_ms} ms after a (re)load (under 1 s)"
    else
        fail "the environment screen is drawn under 1 s after a (re)load: ${first_ms} ms"
    fi
    local handed="${url##*\?token=}"
    url="$(wd_url)"
    if [[ "$url" != *token* && "$url" == *"#/environments/$ENV" ]]; then
        pass "the token is removed from the address bar ($url)"
    else
        fail "the token is removed from the address bar: $url"
    fi
    expect "the token is kept in sessionStorage" \
        "$(wd_js 'return sessionStorage.getItem("ocore.token") === arguments[0]' "$(jq -cn --arg t "$handed" '[$t]')")" "true"

    # --- the environment's backups
    if wd_wait "tr[data-backup-id='$BACKUP']" && [[ "$(wd_text "tr[data-backup-id='$BACKUP']")" == *completed* ]]; then
        pass "the environment screen lists backup $BACKUP as completed"
    else
        fail "the environment screen lists backup $BACKUP: '$(wd_text "#backups" 2>/dev/null)'"
    fi
    if wd_wait "#schedule-next" && [[ "$(wd_text "#schedule-next")" == *"Next database backup"* ]] && wd_exists "#f-dbFrequency"; then
        pass "it shows the schedule form and its next run times"
    else
        fail "it shows the schedule form and its next run times"
    fi

    unlabelled "#/environments/ENV"
    accessible "#/environments/ENV"

    # --- the schedule form shows the server's messages beside their fields (nothing is saved)
    wd_clear "#f-retainHourly"; wd_type "#f-retainHourly" "-1"
    wd_clear "#f-walRetentionDays"; wd_type "#f-walRetentionDays" "0"
    wd_click "#schedule-save"
    if wd_wait_text "[data-error-for=retainHourly]" "retainHourly" && wd_wait_text "[data-error-for=walRetentionDays]" "walRetentionDays"; then
        pass "a bad schedule shows each field's message beside it ($(wd_text "[data-error-for=retainHourly]"); $(wd_text "[data-error-for=walRetentionDays]"))"
    else
        fail "a bad schedule shows each field's message: '$(wd_text "#schedule" 2>/dev/null)'"
    fi
    expect "and the schedule is unchanged" "$(api GET "/api/environments/$ENV/backup-schedule" | jq -r '.retainHourly >= 0 and .walRetentionDays >= 1')" "true"

    # --- a db backup from the button, followed live to completion
    wd_click "#backup-db"
    if wd_wait_text "#backup-progress" "db backup"; then
        pass "the db backup button starts a backup and shows its progress ($(wd_text "#backup-progress"))"
    else
        fail "the db backup button shows a running backup: '$(wd_text "#backup-progress" 2>/dev/null)' $(wd_text "#main .error" 2>/dev/null)"
    fi
    new_backup="$(api GET "/api/environments/$ENV/backups?backupType=db&limit=1" | jq -r '.items[0].id // empty')"
    _row_completed() { [[ "$(wd_text "tr[data-backup-id='$new_backup']" 2>/dev/null)" == *completed* ]]; }
    if [[ -n "$new_backup" ]] && poll_until 600 1 _row_completed; then
        pass "the page shows backup $new_backup completed without a reload"
    else
        fail "the page shows the new db backup ${new_backup:-?} completed: '$(wd_text "tr[data-backup-id='$new_backup']" 2>/dev/null)'"
    fi

    # --- the organisation's environments, and the health screen
    wd_go "$OCORE_URL/#/"
    if wd_wait "#main a[href='#/environments/$ENV']"; then pass "#/ lists the environment"; else fail "#/ lists the environment: '$(wd_text "#main" 2>/dev/null)'"; fi

    # --- the sign-in screen takes a pasted token
    wd_js 'sessionStorage.clear(); location.hash = "#/alerts"; return true' >/dev/null
    if wd_wait "#token-input"; then
        pass "without a token the sign-in screen is shown"
        wd_js 'location.hash = "#/health"; return true' >/dev/null
        if wd_wait_text "#overall" "All services are up"; then pass "#/health needs no token and shows /health"; else fail "#/health: '$(wd_text "#main" 2>/dev/null)'"; fi
        wd_js 'location.hash = "#/alerts"; return true' >/dev/null
        wd_wait "#token-input" || true
        wd_type "#token-input" "$OCORE_TOKEN"
        wd_click "#sign-in"
        if wd_wait_text "#main h1" "Alerts"; then pass "a pasted token signs in (#/alerts)"; else fail "a pasted token signs in"; fi
    else
        fail "without a token the sign-in screen is shown"
    fi

    # --- alerts: the read flag, on an alert of this check's own (an unreachable destination)
    local dead alert_id
    dead="$(api POST /api/backup-destinations "{\"name\":\"dashboard check $$\",\"destinationType\":\"sftp\",\"config\":{\"host\":\"127.0.0.1\",\"port\":9,\"username\":\"backup\",\"password\":\"dashboard-check-secret\",\"path\":\"/backups\"}}" | jq -r '.id // empty')"
    [[ -n "$dead" ]] && api POST "/api/backup-destinations/$dead/test" >/dev/null
    _dead_alert() {
        alert_id="$(api GET "/api/backup-alerts?alertType=destination_unreachable&isRead=false&limit=100" \
            | jq -r --arg d "$dead" '[.items[] | select(.destinationId == $d)][0].id // empty')"
        [[ -n "$alert_id" ]]
    }
    if [[ -n "$dead" ]] && poll_until 60 1 _dead_alert; then
        wd_go "$OCORE_URL/#/"   # the page shows #/alerts already: going to the same address draws nothing anew
        wd_go "$OCORE_URL/#/alerts"
        if wd_wait "tr[data-alert-id='$alert_id'] button.mark-read"; then
            pass "#/alerts shows the unread alert $alert_id with Mark read"
            expect "the page never shows the destination's password" \
                "$(wd_js 'return document.documentElement.outerHTML.includes("dashboard-check-secret")')" "false"
            wd_click "tr[data-alert-id='$alert_id'] button.mark-read"
            _alert_read() { [[ "$(wd_text "tr[data-alert-id='$alert_id']" 2>/dev/null)" == *read* ]] && ! wd_exists "tr[data-alert-id='$alert_id'] button"; }
            if poll_until "$WD_TIMEOUT" 0.2 _alert_read; then pass "Mark read marks it read on the page"; else fail "Mark read on alert $alert_id"; fi
            expect "and in the API" "$(api GET "/api/backup-alerts?limit=100" | jq -r --arg a "$alert_id" '.items[] | select(.id == $a) | .isRead')" "true"
        else
            fail "#/alerts shows the unread alert $alert_id: '$(wd_text "#alerts" 2>/dev/null)'"
        fi
    else
        fail "a destination_unreachable alert for the check's dead destination ${dead:-?} within 60 s"
    fi
    [[ -n "$dead" ]] && api DELETE "/api/backup-destinations/$dead" >/dev/null

    # --- destinations: Test Connection, and the form's messages
    wd_go "$OCORE_URL/#/destinations"
    if wd_wait "tr[data-destination-id='$DEST'] button.test"; then
        wd_click "tr[data-destination-id='$DEST'] button.test"
        if wd_wait_text "tr[data-destination-id='$DEST'] .test-result" "ok"; then
            pass "Test Connection on the local destination answers ok ($(wd_text "tr[data-destination-id='$DEST'] .test-result"))"
        else
            fail "Test Connection on the local destination: '$(wd_text "tr[data-destination-id='$DEST']")'"
        fi
        _dest_verified() { [[ "$(wd_text "tr[data-destination-id='$DEST'] td.verified" 2>/dev/null)" == verified ]]; }
        if poll_until "$WD_TIMEOUT" 0.2 _dest_verified; then
            pass "it shows isVerified and lastTestedAt ($(wd_text "tr[data-destination-id='$DEST'] td.tested"))"
        else
            fail "it shows isVerified: '$(wd_text "tr[data-destination-id='$DEST']")'"
        fi
        unlabelled "#/destinations"
        accessible "#/destinations"
        wd_click "#dest-save"
        if wd_wait_text "form.destination [data-error-for=name]" "name"; then
            pass "an empty destination form shows the server's message beside Name ($(wd_text "form.destination [data-error-for=name]"))"
        else
            fail "an empty destination form shows the server's messages: '$(wd_text "form.destination")'"
        fi
    else
        fail "#/destinations lists the local destination $DEST"
    fi

    # --- the restore dialog: production needs its name
    wd_go "$OCORE_URL/#/backups/$BACKUP/restore"
    if wd_wait "#restore-submit"; then
        expect "target same (production): the confirmation field is shown" "$(wd_attr "#confirm-box" hidden)" "false"
        expect "the Restore button is disabled until the name is typed" "$(wd_attr "#restore-submit" disabled)" "true"
        expect "neutralization is off by default for a production target" "$(wd_attr "#neutralize" checked)" "false"
        if [[ "$(wd_text "#overwrite-warning")" == *overwrites* ]]; then pass "same warns that it overwrites"; else fail "same warns that it overwrites: '$(wd_text "#overwrite-warning")'"; fi
        wd_type "#confirm" "not-$env_name"
        expect "a wrong name keeps it disabled" "$(wd_attr "#restore-submit" disabled)" "true"
        wd_clear "#confirm"
        wd_type "#confirm" "$env_name"
        expect "the environment's name enables it" "$(wd_attr "#restore-submit" disabled)" "false"
        wd_click "#target-new"
        expect "target new: no confirmation" "$(wd_attr "#confirm-box" hidden)" "true"
        expect "target new: neutralization on by default" "$(wd_attr "#neutralize" checked)" "true"
    else
        fail "the restore dialog #/backups/$BACKUP/restore opens"
    fi

    # --- the PITR slider on the new backup's real base
    _pitr_ready() {
        pg_psql "$DEMO_PG_PORT" postgres "select pg_switch_wal()" >/dev/null 2>&1 || true
        api GET "/api/backups/$new_backup/pitr-range" >/dev/null
        [[ "$(last_code)" == 200 ]]
    }
    if [[ -n "$new_backup" ]] && poll_until 180 2 _pitr_ready; then
        range="$(api GET "/api/backups/$new_backup/pitr-range")"
        from_ms="$(db_ms "$(jq -r '.from' <<< "$range")")"
        to_ms="$(db_ms "$(jq -r '.to' <<< "$range")")"
        wd_go "$OCORE_URL/#/backups/$new_backup/restore"
        if wd_wait "#pitr-thumb"; then
            wd_click "#use-pitr"
            unlabelled "#/backups/BACKUP/restore with the PITR slider"
            accessible "#/backups/BACKUP/restore with the PITR slider"
            expect "the slider has role=slider" "$(wd_js 'return document.getElementById("pitr-thumb").getAttribute("role")')" '"slider"'
            value="$(wd_js 'return document.getElementById("pitr-thumb").getAttribute("aria-valuetext")' | jq -r .)"
            if [[ "$value" == 20*Z\ \(* ]]; then pass "aria-valuetext gives ISO 8601 UTC and local time ($value)"; else fail "aria-valuetext: '$value'"; fi
            now_ms() { wd_js 'return Number(document.getElementById("pitr-thumb").getAttribute("aria-valuenow"))'; }
            wd_type "#pitr-thumb" "$WD_KEY_HOME"
            expect "Home goes to the base's consistent point (pitr-range from)" "$(( $(now_ms) / 1000 ))" "$(( from_ms / 1000 ))"
            # WAL keeps being archived, so the page's range may end later than the one read above:
            # the slider's end is checked against pitr-range read before and after the page loaded
            # (to the second: db_ms drops the milliseconds).
            max_ms="$(wd_js 'return Number(document.getElementById("pitr-thumb").getAttribute("aria-valuemax"))')"
            to_after_ms="$(db_ms "$(api GET "/api/backups/$new_backup/pitr-range" | jq -r '.to')")"
            if [[ "$max_ms" =~ ^[0-9]+$ ]] && (( max_ms / 1000 >= to_ms / 1000 && max_ms / 1000 <= to_after_ms / 1000 )); then
                pass "the slider ends at pitr-range's to ($max_ms, read $to_ms before and $to_after_ms after)"
            else
                fail "the slider ends at pitr-range's to: aria-valuemax '$max_ms', read $to_ms before and $to_after_ms after"
            fi
            wd_type "#pitr-thumb" "$WD_KEY_END"
            expect "End goes to the last covered commit (pitr-range to)" "$(now_ms)" "$max_ms"
            wd_type "#pitr-thumb" "$WD_KEY_LEFT"
            if (( max_ms - from_ms >= 1000 )); then
                expect "← moves one second back" "$(( $(now_ms) / 1000 ))" "$(( max_ms / 1000 - 1 ))"
            fi
            wd_clear "#pitr-input"
            wd_type "#pitr-input" "$(jq -rn --argjson t "$(( from_ms / 1000 - 3600 ))" '$t | todateiso8601')$WD_KEY_ENTER"
            if [[ "$(wd_text "#pitr-message")" == *"not covered"* ]]; then
                pass "a typed moment an hour before the base is refused ($(wd_text "#pitr-message"))"
            else
                fail "a typed uncovered moment is refused: '$(wd_text "#pitr-message")'"
            fi
            expect "and the Restore button is disabled" "$(wd_attr "#restore-submit" disabled)" "true"
            wd_click_at "#pitr-track" 0
            expect "a click at the timeline's start (the backup's start) snaps to the first covered moment" \
                "$(( $(now_ms) / 1000 ))" "$(( from_ms / 1000 ))"
            if [[ "$(wd_text "#pitr-iso")" == 20*Z ]]; then pass "the chosen moment is shown as ISO 8601 ($(wd_text "#pitr-iso"), local $(wd_text "#pitr-local"))"; else fail "the chosen moment as ISO 8601: '$(wd_text "#pitr-iso")'"; fi
        else
            fail "the restore dialog of a WAL base shows the PITR slider: $(wd_text "#pitr-box" 2>/dev/null)"
        fi
    else
        fail "backup ${new_backup:-?} got a PITR range within 180 s ($(api GET "/api/backups/$new_backup/pitr-range"))"
    fi

    # --- the slider's logic, in the page (pitr.js)
    local logic
    logic="$(wd_js_async 'const done = arguments[arguments.length - 1];
      import("/pitr.js").then((m) => {
        const errors = []; const eq = (what, a, b) => { if (a !== b) errors.push(`${what}: ${a} !== ${b}`); };
        const t = (s) => Date.parse(`2026-03-15T${s}Z`);
        const line = m.timeline({from: "2026-03-15T14:06:39Z", to: "2026-03-15T14:30:00Z", timeline: 1},
          {ranges: [{from: "2026-03-15T14:00:02Z", to: "2026-03-15T14:09:58Z", timeline: 1},
                    {from: null, to: null, timeline: 1},
                    {from: "2026-03-15T14:15:05Z", to: "2026-03-15T14:40:00Z", timeline: 1},
                    {from: "2026-03-15T14:00:00Z", to: "2026-03-15T15:00:00Z", timeline: 2}]}, "2026-03-15T14:06:00Z");
        eq("start is the base time", line.start, t("14:06:00"));
        eq("end is the end of coverage on the timeline", line.end, t("14:40:00"));
        eq("covered ranges", JSON.stringify(line.covered), JSON.stringify([{from: t("14:06:39"), to: t("14:09:58")}, {from: t("14:15:05"), to: t("14:30:00")}]));
        eq("gaps", line.gaps.length, 3);
        eq("inside a range stays", m.snap(t("14:08:00"), line.covered), t("14:08:00"));
        eq("a gap snaps to the nearer end (before)", m.snap(t("14:11:00"), line.covered), t("14:09:58"));
        eq("a gap snaps to the nearer start (after)", m.snap(t("14:14:00"), line.covered), t("14:15:05"));
        eq("before everything snaps to the first", m.snap(t("13:00:00"), line.covered), t("14:06:39"));
        eq("after everything snaps to the last", m.snap(t("14:35:00"), line.covered), t("14:30:00"));
        eq("-> one second", m.step(t("14:08:00"), "ArrowRight", false, line.covered), t("14:08:01"));
        eq("Shift+<- one minute", m.step(t("14:08:00"), "ArrowLeft", true, line.covered), t("14:07:00"));
        eq("PageDown one hour, held at the first", m.step(t("14:08:00"), "PageDown", false, line.covered), t("14:06:39"));
        eq("-> into a gap jumps over it", m.step(t("14:09:58"), "ArrowRight", false, line.covered), t("14:15:05"));
        eq("<- into a gap jumps back over it", m.step(t("14:15:05"), "ArrowLeft", false, line.covered), t("14:09:58"));
        eq("End", m.step(t("14:08:00"), "End", false, line.covered), t("14:30:00"));
        eq("other keys are not the sliders", m.step(t("14:08:00"), "a", false, line.covered), null);
        eq("a covered moment is valid", m.validate("2026-03-15T15:08:00+01:00", line.covered).ok, true);
        eq("an uncovered one is refused", m.validate("2026-03-15T14:12:00Z", line.covered).ok, false);
        eq("with the nearest moment", m.validate("2026-03-15T14:12:00Z", line.covered).nearest, t("14:09:58"));
        eq("no zone is refused", m.validate("2026-03-15T14:08:00", line.covered).ok, false);
        eq("ISO without milliseconds", m.iso(t("14:08:00")), "2026-03-15T14:08:00Z");
        done(errors);
      }, (e) => done([String(e)]));')"
    if [[ "$logic" == "[]" ]]; then pass "the slider's logic (ranges, gaps, snapping, keys, validation) holds in Chromium"; else fail "the slider's logic: $logic"; fi

    # --- the slider drawn with gaps: real clicks in a gap snap, a key jumps over it
    wd_go "$OCORE_URL/#/health"
    wd_wait "#overall" >/dev/null
    wd_js_async 'const done = arguments[arguments.length - 1];
      Promise.all([import("/pitr.js"), import("/slider.js")]).then(([p, s]) => {
        const covered = [{from: 10000, to: 40000}, {from: 60000, to: 90000}];
        const slider = s.pitrSlider({start: 0, end: 100000, covered, gaps: p.gapsOf(0, 100000, covered)});
        document.getElementById("main").replaceChildren(slider.element); done(true); }, (e) => done(String(e)));' >/dev/null
    if wd_wait "#pitr-track"; then
        now_ms() { wd_js 'return Number(document.getElementById("pitr-thumb").getAttribute("aria-valuenow"))'; }
        expect "the drawn slider shows two covered ranges and three gaps" \
            "$(wd_js 'return document.querySelectorAll(".pitr-covered").length + "/" + document.querySelectorAll(".pitr-gap").length')" '"2/3"'
        wd_click_at "#pitr-track" 0.45
        expect "a click in a gap, nearer its start, snaps to the range before it" "$(now_ms)" "40000"
        wd_click_at "#pitr-track" 0.57
        expect "a click in a gap, nearer its end, snaps to the range after it" "$(now_ms)" "60000"
        wd_click_at "#pitr-track" 0.02
        expect "a click before the first range snaps to its start" "$(now_ms)" "10000"
        wd_click_at "#pitr-track" 0.25
        value="$(now_ms)"
        if (( value > 20000 && value < 30000 )); then pass "a click inside a range keeps that moment ($value)"; else fail "a click inside a range keeps that moment: $value"; fi
        wd_type "#pitr-thumb" "$WD_KEY_END"
        wd_type "#pitr-thumb" "$WD_KEY_HOME"
        expect "Home: first covered moment" "$(now_ms)" "10000"
        wd_click_at "#pitr-track" 0.40
        wd_type "#pitr-thumb" "$WD_KEY_RIGHT"
        expect "→ at a range's end jumps over the gap" "$(now_ms)" "60000"
        wd_type "#pitr-thumb" "$WD_KEY_SHIFT$WD_KEY_RIGHT"
        expect "Shift+→ moves one minute, held at the last covered moment" "$(now_ms)" "90000"
    else
        fail "the slider module mounts in the page"
    fi

    # --- a restore to a new environment, followed to completion
    wd_go "$OCORE_URL/#/backups/$BACKUP/restore"
    if wd_wait "#target-new"; then
        wd_click "#target-new"
        wd_type "#new-name" "dashboard e2e $$"
        wd_click "#restore-submit"
        _on_restore() { [[ "$(wd_url)" == *"#/restores/"* ]]; }
        if poll_until "$WD_TIMEOUT" 0.2 _on_restore; then
            restore_id="$(wd_url)"; restore_id="${restore_id##*#/restores/}"
            pass "submitting the dialog opens the restore's screen ($restore_id)"
            _restore_done() { local t; t="$(wd_text "#restore-status" 2>/dev/null)"; [[ "$t" == *completed* || "$t" == *failed* ]]; }
            poll_until 600 1 _restore_done || true
            if [[ "$(wd_text "#restore-status")" == *completed* ]]; then
                pass "the restore screen shows it completed without a reload"
            else
                fail "the restore to a new environment completes: '$(wd_text "#restore-status")'"
            fi
            if wd_exists "table.steps" && [[ "$(wd_text "table.steps")" == *restore_database* ]]; then
                pass "with its step log"
            else
                fail "the restore screen shows the step log: '$(wd_text "#restore-logs" 2>/dev/null)'"
            fi
        else
            fail "submitting the restore dialog for a new environment: $(wd_text "#restore-form .error" 2>/dev/null) $(wd_url)"
        fi
    else
        fail "the restore dialog opens for a new-environment restore"
    fi
}

wd_err_file="$(mktemp)"
if wd_start 2>"$wd_err_file"; then
    pass "headless Chromium runs ($("$WD_CHROMIUM" --version 2>/dev/null | head -n1))"
    # called in a condition, so that a failing step (an element not there) is a FAIL of its own
    # and the browser is stopped below, never an exit of the whole system test
    dashboard_checks || fail "the dashboard checks stopped early"
else
    fail "headless Chromium and chromedriver are needed for the dashboard check: $(<"$wd_err_file")"
fi
wd_stop
rm -f "$wd_err_file"
