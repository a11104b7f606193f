"""Helpers for the litellm_gateway tests: run the gateway stage, fake providers, HTTP calls, process reads.

Ports (docs/DEVELOPING.md, test column, 127.0.0.1 only): proxy 24000, Redis 26380, fake providers 24100-24103.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request

import yaml

from support import worker_port, worker_suffix
from support.ansible import ROOT, run_playbook

# Offset by 10 per pytest-xdist worker (tests/support/__init__.py), so each worker's gateway is its own.
PROXY_PORT = worker_port(24000)
REDIS_PORT = worker_port(26380)
PROVIDER_PORTS = tuple(worker_port(port) for port in (24100, 24101, 24102, 24103))
HOST = "127.0.0.1"
ROLE = os.path.join(ROOT, "roles", "litellm_gateway")
GATEWAY_PLAYBOOK = os.path.join(ROOT, "playbooks", "gateway.yml")
# The keyed gateway gives the budget model a low rpm so the limit is crossed in a few requests.
RATE_LIMITED_MODEL = "gpt-3.5-turbo"
RATE_LIMIT_RPM = 4
SEED_MODELS = ("claude-sonnet-4-5", "gpt-4o-mini", "gemini-1.5-flash", "gpt-3.5-turbo")
# Every secret the role can be given through the environment; blanked unless a test sets it, so a developer's own
# provider keys never reach a test (nor a paid provider).
SECRET_ENV = (
    "LITELLM_MASTER_KEY",
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "GEMINI_API_KEY",
    "LANGFUSE_PUBLIC_KEY",
    "LANGFUSE_SECRET_KEY",
)


def _load_mock():
    spec = importlib.util.spec_from_file_location("mock_llm", os.path.join(ROLE, "files", "mock_llm.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mock_llm = _load_mock()


def install_litellm():
    """The pinned LiteLLM venv (scripts/install-litellm.sh is idempotent: instant when already installed)."""
    proc = subprocess.run(
        [os.path.join(ROOT, "scripts", "install-litellm.sh")], capture_output=True, text=True, timeout=900, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError("scripts/install-litellm.sh failed:\n%s" % proc.stderr[-3000:])
    return proc.stdout.strip().splitlines()[-1]


def inventory(path):
    """An inventory with this machine in workbench_gateway (the group playbooks/gateway.yml targets)."""
    with open(path, "w") as f:
        yaml.safe_dump(
            {"all": {"children": {"workbench_gateway": {"hosts": {"localhost": {"ansible_connection": "local"}}}}}}, f
        )
    return path


class Gateway(object):
    """The gateway stage (playbooks/gateway.yml, process target) run against a state directory under .tmp."""

    def __init__(self, name, extra_vars=None, env=None):
        name += worker_suffix()
        self.state_dir = os.path.join(ROOT, ".tmp", name)
        self.env_file = os.path.join(self.state_dir, "local.env")
        os.makedirs(os.path.dirname(self.state_dir), exist_ok=True)
        self.inventory = inventory(os.path.join(ROOT, ".tmp", name + ".inventory.yml"))
        self.extra_vars = dict(
            litellm_gateway_target="process",
            litellm_gateway_state_dir=self.state_dir,
            litellm_gateway_env_file=self.env_file,
            litellm_gateway_port=PROXY_PORT,
            litellm_gateway_redis_port=REDIS_PORT,
            litellm_gateway_stand_in_base_port=PROVIDER_PORTS[0],
        )
        self.extra_vars.update(extra_vars or {})
        self.env = {key: "" for key in SECRET_ENV}
        self.env.update(env or {})
        self.url = "http://%s:%d" % (HOST, PROXY_PORT)

    def run(self, check=False, diff=False, verbosity=0, **extra):
        extra_vars = dict(self.extra_vars)
        extra_vars.update(extra)
        return run_playbook(
            GATEWAY_PLAYBOOK,
            inventory=self.inventory,
            check=check,
            diff=diff,
            extra_vars=extra_vars,
            verbosity=verbosity,
            env=self.env,
            timeout=900,
        )

    def stop(self, remove=False):
        res = self.run(litellm_gateway_state="absent")
        if remove:
            shutil.rmtree(self.state_dir, ignore_errors=True)
        return res

    def read(self, name):
        with open(os.path.join(self.state_dir, name)) as f:
            return f.read()

    @property
    def master_key(self):
        return env_file_value(self.env_file, "LITELLM_MASTER_KEY")

    def pid(self, service):
        path = os.path.join(self.state_dir, "run", service + ".pid")
        if not os.path.exists(path):
            return None
        pid = int(open(path).read().strip())
        return pid if process_alive(pid) else None


def env_file_value(path, key):
    with open(path) as f:
        for line in f:
            if line.startswith(key + "="):
                return line.split("=", 1)[1].strip()
    return None


def process_alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    with open("/proc/%d/stat" % pid) as f:  # a zombie is not alive
        return f.read().split(") ", 1)[1][0] != "Z"


def cmdlines():
    """Every process's command line (an independent read of what runs, and with what arguments)."""
    out = []
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open("/proc/%s/cmdline" % pid, "rb") as f:
                    out.append(f.read().replace(b"\0", b" ").decode(errors="replace"))
            except OSError:
                pass
    return out


