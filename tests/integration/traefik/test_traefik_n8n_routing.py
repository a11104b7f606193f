"""How n8n's host routes, proven by the real Traefik 3.7 (tests/support/traefik.py) rather than by reading objects.

The traefik role applies its objects to the Kubernetes API fake (--tags traefik_configure: the IngressRoute and the
ipAllowList Middleware); the test reads them back from the fake's store and gives Traefik their routers and
middleware verbatim - rule, priority, middleware spec - through the file provider (the fake runs no Traefik, and the
CRD provider would need Endpoints the fake lacks). The backend is a recorder on loopback. "Outside" is a client bound
to 127.0.0.2, the allow-list 127.0.0.1/32: what the public reaches, and what it is refused, with Traefik's 403.

The entry point also gets the PROXY protocol flags the chart makes of the role's values (traefik_chart.py), with the
"load balancer" at 127.0.0.3 as the trusted peer: the allow-list then judges the client the balancer names.
"""

from __future__ import annotations

import os
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from support.ansible import ROOT, run_playbook
from support.traefik import TRAEFIK, Traefik
from traefik_chart import entrypoint_proxy_protocol_flags, render_values

PLAYBOOK = os.path.join(ROOT, "playbooks", "ingress.yml")
IR = "traefik.io/v1alpha1"
HOST = "n8n.workbench.test"
INSIDE, OUTSIDE = "127.0.0.1", "127.0.0.2"
BALANCER = "127.0.0.3"  # stands in for the DigitalOcean load balancer (the only trusted PROXY protocol peer)
OPERATOR, STRANGER = "203.0.113.7", "198.51.100.9"  # clients behind the balancer: allow-listed, not
PROXY_ANNOTATION = "service.beta.kubernetes.io/do-loadbalancer-enable-proxy-protocol"
USERS = ["admin:$2b$05$Qm9uam91ciBsZXMgYW1pcuJpoTgg26fQpJKU3jd37jeXXJhT5NAn6"]


class _Recorder(BaseHTTPRequestHandler):
    def _answer(self):
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.server.seen.append((self.command, self.path))
        body = b"backend"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _answer

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def backend():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.seen = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def proxy_protocol():
    """The role's chart values with the balancer as the trusted peer: the Service annotation and the flags."""
    values = render_values(traefik_proxy_protocol_trusted_ips=[BALANCER + "/32"])
    return values["service"].get("annotations", {}), entrypoint_proxy_protocol_flags(values)


@pytest.fixture
def routed(k8s, kubeconfig, helm_binary, ansible_env, tmp_path, backend, proxy_protocol):
    """The role's objects for n8n, stored in the fake, served by a real Traefik in front of the recorder."""
    if not os.access(TRAEFIK, os.X_OK):
        pytest.fail("traefik is not installed: run scripts/install-traefik.sh (make setup does)")
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(
        "all:\n  hosts:\n    localhost:\n      ansible_connection: local\n  children:\n"
        "    workbench_cluster:\n      hosts:\n        localhost:\n"
    )
    env = {k: v for k, v in ansible_env.items() if k not in ("K8S_AUTH_KUBECONFIG", "KUBECONFIG")}
    for namespace in ("traefik", "n8n", "litellm"):  # the install phase (not run here) makes them
        k8s.cluster.create(
            k8s._type("v1", "namespaces"),
            None,
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}},
        )
    result = run_playbook(
        playbook=PLAYBOOK,
        inventory=str(inventory),
        env=env,
        tags="traefik_configure",
        extra_vars=dict(
            traefik_kubeconfig=kubeconfig,
            traefik_helm_binary=helm_binary,
            traefik_acme_email="ops@insightpulseai.net",
            traefik_dashboard_users=USERS,
            traefik_n8n_hostname=HOST,
            traefik_litellm_hostname="llm.workbench.test",
            traefik_dashboard_hostname="traefik.workbench.test",
            traefik_n8n_admin_source_ranges=[INSIDE + "/32", OPERATOR + "/32"],
        ),
    )
    assert result.rc == 0, result.failure() or result.stdout[-3000:]

    # independent read of what the role stored, handed to Traefik as it is
    route = k8s.get(IR, "ingressroutes", "n8n", "n8n")["spec"]
    middleware = k8s.get(IR, "middlewares", "n8n-admin-allowlist", "n8n")
    routers = {}
    for index, rule in enumerate(route["routes"]):
        routers["n8n-%d" % index] = dict(
            rule=rule["match"],
            priority=rule["priority"],
            entryPoints=route["entryPoints"],
            service="n8n",
            middlewares=["%s-%s" % (m["namespace"], m["name"]) for m in rule.get("middlewares", [])],
        )
    dynamic = {
        "http": {
            "routers": routers,
            "middlewares": {"n8n-n8n-admin-allowlist": middleware["spec"]},
            "services": {
                "n8n": {"loadBalancer": {"servers": [{"url": "http://127.0.0.1:%d" % backend.server_address[1]}]}}
            },
        }
    }
    flags = [f for f in proxy_protocol[1] if f.startswith("--entryPoints.websecure.")]  # the test's one entry point
    traefik = Traefik(str(tmp_path), free_port(), dynamic, static_args=flags).start(HOST, "/healthz")
    backend.seen.clear()
    yield traefik
    traefik.stop()


