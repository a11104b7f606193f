"""The kubernetes target applied with kubernetes.core.k8s to the Kubernetes API fake (tests/fakes/k8s_api):
check -> apply -> check -> apply, independent reads of the fake's store, a config change rolling the pods,
secrets kept out of -vvv output, and removal. (Schema validation is test_litellm_gateway_kubernetes.py's job:
the fake does not validate schemas; see tests/fakes/README.md.)
"""

import base64
import os
import secrets

import pytest

import litellm_support as ls
from fakes.k8s_api import FakeKubeAPI
from support import k8s_security

SECRETS = dict(
    LITELLM_MASTER_KEY="sk-master-apply-" + secrets.token_hex(6),
    ANTHROPIC_API_KEY="sk-ant-apply-" + secrets.token_hex(6),
    OPENAI_API_KEY="sk-openai-apply-" + secrets.token_hex(6),
    GEMINI_API_KEY="gemini-apply-" + secrets.token_hex(6),
)
REDIS_PASSWORD = "redis-apply-" + secrets.token_hex(6)
NS = "litellm"
OBJECTS = [
    ("v1", "namespaces", NS, None),
    ("v1", "secrets", "litellm-gateway-env", NS),
    ("v1", "configmaps", "litellm-gateway-config", NS),
    ("apps/v1", "deployments", "litellm-gateway", NS),
    ("apps/v1", "deployments", "litellm-gateway-redis", NS),
    ("v1", "services", "litellm-gateway", NS),
    ("v1", "services", "litellm-gateway-redis", NS),
    ("networking.k8s.io/v1", "ingresses", "litellm-gateway", NS),
    ("networking.k8s.io/v1", "networkpolicies", "litellm-gateway", NS),
    ("networking.k8s.io/v1", "networkpolicies", "litellm-gateway-redis", NS),
    ("autoscaling/v2", "horizontalpodautoscalers", "litellm-gateway", NS),
    ("policy/v1", "poddisruptionbudgets", "litellm-gateway", NS),
]


@pytest.fixture
def cluster(tmp_path):
    api = FakeKubeAPI(token=secrets.token_hex(16)).start()
    api.kubeconfig_path = api.write_kubeconfig(str(tmp_path / "kubeconfig"))
    api.tmpdir = str(tmp_path / "tmp")  # kubernetes.core's discovery cache, per API server
    os.makedirs(api.tmpdir)
    yield api
    api.stop()


def stage(cluster, verbosity=0, diff=False, **extra):
    gw = ls.Gateway(
        "it-litellm-k8s-apply",
        env=dict(SECRETS, TMPDIR=cluster.tmpdir),
        extra_vars=dict(
            litellm_gateway_target="kubernetes",
            litellm_gateway_k8s_kubeconfig=cluster.kubeconfig_path,
            litellm_gateway_redis_password=REDIS_PASSWORD,
        ),
    )
    return gw.run(verbosity=verbosity, diff=diff, **extra)


