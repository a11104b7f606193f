"""kubernetes.core 6.2.0 (k8s, k8s_info, helm, helm_info) in real ansible-playbook runs against the fake.

Every state-changing scenario is check -> apply -> check -> apply (changed, changed, unchanged, unchanged), with
independent reads of the fake's store in between: check mode must leave it untouched.
"""

from __future__ import annotations

import base64
import copy

import pytest

from support.ansible import run_playbook

NS = "apps"

CONFIGMAP = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "web-config", "namespace": NS, "labels": {"app": "web", "tier": "front"}},
    "data": {"greeting": "hello"},
}
SECRET = {
    "apiVersion": "v1",
    "kind": "Secret",
    "metadata": {"name": "web-secret", "namespace": NS},
    "stringData": {"password": "hunter2"},
}
DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": NS, "labels": {"app": "web"}},
    "spec": {
        "replicas": 2,
        "selector": {"matchLabels": {"app": "web"}},
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "containers": [
                    {
                        "name": "web",
                        "image": "nginx:1.27",
                        "ports": [{"containerPort": 80}],
                        "env": [
                            {
                                "name": "GREETING",
                                "valueFrom": {"configMapKeyRef": {"name": "web-config", "key": "greeting"}},
                            }
                        ],
                    }
                ]
            },
        },
    },
}
SERVICE = {
    "apiVersion": "v1",
    "kind": "Service",
    "metadata": {"name": "web", "namespace": NS},
    "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": 80}]},
}
MIDDLEWARE = {
    "apiVersion": "traefik.io/v1alpha1",
    "kind": "Middleware",
    "metadata": {"name": "https-redirect", "namespace": NS},
    "spec": {"redirectScheme": {"scheme": "https", "permanent": True}},
}
DEFINITIONS = [CONFIGMAP, SECRET, DEPLOYMENT, SERVICE, MIDDLEWARE]
STORED = [
    ("v1", "configmaps", "web-config"),
    ("v1", "secrets", "web-secret"),
    ("apps/v1", "deployments", "web"),
    ("v1", "services", "web"),
    ("traefik.io/v1alpha1", "middlewares", "https-redirect"),
]


@pytest.fixture
def apps_namespace(client):
    """The namespace the tests' objects go into, made beforehand (see the check-mode quirk below)."""
    resp = client.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}})
    assert resp.code == 201, resp.body
    return NS


def play(env, tasks, check=False):
    result = run_playbook(tasks=tasks, check=check, env=env)
    assert result.rc == 0, result.failure() or result.stderr or result.stdout
    return result


def stored(k8s):
    return {plural: k8s.get(api_version, plural, name, NS) for api_version, plural, name in STORED}


def requests_to(k8s, method, path_end):
    """What the fake's request log says about the module's requests (evidence for upstream behaviour)."""
    return [r for r in k8s.requests if r["method"] == method and r["path"].endswith(path_end)]


def k8s_task(definitions, **options):
    return [{"name": "k8s", "kubernetes.core.k8s": dict(definition=definitions, **options)}]


def check_apply_check_apply(k8s, env, tasks):
    """Run the cycle on the task named "k8s"; asserts its changed flags and that the checks store nothing.
    Returns the result of the first apply."""
    before = k8s.resource_version
    snapshot = stored(k8s)
    first_check = play(env, tasks, check=True)
    assert first_check.task("k8s")["changed"] is True
    assert k8s.resource_version == before and stored(k8s) == snapshot, "check mode wrote to the store"

    applied = play(env, tasks)
    assert applied.task("k8s")["changed"] is True
    after = k8s.resource_version
    assert after > before
    snapshot = stored(k8s)

    assert play(env, tasks, check=True).task("k8s")["changed"] is False
    assert play(env, tasks).task("k8s")["changed"] is False
    assert k8s.resource_version == after and stored(k8s) == snapshot
    return applied


