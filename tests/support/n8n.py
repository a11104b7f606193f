"""A real n8n for the tests, started by the collection's own local_stack role, and small HTTP helpers around it.

- ``N8nServer`` starts n8n 2.x (installed by scripts/install-n8n.sh) through playbooks/local_stack.yml with only the
  ``local_stack_n8n`` tag, under its own state directory; the Postgres the tests use comes from ``pg_server``.
- ``Api`` is an independent reader/writer of the public API (plain urllib, not the collection's client), for
  arranging state and for the independent read after each module run; ``Rest`` the same for the internal REST API
  as a logged-in user (owner setup, login, public-API keys).
- ``CountingProxy`` sits in front of n8n and records every request, to prove what a module run sent.
- ``Receiver`` stands in for Mattermost's incoming webhook.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from support.ansible import ROOT, run_playbook

TEST_PORT = int(os.environ.get("WORKBENCH_TEST_N8N_PORT", "25678"))
TEST_BROKER_PORT = int(os.environ.get("WORKBENCH_TEST_N8N_BROKER_PORT", "25679"))
INSTALL_SCRIPT = os.path.join(ROOT, "scripts", "install-n8n.sh")


def install():
    """Run scripts/install-n8n.sh (idempotent: instant when installed) and return the launcher path."""
    proc = subprocess.run([INSTALL_SCRIPT], capture_output=True, text=True, timeout=1800, check=False)
    if proc.returncode != 0:
        raise RuntimeError("scripts/install-n8n.sh failed:\n%s\n%s" % (proc.stdout[-2000:], proc.stderr[-4000:]))
    return proc.stdout.strip().splitlines()[-1]


def read_env(path):
    out = {}
    with open(path) as f:
        for line in f:
            if "=" in line:
                key, value = line.rstrip("\n").split("=", 1)
                out[key] = value
    return out


OWNER_EMAIL = "owner@workbench.local"


class N8nServer(object):
    """n8n started by the local_stack role; ``env`` adds (or overrides) settings of the n8n process
    (local_stack_n8n_env), e.g. to start it without the owner pre-seeding."""

    def __init__(self, state_dir, port=TEST_PORT, broker_port=TEST_BROKER_PORT, env=None):
        self.state_dir = state_dir
        self.port = port
        self.broker_port = broker_port
        self.env = dict(env or {})
        self.url = None
        self.api_key = None

    @property
    def vars(self):
        return dict(
            local_stack_state_dir=self.state_dir,
            local_stack_n8n_enabled=True,
            local_stack_n8n_port=self.port,
            local_stack_n8n_broker_port=self.broker_port,
            local_stack_n8n_env=self.env,
            local_stack_n8n_owner_email=OWNER_EMAIL,
        )

    @property
    def owner_password(self):
        """The owner's password the role generated (kept 0600 under the state directory)."""
        with open(os.path.join(self.state_dir, "n8n", "owner.password")) as f:
            return f.read().strip() + "Aa1"

    def converge(self, **extra):
        # The role makes its state directory 0700, and Ansible gives missing parents the same mode: make .tmp first,
        # open to the postgres user (tests/support/pg.py runs initdb as postgres under the same .tmp).
        os.makedirs(os.path.dirname(self.state_dir), mode=0o755, exist_ok=True)
        return run_playbook(
            os.path.join(ROOT, "playbooks", "local_stack.yml"),
            inventory=os.path.join(ROOT, "inventories", "local"),
            tags="local_stack_n8n",
            extra_vars=dict(self.vars, **extra),
        )

    def start(self):
        res = self.converge()
        if res.failed:
            raise RuntimeError("local_stack failed to start n8n:\n%s\n%s" % (res.stdout[-4000:], res.stderr[-2000:]))
        env = read_env(os.path.join(self.state_dir, "local.env"))
        self.url, self.api_key = env["N8N_URL"], env["N8N_API_KEY"]
        return res

    def stop(self, remove=True):
        res = self.converge(local_stack_state="stopped")
        if remove:
            shutil.rmtree(self.state_dir, ignore_errors=True)
        return res

    def api(self, url=None, key=None):
        return Api(url or self.url, key or self.api_key)

    def rest(self):
        return Rest(self.url or "http://127.0.0.1:%d" % self.port)


class ApiError(Exception):
    def __init__(self, status, body):
        super().__init__("HTTP %s %s" % (status, body))
        self.status = status
        self.body = body


