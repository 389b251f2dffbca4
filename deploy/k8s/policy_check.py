#!/usr/bin/env python3
"""What matters in the rendered manifests, beyond their schemas (deploy/k8s/validate.sh).

usage: policy_check.py REPO_ROOT OVERLAY_NAME=RENDERED.yaml...

Every workload has readiness and liveness probes, CPU and memory requests, a memory limit, runs
as non-root without privilege escalation on a read-only root filesystem; no ConfigMap holds a
secret; the prod overlay ships no Secret at all; images, ports and probe/metrics paths agree with
the services (Maven module, Quarkus ports from ocore-config, the health and metrics extensions in
the module's pom.xml); the KafkaUsers' ACLs are exactly what the services' application.properties
consume (topics, consumer group) plus writes to their dead-letter topics, and each service logs
in as its own user; every topic a service uses is a KafkaTopic with partitions, replicas and
retention set; one PostgreSQL database and login per service.
Prints one line per problem and exits 1 if there is any.
"""
import os
import re
import sys

import yaml

problems = []


def fail(where, msg):
    problems.append(f"FAIL {where}: {msg}")


def props(path):
    out = {}
    if not os.path.exists(path):
        return out
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            k, v = line.split("=", 1)
            out[k.strip()] = v.strip()
    return out


SECRET_KEY = re.compile(r"(?i)(password|passwd|secret|token|private|credential|jaas|api[_-]?key|signing[_-]?key|"
                        r"master[_-]?key)")
NOT_SECRET_KEY = re.compile(r"(?i)(_location|_path|_file|_url|_audiences|_issuer)$")
SECRET_VALUE = re.compile(r"-----BEGIN|ScramLoginModule|(?i:password)\s*[=:]\s*\S")
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet")
TOPICS_JAVA = "platform/events/src/main/java/io/ocore/backups/platform/events/Topics.java"


def produced_topics(root, module):
    """The topics a module publishes on: the events it creates (`new Events.X(`, each event's topic
    from Topics.BY_EVENT), plus operations-events for any consumer (platform-events' DeadLetterStore
    publishes EventDeadLettered from the consuming service's outbox)."""
    src = open(os.path.join(root, TOPICS_JAVA)).read()
    consts = dict(re.findall(r'String (\w+) = "([^"]+)";', src))
    by_event = {ev: consts[c] for ev, c in re.findall(r"Map\.entry\(Events\.(\w+)\.class, (\w+)\)", src)}
    if len(by_event) < 10:
        raise SystemExit(f"FAIL: cannot read the events' topics from {TOPICS_JAVA}")
    out = set()
    for dirpath, _, files in os.walk(os.path.join(root, module, "src/main/java")):
        for f in files:
            if f.endswith(".java"):
                java = open(os.path.join(dirpath, f), encoding="utf-8").read()
                for ev in re.findall(r"new\s+(?:Events\.)?(\w+)\(", java):
                    if ev in by_event:
                        out.add(by_event[ev])
    return out