def assert_objects_as_defined(k8s):
    objects = stored(k8s)
    assert objects["configmaps"]["data"] == {"greeting": "hello"}
    assert base64.b64decode(objects["secrets"]["data"]["password"]) == b"hunter2"
    assert "stringData" not in objects["secrets"]
    dep = objects["deployments"]
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    assert dep["status"]["readyReplicas"] == 2 and dep["status"]["observedGeneration"] == 1
    assert objects["services"]["spec"]["clusterIP"].startswith("10.96.")
    assert objects["middlewares"]["spec"] == MIDDLEWARE["spec"]


@pytest.mark.usefixtures("apps_namespace")
def test_k8s_client_side_apply(k8s, ansible_env):
    tasks = k8s_task(DEFINITIONS, apply=True, wait=True, wait_timeout=30)
    applied = check_apply_check_apply(k8s, ansible_env, tasks)
    assert_objects_as_defined(k8s)
    results = applied.task("k8s")["result"]["results"]
    deployment = results[2]["result"]
    assert deployment["status"]["availableReplicas"] == 2  # wait: true returned the ready object
    annotations = stored(k8s)["configmaps"]["metadata"]["annotations"]
    assert "kubectl.kubernetes.io/last-applied-configuration" in annotations

    # An update: check mode reports it and stores nothing; the apply stores it.
    updated = copy.deepcopy(DEFINITIONS)
    updated[2]["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.28"
    tasks = k8s_task(updated, apply=True)
    rv = k8s.resource_version
    assert play(ansible_env, tasks, check=True).task("k8s")["changed"] is True
    assert k8s.resource_version == rv
    assert play(ansible_env, tasks).task("k8s")["changed"] is True
    dep = k8s.get("apps/v1", "deployments", "web", NS)
    assert dep["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"
    assert dep["metadata"]["generation"] == 2
    # Upstream: kubernetes.core's client-side apply computes the patch itself and sends it as a JSON merge patch
    # even for built-in kinds (kubectl sends a strategic merge patch), so the server replaces lists whole.
    patch = requests_to(k8s, "PATCH", "/deployments/web")[-1]
    assert (patch["content_type"], patch["query"], patch["code"]) == ("application/merge-patch+json", {}, 200)


@pytest.mark.usefixtures("apps_namespace")
def test_k8s_server_side_apply(k8s, ansible_env):
    tasks = k8s_task(DEFINITIONS, apply=True, server_side_apply={"field_manager": "workbench"})
    check_apply_check_apply(k8s, ansible_env, tasks)
    assert_objects_as_defined(k8s)
    managers = {e["manager"] for e in stored(k8s)["deployments"]["metadata"]["managedFields"]}
    assert managers == {"workbench"}
    # Upstream: the Python client renders the force flag as "False"; Go's ParseBool, hence the server, accepts it.
    assert requests_to(k8s, "PATCH", "/deployments/web")[-1]["query"] == {"fieldManager": "workbench", "force": "False"}

    # Server-side apply removes what the manager no longer applies.
    without_tier = copy.deepcopy(DEFINITIONS)
    del without_tier[0]["metadata"]["labels"]["tier"]
    assert play(ansible_env, k8s_task(without_tier, apply=True, server_side_apply={"field_manager": "workbench"})).task(
        "k8s"
    )["changed"]
    assert k8s.get("v1", "configmaps", "web-config", NS)["metadata"]["labels"] == {"app": "web"}


@pytest.mark.usefixtures("apps_namespace")
def test_k8s_default_update_and_state_absent(k8s, ansible_env):
    # Without apply, k8s creates, then updates with a strategic merge patch.
    present = k8s_task(DEFINITIONS)
    check_apply_check_apply(k8s, ansible_env, present)
    assert_objects_as_defined(k8s)
    assert len(k8s.list("apps/v1", "replicasets", NS)) == 1
    # Upstream: k8s tries a strategic merge patch first and falls back to a merge patch when the server refuses it,
    # as it must for custom resources (415 from a real server too).
    attempts = [(r["content_type"], r["code"]) for r in requests_to(k8s, "PATCH", "/middlewares/https-redirect")]
    assert attempts[:2] == [("application/strategic-merge-patch+json", 415), ("application/merge-patch+json", 200)]

    absent = k8s_task(DEFINITIONS, state="absent", wait=True, wait_timeout=30)
    rv = k8s.resource_version
    assert play(ansible_env, absent, check=True).task("k8s")["changed"] is True
    assert k8s.resource_version == rv and all(stored(k8s).values())
    assert play(ansible_env, absent).task("k8s")["changed"] is True
    assert not any(stored(k8s).values())
    assert k8s.list("apps/v1", "replicasets", NS) == []  # the garbage collector took the ReplicaSet
    rv = k8s.resource_version
    assert play(ansible_env, absent, check=True).task("k8s")["changed"] is False
    assert play(ansible_env, absent).task("k8s")["changed"] is False
    assert k8s.resource_version == rv


@pytest.mark.usefixtures("apps_namespace")
def test_k8s_info(k8s, ansible_env):
    play(ansible_env, k8s_task(DEFINITIONS))
    tasks = [
        {
            "name": "by label",
            "kubernetes.core.k8s_info": {
                "kind": "ConfigMap",
                "namespace": NS,
                "label_selectors": ["app=web", "tier in (front, back)"],
            },
        },
        {
            "name": "by field",
            "kubernetes.core.k8s_info": {
                "api_version": "v1",
                "kind": "Service",
                "namespace": NS,
                "field_selectors": ["metadata.name=web"],
            },
        },
        {
            "name": "wait available",
            "kubernetes.core.k8s_info": {
                "kind": "Deployment",
                "name": "web",
                "namespace": NS,
                "wait": True,
                "wait_timeout": 30,
                "wait_condition": {"type": "Available", "status": "True"},
            },
        },
        {
            "name": "custom resource",
            "kubernetes.core.k8s_info": {"api_version": "traefik.io/v1alpha1", "kind": "Middleware", "namespace": NS},
        },
        {
            "name": "none",
            "kubernetes.core.k8s_info": {"kind": "ConfigMap", "namespace": NS, "label_selectors": ["app=nothing"]},
        },
        {"name": "unknown kind", "kubernetes.core.k8s_info": {"api_version": "example.com/v1", "kind": "Widget"}},
    ]
    result = play(ansible_env, tasks)
    assert [r["metadata"]["name"] for r in result.task("by label")["resources"]] == ["web-config"]
    assert [r["spec"]["clusterIP"] for r in result.task("by field")["resources"]] == [
        k8s.get("v1", "services", "web", NS)["spec"]["clusterIP"]
    ]
    (dep,) = result.task("wait available")["resources"]
    assert dep["status"]["readyReplicas"] == 2
    assert [r["kind"] for r in result.task("custom resource")["resources"]] == ["Middleware"]
    assert result.task("none")["resources"] == []
    assert result.task("unknown kind")["api_found"] is False
    assert all(not t["result"].get("changed") for t in result.tasks)


def test_check_mode_cannot_see_a_namespace_it_would_create(k8s, ansible_env):
    """Upstream behaviour, same on a real API server: check mode is a server-side dry run, the dry-run Namespace
    is never stored, so objects meant to go into it fail with 404 in check mode."""
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "fresh"}}
    configmap = dict(CONFIGMAP, metadata={"name": "c", "namespace": "fresh"})
    result = run_playbook(tasks=k8s_task([namespace, configmap]), check=True, env=ansible_env)
    assert result.rc != 0
    assert 'namespaces \\"fresh\\" not found' in result.task("k8s")["msg"]
    assert k8s.get("v1", "namespaces", "fresh") is None


