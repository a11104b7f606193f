"""The traefik role (playbooks/ingress.yml) in real ansible-playbook runs: real helm 3.19 installs the stand-in chart
(the real chart's values.yaml and values.schema.json, see conftest) into the Kubernetes API fake; the role applies the
TLSOption, middlewares, basic-auth Secret and IngressRoutes with kubernetes.core.k8s.

Every state-changing scenario is check -> apply -> check -> apply (changed, changed, unchanged, unchanged), with
independent reads of the fake's store: check mode must leave it untouched, and the release, the objects and the
workloads helm rendered must be as the variables say. No output may carry the dashboard's htpasswd entries.
"""

from __future__ import annotations

import base64
import gzip
import json
import os

import pytest

from traefik_chart import assemble_standin
from support import k8s_security
from support.ansible import ROOT, run_playbook
from support.cycle import check_apply_check_apply

PLAYBOOK = os.path.join(ROOT, "playbooks", "ingress.yml")
NS = "traefik"
IR = "traefik.io/v1alpha1"
EMAIL = "ops@insightpulseai.net"
# htpasswd -nbB style entries (bcrypt, cost 5) of the test users; the clear-text passwords appear nowhere.
USERS = [
    "admin:$2b$05$Qm9uam91ciBsZXMgYW1pcuJpoTgg26fQpJKU3jd37jeXXJhT5NAn6",
    "ops:$2b$05$c2Vjb25kIHNhbHQgaGVyZOstZFuX1Ix0rL9gKaM/nLGSG/bRlP3qa",
]
# What must never show in any output: the entries, their hashes, and the Secret's data as sent (base64) for the user
# lists the tests apply.
SECRETS = (
    USERS
    + [u.split(":", 1)[1] for u in USERS]
    + [base64.b64encode(users.encode()).decode() for users in ("\n".join(USERS), USERS[0])]
)
HELM_WARNING = "Install helm diff >= 3.4.1"
ADMIN_RANGES = ["203.0.113.0/24", "2001:db8::/48", "198.51.100.7"]
N8N_PUBLIC = (
    "Host(`n8n.workbench.test`) && (PathPrefix(`/webhook/workbench/`) || Path(`/healthz`) || "
    "Path(`/healthz/readiness`))"
)

RELEASE = "Install or upgrade the Traefik release"
NAMESPACES = "Ensure the namespaces"
PLAN = "Plan what cannot be dry-run yet (check mode)"
APPLY = "Apply the TLS options, middlewares and IngressRoutes"
SECRET = "Apply the dashboard's basic-auth Secret"
REMOVE = "Remove the routes and middlewares that were turned off"


@pytest.fixture
def env(ansible_env):
    """The test's TMPDIR and helm state, but no kubeconfig in the environment: the role must find it through its
    hand-off in the inventory (the production inventory's), from the doks_cluster stage's fact (given as
    doks_cluster_kubeconfig below)."""
    return {k: v for k, v in ansible_env.items() if k not in ("K8S_AUTH_KUBECONFIG", "KUBECONFIG")}


@pytest.fixture
def base_vars(kubeconfig, helm_binary, standin_chart):
    return dict(
        doks_cluster_kubeconfig=kubeconfig,
        traefik_helm_binary=helm_binary,
        traefik_chart_ref=standin_chart,
        traefik_acme_email=EMAIL,
        traefik_dashboard_users=USERS,
        traefik_n8n_hostname="n8n.workbench.test",
        traefik_litellm_hostname="llm.workbench.test",
        traefik_dashboard_hostname="traefik.workbench.test",
        traefik_n8n_admin_source_ranges=ADMIN_RANGES,
    )


def play(inventory, env, extra_vars, check=False, verbosity=0, expect_ok=True):
    result = run_playbook(
        playbook=PLAYBOOK, inventory=inventory, extra_vars=extra_vars, check=check, env=env, verbosity=verbosity
    )
    assert_no_secret(result)
    if expect_ok:
        assert result.rc == 0, result.failure() or result.stderr[-3000:] or result.stdout[-3000:]
    return result


def assert_no_secret(result):
    text = result.stdout + result.stderr
    leaked = [s for s in SECRETS if s in text]
    assert not leaked, "the output carries the dashboard's htpasswd data"


def release_secrets(k8s, release="traefik"):
    return k8s.list("v1", "secrets", NS, label_selector="owner=helm,name=%s" % release)