PUBLIC = [
    ("POST", "/webhook/workbench/expense-approval"),
    ("POST", "/webhook/workbench/pipeline-run"),
    ("GET", "/healthz"),
    ("GET", "/healthz/readiness"),
]
ADMIN = [
    ("GET", "/"),
    ("GET", "/signin"),
    ("GET", "/assets/index.js"),
    ("GET", "/rest/settings"),
    ("POST", "/rest/owner/setup"),
    ("POST", "/rest/login"),
    ("GET", "/rest/api-keys"),
    ("GET", "/api/v1/workflows"),
    ("POST", "/api/v1/credentials"),
    ("POST", "/webhook-test/workbench/expense-approval"),
    ("POST", "/webhook-waiting/1"),
    ("POST", "/webhook/other-hook"),
    ("POST", "/webhook/workbench"),
    ("GET", "/healthz/anything"),
    ("GET", "/metrics"),
]


def test_only_the_webhooks_and_health_are_public(routed, backend):
    for method, path in PUBLIC:
        assert routed.request(method, path, HOST, source=OUTSIDE) == (200, "backend"), (method, path)
    for method, path in ADMIN:
        status, body = routed.request(method, path, HOST, source=OUTSIDE)
        assert status == 403 and body != "backend", (method, path, status)
    # independent read: the backend saw the public requests and nothing else
    assert backend.seen == PUBLIC


def test_the_allow_list_lets_the_operators_in(routed, backend):
    for method, path in ADMIN + PUBLIC:
        assert routed.request(method, path, HOST, source=INSIDE) == (200, "backend"), (method, path)
    assert backend.seen == ADMIN + PUBLIC


def test_a_forged_client_address_does_not_get_in(routed, backend):
    """No ipStrategy: Traefik judges the connection, not headers a client can write."""
    for header in ({"X-Forwarded-For": INSIDE}, {"X-Real-Ip": INSIDE}, {"Forwarded": "for=" + INSIDE}):
        assert routed.request("POST", "/rest/owner/setup", HOST, source=OUTSIDE, headers=header)[0] == 403, header
    # another Host header does not reach n8n's routers at all
    assert routed.request("GET", "/rest/settings", "other.workbench.test", source=OUTSIDE)[0] == 404
    assert backend.seen == []


def test_the_load_balancer_is_told_to_send_proxy_protocol(proxy_protocol):
    annotations, flags = proxy_protocol
    assert annotations.get(PROXY_ANNOTATION) == "true"
    assert flags == [
        "--entryPoints.web.proxyProtocol.trustedIPs=%s/32" % BALANCER,
        "--entryPoints.websecure.proxyProtocol.trustedIPs=%s/32" % BALANCER,
    ]


def test_behind_the_load_balancer_the_allow_list_judges_the_client(routed, backend):
    """Through the balancer (a trusted PROXY protocol peer): the operator it names gets in, a stranger only reaches
    the webhooks and health, exactly as without a balancer."""
    for method, path in ADMIN + PUBLIC:
        assert routed.request(method, path, HOST, source=BALANCER, proxy_client=OPERATOR) == (200, "backend"), path
    for method, path in ADMIN:
        assert routed.request(method, path, HOST, source=BALANCER, proxy_client=STRANGER)[0] == 403, path
    for method, path in PUBLIC:
        assert routed.request(method, path, HOST, source=BALANCER, proxy_client=STRANGER) == (200, "backend"), path
    # the balancer's own address is not an operator's: without a header it is refused too
    assert routed.request("GET", "/rest/settings", HOST, source=BALANCER)[0] == 403
    assert backend.seen == ADMIN + PUBLIC + PUBLIC


def test_a_proxy_header_from_anyone_but_the_balancer_is_ignored(routed, backend):
    """A client outside the trusted peers that writes its own PROXY header naming an allow-listed address is judged
    by its real address."""
    for claimed in (OPERATOR, INSIDE):
        for method, path in ADMIN:
            assert routed.request(method, path, HOST, source=OUTSIDE, proxy_client=claimed)[0] == 403, (claimed, path)
    assert routed.request("POST", PUBLIC[0][1], HOST, source=OUTSIDE, proxy_client=OPERATOR) == (200, "backend")
    assert backend.seen == [PUBLIC[0]]