def port_open(port, host=HOST):
    import socket

    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


class Response(object):
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def text(self):
        """The assistant's reply of a chat completion."""
        return self.json["choices"][0]["message"]["content"]


def http(method, url, body=None, key=None, timeout=120):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if key:
        req.add_header("Authorization", "Bearer " + key)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return Response(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read().decode())
    except urllib.error.HTTPError as e:
        return Response(e.code, {k.lower(): v for k, v in e.headers.items()}, e.read().decode())


def chat(base_url, model, content, key, **extra):
    body = dict(model=model, messages=[{"role": "user", "content": content}])
    body.update(extra)
    return http("POST", base_url + "/v1/chat/completions", body, key=key)


def unique(prefix="q"):
    """A prompt no earlier request used (so the response cache does not answer it)."""
    return "%s %s" % (prefix, secrets.token_hex(8))


class FakeProviders(object):
    """Four fake providers (roles/litellm_gateway/files/mock_llm.py) in this process, one per seed model."""

    def __init__(self, names=SEED_MODELS, ports=PROVIDER_PORTS):
        self.servers = {}
        for name, port in zip(names, ports):
            self.servers[name] = mock_llm.build_server(name, port)
        self.threads = []

    def start(self):
        for server in self.servers.values():
            t = threading.Thread(target=server.serve_forever, kwargs=dict(poll_interval=0.1), daemon=True)
            t.start()
            self.threads.append(t)
        return self

    def stop(self):
        for server in self.servers.values():
            server.shutdown()
            server.server_close()

    def port(self, name):
        return self.servers[name].server_address[1]

    def stats(self, name):
        return self.servers[name].state.snapshot()

    def hits(self, name):
        return self.stats(name)["hits"]

    def fail(self, name, status=500):
        state = self.servers[name].state
        with state.lock:
            state.fail_status = status

    def heal(self):
        for server in self.servers.values():
            with server.state.lock:
                server.state.fail_status = None
                server.state.latency_ms = 0


def redis_cli(password, *args, port=REDIS_PORT):
    """An independent read of the gateway's Redis, with Debian's redis-cli (password through REDISCLI_AUTH)."""
    env = dict(os.environ, REDISCLI_AUTH=password)
    proc = subprocess.run(
        ["redis-cli", "-h", HOST, "-p", str(port)] + list(args),
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError("redis-cli %s failed: %s" % (args, proc.stderr))
    return proc.stdout.strip()


def wait_for_minute_start(margin=20):
    """Sleep into the next UTC minute when fewer than `margin` seconds of this one are left: LiteLLM counts
    rpm per UTC minute, so a burst that straddles a minute boundary would be counted in two windows."""
    left = 60 - (time.time() % 60)
    if left < margin:
        time.sleep(left + 0.5)
