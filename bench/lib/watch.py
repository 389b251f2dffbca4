#!/usr/bin/env python3
"""Follows one backup or restore to its end, from one process, for the benchmarks.

Polls GET URL (bearer token from $TOKEN) every --interval seconds until its status is final,
and samples the resident set (VmRSS) and CPU time of the --pid processes every 0.2 s between
polls. One long-lived process, no fork per poll: a poll loop of curl and python started four
times a second took about a quarter of a 2-core machine away from the backup it was timing
(bench/backup/RESULTS.md, 2026-12-03 18:00).

Writes the final body to --body-out and prints one JSON line:
  {"status", "phases": "name@seconds ...", "rss_peak_kib": N, "cpu_ticks": [self, children],
   "cpu_ticks_by_phase": {phase: N}, "hz": N}
phases: each value of the --phase field (a dotted path into the body) when first seen, in
seconds since --t0 (the client's clock before the request); rss_peak_kib: the highest VmRSS
of any --pid; cpu_ticks: utime+stime of the first --pid, and cutime+cstime of its waited children
(pg_dump, pg_restore); by phase, their sum charged to the phase seen at each sample.
"""
import argparse
import json
import os
import sys
import time
import urllib.error
import urllib.request

FINAL = {"completed", "failed", "cancelled"}


def field(doc, path):
    for part in path.split("."):
        if not isinstance(doc, dict):
            return None
        doc = doc.get(part)
    return doc


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except OSError:
        return None
    f = [int(x) for x in s[s.rfind(")") + 2:].split()[11:15]]
    return f[0] + f[1], f[2] + f[3]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--t0", type=float, required=True)
    ap.add_argument("--phase", required=True)
    ap.add_argument("--interval", type=float, default=0.25)
    ap.add_argument("--deadline-s", type=float, default=1800)
    ap.add_argument("--pid", action="append", default=[])
    ap.add_argument("--body-out", required=True)
    a = ap.parse_args()
    req = urllib.request.Request(a.url, headers={"Authorization": "Bearer " + os.environ["TOKEN"]})
    deadline = time.time() + a.deadline_s
    phases, last, body = [], None, None
    peak = 0
    main_pid = a.pid[0] if a.pid else None
    c0 = cpu_ticks(main_pid) if main_pid else None
    prev = c0
    by_phase = {}
    status = None
    while True:
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                raw = r.read()
        except urllib.error.HTTPError as e:
            print(f"GET {a.url} answered {e.code}: {e.read()[:600]!r}", file=sys.stderr)
            return 1
        body = json.loads(raw)
        status = body.get("status")
        ph = field(body, a.phase)
        if ph and ph != last:
            phases.append(f"{ph}@{time.time() - a.t0:.2f}s")
            last = ph
        if status in FINAL:
            break
        if time.time() > deadline:
            print(f"still {status} after {a.deadline_s:.0f}s", file=sys.stderr)
            return 1
        until = time.time() + a.interval
        while True:
            for p in a.pid:
                peak = max(peak, rss_kib(p))
            if main_pid:
                c = cpu_ticks(main_pid)
                if c is not None and prev is not None:
                    key = last or "pending"
                    by_phase[key] = by_phase.get(key, 0) + sum(c) - sum(prev)
                    prev = c
            left = until - time.time()
            if left <= 0:
                break
            time.sleep(min(0.2, left))
    for p in a.pid:
        peak = max(peak, rss_kib(p))
    c1 = cpu_ticks(main_pid) if main_pid else None
    with open(a.body_out, "wb") as f:
        f.write(raw)
    print(json.dumps({"status": status, "phases": " ".join(phases), "rss_peak_kib": peak,
                      "cpu_ticks": [c1[0] - c0[0], c1[1] - c0[1]] if c0 and c1 else None,
                      "cpu_ticks_by_phase": by_phase, "hz": os.sysconf("SC_CLK_TCK")}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
