# shellcheck shell=bash
# Read-your-writes and the retention floor of schedules (issue 11, deliverables 4 and 7).
# Sourced by bin/lib/system-test.sh (api, expect, pass, fail, $DEST, $OCORE, $STACK).
#
# 1. An environment registered through the gateway can have its schedule set at once: the
#    `ocore environment create ... && ocore backup schedule set ...` race. scheduler-service
#    learns environments from EnvironmentRegistered on Kafka; until then it asks backup-service.
#    Five fresh environments, each registered and immediately scheduled: every set succeeds.
# 2. An enabled schedule that keeps nothing (all four retain* at 0) is refused: 400 naming the
#    four fields, and the schedule is unchanged.

ryw_operator="$("$STACK" token --permissions manage:platform --ttl 600)"
ryw_ok=0
ryw_env=""
for i in 1 2 3 4 5; do
    ryw_name="ryw-$(date +%s%N)-$i"
    ryw_body="{\"name\":\"$ryw_name\",\"projectId\":\"$DEMO_PROJECT_ID\",\"environmentType\":\"staging\",\"database\":{\"host\":\"127.0.0.1\",\"port\":$DEMO_PG_PORT,\"name\":\"odoo_demo\",\"user\":\"odoo\",\"password\":\"odoo\"},\"filestorePath\":\"$DEMO_DIR/filestore/$ryw_name\",\"configPath\":\"$DEMO_DIR/config/odoo.conf\"}"
    ryw_env="$(TOKEN="$ryw_operator" api POST /api/environments "$ryw_body" | jq -r '.id // empty' 2>/dev/null || true)"
    ryw_code="$(last_code)"
    if [[ "$ryw_code" != "201" || -z "$ryw_env" ]]; then
        fail "register environment $ryw_name through the gateway: got $ryw_code"
        continue
    fi
    # immediately: no wait for scheduler-service to hear EnvironmentRegistered
    if ryw_out="$("$OCORE" backup schedule set --environment "$ryw_env" --db-frequency daily --full-frequency weekly \
            --retain-daily 3 --destinations "$DEST" --output json 2>&1)" \
            && [[ "$(jq -r '.enabled' <<< "$ryw_out" 2>/dev/null)" == "true" ]]; then
        ryw_ok=$(( ryw_ok + 1 ))
    else
        fail "ocore backup schedule set right after registering environment $ryw_env: ${ryw_out:0:300}"
    fi
done
expect "a schedule is set right after its environment is registered (5 of 5)" "$ryw_ok" "5"

if [[ -n "$ryw_env" ]]; then
    ryw_zero="{\"enabled\":true,\"dbFrequency\":\"daily\",\"fullFrequency\":\"weekly\",\"retainHourly\":0,\"retainDaily\":0,\"retainWeekly\":0,\"retainMonthly\":0,\"walEnabled\":false,\"walRetentionDays\":7,\"destinationIds\":[\"$DEST\"]}"
    ryw_resp="$(api PUT "/api/environments/$ryw_env/backup-schedule" "$ryw_zero")"
    expect "an enabled schedule that keeps nothing is refused (400 naming the four retain fields)" \
        "$(last_code) $(jq -r '[.errors[].field] | sort | join(",")' <<< "$ryw_resp" 2>/dev/null)" \
        "400 retainDaily,retainHourly,retainMonthly,retainWeekly"
    expect "the refused schedule left the stored one unchanged (retainDaily 3)" \
        "$(api GET "/api/environments/$ryw_env/backup-schedule" | jq -r '.retainDaily')" "3"
    # the retention preview shows the floor
    expect "the retention preview shows the minimum redundancy (1)" \
        "$(api GET "/api/environments/$ryw_env/backup-schedule/retention-preview" | jq -r '.minRedundancy')" "1"
fi
