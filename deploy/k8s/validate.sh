#!/usr/bin/env bash
# Offline checks of the Kubernetes manifests (no cluster needed). Every check runs or the script
# fails: a tool or schema that is missing is an error, never a skipped check.
#  - every YAML file parses (PyYAML safe_load_all);
#  - every document has apiVersion, kind and metadata.name;
#  - every resource a kustomization.yaml lists exists;
#  - every overlay renders (`kubectl kustomize`, or `kustomize build`);
#  - every rendered object validates strictly (unknown fields and wrong types fail) against
#    schema_check.py: built-in kinds against the Kubernetes 1.36 API types (the models of
#    @kubernetes/client-node $K8S_CLIENT_VERSION, fetched once with npm into .cache/), custom
#    resources against the CRDs Strimzi 1.2.0, CloudNativePG 1.30.0 and Prometheus Operator 0.93.0
#    publish (schemas/crds, schemas/README.md); an object of a kind with no schema fails;
#  - policy_check.py: probes, requests and limits, non-root on every workload; no secret in a
#    ConfigMap (and no Secret in prod); images, ports, probe and metrics paths agree with the
#    services; KafkaUser ACLs exactly what each service consumes and publishes; one database each;
#  - the PrometheusRule of components/monitoring passes `promtool check rules`, and its unit
#    tests (components/monitoring/rules-test.yaml) pass `promtool test rules`;
#  - the Grafana dashboard's panel queries parse (promtool) and read only documented metrics.
#
#   deploy/k8s/validate.sh               # the manifests of this checkout
#   deploy/k8s/validate.sh --self-test   # also proves the checks fail: copies of the manifests
#                                        # with an unknown field, a wrong type ... must be refused
#   deploy/k8s/validate.sh --manifests DIR   # another copy of deploy/k8s (what --self-test uses)
# Needs: python3 with PyYAML and jsonschema (Debian: python3-yaml python3-jsonschema), kubectl or
# kustomize, promtool (Debian: prometheus), npm (once, for the Kubernetes models; or set
# OCORE_K8S_MODELS to a directory of them). bin/test installs them.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$here/../.." && pwd)"
K8S_CLIENT_VERSION=2.0.1   # @kubernetes/client-node 2.0.1 = the Kubernetes release-1.36 OpenAPI spec
manifests="$here"
self_test=0
manifests_only=0
while (( $# > 0 )); do
    case "$1" in
        --self-test) self_test=1 ;;
        --manifests) manifests="$(cd "$2" && pwd)"; shift ;;
        # (--self-test's runs: its copies break manifests, never the rules or the dashboard)
        --manifests-only) manifests_only=1 ;;
        *) echo "usage: $0 [--self-test] [--manifests DIR]" >&2; exit 2 ;;
    esac
    shift
done
cd "$manifests"

fail() { echo "FAIL: $*" >&2; exit 1; }
command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null \
    || fail "python3 with PyYAML is needed (Debian: apt-get install python3-yaml)"
python3 -c 'import jsonschema' 2>/dev/null \
    || fail "python3 with jsonschema is needed (Debian: apt-get install python3-jsonschema)"
command -v promtool >/dev/null || fail "promtool is needed (Debian: apt-get install prometheus)"
if command -v kubectl >/dev/null; then
    render() { kubectl kustomize "$1"; }
elif command -v kustomize >/dev/null; then
    render() { kustomize build "$1"; }
else
    fail "kubectl or kustomize is needed to render the overlays"
fi

