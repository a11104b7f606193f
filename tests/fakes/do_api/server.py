"""The DigitalOcean API fake's HTTP server: authentication, routing, contract checks, errors.

Every request goes through ``DOApiFake.dispatch``:
1. a bearer token other than the fake's gets DO's 401;
2. an operation the spec does not define gets DO's 404; one it defines but the fake does not implement gets
   501 and is recorded as a violation (the test used something the fake cannot stand in for);
3. a body that is not JSON gets DO's 400 ("error parsing request body"); a body the spec's request schema
   rejects gets 422 ``unprocessable_entity`` naming the offending field;
4. the handler runs under the store's lock and answers, or raises ``ApiError``;
5. the response is checked against the spec's schema for its status; a response that violates it is recorded
   as a violation and replaced by a 500, so neither the client nor the test suite can miss it.
Without the spec (a clone without ../shared), steps 2, 3 (422) and 5 are skipped.
"""

from __future__ import annotations

import base64
import functools
import json
import logging
import ssl
import threading
import time
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Importing the resource modules registers their routes on ROUTER.
from . import account, apps, firewalls, kubernetes, projects, registry, vpcs  # noqa: F401 pylint: disable=unused-import
from .api import ROUTER, UNAUTHORIZED, ApiError, Request, Response, not_found
from .contract import SPEC_PATH, Contract, spec_available
from .store import Store
from .tls import self_signed

LOG = logging.getLogger("do_api_fake")


@functools.cache
def load_contract(path=SPEC_PATH):
    """The parsed spec, shared by every fake of the process (it takes a moment to load)."""
    return Contract(path)


def _error(error):
    return Response(error.status, {"id": error.error_id, "message": error.message})