def test_helm_and_helm_info(k8s, ansible_env, helm_binary, demo_chart):
    release = {
        "binary_path": helm_binary,
        "release_name": "demo",
        "release_namespace": "demo",
        "chart_ref": demo_chart,
        "create_namespace": True,
        "wait": True,
        "wait_timeout": "60s",
        "release_values": {"message": "hi", "replicaCount": 2},
    }
    tasks = [{"name": "helm", "kubernetes.core.helm": release}]

    def release_secrets():
        return k8s.list("v1", "secrets", "demo", label_selector="owner=helm,name=demo")

    rv = k8s.resource_version
    assert play(ansible_env, tasks, check=True).task("helm")["changed"] is True
    assert k8s.resource_version == rv and k8s.get("v1", "namespaces", "demo") is None

    installed = play(ansible_env, tasks).task("helm")
    assert installed["changed"] is True and installed["status"]["status"] == "deployed"
    # helm reads the OpenAPI v3 index, sees that the server validates fields itself, and so needs neither
    # /openapi/v2 nor --disable-openapi-validation; its release storage writes Secrets as protobuf.
    paths = {r["path"] for r in k8s.requests}
    assert "/openapi/v3" in paths and "/openapi/v2" not in paths
    writes = requests_to(k8s, "POST", "/namespaces/demo/secrets") + requests_to(k8s, "PUT", ".demo.v1")
    assert {r["content_type"] for r in writes} == {"application/vnd.kubernetes.protobuf"}
    (secret,) = release_secrets()
    assert secret["type"] == "helm.sh/release.v1" and secret["metadata"]["labels"]["status"] == "deployed"
    assert k8s.get("v1", "configmaps", "demo-config", "demo")["data"] == {"message": "hi"}
    assert k8s.get("apps/v1", "deployments", "demo", "demo")["status"]["readyReplicas"] == 2
    rv = k8s.resource_version

    check = play(ansible_env, tasks, check=True).task("helm")
    assert check["changed"] is False
    again = play(ansible_env, tasks).task("helm")
    assert again["changed"] is False
    # Upstream: without the helm-diff plugin, kubernetes.core.helm only compares chart name/version, appVersion
    # and values, and says so on every run against an existing release.
    assert any("Install helm diff >= 3.4.1" in w for w in again["warnings"])
    assert k8s.resource_version == rv

    info = play(
        ansible_env,
        [
            {
                "name": "info",
                "kubernetes.core.helm_info": {
                    "binary_path": helm_binary,
                    "release_name": "demo",
                    "release_namespace": "demo",
                },
            }
        ],
    ).task("info")
    assert info["status"]["status"] == "deployed" and info["status"]["revision"] == "1"
    assert info["status"]["values"] == {"message": "hi", "replicaCount": 2}

    upgrade = [
        {"name": "helm", "kubernetes.core.helm": dict(release, release_values={"message": "bye", "replicaCount": 2})}
    ]
    assert play(ansible_env, upgrade, check=True).task("helm")["changed"] is True
    assert k8s.resource_version == rv
    assert play(ansible_env, upgrade).task("helm")["status"]["revision"] == "2"
    assert k8s.get("v1", "configmaps", "demo-config", "demo")["data"] == {"message": "bye"}
    assert sorted(s["metadata"]["labels"]["status"] for s in release_secrets()) == ["deployed", "superseded"]

    absent = [
        {
            "name": "helm",
            "kubernetes.core.helm": {
                "binary_path": helm_binary,
                "release_name": "demo",
                "release_namespace": "demo",
                "release_state": "absent",
                "wait": True,
            },
        }
    ]
    rv = k8s.resource_version
    assert play(ansible_env, absent, check=True).task("helm")["changed"] is True
    assert k8s.resource_version == rv
    assert play(ansible_env, absent).task("helm")["changed"] is True
    assert release_secrets() == [] and k8s.get("apps/v1", "deployments", "demo", "demo") is None
    deletes = [r for r in requests_to(k8s, "DELETE", "") if "sh.helm.release.v1.demo" in r["path"]]
    assert len(deletes) == 2 and {r["content_type"] for r in deletes} == {"application/vnd.kubernetes.protobuf"}
    assert play(ansible_env, absent).task("helm")["changed"] is False