# The Kubernetes API types: the models of the official JavaScript client at a pinned version
# (generated from the Kubernetes OpenAPI spec), fetched once into .cache/ with `npm pack` (npm
# checks the registry's integrity hash); OCORE_K8S_MODELS overrides.
k8s_models() {
    local dir="$ROOT_DIR/.cache/kubernetes-client-node-$K8S_CLIENT_VERSION/models"
    if [[ -n "${OCORE_K8S_MODELS:-}" ]]; then echo "$OCORE_K8S_MODELS"; return 0; fi
    if [[ ! -s "$dir/V1Deployment.js" ]]; then
        command -v npm >/dev/null || return 1
        local tmp
        tmp="$(mktemp -d)"
        (cd "$tmp" && npm pack --silent "@kubernetes/client-node@$K8S_CLIENT_VERSION" >/dev/null 2>&1 \
            && tar xzf "kubernetes-client-node-$K8S_CLIENT_VERSION.tgz" --wildcards 'package/dist/gen/models/*.js') \
            && mkdir -p "$dir" && cp "$tmp"/package/dist/gen/models/*.js "$dir/"
        rm -rf "$tmp"
    fi
    [[ -s "$dir/V1Deployment.js" ]] && echo "$dir"
}
models="$(k8s_models)" \
    || fail "the Kubernetes models (@kubernetes/client-node $K8S_CLIENT_VERSION) could not be fetched with npm (or set OCORE_K8S_MODELS)"

python3 - <<'PY'
import os, sys, yaml
errors = 0
docs_total = 0
for root, _, files in os.walk("."):
    for f in sorted(files):
        if not f.endswith((".yaml", ".yml")):
            continue
        path = os.path.join(root, f)
        try:
            docs = [d for d in yaml.safe_load_all(open(path)) if d is not None]
        except yaml.YAMLError as e:
            print(f"FAIL {path}: {e}")
            errors += 1
            continue
        if f == "rules-test.yaml":  # promtool's unit tests: parsed here, run below
            docs_total += len(docs)
            continue
        for d in docs:
            docs_total += 1
            if f == "kustomization.yaml":
                for r in d.get("resources", []):
                    if not os.path.exists(os.path.join(root, r)):
                        print(f"FAIL {path}: resource {r} does not exist")
                        errors += 1
                continue
            for key in ("apiVersion", "kind"):
                if key not in d:
                    print(f"FAIL {path}: a document has no {key}")
                    errors += 1
            if not (d.get("metadata") or {}).get("name"):
                print(f"FAIL {path}: a {d.get('kind')} has no metadata.name")
                errors += 1
print(f"{docs_total} YAML documents checked, {errors} problem(s)")
sys.exit(1 if errors else 0)
PY

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for overlay in overlays/*/; do
    name="$(basename "$overlay")"
    render "$overlay" > "$work/$name.yaml" || fail "overlay $overlay does not render"
    echo "rendered $overlay"
done

# Every object of every overlay against its schema, strictly; then what matters beyond schemas.
python3 "$here/schema_check.py" "$models" schemas/crds "$work"/*.yaml || fail "objects do not match their schemas"
overlay_args=()
for f in "$work"/*.yaml; do overlay_args+=("$(basename "$f" .yaml)=$f"); done
python3 "$here/policy_check.py" "$ROOT_DIR" "${overlay_args[@]}" || fail "the manifests break a rule that matters"
if (( manifests_only )); then echo "manifests: all checks passed (rules and dashboard not checked)"; exit 0; fi

# The alert rules: as the prod overlay renders them, then their unit tests.
python3 - "$work/prod.yaml" "$work/rules.yaml" <<'PY'
import sys, yaml
rules = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d.get("kind") == "PrometheusRule"]
if len(rules) != 1:
    sys.exit(f"FAIL: the prod overlay renders {len(rules)} PrometheusRule objects, expected 1")
yaml.safe_dump({"groups": rules[0]["spec"]["groups"]}, open(sys.argv[2], "w"), sort_keys=False)
PY
promtool check rules "$work/rules.yaml" || fail "the PrometheusRule's rules are not valid"
cp components/monitoring/rules-test.yaml "$work/rules-test.yaml"

promtool test rules "$work/rules-test.yaml" || fail "the alert rules' unit tests failed"
# The Grafana dashboard: valid JSON, every panel's PromQL parses (as recording rules, through
# promtool), and every metric it reads is one docs/operations.md lists.
python3 - components/monitoring/grafana-dashboard.json "$ROOT_DIR/docs/operations.md" "$work/dashboard-rules.yaml" <<'PY'
import json, re, sys, yaml
dash = json.load(open(sys.argv[1]))
documented = set(re.findall(r"`(ocore_[a-z_]+)", open(sys.argv[2]).read()))
rules, errors = [], 0
for p in dash["panels"]:
    for t in p.get("targets", []):
        rules.append({"record": f"dashboard:panel_{p['id']}_{t['refId']}", "expr": t["expr"]})
        for m in re.findall(r"\b(ocore_[a-z_]+)", t["expr"]):
            base = re.sub(r"_(sum|count|max|bucket)$", "", m)
            if m not in documented and base not in documented:
                print(f"FAIL dashboard panel {p['title']!r}: {m} is not a metric docs/operations.md lists")
                errors += 1
if not rules:
    sys.exit("FAIL: the dashboard has no panel queries")
yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, open(sys.argv[3], "w"), sort_keys=False)
print(f"dashboard: {len(rules)} panel queries")
sys.exit(1 if errors else 0)
PY
promtool check rules "$work/dashboard-rules.yaml" || fail "a dashboard panel's query does not parse"
echo "manifests: all checks passed"

# --self-test: the checks above must refuse broken manifests. Each case is a copy of the
# manifests with one mistake, run through this script (--manifests); the case passes only if the
# run fails AND says why (the expected message), so a run failing for another reason is no proof.
(( self_test )) || exit 0
self_case() {  # NAME FILE OLD-TEXT NEW-TEXT EXPECTED-MESSAGE (started in the background)
    local name="$1" file="$2" old="$3" new="$4" copy="$work/self-test-$1"
    cp -r "$manifests" "$copy"
    python3 -c '
import sys
path, old, new = sys.argv[1:]
text = open(path).read()
if old not in text:
    sys.exit(f"self-test: {old!r} is not in {path}")
open(path, "w").write(text.replace(old, new, 1))
' "$copy/$file" "$old" "$new" || fail "self-test $name: could not make the broken copy"
    printf '%s\n' "$5" > "$copy.expect"
    ( rc=0; "$here/validate.sh" --manifests-only --manifests "$copy" > "$copy.out" 2>&1 || rc=$?
      echo "$rc" > "$copy.rc" ) &
    cases+=("$name")
}
self_check() {  # NAME: the case's run failed, with its expected message
    local name="$1" base="$work/self-test-$1" expect
    expect="$(<"$base.expect")"
    [[ "$(<"$base.rc")" != 0 ]] || fail "self-test $name: validate.sh accepted the broken copy"
    grep -qF -- "$expect" "$base.out" \
        || { tail -n 15 "$base.out" >&2; fail "self-test $name: failed, but not with: $expect"; }
    echo "self-test $name: refused as expected: $(grep -F -- "$expect" "$base.out" | head -n 1)"
}
cases=()
# a Kubernetes object: an unknown field (a typo), then a wrong type
self_case unknown-field base/services/backup-service.yaml \
    "          readinessProbe:" $'          readinessProbe:\n            initialDelaySecond: 5' \
    "'initialDelaySecond' was unexpected"
self_case wrong-type base/services/backup-service.yaml \
    "  replicas: 2" '  replicas: "two"' \
    "Deployment backup-service /spec/replicas: 'two' is not of type 'integer'"
# a custom resource (Strimzi's published schema): the same two mistakes
self_case crd-unknown-field base/kafka/topics.yaml \
    "  partitions: 6" $'  partitions: 6\n  retentionMs: 604800000' \
    "'retentionMs' was unexpected"
self_case crd-wrong-type base/kafka/topics.yaml \
    "  partitions: 6" '  partitions: "six"' \
    "/spec/partitions: 'six' is not of type 'integer'"
# what matters beyond schemas (valid objects, wrong choices): a secret in a ConfigMap, a root pod
self_case secret-in-configmap base/configmap.yaml \
    "  QUARKUS_PROFILE: prod" $'  QUARKUS_PROFILE: prod\n  OCORE_MASTER_KEY: c2VjcmV0' \
    "ConfigMap ocore-config key OCORE_MASTER_KEY: looks like a secret"
self_case root-pod base/services/gateway.yaml \
    "        runAsNonRoot: true" "        runAsNonRoot: false" \
    "Deployment gateway container gateway: runAsNonRoot is not true"
wait
for c in "${cases[@]}"; do self_check "$c"; done
echo "self-test: all ${#cases[@]} broken copies were refused"