class DOApiFake(object):
    """A stateful fake of DigitalOcean's API v2 on 127.0.0.1.

    Use it in-process (``with DOApiFake(token="t") as fake: ... fake.base_url``) or from the command line
    (``python -m tests.fakes.do_api``). ``provision_delay`` is how long a new cluster stays ``provisioning``
    (and nodes, firewalls and app deployments stay busy). ``kube_server``/``kube_token``/``kube_ca_file`` are
    what cluster kubeconfigs point at. ``spec_path`` is the OpenAPI contract; when the file is absent the fake
    runs without contract checks (``contract`` is then None). With ``tls_dir`` it serves HTTPS with a
    self-signed certificate written there (``ca_file``).
    """

    def __init__(
        self,
        token,
        host="127.0.0.1",
        port=0,
        state_file=None,
        provision_delay=1.0,
        kube_server=None,
        kube_token=None,
        kube_ca_file=None,
        spec_path=SPEC_PATH,
        tls_dir=None,
    ):
        self.token = token
        kube_ca_data = None
        if kube_ca_file:
            with open(kube_ca_file, "rb") as f:
                kube_ca_data = base64.b64encode(f.read()).decode()
        self.store = Store(state_file, provision_delay, kube_server, kube_token, kube_ca_data)
        self.contract = load_contract(spec_path) if spec_available(spec_path) else None
        self.violations = []  # "METHOD /path -> problem", in arrival order
        self.requests = []  # (method, path, status), in arrival order
        self._httpd = ThreadingHTTPServer((host, port), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.fake = self
        self.ca_file = None
        if tls_dir:
            self.ca_file, key_file = self_signed(tls_dir)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.ca_file, key_file)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self.host, self.port = self._httpd.server_address[:2]
        self._thread = None

    @property
    def base_url(self):
        """Where pydo's ``endpoint`` points; community.digitalocean's ``baseurl`` is this + "/v2"."""
        return "%s://%s:%d" % ("https" if self.ca_file else "http", self.host, self.port)

    # Lifecycle.
    def start(self):
        # A short poll interval keeps stop() quick (serve_forever checks for shutdown between polls).
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), name="do-api-fake", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        self._httpd.serve_forever()

    def stop(self):
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # State access for tests: an independent read that does not go through the API.
    def snapshot(self):
        return self.store.snapshot()

    def wait_idle(self, timeout=10.0):
        """Sleep until every asynchronous operation started so far has finished."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.store.lock:
                busy = [r for r in _resources(self.store.data) if Store.is_busy(r)]
            if not busy:
                return
            time.sleep(0.05)
        raise TimeoutError("the DigitalOcean API fake still has busy resources after %.1fs" % timeout)

    def assert_no_violations(self):
        assert not self.violations, "contract violations of the DigitalOcean API fake:\n" + "\n".join(self.violations)

    # The request pipeline.
    def dispatch(self, method, target, headers, raw_body):
        """Answer one request: (method, path?query, headers, body bytes) -> Response."""
        url = urllib.parse.urlsplit(target)
        path = url.path
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        operation = self.contract.operation(method, path) if self.contract else None
        response = self._answer(method, path, query, headers, raw_body, operation)
        if operation is not None:
            errors = operation.response_errors(response.status, response.content_type, response.body)
            if errors:
                self._violation(
                    method, target, "response %d violates the contract: %s" % (response.status, "; ".join(errors))
                )
                response = Response(
                    500,
                    {
                        "id": "server_error",
                        "message": "the DigitalOcean API fake sent a "
                        "response that violates the contract: " + "; ".join(errors),
                    },
                )
        self.requests.append((method, path, response.status))
        return response

    def _answer(self, method, path, query, headers, raw_body, operation):
        if headers.get("Authorization", "") != "Bearer " + self.token:
            return _error(ApiError(401, "unauthorized", UNAUTHORIZED))
        handler, params = ROUTER.match(method, path)
        if self.contract is not None and operation is None:
            return _error(not_found())
        if handler is None:
            if operation is not None:
                self._violation(method, path, "the fake does not implement %r" % operation)
                return _error(
                    ApiError(501, "not_implemented", "the DigitalOcean API fake does not implement %r" % operation)
                )
            return _error(not_found())
        try:
            body = json.loads(raw_body) if raw_body.strip() else None
        except ValueError:
            return _error(ApiError(400, "bad_request", "error parsing request body"))
        if operation is not None:
            errors = operation.request_errors(body)
            if errors:
                return _error(ApiError(422, "unprocessable_entity", "invalid request body: " + "; ".join(errors)))
        request = Request(method, path, query, body, self.base_url)
        with self.store.lock:
            try:
                response = handler(self.store, request, **params)
            except ApiError as error:
                return _error(error)
            except Exception:  # a bug of the fake: make it loud, never a silent 500
                self._violation(method, path, "the fake crashed:\n" + traceback.format_exc())
                return _error(ApiError(500, "server_error", "Unexpected server-side error"))
            if method != "GET":
                self.store.save()
        return response

    def _violation(self, method, path, problem):
        message = "%s %s -> %s" % (method, path, problem)
        LOG.error(message)
        self.violations.append(message)


def _resources(data):
    """Every stored resource that can be busy."""
    for cluster in data["clusters"].values():
        yield cluster
        for pool in cluster["node_pools"]:
            yield from pool["nodes"]
    yield from data["firewalls"].values()
    for app in data["apps"].values():
        yield from app["_deployments"]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DOApiFake/1"
    # Headers and body go out in two writes: without TCP_NODELAY, Nagle's algorithm and the client's delayed
    # ACK add ~40 ms to every keep-alive request.
    disable_nagle_algorithm = True

    def _serve(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        response = self.server.fake.dispatch(self.command, self.path, self.headers, raw)
        if response.body is None:
            payload = b""
        elif response.content_type == "application/json":
            payload = json.dumps(response.body).encode()
        else:
            payload = response.body.encode()
        self.send_response(response.status)
        if payload:
            self.send_header("Content-Type", response.content_type + "; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        # The real API reports its rate limits on every response.
        self.send_header("ratelimit-limit", "5000")
        self.send_header("ratelimit-remaining", "4999")
        self.send_header("ratelimit-reset", str(int(time.time()) + 60))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, fmt, *args):
        LOG.debug("%s " + fmt, self.address_string(), *args)
