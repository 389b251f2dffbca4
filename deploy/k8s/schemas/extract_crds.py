#!/usr/bin/env python3
"""Refresh crds/*.json from the operators' published CRDs (see README.md).

usage: extract_crds.py REPO GIT_DIR TAG VERSION FILE...
  e.g. extract_crds.py strimzi/strimzi-kafka-operator ~/src/strimzi 1.2.0 v1 \
         packaging/install/cluster-operator/040-Crd-kafka.yaml

Keeps, per CRD, the openAPIV3Schema of one served version, as published at that tag, with where
it comes from and the sha256 of the published file (to compare with the project's release).
"""
import hashlib
import json
import os
import subprocess
import sys

import yaml

repo, git, tag, version, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
commit = subprocess.check_output(["git", "-C", git, "rev-list", "-n1", tag], text=True).strip()
out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "crds")
for f in files:
    raw = subprocess.check_output(["git", "-C", git, "show", f"{tag}:{f}"])
    crd = yaml.safe_load(raw)
    group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
    served = [v for v in crd["spec"]["versions"] if v["name"] == version and v.get("served")]
    if not served:
        sys.exit(f"{f}: version {version} is not served")
    doc = {"group": group, "version": version, "kind": kind,
           "source": f"{repo} {tag} ({commit}) {f}",
           "source_sha256": hashlib.sha256(raw).hexdigest(),
           "openAPIV3Schema": served[0]["schema"]["openAPIV3Schema"]}
    path = os.path.join(out_dir, f"{group}_{version}_{kind.lower()}.json")
    with open(path, "w") as fh:
        json.dump(doc, fh, separators=(",", ":"), sort_keys=True)
    print(f"{path}: {kind} {group}/{version} from {repo} {tag}")