def decode_release(secret):
    """helm's release record as stored: base64 (the Secret's) of base64 of gzip of JSON."""
    raw = base64.b64decode(base64.b64decode(secret["data"]["release"]))
    return json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)


def deployed_release(k8s):
    deployed = [s for s in release_secrets(k8s) if s["metadata"]["labels"]["status"] == "deployed"]
    assert len(deployed) == 1, [s["metadata"]["labels"] for s in release_secrets(k8s)]
    return deployed[0], decode_release(deployed[0])


def four_steps(k8s, inventory, env, extra_vars, task):
    """check -> apply -> check -> apply on ``task``: changed, changed, unchanged, unchanged; the checks store
    nothing and the second apply writes nothing. Returns the four results."""
    results = check_apply_check_apply(
        lambda check: play(inventory, env, extra_vars, check=check),
        state=lambda: k8s.resource_version,
        changed=lambda r: r.task(task)["changed"],
    )
    assert [r.changed for r in results[2:]] == [0, 0], [
        t["name"] for r in results[2:] for t in r.tasks if t["result"].get("changed")
    ]
    return results


def test_install_check_apply_check_apply(k8s, inventory, env, base_vars):
    results = four_steps(k8s, inventory, env, base_vars, RELEASE)
    first, applied, check, again = results
    # the first check run plans every stage: namespaces and release by dry run, the objects as "would apply"
    # (their namespaces do not exist yet, so kubernetes.core cannot dry-run them)
    assert first.task(NAMESPACES)["changed"] is True
    planned = [r["item"]["name"] for r in first.task(PLAN)["results"]]
    assert sorted(planned) == [
        "dashboard-auth",
        "default",
        "hsts",
        "litellm-gateway",
        "n8n",
        "n8n-admin-allowlist",
        "traefik-dashboard",
    ]
    assert first.task("Plan the dashboard's basic-auth Secret (check mode)")["changed"] is True
    # the apply makes all of it
    assert [applied.task(t)["changed"] for t in (NAMESPACES, RELEASE, APPLY, SECRET)] == [True] * 4
    assert applied.task(RELEASE)["status"]["status"] == "deployed"
    # without helm-diff, kubernetes.core.helm says that its idempotency check is the weak default one
    assert any(HELM_WARNING in w for w in again.task(RELEASE)["warnings"])
    assert any(HELM_WARNING in w for w in check.task(RELEASE)["warnings"])
    # the converged check run dry-runs the objects instead of planning them
    assert check.task(APPLY)["changed"] is False and check.task(PLAN)["results"] == []

    # independent reads of the store: the helm release record
    secret, record = deployed_release(k8s)
    assert secret["type"] == "helm.sh/release.v1" and secret["metadata"]["labels"]["version"] == "1"
    assert record["chart"]["metadata"]["name"] == "traefik" and record["chart"]["metadata"]["version"] == "41.3.0"
    config = record["config"]
    assert config["autoscaling"]["maxReplicas"] == 5 and config["deployment"] == {"replicas": None}
    assert config["certificatesResolvers"]["letsencrypt"]["acme"]["email"] == EMAIL
    assert "$2b$" not in json.dumps(record)  # the users are not in the release

    # what helm rendered from the values over the real chart defaults
    deployment = k8s.get("apps/v1", "deployments", "traefik", NS)
    args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    for arg in (
        "--entryPoints.web.http.redirections.entryPoint.to=:443",
        "--entryPoints.web.http.redirections.entryPoint.scheme=https",
        "--entryPoints.websecure.http.middlewares=traefik-hsts@kubernetescrd",
        "--entryPoints.websecure.http.tls.certResolver=letsencrypt",
        "--certificatesresolvers.letsencrypt.acme.email=" + EMAIL,
        "--certificatesresolvers.letsencrypt.acme.caServer=https://acme-staging-v02.api.letsencrypt.org/directory",
        "--certificatesresolvers.letsencrypt.acme.httpChallenge.entryPoint=web",
        "--certificatesresolvers.letsencrypt.acme.storage=/data/acme.json",
        "--metrics.prometheus=true",
        "--providers.kubernetescrd.defaultTLSResourcesNamespace=traefik",
    ):
        assert arg in args, arg
    pod = deployment["spec"]["template"]
    assert pod["metadata"]["annotations"]["prometheus.io/port"] == "9100"
    assert pod["spec"]["securityContext"]["fsGroup"] == 65532
    # the restricted Pod Security Standard, stored and as helm rendered it; Traefik keeps its token (it watches the API)
    found, checked = k8s_security.workload_violations(k8s_security.fake_cluster_objects(k8s))
    assert found == [], "\n".join(found)
    assert checked == [
        "Deployment traefik/traefik (stored)",
        "Deployment traefik/traefik (helm release traefik/traefik v1)",
    ]
    assert pod["spec"]["automountServiceAccountToken"] is True and pod["spec"]["hostNetwork"] is False
    container = pod["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/ping"
    assert container["resources"]["requests"]["cpu"] == "100m"
    hpa = k8s.get("autoscaling/v2", "horizontalpodautoscalers", "traefik", NS)
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 5)
    assert hpa["spec"]["scaleTargetRef"]["name"] == "traefik"
    service = k8s.get("v1", "services", "traefik", NS)
    assert service["spec"]["type"] == "LoadBalancer"
    assert {p["port"] for p in service["spec"]["ports"]} == {80, 443}
    assert k8s.get("v1", "persistentvolumeclaims", "traefik", NS)["spec"]["resources"]["requests"]["storage"] == "128Mi"
    # verify published the load balancer's address
    assert (
        again.task("Publish the load balancer address")["ansible_facts"]["traefik_load_balancer_ip"]
        == service["status"]["loadBalancer"]["ingress"][0]["ip"]
    )

    # the objects next to the release
    tls = k8s.get(IR, "tlsoptions", "default", NS)["spec"]
    assert tls["minVersion"] == "VersionTLS12"
    assert tls["cipherSuites"] == [
        "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
        "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
        "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
    ]
    assert tls["curvePreferences"] == ["X25519", "CurveP256", "CurveP384"]
    assert k8s.get(IR, "middlewares", "hsts", NS)["spec"] == {
        "headers": {"stsSeconds": 31536000, "stsIncludeSubdomains": True, "stsPreload": False}
    }
    assert k8s.get(IR, "middlewares", "dashboard-auth", NS)["spec"]["basicAuth"]["secret"] == "traefik-dashboard-auth"
    auth = k8s.get("v1", "secrets", "traefik-dashboard-auth", NS)
    assert base64.b64decode(auth["data"]["users"]).decode().splitlines() == USERS
    # server-side apply: no last-applied annotation repeating the Secret's data in its metadata
    assert "kubectl.kubernetes.io/last-applied-configuration" not in auth["metadata"].get("annotations", {})
    assert {m["manager"] for m in auth["metadata"]["managedFields"]} == {"insightpulseai.workbench.traefik"}
    dashboard = k8s.get(IR, "ingressroutes", "traefik-dashboard", NS)["spec"]
    assert dashboard["entryPoints"] == ["websecure"] and dashboard["tls"] == {"certResolver": "letsencrypt"}
    (route,) = dashboard["routes"]
    assert route["match"] == "Host(`traefik.workbench.test`) && (PathPrefix(`/dashboard`) || PathPrefix(`/api`))"
    assert route["middlewares"] == [{"name": "dashboard-auth"}]
    assert route["services"] == [{"name": "api@internal", "kind": "TraefikService"}]
    spec = k8s.get(IR, "ingressroutes", "litellm-gateway", "litellm")["spec"]
    assert spec["entryPoints"] == ["websecure"] and spec["tls"] == {"certResolver": "letsencrypt"}
    assert spec["routes"] == [
        {"kind": "Rule", "match": "Host(`llm.workbench.test`)", "services": [{"name": "litellm-gateway", "port": 4000}]}
    ]
    assert_n8n_routes(k8s, ADMIN_RANGES)