class Api(object):
    def __init__(self, url, key):
        self.url = url.rstrip("/")
        self.key = key

    def call(self, method, path, body=None):
        req = urllib.request.Request(
            self.url + "/api/v1" + path,
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"X-N8N-API-KEY": self.key, "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                raw = resp.read()
                return json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            raise ApiError(exc.code, exc.read().decode("utf-8", "replace"))

    def all(self, path):
        items, cursor = [], None
        while True:
            sep = "&" if "?" in path else "?"
            page = self.call("GET", path + sep + ("cursor=%s" % cursor if cursor else "limit=250"))
            items.extend(page["data"])
            cursor = page.get("nextCursor")
            if not cursor:
                return items

    def workflows(self):
        return self.all("/workflows?excludePinnedData=true")

    def workflow(self, name):
        found = [w for w in self.workflows() if w["name"] == name and not w["isArchived"]]
        assert len(found) <= 1, "%d workflows named %r" % (len(found), name)
        return found[0] if found else None

    def credentials(self):
        return self.all("/credentials")

    def executions(self):
        """Every saved execution (the seed workflows save successes and errors alike)."""
        return self.all("/executions")

    def create_workflow(self, body):
        return self.call("POST", "/workflows", body)

    def create_credential(self, name, ctype, data):
        return self.call("POST", "/credentials", {"name": name, "type": ctype, "data": data})

    def test_credential(self, cred_id):
        return self.call("POST", "/credentials/%s/test" % cred_id, {})

    def wipe(self):
        """Delete every workflow (deactivated first), credential and tag: each test starts from an empty instance."""
        for wf in self.workflows():
            if wf["active"]:
                self.call("POST", "/workflows/%s/deactivate" % wf["id"], {})
            for attempt in range(40):
                try:
                    self.call("DELETE", "/workflows/%s" % wf["id"])
                    break
                except ApiError as exc:
                    if exc.status != 409 or attempt == 39:
                        raise
                    time.sleep(0.25)
        for cred in self.credentials():
            self.call("DELETE", "/credentials/%s" % cred["id"])
        for tag in self.all("/tags"):
            self.call("DELETE", "/tags/%s" % tag["id"])


class Rest(object):
    """The internal REST API (/rest) as the editor uses it, in plain urllib: unauthenticated calls, and a login whose
    ``n8n-auth`` cookie (bound to the browser-id header) authenticates the calls after it."""

    BROWSER_ID = "workbench-tests"

    def __init__(self, url):
        self.url = url.rstrip("/")
        self.cookie = None

    def call(self, method, path, body=None):
        """(status, decoded body) of one call; never raises on an HTTP error status."""
        headers = {"Content-Type": "application/json", "browser-id": self.BROWSER_ID}
        if self.cookie:
            headers["Cookie"] = "n8n-auth=" + self.cookie
        req = urllib.request.Request(
            self.url + "/rest" + path,
            method=method,
            headers=headers,
            data=json.dumps(body).encode() if body is not None else None,
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                for value in resp.headers.get_all("Set-Cookie") or []:
                    if value.startswith("n8n-auth="):
                        self.cookie = value.split("=", 1)[1].split(";", 1)[0]
                raw = resp.read()
                return resp.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as exc:
            return _error_answer(exc)

    def login(self, email, password):
        status, body = self.call("POST", "/login", {"emailOrLdapLoginId": email, "password": password})
        assert status == 200 and self.cookie, "login as %s failed: HTTP %s %s" % (email, status, body)
        return body["data"]

    def api_keys(self):
        status, body = self.call("GET", "/api-keys?ownership=mine&take=250")
        assert status == 200, "GET /rest/api-keys: HTTP %s %s" % (status, body)
        return body["data"]["items"]


def post_json(url, body, timeout=60, headers=None, raw=None):
    """POST JSON (or the bytes ``raw``) to a webhook with extra ``headers``; returns (status, decoded body)."""
    req = urllib.request.Request(
        url,
        method="POST",
        data=raw if raw is not None else json.dumps(body).encode(),
        headers=dict({"Content-Type": "application/json"}, **(headers or {})),
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as exc:
        return _error_answer(exc)


def _error_answer(exc):
    """(status, decoded body) of an HTTP error answer: JSON when it is, else text."""
    raw = exc.read()
    try:
        return exc.code, json.loads(raw)
    except ValueError:
        return exc.code, raw.decode("utf-8", "replace")


class _Server(object):
    """A loopback HTTP server on an ephemeral port whose handler reaches this object as ``self.server_ref``."""

    def __init__(self, handler):
        self.records = []
        self.lock = threading.Lock()
        handler_class = type(handler.__name__, (handler,), dict(server_ref=self, log_message=lambda *args: None))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def clear(self):
        with self.lock:
            del self.records[:]


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _forward(self):
        proxy = self.server_ref
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        with proxy.lock:
            proxy.records.append((self.command, self.path.split("?")[0], self.path))
        conn = http.client.HTTPConnection("127.0.0.1", proxy.target_port, timeout=60)
        headers = dict((k, v) for k, v in self.headers.items() if k.lower() not in ("host", "connection"))
        conn.request(self.command, self.path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        for key, value in resp.getheaders():
            if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward


class CountingProxy(_Server):
    """Forwards to n8n on 127.0.0.1:target_port and records (method, path, path with query) of every request."""

    def __init__(self, target_port):
        super().__init__(_ProxyHandler)
        self.target_port = target_port

    @property
    def writes(self):
        return [r for r in self.records if r[0] in ("POST", "PUT", "PATCH", "DELETE")]


class _ReceiverHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        with self.server_ref.lock:
            self.server_ref.records.append(dict(path=self.path, body=body))
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")


class Receiver(_Server):
    """Stands in for a Mattermost incoming webhook: records every POST (path and JSON body) and answers 200 ok."""

    def __init__(self):
        super().__init__(_ReceiverHandler)
