#!/usr/bin/env python
"""Benchmark of the LLM gateway: what the LiteLLM proxy adds to a request, and what one fallback hop costs.

Brings the gateway up with the collection's own role (playbooks/gateway.yml, process target, no provider keys, so
every model is answered by a local stand-in provider), then measures in the same run, sequentially over keep-alive
connections, with bounded request counts:

  direct      POST /v1/chat/completions straight to the gpt-4o-mini stand-in
  proxy       the same through the proxy (unique prompts: no cache hits; the cache write is part of the cost)
  cache hit   an identical request, answered from Redis
  fallback    claude-sonnet-4-5 while its stand-in fails (HTTP 500): retried as the role configures
              (retry_policy.InternalServerErrorRetries), then served by gpt-4o-mini
  hop only    the same with retries off (the proxy restarted with InternalServerErrorRetries: 0)

and prints p50/p95 per series, the proxy's overhead (proxy - direct) and the added latency of the fallback hop
(fallback - proxy). Run from the checkout:  .venv/bin/python scripts/bench_litellm.py [--json FILE]
Needs scripts/install-litellm.sh and scripts/setup.sh to have run. Uses the test ports of docs/DEVELOPING.md
(proxy 24000, Redis 26380, stand-ins 24100-24103) unless told otherwise: do not run it beside the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.join(ROOT, ".venv", "bin")
MAX_REQUESTS = 1000  # per series: the bench must stay bounded (and under a model's 500 rpm, see --requests)


def percentile(values, pct):
    ordered = sorted(values)
    k = (len(ordered) - 1) * pct / 100.0
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


class Client(object):
    """One keep-alive HTTP connection; post() returns (seconds, status, json body)."""

    def __init__(self, port, key=None):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"Content-Type": "application/json"}
        if key:
            self.headers["Authorization"] = "Bearer " + key

    def post(self, path, body):
        data = json.dumps(body)
        for attempt in (1, 2):
            start = time.perf_counter()
            try:
                self.conn.request("POST", path, body=data, headers=self.headers)
                resp = self.conn.getresponse()
                raw = resp.read()
            except (BrokenPipeError, ConnectionResetError, http.client.RemoteDisconnected):
                # the server closed an idle keep-alive connection: reconnect (not timed) and send again
                self.conn.close()
                if attempt == 2:
                    raise
                continue
            elapsed = time.perf_counter() - start
            return elapsed, resp.status, json.loads(raw or b"{}")

    def close(self):
        self.conn.close()


def chat(model, prompt):
    return {"model": model, "messages": [{"role": "user", "content": prompt}], "max_tokens": 16}


def series(client, path, model, count, expect_prefix, same_prompt=None):
    times = []
    for dummy in range(count):
        prompt = same_prompt or "bench %s" % secrets.token_hex(8)
        elapsed, status, body = client.post(path, chat(model, prompt))
        if status != 200:
            raise RuntimeError("%s answered %d: %s" % (model, status, json.dumps(body)[:500]))
        text = body["choices"][0]["message"]["content"]
        if not text.startswith(expect_prefix):
            raise RuntimeError("%s was answered by the wrong upstream: %r" % (model, text[:80]))
        times.append(elapsed * 1000.0)
    return times


def control(port, **settings):
    c = Client(port)
    try:
        return c.post("/__control", settings)[2]
    finally:
        c.close()


def stats(port):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request("GET", "/__stats")
        return json.loads(c.getresponse().read())
    finally:
        c.close()


class Gateway(object):
    def __init__(self, args):
        self.args = args
        self.state_dir = os.path.abspath(args.state_dir)
        os.makedirs(self.state_dir, exist_ok=True)
        self.inventory = os.path.join(self.state_dir, "inventory.yml")
        with open(self.inventory, "w") as f:
            f.write(
                "all:\n  children:\n    workbench_gateway:\n      hosts:\n        localhost:\n"
                "          ansible_connection: local\n"
            )

    def run(self, **extra):
        extra_vars = dict(
            litellm_gateway_target="process",
            litellm_gateway_state_dir=self.state_dir,
            litellm_gateway_env_file=os.path.join(self.state_dir, "local.env"),
            litellm_gateway_port=self.args.proxy_port,
            litellm_gateway_redis_port=self.args.redis_port,
            litellm_gateway_stand_in_base_port=self.args.stand_in_base_port,
        )
        extra_vars.update(extra)
        env = dict(
            os.environ,
            ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
            ANSIBLE_HOME=os.path.join(ROOT, ".ansible"),
            PATH=VENV_BIN + os.pathsep + os.environ.get("PATH", ""),
        )
        for key in (
            "LITELLM_MASTER_KEY",
            "ANTHROPIC_API_KEY",
            "OPENAI_API_KEY",
            "GEMINI_API_KEY",
            "LANGFUSE_PUBLIC_KEY",
            "LANGFUSE_SECRET_KEY",
        ):
            env[key] = ""  # stand-ins only: never a paid provider
        with tempfile.NamedTemporaryFile("w", suffix=".json", dir=self.state_dir, delete=False) as f:
            json.dump(extra_vars, f)
        try:
            proc = subprocess.run(
                [
                    os.path.join(VENV_BIN, "ansible-playbook"),
                    os.path.join(ROOT, "playbooks", "gateway.yml"),
                    "-i",
                    self.inventory,
                    "-e",
                    "ansible_python_interpreter=" + os.path.join(VENV_BIN, "python"),
                    "-e",
                    "@" + f.name,
                ],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=900,
                check=False,
            )
        finally:
            os.unlink(f.name)
        if proc.returncode != 0:
            raise RuntimeError("the gateway stage failed:\n%s\n%s" % (proc.stdout[-4000:], proc.stderr[-2000:]))

    @property
    def master_key(self):
        with open(os.path.join(self.state_dir, "local.env")) as f:
            for line in f:
                if line.startswith("LITELLM_MASTER_KEY="):
                    return line.split("=", 1)[1].strip()
        raise RuntimeError("no LITELLM_MASTER_KEY in the env file")


def summary(name, ms):
    return {
        "series": name,
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p95_ms": round(percentile(ms, 95), 2),
        "mean_ms": round(statistics.fmean(ms), 2),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per direct/proxy series (default 200)")
    parser.add_argument("--fallback-requests", type=int, default=20, help="requests per fallback series (default 20)")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--proxy-port", type=int, default=24000)
    parser.add_argument("--redis-port", type=int, default=26380)
    parser.add_argument("--stand-in-base-port", type=int, default=24100)
    parser.add_argument("--state-dir", default=os.path.join(ROOT, ".tmp", "bench-litellm"))
    parser.add_argument("--json", help="also write the results to this file")
    parser.add_argument("--keep", action="store_true", help="leave the gateway running afterwards")
    args = parser.parse_args(argv)
    for name in ("requests", "fallback_requests", "warmup"):
        value = getattr(args, name)
        if not 0 < value <= MAX_REQUESTS:
            parser.error("--%s must be between 1 and %d" % (name.replace("_", "-"), MAX_REQUESTS))
    # The proxy's per-model limit is 500 requests per minute; everything gpt-4o-mini serves through the proxy (the
    # proxy and cache-hit series, the fallbacks, the warm-ups) must stay under it or the bench would measure 429s.
    if 2 * args.requests + 2 * args.fallback_requests + 2 * args.warmup > 480:
        parser.error("2*(--requests + --fallback-requests + --warmup) must stay under 480 (the models' 500 rpm)")

    gw = Gateway(args)
    claude_port, mini_port = args.stand_in_base_port, args.stand_in_base_port + 1
    results, notes = [], {}
    print("bringing the gateway up (playbooks/gateway.yml, process target) ...", file=sys.stderr)
    gw.run()
    try:
        key = gw.master_key
        direct = Client(mini_port)
        proxy = Client(args.proxy_port, key)
        series(direct, "/v1/chat/completions", "gpt-4o-mini", args.warmup, "[gpt-4o-mini]")
        series(proxy, "/v1/chat/completions", "gpt-4o-mini", args.warmup, "[gpt-4o-mini]")
        # interleave nothing: each series runs alone, back to back, on the same machine state
        d = series(direct, "/v1/chat/completions", "gpt-4o-mini", args.requests, "[gpt-4o-mini]")
        p = series(proxy, "/v1/chat/completions", "gpt-4o-mini", args.requests, "[gpt-4o-mini]")
        prompt = "bench cached %s" % secrets.token_hex(8)
        series(proxy, "/v1/chat/completions", "gpt-4o-mini", 1, "[gpt-4o-mini]", same_prompt=prompt)
        hits = stats(mini_port)["hits"]
        c = series(proxy, "/v1/chat/completions", "gpt-4o-mini", args.requests, "[gpt-4o-mini]", same_prompt=prompt)
        notes["cache_hits_reaching_upstream"] = stats(mini_port)["hits"] - hits
        results += [
            summary("direct to the stand-in", d),
            summary("through the proxy", p),
            summary("proxy, cache hit", c),
        ]

        control(claude_port, fail_status=500, reset=True)
        f = series(proxy, "/v1/chat/completions", "claude-sonnet-4-5", args.fallback_requests, "[gpt-4o-mini]")
        notes["primary_attempts_per_request"] = stats(claude_port)["hits"] / float(args.fallback_requests)
        results.append(summary("fallback claude -> gpt-4o-mini (retries as configured)", f))
        proxy.close()
        direct.close()

        # The hop alone: the proxy restarted (same config otherwise) with no retries on a 500.
        print("restarting the proxy with InternalServerErrorRetries: 0 ...", file=sys.stderr)
        gw.run(
            litellm_gateway_retry_policy={
                "InternalServerErrorRetries": 0,
                "TimeoutErrorRetries": 1,
                "RateLimitErrorRetries": 0,
                "AuthenticationErrorRetries": 0,
                "BadRequestErrorRetries": 0,
                "ContentPolicyViolationErrorRetries": 0,
            }
        )
        control(claude_port, fail_status=500, reset=True)
        proxy = Client(args.proxy_port, key)
        series(proxy, "/v1/chat/completions", "gpt-4o-mini", args.warmup, "[gpt-4o-mini]")
        p0 = series(proxy, "/v1/chat/completions", "gpt-4o-mini", args.fallback_requests, "[gpt-4o-mini]")
        h = series(proxy, "/v1/chat/completions", "claude-sonnet-4-5", args.fallback_requests, "[gpt-4o-mini]")
        notes["primary_attempts_per_request_without_retries"] = stats(claude_port)["hits"] / float(
            args.fallback_requests
        )
        results += [summary("through the proxy (after restart)", p0), summary("fallback hop only (no retries)", h)]
        proxy.close()
        control(claude_port, fail_status=None, reset=True)
    finally:
        if not args.keep:
            print("stopping the gateway ...", file=sys.stderr)
            gw.run(litellm_gateway_state="absent")

    by = {r["series"]: r for r in results}
    derived = {
        "proxy_overhead_p50_ms": round(by["through the proxy"]["p50_ms"] - by["direct to the stand-in"]["p50_ms"], 2),
        "proxy_overhead_p95_ms": round(by["through the proxy"]["p95_ms"] - by["direct to the stand-in"]["p95_ms"], 2),
        "proxy_to_direct_p50_ratio": round(
            by["through the proxy"]["p50_ms"] / by["direct to the stand-in"]["p50_ms"], 1
        ),
        "fallback_added_p50_ms": round(
            by["fallback claude -> gpt-4o-mini (retries as configured)"]["p50_ms"] - by["through the proxy"]["p50_ms"],
            2,
        ),
        "fallback_hop_only_added_p50_ms": round(
            by["fallback hop only (no retries)"]["p50_ms"] - by["through the proxy (after restart)"]["p50_ms"], 2
        ),
        "fallback_hop_only_added_p95_ms": round(
            by["fallback hop only (no retries)"]["p95_ms"] - by["through the proxy (after restart)"]["p95_ms"], 2
        ),
    }
    width = max(len(r["series"]) for r in results)
    print("%-*s %6s %10s %10s %10s" % (width, "series", "n", "p50 ms", "p95 ms", "mean ms"))
    for r in results:
        print("%-*s %6d %10.2f %10.2f %10.2f" % (width, r["series"], r["n"], r["p50_ms"], r["p95_ms"], r["mean_ms"]))
    for k, v in list(derived.items()) + list(notes.items()):
        print("%s: %s" % (k, round(v, 2) if isinstance(v, float) else v))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"results": results, "derived": derived, "notes": notes}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
