#!/usr/bin/env python3
"""Strict schema validation of rendered Kubernetes manifests, offline (deploy/k8s/validate.sh).

usage: schema_check.py K8S_MODELS_DIR CRD_SCHEMA_DIR RENDERED.yaml...

- Built-in kinds: the Kubernetes API's own types at a pinned version, read from the models of the
  official JavaScript client (@kubernetes/client-node, generated from the Kubernetes OpenAPI spec;
  validate.sh fetches the pinned version with npm). Each model lists every field with its type,
  so an object may carry only those fields, each of its type.
- Custom resources: the openAPIV3Schema of each CRD as its project publishes it (schemas/crds/,
  schemas/README.md says where each comes from), made strict the way the API server's strict
  field validation is: an object schema with `properties` accepts no other field unless it says
  x-kubernetes-preserve-unknown-fields or additionalProperties.
- An object of a kind that has no schema here is an error, never skipped.

Prints one line per problem (file, object, JSON path, message) and exits 1 if there is any.
"""
import glob
import json
import os
import re
import sys

import jsonschema
import yaml

ATTR_MAP = re.compile(r"^(\w+)\.attributeTypeMap = (\[.*?\]);$", re.S | re.M)
ARRAY = re.compile(r"^Array<(.+)>$")
MAP = re.compile(r"^\{ \[key: string\]: (.+); \}$")


def k8s_type(t, fmt):
    if t == "string":
        return {"type": "string"}
    if t == "Date":
        return {"type": "string"}
    if t == "number":
        return {"type": "integer"} if fmt in ("int32", "int64") else {"type": "number"}
    if t == "boolean":
        return {"type": "boolean"}
    if t in ("any", "object"):
        return {}
    if t == "IntOrString":
        return {"type": ["integer", "string"]}
    m = ARRAY.match(t)
    if m:
        return {"type": "array", "items": k8s_type(m.group(1), "")}
    m = MAP.match(t)
    if m:
        return {"type": "object", "additionalProperties": k8s_type(m.group(1), "")}
    if re.match(r"^[A-Z]\w+$", t):
        return {"$ref": f"#/definitions/{t}"}
    raise SystemExit(f"FAIL: model type {t!r} not understood")


def load_k8s_models(models_dir):
    defs = {}
    for path in glob.glob(os.path.join(models_dir, "*.js")):
        for name, attrs in ATTR_MAP.findall(open(path, encoding="utf-8").read()):
            props = {a["baseName"]: k8s_type(a["type"], a.get("format", "")) for a in json.loads(attrs)}
            defs[name] = {"type": "object", "properties": props, "additionalProperties": False}
    if len(defs) < 500 or "V1Deployment" not in defs:
        raise SystemExit(f"FAIL: only {len(defs)} Kubernetes models in {models_dir}: not the client's models")
    # Quantities are strings in the models but the API takes numbers as well (cpu: 1)
    for d in ("V1ResourceRequirements",):
        for key in ("limits", "requests"):
            defs[d]["properties"][key] = {"type": "object", "additionalProperties": {"type": ["string", "number"]}}
    return defs


def strict(schema):
    """An openAPIV3Schema made strict (JSON Schema draft 7), as the API server validates it."""
    if isinstance(schema, list):
        return [strict(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    s = {k: strict(v) if k in ("properties", "items", "additionalProperties", "allOf", "anyOf", "oneOf", "not")
         else v for k, v in schema.items()}
    if "properties" in schema:
        s["properties"] = {k: strict(v) for k, v in schema["properties"].items()}
    if schema.get("x-kubernetes-int-or-string"):
        s.pop("type", None)
        s.setdefault("anyOf", [{"type": "integer"}, {"type": "string"}])
    if schema.get("nullable") and "type" in s:
        s["type"] = [s["type"], "null"]
    if ("properties" in schema and "additionalProperties" not in schema
            and not schema.get("x-kubernetes-preserve-unknown-fields")):
        s["additionalProperties"] = False
    # OpenAPI keywords draft 7 does not know, and formats the API server does not enforce either
    for k in [k for k in s if k.startswith("x-kubernetes-") or k in ("nullable", "format")]:
        del s[k]
    return s


def load_crds(crd_dir):
    crds = {}
    for path in sorted(glob.glob(os.path.join(crd_dir, "*.json"))):
        c = json.load(open(path))
        root = strict(c["openAPIV3Schema"])
        # metadata: checked as the API server does, against ObjectMeta
        root.setdefault("properties", {})["metadata"] = {"$ref": "#/definitions/V1ObjectMeta"}
        root["additionalProperties"] = False
        crds[(f"{c['group']}/{c['version']}", c["kind"])] = root
    if not crds:
        raise SystemExit(f"FAIL: no CRD schemas in {crd_dir}")
    return crds


def model_name(api_version, kind):
    version = api_version.split("/")[-1]
    return version[0].upper() + version[1:] + kind


def main():
    models_dir, crd_dir, rendered = sys.argv[1], sys.argv[2], sys.argv[3:]
    defs = load_k8s_models(models_dir)
    crds = load_crds(crd_dir)
    validators = {}
    problems = checked = 0
    for path in rendered:
        for doc in yaml.safe_load_all(open(path)):
            if not doc:
                continue
            key = (doc.get("apiVersion"), doc.get("kind"))
            name = (doc.get("metadata") or {}).get("name")
            if key not in validators:
                group = key[0].split("/")[0] if "/" in key[0] else ""
                builtin = "." not in group or group.endswith(".k8s.io")
                if key in crds:
                    schema = dict(crds[key], definitions=defs)
                elif builtin and model_name(*key) in defs:
                    schema = {"$ref": f"#/definitions/{model_name(*key)}", "definitions": defs}
                else:
                    schema = None
                validators[key] = jsonschema.Draft7Validator(schema) if schema else None
            v = validators[key]
            where = f"{os.path.basename(path)}: {key[1]} {name}"
            if v is None:
                print(f"FAIL {where}: no schema for {key[0]} {key[1]} (add its CRD to schemas/crds)")
                problems += 1
                continue
            checked += 1
            for e in sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path)):
                path_s = "/" + "/".join(str(p) for p in e.absolute_path)
                print(f"FAIL {where} {path_s}: {e.message}")
                problems += 1
    print(f"schemas: {checked} objects validated strictly ({len(defs)} Kubernetes models, "
          f"{len(crds)} CRDs), {problems} problem(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