def check_overlay(root, overlay, docs):
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
    config = {}
    for cm in by_kind.get("ConfigMap", []):
        if cm["metadata"]["name"] == "ocore-config":
            config = cm.get("data", {})
    http_port = int(config.get("QUARKUS_HTTP_PORT", "8080"))
    mgmt_port = int(config.get("QUARKUS_MANAGEMENT_PORT", "9000"))

    # no secret in a ConfigMap; the prod overlay carries no Secret (they are created out of band)
    for cm in by_kind.get("ConfigMap", []):
        for k, v in (cm.get("data") or {}).items():
            where = f"{overlay}: ConfigMap {cm['metadata']['name']} key {k}"
            if SECRET_KEY.search(k) and not NOT_SECRET_KEY.search(k):
                fail(where, "looks like a secret (by its name): put it in a Secret")
            if SECRET_VALUE.search(str(v)):
                fail(where, "its value looks like a secret (key, password, JAAS login): put it in a Secret")
    if overlay == "prod":
        for s in by_kind.get("Secret", []):
            fail(f"{overlay}: Secret {s['metadata']['name']}", "the prod overlay must not carry Secrets (out of band)")

    kafka_users = {u["metadata"]["name"]: u for u in by_kind.get("KafkaUser", [])}
    topics = {t["metadata"]["name"]: t for t in by_kind.get("KafkaTopic", [])}
    pools = by_kind.get("KafkaNodePool", [])
    brokers = sum(p["spec"]["replicas"] for p in pools if "broker" in p["spec"].get("roles", []))
    pg = {c["metadata"]["name"]: c for c in by_kind.get("Cluster", [])}
    databases = {}
    for c in pg.values():
        init = c["spec"].get("bootstrap", {}).get("initdb", {})
        if init.get("database"):
            databases[init["database"]] = (init.get("owner"), (init.get("secret") or {}).get("name"))
    roles = {}
    for c in pg.values():
        for r in c["spec"].get("managed", {}).get("roles", []):
            roles[r["name"]] = (r.get("passwordSecret") or {}).get("name")
    for db in by_kind.get("Database", []):
        spec = db["spec"]
        if spec["cluster"]["name"] not in pg:
            fail(f"{overlay}: Database {db['metadata']['name']}", f"cluster {spec['cluster']['name']} is not declared")
        if spec["owner"] not in roles:
            fail(f"{overlay}: Database {db['metadata']['name']}", f"owner {spec['owner']} is not a managed role")
        databases[spec["name"]] = (spec["owner"], roles.get(spec["owner"]))
    used_databases = {}

    pod_ports = {}  # (labels frozenset) -> port names
    for w in [d for k in WORKLOADS for d in by_kind.get(k, [])]:
        name = w["metadata"]["name"]
        where = f"{overlay}: {w['kind']} {name}"
        pod = w["spec"]["template"]["spec"]
        labels = w["spec"]["template"]["metadata"].get("labels", {})
        module = os.path.join(root, name)
        app = props(os.path.join(module, "src/main/resources/application.properties"))
        pom = open(os.path.join(module, "pom.xml")).read() if os.path.exists(os.path.join(module, "pom.xml")) else ""
        if not pom:
            fail(where, f"no Maven module {name}/ for this workload")
        if app.get("quarkus.application.name", name) != name:
            fail(where, f"the service calls itself {app.get('quarkus.application.name')}, not {name}")
        psc = pod.get("securityContext", {})
        names = set()
        for c in pod.get("initContainers", []) + pod["containers"]:
            cw = f"{where} container {c['name']}"
            csc = c.get("securityContext", {})
            if not (csc.get("runAsNonRoot", psc.get("runAsNonRoot")) is True):
                fail(cw, "runAsNonRoot is not true")
            if csc.get("runAsUser", psc.get("runAsUser")) == 0:
                fail(cw, "runs as uid 0")
            if csc.get("allowPrivilegeEscalation") is not False:
                fail(cw, "allowPrivilegeEscalation is not false")
            if csc.get("readOnlyRootFilesystem") is not True:
                fail(cw, "readOnlyRootFilesystem is not true")
            res = c.get("resources", {})
            if "memory" not in res.get("limits", {}):
                fail(cw, "no memory limit")
            for r in ("cpu", "memory"):
                if r not in res.get("requests", {}):
                    fail(cw, f"no {r} request")
            for p in ("readinessProbe", "livenessProbe"):
                if p not in c:
                    fail(cw, f"no {p}")
            ports = {p.get("name"): p["containerPort"] for p in c.get("ports", [])}
            names |= set(ports)
            # image: <registry>/ocore/<module>:<tag>, the module of this workload, a pinned tag
            image = c["image"]
            repo, _, tag = image.rpartition(":") if ":" in image.split("/")[-1] else (image, "", "")
            if c["name"] != name or repo.split("/")[-1] != name:
                fail(cw, f"image {image} is not the image of module {name}")
            if not tag or tag == "latest":
                fail(cw, f"image {image} has no pinned tag")
            if overlay == "prod" and not re.fullmatch(r"\d+\.\d+\.\d+([-.][\w.]+)?", tag):
                fail(cw, f"image {image}: prod runs released versions (x.y.z)")
            # ports: what Quarkus listens on (ocore-config)
            if ports.get("http") != http_port:
                fail(cw, f"port http is {ports.get('http')}, the service listens on {http_port} (QUARKUS_HTTP_PORT)")
            if ports.get("management") != mgmt_port:
                fail(cw, f"port management is {ports.get('management')}, Quarkus' management interface is "
                         f"{mgmt_port} (QUARKUS_MANAGEMENT_PORT)")
            # probes: SmallRye Health's endpoints on the management interface
            q = "/" + app.get("quarkus.http.non-application-root-path", "q").strip("/")
            health = q + "/" + app.get("quarkus.smallrye-health.root-path", "health").strip("/")
            if "quarkus-smallrye-health" not in pom:
                fail(cw, "probes, but the module has no quarkus-smallrye-health")
            for p, sub in (("readinessProbe", "ready"), ("livenessProbe", "live"), ("startupProbe", "started")):
                get = (c.get(p) or {}).get("httpGet")
                if p in c and not get:
                    fail(cw, f"{p} is not an HTTP check of the health endpoint")
                if get:
                    if get.get("path") != f"{health}/{sub}":
                        fail(cw, f"{p} path {get.get('path')}, the service answers {health}/{sub}")
                    if get.get("port") not in ("management", mgmt_port):
                        fail(cw, f"{p} port {get.get('port')} is not the management port")
            ann = w["spec"]["template"]["metadata"].get("annotations", {})
            if ann.get("prometheus.io/scrape") == "true":
                if ann.get("prometheus.io/port") != str(mgmt_port) or ann.get("prometheus.io/path") != f"{q}/metrics":
                    fail(cw, f"prometheus.io annotations do not name {mgmt_port} {q}/metrics")
                if "quarkus-micrometer-registry-prometheus" not in pom:
                    fail(cw, "scraped, but the module has no quarkus-micrometer-registry-prometheus")
            env = {e["name"]: e for e in c.get("env", [])}

            # Kafka: a service with Kafka channels logs in as its own KafkaUser
            incoming = sorted({m.group(1) for k in app for m in [re.match(r"mp\.messaging\.incoming\.([^.]+)\.", k)] if m})
            uses_kafka = "kafka.bootstrap.servers" in app
            jaas = env.get("KAFKA_SASL_JAAS_CONFIG", {}).get("valueFrom", {}).get("secretKeyRef", {})
            if uses_kafka:
                if jaas.get("name") != name or jaas.get("key") != "sasl.jaas.config":
                    fail(cw, f"KAFKA_SASL_JAAS_CONFIG must come from Secret {name} key sasl.jaas.config "
                             f"(its KafkaUser's), found {jaas or 'none'}")
                if name not in kafka_users:
                    fail(cw, f"no KafkaUser {name}")
                if config.get("KAFKA_SECURITY_PROTOCOL") != "SASL_SSL" or config.get("KAFKA_SASL_MECHANISM") != "SCRAM-SHA-512":
                    fail(cw, "ocore-config must set KAFKA_SECURITY_PROTOCOL=SASL_SSL and KAFKA_SASL_MECHANISM=SCRAM-SHA-512")
                if "%prod.kafka.security.protocol" not in app:
                    fail(cw, "application.properties does not read %prod.kafka.security.protocol from the environment")
            elif name in kafka_users or jaas:
                fail(cw, "has a KafkaUser or Kafka login but the service does not use Kafka")
            if name in kafka_users:
                dlqs = {app.get(f"mp.messaging.incoming.{t}.dead-letter-queue.topic") for t in incoming} - {None}
                group = app.get("kafka.group.id", name)
                acls = kafka_users[name]["spec"]["authorization"]["acls"]
                reads, writes, groups = set(), set(), set()
                for a in acls:
                    r = a["resource"]
                    aw = f"{overlay}: KafkaUser {name} ACL {r['type']} {r.get('name')}"
                    if r.get("patternType", "literal") != "literal" or r.get("name") == "*":
                        fail(aw, "not a literal name: ACLs name each resource")
                    ops = set(a["operations"])
                    if r["type"] == "topic":
                        if r["name"] not in topics:
                            fail(aw, "no KafkaTopic of that name")
                        if ops - {"Read", "Write", "Describe"} or "Describe" not in ops:
                            fail(aw, f"operations {sorted(ops)}: topics get Read or Write, with Describe")
                        if "Read" in ops:
                            reads.add(r["name"])
                        if "Write" in ops:
                            writes.add(r["name"])
                    elif r["type"] == "group":
                        if ops != {"Read"}:
                            fail(aw, f"operations {sorted(ops)}: a consumer group gets Read only")
                        groups.add(r["name"])
                    else:
                        fail(aw, "only topic and group ACLs are needed")
                if reads != set(incoming):
                    fail(f"{overlay}: KafkaUser {name}", f"reads {sorted(reads)}, the service consumes {incoming}")
                if groups != ({group} if incoming else set()):
                    fail(f"{overlay}: KafkaUser {name}", f"groups {sorted(groups)}, the service's group is {group}")
                if not dlqs <= writes:
                    fail(f"{overlay}: KafkaUser {name}", f"cannot write its dead-letter topics {sorted(dlqs - writes)}")
                produced = produced_topics(root, name) | ({"operations-events"} if incoming else set())
                if writes != produced | dlqs:
                    fail(f"{overlay}: KafkaUser {name}", f"writes {sorted(writes - dlqs)} besides its dead letters, "
                                                         f"the service publishes on {sorted(produced)}")
                for t in set(incoming) | dlqs:
                    if t not in topics:
                        fail(where, f"uses topic {t}, which is no KafkaTopic")

            # PostgreSQL: its own database, its own login
            url = env.get("QUARKUS_DATASOURCE_REACTIVE_URL", {}).get("value")
            if url:
                db = url.rsplit("/", 1)[-1].split("?")[0]
                user = env.get("QUARKUS_DATASOURCE_USERNAME", {}).get("valueFrom", {}).get("secretKeyRef", {}).get("name")
                if db not in databases:
                    fail(cw, f"database {db} is neither a Database nor the cluster's initdb database")
                elif databases[db][1] != user:
                    fail(cw, f"logs in with Secret {user}, database {db}'s owner's is {databases[db][1]}")
                if db in used_databases:
                    fail(cw, f"shares database {db} with {used_databases[db]}: one database per service")
                used_databases[db] = name
                jdbc = env.get("QUARKUS_DATASOURCE_JDBC_URL", {}).get("value", "")
                if jdbc and not jdbc.endswith("/" + db):
                    fail(cw, f"JDBC URL {jdbc} and reactive URL {url} name different databases")
        pod_ports.setdefault(name, (labels, names))

    # Services point at named ports of the pods they select
    for s in by_kind.get("Service", []):
        sel = s["spec"].get("selector", {})
        matched = [n for n, (labels, _) in pod_ports.items() if sel and all(labels.get(k) == v for k, v in sel.items())]
        if not matched:
            fail(f"{overlay}: Service {s['metadata']['name']}", "selects no workload")
        for p in s["spec"]["ports"]:
            tp = p.get("targetPort", p["port"])
            for n in matched:
                if isinstance(tp, str) and tp not in pod_ports[n][1]:
                    fail(f"{overlay}: Service {s['metadata']['name']}", f"targetPort {tp} is no port of {n}")
    for pm in by_kind.get("PodMonitor", []):
        for ep in pm["spec"].get("podMetricsEndpoints", []):
            if ep.get("path") != "/q/metrics" or ep.get("port") != "management":
                fail(f"{overlay}: PodMonitor {pm['metadata']['name']}", "scrapes other than management /q/metrics")

    # Kafka: authenticated listeners only, the simple authorizer, topics sized and kept on purpose
    for k in by_kind.get("Kafka", []):
        for lst in k["spec"]["kafka"]["listeners"]:
            if not lst.get("authentication") or not lst.get("tls"):
                fail(f"{overlay}: Kafka {k['metadata']['name']} listener {lst['name']}", "without TLS and authentication")
        if (k["spec"]["kafka"].get("authorization") or {}).get("type") != "simple":
            fail(f"{overlay}: Kafka {k['metadata']['name']}", "no simple authorization: the KafkaUsers' ACLs would not apply")
    for t in topics.values():
        spec, where = t["spec"], f"{overlay}: KafkaTopic {t['metadata']['name']}"
        cfg = spec.get("config", {})
        for key in ("partitions", "replicas"):
            if key not in spec:
                fail(where, f"no {key}")
        if "retention.ms" not in cfg:
            fail(where, "no retention.ms")
        if spec.get("replicas", 0) > brokers:
            fail(where, f"{spec.get('replicas')} replicas, {brokers} brokers")
        isr = int(cfg.get("min.insync.replicas", 1))
        if spec.get("replicas", 0) > 1 and not 1 < isr < spec["replicas"]:
            fail(where, f"min.insync.replicas {isr} with {spec['replicas']} replicas: one broker down must not stop writes")
        if t["metadata"]["name"].endswith(".dlq") and int(cfg.get("retention.ms", 0)) < 2592000000:
            fail(where, "dead letters are kept at least 30 days (docs/events.md)")


def main():
    root = sys.argv[1]
    for arg in sys.argv[2:]:
        overlay, path = arg.split("=", 1)
        check_overlay(root, overlay, [d for d in yaml.safe_load_all(open(path)) if d])
    for p in problems:
        print(p)
    print(f"policies: {len(sys.argv) - 2} overlays, {len(problems)} problem(s)")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