def assert_n8n_routes(k8s, ranges):
    """n8n's host in two routers: the webhooks and health checks public, everything else behind the allow-list."""
    spec = k8s.get(IR, "ingressroutes", "n8n", "n8n")["spec"]
    assert spec["entryPoints"] == ["websecure"] and spec["tls"] == {"certResolver": "letsencrypt"}
    backend = [{"name": "n8n", "port": 5678}]
    public, admin = spec["routes"]
    assert public == {"kind": "Rule", "match": N8N_PUBLIC, "priority": 200, "services": backend}
    assert admin == {
        "kind": "Rule",
        "match": "Host(`n8n.workbench.test`)",
        "priority": 100,
        "middlewares": [{"name": "n8n-admin-allowlist", "namespace": "n8n"}],
        "services": backend,
    }
    assert "webhook-test" not in public["match"] and "webhook-waiting" not in public["match"]
    middleware = k8s.get(IR, "middlewares", "n8n-admin-allowlist", "n8n")
    assert middleware["spec"] == {"ipAllowList": {"sourceRange": ranges}}
    assert middleware["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "insightpulseai.workbench"


def test_values_change_is_detected_and_applied(k8s, inventory, env, base_vars):
    play(inventory, env, base_vars)
    assert k8s.get("autoscaling/v2", "horizontalpodautoscalers", "traefik", NS)["spec"]["maxReplicas"] == 5
    changed = dict(base_vars, traefik_autoscaling_max_replicas=7)
    results = four_steps(k8s, inventory, env, changed, RELEASE)
    # only the release changed
    assert [t["name"].split(" : ")[-1] for t in results[1].tasks if t["result"].get("changed")] == [RELEASE]
    assert results[1].task(RELEASE)["status"]["revision"] == "2"
    assert k8s.get("autoscaling/v2", "horizontalpodautoscalers", "traefik", NS)["spec"]["maxReplicas"] == 7
    secret, record = deployed_release(k8s)
    assert secret["metadata"]["labels"]["version"] == "2" and record["config"]["autoscaling"]["maxReplicas"] == 7
    assert sorted(s["metadata"]["labels"]["status"] for s in release_secrets(k8s)) == ["deployed", "superseded"]


def test_turning_a_route_and_the_dashboard_off_removes_them(k8s, inventory, env, base_vars):
    play(inventory, env, base_vars)
    off = dict(
        base_vars, traefik_litellm_route_enabled=False, traefik_dashboard_enabled=False, traefik_dashboard_users=[]
    )
    results = four_steps(k8s, inventory, env, off, REMOVE)
    removed = [r["item"]["name"] for r in results[1].task(REMOVE)["results"] if r["changed"]]
    assert sorted(removed) == ["dashboard-auth", "litellm-gateway", "traefik-dashboard"]
    assert results[1].task(RELEASE)["changed"] is True  # api.dashboard: false
    assert results[1].task("Remove the basic-auth Secret (dashboard turned off)")["changed"] is True
    assert k8s.get(IR, "ingressroutes", "litellm-gateway", "litellm") is None
    for plural, name in (("ingressroutes", "traefik-dashboard"), ("middlewares", "dashboard-auth")):
        assert k8s.get(IR, plural, name, NS) is None
    assert k8s.get("v1", "secrets", "traefik-dashboard-auth", NS) is None
    # what stays
    assert k8s.get(IR, "ingressroutes", "n8n", "n8n") is not None
    assert k8s.get(IR, "middlewares", "hsts", NS) is not None and k8s.get(IR, "tlsoptions", "default", NS) is not None
    record = deployed_release(k8s)[1]
    assert record["config"]["api"]["dashboard"] is False


def test_the_n8n_allow_list_follows_the_variable(k8s, inventory, env, base_vars):
    play(inventory, env, base_vars)
    narrower = dict(base_vars, traefik_n8n_admin_source_ranges=["192.0.2.10/32"])
    results = four_steps(k8s, inventory, env, narrower, APPLY)
    assert results[1].task(RELEASE)["changed"] is False
    assert_n8n_routes(k8s, ["192.0.2.10/32"])
    # everybody, only when said so
    everyone = dict(
        base_vars, traefik_n8n_admin_source_ranges=["0.0.0.0/0", "::/0"], traefik_n8n_admin_allow_everyone=True
    )
    play(inventory, env, everyone)
    assert_n8n_routes(k8s, ["0.0.0.0/0", "::/0"])


def test_turning_the_n8n_route_off_removes_its_allow_list(k8s, inventory, env, base_vars):
    play(inventory, env, base_vars)
    off = dict(base_vars, traefik_n8n_route_enabled=False, traefik_n8n_admin_source_ranges=[])
    results = four_steps(k8s, inventory, env, off, REMOVE)
    removed = sorted(r["item"]["name"] for r in results[1].task(REMOVE)["results"] if r["changed"])
    assert removed == ["n8n", "n8n-admin-allowlist"]
    assert k8s.get(IR, "ingressroutes", "n8n", "n8n") is None
    assert k8s.get(IR, "middlewares", "n8n-admin-allowlist", "n8n") is None


def test_very_verbose_output_carries_no_secret(k8s, inventory, env, base_vars):
    """-vvv prints module arguments and results: the htpasswd entries must not be among them (install, then a change
    of the users planned and applied). play() checks every output."""
    play(inventory, env, base_vars, verbosity=3)
    assert k8s.get("v1", "secrets", "traefik-dashboard-auth", NS) is not None
    fewer = dict(base_vars, traefik_dashboard_users=USERS[:1])
    rv = k8s.resource_version
    play(inventory, env, fewer, check=True, verbosity=3)
    assert k8s.resource_version == rv
    play(inventory, env, fewer, verbosity=3)
    users = base64.b64decode(k8s.get("v1", "secrets", "traefik-dashboard-auth", NS)["data"]["users"]).decode()
    assert users == USERS[0]
    # what keeps them out is the task's no_log: without it, -vvv prints the Secret's data as sent
    leaky = run_playbook(
        playbook=PLAYBOOK, inventory=inventory, extra_vars=dict(fewer, traefik_no_log=False), env=env, verbosity=3
    )
    assert leaky.rc == 0 and base64.b64encode(USERS[0].encode()).decode() in leaky.stdout


def test_tag_runs_one_phase(k8s, inventory, env, base_vars):
    play(inventory, env, base_vars)
    rv = k8s.resource_version
    result = run_playbook(
        playbook=PLAYBOOK, inventory=inventory, extra_vars=base_vars, env=env, tags="traefik_configure"
    )
    assert result.rc == 0, result.failure()
    names = {t["name"].split(" : ")[-1] for t in result.tasks}
    assert APPLY in names and RELEASE not in names and "Fail when an input is missing or malformed" in names
    assert result.changed == 0 and k8s.resource_version == rv
    # verify alone reads the release itself (the install task did not run)
    result = run_playbook(playbook=PLAYBOOK, inventory=inventory, extra_vars=base_vars, env=env, tags="traefik_verify")
    assert result.rc == 0, result.failure()
    assert result.task("Read the release back")["status"]["chart"] == "traefik-41.3.0"
    assert RELEASE not in {t["name"].split(" : ")[-1] for t in result.tasks}


BAD_INPUTS = {
    "ACME e-mail missing": (dict(traefik_acme_email=""), 'traefik_acme_email="" is not a usable e-mail address'),
    "ACME e-mail malformed": (dict(traefik_acme_email="ops@"), 'traefik_acme_email="ops@" is not'),
    "ACME e-mail refused by Let's Encrypt": (
        dict(traefik_acme_email="me@example.com"),
        'traefik_acme_email="me@example.com" is not',
    ),
    "hostname": (
        dict(traefik_n8n_hostname="N8N_host"),
        'traefik_n8n_hostname="N8N_host" is not a fully qualified DNS name',
    ),
    "dashboard hostname": (
        dict(traefik_dashboard_hostname="dashboard"),
        'traefik_dashboard_hostname="dashboard" is not a fully qualified DNS name',
    ),
    "shared hostname": (
        dict(traefik_litellm_hostname="n8n.workbench.test"),
        "Each route needs its own hostname; got traefik.workbench.test, n8n.workbench.test, n8n.workbench.test",
    ),
    "no dashboard users": (dict(traefik_dashboard_users=[]), "traefik_dashboard_users is empty"),
    "clear-text password": (dict(traefik_dashboard_users=[USERS[0], "root:hunter2"]), "refused): user(s) root."),
    "repeated user": (dict(traefik_dashboard_users=[USERS[0], USERS[0]]), "Repeated user names: admin, admin."),
    "namespace": (dict(traefik_namespace="Traefik"), 'traefik_namespace="Traefik" must be a DNS label'),
    "autoscaling bounds": (
        dict(traefik_autoscaling_min_replicas=6),
        "traefik_autoscaling_min_replicas=6 and traefik_autoscaling_max_replicas=5 need",
    ),
    "service port": (dict(traefik_n8n_service_port=0), "port=0 must be"),
    "unpinned chart": (dict(traefik_chart_version="latest"), 'traefik_chart_version="latest" is not a chart version'),
    "missing chart": (
        dict(traefik_chart_ref="/nonexistent/traefik"),
        "traefik_chart_ref=/nonexistent/traefik does not exist on the controller",
    ),
    "missing kubeconfig": (
        dict(doks_cluster_kubeconfig="/nonexistent/kubeconfig"),
        "traefik_kubeconfig=/nonexistent/kubeconfig is not a file",
    ),
    "missing helm": (
        dict(traefik_helm_binary="/nonexistent/helm"),
        "traefik_helm_binary=/nonexistent/helm does not run",
    ),
    "unknown choice": (dict(traefik_acme_environment="prod"), "traefik_acme_environment"),
    "n8n allow-list empty": (dict(traefik_n8n_admin_source_ranges=[]), "traefik_n8n_admin_source_ranges is empty"),
    "n8n allow-list malformed": (
        dict(traefik_n8n_admin_source_ranges=["203.0.113.0/24", "office", "10.0.0.300"]),
        'traefik_n8n_admin_source_ranges has "office", "10.0.0.300", not an IPv4/IPv6',
    ),
    "n8n allow-list everybody": (
        dict(traefik_n8n_admin_source_ranges=["203.0.113.0/24", "0.0.0.0/0"]),
        "has 0.0.0.0/0, which allows every address",
    ),
    "n8n allow-list everybody (IPv6)": (
        dict(traefik_n8n_admin_source_ranges=["::/0"]),
        "has ::/0, which allows every address",
    ),
}


@pytest.mark.parametrize("overrides, message", list(BAD_INPUTS.values()), ids=list(BAD_INPUTS))
def test_bad_input_is_named_before_any_write(k8s, inventory, env, base_vars, overrides, message):
    rv = k8s.resource_version
    result = play(inventory, env, dict(base_vars, **overrides), expect_ok=False)
    assert result.rc != 0
    failure = result.failure()
    messages = " ".join([failure.get("msg", "")] + [r.get("msg", "") for r in failure.get("results", [])])
    assert message in messages, messages
    assert "hunter2" not in result.stdout + result.stderr
    assert k8s.resource_version == rv and release_secrets(k8s) == []


def test_local_chart_of_another_version_is_refused(k8s, inventory, env, base_vars, tmp_path):
    """helm ignores --version for a chart directory: the preflight compares the chart's own version with the pin."""
    other = assemble_standin(tmp_path, version="41.2.0")
    rv = k8s.resource_version
    result = play(inventory, env, dict(base_vars, traefik_chart_ref=other), expect_ok=False)
    assert "is chart traefik 41.2.0, but traefik_chart_version pins traefik 41.3.0" in result.failure()["msg"]
    assert k8s.resource_version == rv


def test_check_mode_before_the_cluster_exists_plans_the_stage(k8s, inventory, env, base_vars, tmp_path):
    """A site-wide --check on a fresh setup: the cluster stage only planned its cluster, so its kubeconfig is not
    written. The stage is planned (a change), nothing is read from or sent to a cluster, and the run succeeds."""
    missing = str(tmp_path / "not-yet" / "kubeconfig")
    requests = len(k8s.requests)
    result = play(inventory, env, dict(base_vars, doks_cluster_kubeconfig=missing), check=True)
    plan = result.task("Plan the stage (check mode, the cluster's kubeconfig does not exist yet)")
    assert plan["changed"] is True and missing in plan["msg"]
    assert RELEASE not in {t["name"].split(" : ")[-1] for t in result.tasks if not t["result"].get("skipped")}
    assert len(k8s.requests) == requests


def test_a_secret_applied_client_side_loses_its_annotation(k8s, kubeconfig, inventory, env, base_vars, tmp_path):
    """The basic-auth Secret once applied client-side (kubectl apply, by hand) holds the htpasswd entries in the
    last-applied-configuration annotation; the next converge takes it over server-side and removes the annotation:
    check -> apply -> check -> apply, then the store read directly."""
    play(inventory, env, base_vars)
    old = {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {"name": "traefik-dashboard-auth", "namespace": NS},
        "stringData": {"users": USERS[0]},
    }
    k8s_security.client_side_apply(kubeconfig, [old], tmp_path)
    assert k8s_security.annotated_secrets(k8s.list("v1", "secrets")) == [NS + "/traefik-dashboard-auth"]
    results = four_steps(
        k8s, inventory, env, base_vars, "Remove the client-side apply annotation from the basic-auth Secret"
    )
    assert results[0].task(SECRET)["changed"] and results[1].task(SECRET)["changed"]  # the users are put back
    auth = k8s.get("v1", "secrets", "traefik-dashboard-auth", NS)
    assert "annotations" not in auth["metadata"]
    assert base64.b64decode(auth["data"]["users"]).decode().splitlines() == USERS
    assert k8s_security.annotated_secrets(k8s.list("v1", "secrets")) == []
