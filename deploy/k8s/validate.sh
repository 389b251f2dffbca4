#!/usr/bin/env bash
# Offline checks of the Kubernetes manifests (no cluster, no kubectl needed):
#  - every YAML file parses (PyYAML safe_load_all; skipped with a notice without PyYAML);
#  - every document has apiVersion, kind and metadata.name;
#  - every resource a kustomization.yaml lists exists.
# With kubectl or kustomize on PATH, also renders each overlay (`kubectl kustomize`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if ! command -v python3 >/dev/null || ! python3 -c 'import yaml' 2>/dev/null; then
    echo "PyYAML not available (python3 -c 'import yaml' failed): YAML checks skipped"
    exit 0
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

if command -v kubectl >/dev/null; then
    for overlay in overlays/*/; do
        kubectl kustomize "$overlay" >/dev/null && echo "rendered $overlay"
    done
elif command -v kustomize >/dev/null; then
    for overlay in overlays/*/; do
        kustomize build "$overlay" >/dev/null && echo "rendered $overlay"
    done
else
    echo "kubectl/kustomize not on PATH: overlays not rendered"
fi