def test_check_apply_check_apply_then_remove(cluster):
    plan = stage(cluster, check=True)
    assert not plan.failed, plan.stdout[-4000:]
    assert plan.changed > 0
    assert cluster.get("apps/v1", "deployments", "litellm-gateway", namespace=NS) is None  # the plan wrote nothing

    apply = stage(cluster)
    assert not apply.failed, apply.stdout[-4000:]
    assert apply.changed > 0
    version = cluster.resource_version

    again = stage(cluster, check=True)
    assert not again.failed and again.changed == 0, [t["name"] for t in again.tasks if t["result"].get("changed")]
    last = stage(cluster)
    assert not last.failed and last.changed == 0, [t["name"] for t in last.tasks if t["result"].get("changed")]
    assert cluster.resource_version == version  # nothing was written by the converged runs

    # Independent reads of the fake's store.
    for api_version, plural, name, namespace in OBJECTS:
        assert cluster.get(api_version, plural, name, namespace=namespace), (plural, name)
    secret = cluster.get("v1", "secrets", "litellm-gateway-env", namespace=NS)
    data = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    assert data == dict(SECRETS, REDIS_PASSWORD=REDIS_PASSWORD)
    dep = cluster.get("apps/v1", "deployments", "litellm-gateway", namespace=NS)
    assert dep["status"]["readyReplicas"] == 3
    config = cluster.get("v1", "configmaps", "litellm-gateway-config", namespace=NS)["data"]["config.yaml"]
    assert "os.environ/LITELLM_MASTER_KEY" in config and SECRETS["LITELLM_MASTER_KEY"] not in config

    # A config change rolls the pods (new pod template checksum), and only the objects that carry it change.
    before = dep["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
    change = stage(cluster, litellm_gateway_cache_ttl=600)
    assert not change.failed, change.stdout[-4000:]
    dep = cluster.get("apps/v1", "deployments", "litellm-gateway", namespace=NS)
    assert dep["spec"]["template"]["metadata"]["annotations"]["checksum/config"] != before
    changed = [r["item"] for r in change.task("Apply the other objects")["results"] if r.get("changed")]
    assert changed == ["configmap", "deployment"], changed

    removed = stage(cluster, litellm_gateway_state="absent")
    assert not removed.failed, removed.stdout[-4000:]
    for api_version, plural, name, namespace in OBJECTS[1:]:
        assert cluster.get(api_version, plural, name, namespace=namespace) is None, (plural, name)
    assert cluster.get("v1", "namespaces", NS)  # kept: it may hold other things
    assert stage(cluster, litellm_gateway_state="absent").changed == 0


def test_secrets_stay_out_of_vvv_output_when_applying(cluster):
    res = stage(cluster, verbosity=3, diff=True)
    assert res.rc == 0, res.stdout[-4000:]
    assert "Apply the Secret" in res.stdout
    out = res.stdout + res.stderr
    for name, value in list(SECRETS.items()) + [("REDIS_PASSWORD", REDIS_PASSWORD)]:
        assert value not in out, name
        assert base64.b64encode(value.encode()).decode() not in out, name


REMOVE_ANNOTATION = "Remove the client-side apply annotation from the Secret"


def test_a_secret_applied_client_side_loses_its_annotation(cluster, tmp_path):
    """Versions before server-side apply (or kubectl apply by hand) left every key of the Secret in its
    last-applied-configuration annotation. The next converge takes the Secret over server-side and removes the
    annotation, reported as a change: check -> apply -> check -> apply, then the store read directly."""
    old = {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {"name": "litellm-gateway-env", "namespace": NS},
        "stringData": dict(
            SECRETS, LITELLM_MASTER_KEY="sk-master-old-" + secrets.token_hex(4), REDIS_PASSWORD=REDIS_PASSWORD
        ),
    }
    k8s_security.client_side_apply(
        cluster.kubeconfig_path, [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}, old], tmp_path
    )
    assert k8s_security.annotated_secrets(cluster.list("v1", "secrets")) == [NS + "/litellm-gateway-env"]
    rv = cluster.resource_version

    plan = stage(cluster, check=True)
    assert not plan.failed, plan.failure()
    assert plan.task("Apply the Secret")["changed"] and plan.task(REMOVE_ANNOTATION)["changed"]
    assert cluster.resource_version == rv  # the plan wrote nothing
    applied = stage(cluster)
    assert not applied.failed, applied.failure()
    assert applied.task(REMOVE_ANNOTATION)["changed"]
    rv = cluster.resource_version
    for check in (True, False):
        again = stage(cluster, check=check)
        assert not again.failed and again.changed == 0, [t["name"] for t in again.tasks if t["result"].get("changed")]
        assert again.task(REMOVE_ANNOTATION)["skipped"]
    assert cluster.resource_version == rv

    secret = cluster.get("v1", "secrets", "litellm-gateway-env", namespace=NS)
    assert "annotations" not in secret["metadata"]
    assert {k: base64.b64decode(v).decode() for k, v in secret["data"].items()} == dict(
        SECRETS, REDIS_PASSWORD=REDIS_PASSWORD
    )
    assert {e["manager"] for e in secret["metadata"]["managedFields"]} == {"insightpulseai.workbench.litellm_gateway"}
    assert k8s_security.annotated_secrets(cluster.list("v1", "secrets")) == []
    for value in list(old["stringData"].values()):
        assert value not in plan.stdout + applied.stdout
