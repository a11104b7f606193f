#!/usr/bin/env python
"""Benchmark of insightpulseai.workbench.n8n_workflow against a real n8n: import N generated workflows (default 200)
in one task, then run the same task again (a no-op), and report for each the wall time and the HTTP requests the
module sent (counted by a proxy in front of n8n, by method). Finally the managed workflows are purged (also timed).

    .venv/bin/python scripts/bench_n8n.py [--count 200] [--active] [--json out.json]
        [--url URL --api-key KEY]   use a running n8n instead of starting one (the instance must be empty of
                                    workflows tagged insightpulseai.workbench: the bench purges them)

Without --url, n8n is started with the local_stack role on 127.0.0.1:25680 (broker 25681) under .tmp/bench-n8n and
stopped afterwards (--keep leaves it running). Exit status 1 when the no-op run wrote anything or made more list
requests than pages of workflows (the goal: a no-op costs a constant number of list requests, no per-workflow writes).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_PYTHON = os.path.join(ROOT, ".venv", "bin", "python")
if os.path.exists(VENV_PYTHON) and os.path.realpath(os.path.dirname(sys.executable)) != os.path.realpath(
    os.path.dirname(VENV_PYTHON)
):
    os.execv(VENV_PYTHON, [VENV_PYTHON] + sys.argv)  # ansible-playbook and the collection live in .venv
sys.path[:0] = [os.path.join(ROOT, "tests"), os.path.join(ROOT, ".ansible", "collections")]

from support.ansible import run_playbook  # noqa: E402
from support.n8n import CountingProxy, N8nServer, install  # noqa: E402

PAGE = 250


def generate(directory, count):
    """count workflows: webhook -> set -> 3 no-ops, each with its own webhook path."""
    paths = []
    for i in range(count):
        nodes = [
            {
                "name": "Hook",
                "type": "n8n-nodes-base.webhook",
                "typeVersion": 2,
                "position": [0, 0],
                "parameters": {
                    "httpMethod": "POST",
                    "path": "bench-%03d-%s" % (i, uuid.uuid4().hex[:6]),
                    "responseMode": "lastNode",
                    "options": {},
                },
            },
            {
                "name": "Shape",
                "type": "n8n-nodes-base.set",
                "typeVersion": 3.4,
                "position": [220, 0],
                "parameters": {
                    "assignments": {"assignments": [{"id": "a", "name": "n", "value": str(i), "type": "string"}]},
                    "options": {},
                },
            },
        ]
        connections = {"Hook": {"main": [[{"node": "Shape", "type": "main", "index": 0}]]}}
        previous = "Shape"
        for j in range(3):
            name = "Step %d" % j
            nodes.append(
                {
                    "name": name,
                    "type": "n8n-nodes-base.noOp",
                    "typeVersion": 1,
                    "position": [440 + 220 * j, 0],
                    "parameters": {},
                }
            )
            connections[previous] = {"main": [[{"node": name, "type": "main", "index": 0}]]}
            previous = name
        path = os.path.join(directory, "bench_%03d.json" % i)
        with open(path, "w") as f:
            json.dump(
                {
                    "name": "Bench workflow %03d" % i,
                    "nodes": nodes,
                    "connections": connections,
                    "settings": {"executionOrder": "v1"},
                },
                f,
            )
        paths.append(path)
    return paths


def run(proxy, api_key, workflows, purge=False, check=False):
    proxy.clear()
    args = dict(url=proxy.url, api_key=api_key, workflows=workflows, purge=purge, timeout=60)
    start = time.monotonic()
    res = run_playbook(
        tasks=[{"name": "bench", "insightpulseai.workbench.n8n_workflow": args}], check=check, timeout=3600
    )
    wall = time.monotonic() - start
    if res.failed:
        raise SystemExit("n8n_workflow failed:\n%s" % (res.stdout[-4000:] + res.stderr[-2000:]))
    task = res.task("bench")
    by_method = {}
    for method, _path, _full in proxy.records:
        by_method[method] = by_method.get(method, 0) + 1
    return dict(
        wall_seconds=round(wall, 2),
        changed=task["changed"],
        requests=len(proxy.records),
        writes=len(proxy.writes),
        by_method=dict(sorted(by_method.items())),
        module_counted=task["api_requests"],
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    ap.add_argument("--count", type=int, default=200)
    ap.add_argument("--active", action="store_true", help="activate every workflow (one more request each on import)")
    ap.add_argument("--url")
    ap.add_argument("--api-key", default=os.environ.get("N8N_API_KEY"))
    ap.add_argument("--port", type=int, default=25680)
    ap.add_argument("--keep", action="store_true", help="leave the n8n this script started running")
    ap.add_argument("--json", help="also write the results to this file")
    opts = ap.parse_args()

    server = None
    if opts.url:
        if not opts.api_key:
            ap.error("--url needs --api-key (or N8N_API_KEY)")
        url, key = opts.url, opts.api_key
    else:
        install()
        server = N8nServer(os.path.join(ROOT, ".tmp", "bench-n8n"), port=opts.port, broker_port=opts.port + 1)
        t0 = time.monotonic()
        server.start()
        print("n8n started by local_stack on %s in %.1f s" % (server.url, time.monotonic() - t0), file=sys.stderr)
        url, key = server.url, server.api_key

    target_port = int(url.rsplit(":", 1)[1].split("/")[0])
    proxy = CountingProxy(target_port).start()
    results = {}
    try:
        with tempfile.TemporaryDirectory(prefix="bench-n8n-") as tmp:
            workflows = [dict(src=p, active=opts.active) for p in generate(tmp, opts.count)]
            results["import"] = run(proxy, key, workflows)
            results["noop"] = run(proxy, key, workflows)
            results["noop_check_mode"] = run(proxy, key, workflows, check=True)
            results["purge"] = run(proxy, key, [], purge=True)
    finally:
        proxy.stop()
        if server and not opts.keep:
            server.stop()

    pages = max(1, math.ceil(opts.count / PAGE))
    results["params"] = dict(count=opts.count, active=opts.active, list_pages=pages, n8n=url)
    ok = (
        results["noop"]["writes"] == 0
        and not results["noop"]["changed"]
        and results["noop"]["requests"] == pages
        and results["noop_check_mode"]["requests"] == pages
    )
    results["goal_met"] = ok

    print("\nn8n_workflow bench: %d workflows%s" % (opts.count, " (activated)" if opts.active else ""))
    print("  %-16s %9s %9s %7s  %s" % ("run", "wall (s)", "requests", "writes", "by method"))
    for name in ("import", "noop", "noop_check_mode", "purge"):
        r = results[name]
        methods = " ".join("%s=%d" % kv for kv in r["by_method"].items())
        print("  %-16s %9.2f %9d %7d  %s" % (name, r["wall_seconds"], r["requests"], r["writes"], methods))
    print("  no-op goal (%d list request(s), no writes): %s" % (pages, "met" if ok else "NOT MET"))
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump(results, f, indent=2)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
