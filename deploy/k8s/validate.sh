#!/usr/bin/env bash
# Offline checks of the Kubernetes manifests (no cluster needed). Every check runs or the script
# fails: a tool that is missing is an error, never a skipped check.
#  - every YAML file parses (PyYAML safe_load_all);
#  - every document has apiVersion, kind and metadata.name;
#  - every resource a kustomization.yaml lists exists;
#  - every overlay renders (`kubectl kustomize`, or `kustomize build`);
#  - the PrometheusRule of components/monitoring passes `promtool check rules`, and its unit
#    tests (components/monitoring/rules-test.yaml) pass `promtool test rules`;
#  - the Grafana dashboard's panel queries parse (promtool) and read only documented metrics.
# Planned (issue 16): validation against the Kubernetes API and the operators' CRD schemas.
# Needs: python3 with PyYAML (Debian: python3-yaml), kubectl or kustomize, promtool (Debian:
# prometheus). bin/test installs them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

fail() { echo "FAIL: $*" >&2; exit 1; }
command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null \
    || fail "python3 with PyYAML is needed (Debian: apt-get install python3-yaml)"
command -v promtool >/dev/null || fail "promtool is needed (Debian: apt-get install prometheus)"
if command -v kubectl >/dev/null; then
    render() { kubectl kustomize "$1"; }
elif command -v kustomize >/dev/null; then
    render() { kustomize build "$1"; }
else
    fail "kubectl or kustomize is needed to render the overlays"
fi

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
python3 - components/monitoring/grafana-dashboard.json ../../docs/operations.md "$work/dashboard-rules.yaml" <<'PY'
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
