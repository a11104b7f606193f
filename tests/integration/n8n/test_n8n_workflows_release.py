"""n8n in the cluster (the n8n_workflows role with n8n_workflows_release_enabled): real helm 3.19 installs the stand-in
of the 8gears chart (tests/fakes/charts/standin.py: the real chart's default values, and a schema derived from them so
that any key the real chart does not have fails the install) into the Kubernetes API fake; then the workflows are
imported through n8n_workflows_url. The fake runs no pods, so the n8n the import talks to is the real local n8n of
these tests, standing in for the cluster's (as Traefik would route to it) - see tests/fakes/README.md.

Check -> apply -> check -> apply (changed, changed, unchanged, unchanged), with independent reads of the fake's store;
no output may carry the database password, the encryption key, the owner's password or its hash.
"""

from __future__ import annotations

import base64
import gzip
import json
import os

import pytest
import yaml

from ansible_collections.insightpulseai.workbench.plugins.filter.bcrypt_hash import bcrypt_hash
from fakes.charts import standin
from support import k8s_security
from support.ansible import ROOT, run_playbook
from support.automation import WEBHOOK_TOKEN, workflow_db_vars
from support.cycle import check_apply_check_apply
from support.n8n import OWNER_EMAIL, Api, ApiError


PLAYBOOK = os.path.join(ROOT, "playbooks", "workflows.yml")
NS = "n8n"
DB_PASSWORD = "n8n-db-pw-7Hq2"
ENCRYPTION_KEY = "it-encryption-key-0123456789abcdef"
DSN = "postgresql://workbench_n8n:%s@db.workbench.test:5432/postgres?sslmode=require" % DB_PASSWORD
OWNER_PASSWORD = "Release-Owner-Pw-4u"
OWNER_HASH = bcrypt_hash(OWNER_PASSWORD, ENCRYPTION_KEY)
SECRETS = (
    DB_PASSWORD,
    ENCRYPTION_KEY,
    OWNER_PASSWORD,
    OWNER_HASH,
    base64.b64encode(DB_PASSWORD.encode()).decode(),
    base64.b64encode(ENCRYPTION_KEY.encode()).decode(),
    base64.b64encode(OWNER_HASH.encode()).decode(),
)
RELEASE = "Install or upgrade the n8n release"


@pytest.fixture(scope="module")
def chart(tmp_path_factory):
    try:
        return standin.assemble("n8n", tmp_path_factory.mktemp("n8n-chart"))
    except standin.ContractsMissing as exc:
        pytest.skip(str(exc))


@pytest.fixture
def env(ansible_env):
    """No kubeconfig in the environment: the role finds it through the doks_cluster stage's fact."""
    return {k: v for k, v in ansible_env.items() if k not in ("K8S_AUTH_KUBECONFIG", "KUBECONFIG")}


@pytest.fixture
def release_vars(kubeconfig, helm_binary, chart):
    return dict(
        n8n_workflows_release_enabled=True,
        n8n_workflows_kubeconfig=kubeconfig,
        n8n_workflows_helm_binary=helm_binary,
        n8n_workflows_chart_ref=chart,
        n8n_workflows_helm_wait=False,
        n8n_workflows_hostname="n8n.workbench.test",
        n8n_workflows_release_db_dsn=DSN,
        n8n_workflows_release_encryption_key=ENCRYPTION_KEY,
        n8n_workflows_owner_email="owner@workbench.test",
        n8n_workflows_owner_password=OWNER_PASSWORD,
        # only the release part runs (--tags n8n_workflows_release): nothing listens here
        n8n_workflows_url="http://127.0.0.1:9",
        n8n_workflows_api_key="unused-in-these-runs",
        n8n_workflows_mattermost_webhook_url="http://127.0.0.1:8065/hooks/it",
        n8n_workflows_webhook_auth_token=WEBHOOK_TOKEN,
    )


def play(inventory, env, extra_vars, check=False, tags=None, expect_ok=True, verbosity=0):
    result = run_playbook(
        playbook=PLAYBOOK,
        inventory=inventory,
        extra_vars=extra_vars,
        check=check,
        diff=True,
        env=env,
        tags=tags,
        verbosity=verbosity,
    )
    text = result.stdout + result.stderr
    assert not [s for s in SECRETS if s in text], "the output carries a secret"
    if expect_ok:
        assert result.rc == 0, result.failure() or result.stderr[-3000:] or result.stdout[-3000:]
    return result


def helm_release(k8s, name="n8n"):
    secrets = k8s.list("v1", "secrets", NS, label_selector="owner=helm,name=%s" % name)
    if not secrets:
        return None
    latest = max(secrets, key=lambda s: int(s["metadata"]["labels"]["version"]))
    raw = base64.b64decode(base64.b64decode(latest["data"]["release"]))
    return json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)


def get(k8s, api_version, plural, name):
    return k8s.get(api_version, plural, name, namespace=NS)


def test_release_check_apply_check_apply(k8s, inventory, env, release_vars):
    plan = play(inventory, env, release_vars, check=True, tags="n8n_workflows_release")
    assert plan.changed > 0
    assert helm_release(k8s) is None and k8s.list("v1", "secrets", NS) == []  # the plan wrote nothing

    apply = play(inventory, env, release_vars, tags="n8n_workflows_release")
    assert apply.changed > 0 and apply.task(RELEASE)["changed"]
    for check in (True, False):
        again = play(inventory, env, release_vars, check=check, tags="n8n_workflows_release")
        assert again.changed == 0, [t["name"] for t in again.tasks if t["result"].get("changed")]

    # independent reads of the fake's store
    release = helm_release(k8s)
    assert release["info"]["status"] == "deployed" and release["version"] == 1
    assert release["chart"]["metadata"]["version"] == "1.1.0"
    values = release["config"]
    assert values["image"] == {"repository": "n8nio/n8n", "tag": "2.41.1", "pullPolicy": "IfNotPresent"}
    assert not [s for s in SECRETS if s in json.dumps(values)], "a secret is in helm's values"

    config = get(k8s, "v1", "configmaps", "n8n-app-config")["data"]
    assert config["DB_TYPE"] == "postgresdb" and config["DB_POSTGRESDB_HOST"] == "db.workbench.test"
    assert config["DB_POSTGRESDB_SCHEMA"] == "n8n" and config["DB_POSTGRESDB_SSL_ENABLED"] == "true"
    assert config["EXECUTIONS_MODE"] == "queue" and config["QUEUE_BULL_REDIS_HOST"] == "n8n-valkey-primary"
    assert config["WEBHOOK_URL"] == "https://n8n.workbench.test/" and config["N8N_METRICS"] == "true"
    assert not [s for s in SECRETS if s in json.dumps(config)]

    secret = get(k8s, "v1", "secrets", "n8n-workbench")
    data = dict((k, base64.b64decode(v).decode()) for k, v in secret["data"].items())
    assert data == {
        "DB_POSTGRESDB_PASSWORD": DB_PASSWORD,
        "N8N_ENCRYPTION_KEY": ENCRYPTION_KEY,
        "N8N_INSTANCE_OWNER_EMAIL": "owner@workbench.test",
        "N8N_INSTANCE_OWNER_PASSWORD_HASH": OWNER_HASH,
    }
    assert "kubectl.kubernetes.io/last-applied-configuration" not in secret["metadata"].get("annotations", {})

    main = get(k8s, "apps/v1", "deployments", "n8n")
    worker = get(k8s, "apps/v1", "deployments", "n8n-worker")
    assert main["spec"]["replicas"] == 1
    rendered = dict(
        (d["metadata"]["name"], d) for d in yaml.safe_load_all(release["manifest"]) if d and d["kind"] == "Deployment"
    )
    assert "replicas" not in rendered["n8n-worker"]["spec"]  # the autoscaler owns the workers' count
    container = worker["spec"]["template"]["spec"]["containers"][0]
    assert container["image"] == "n8nio/n8n:2.41.1" and container["args"][0] == "worker"
    env_refs = dict((e["name"], e["valueFrom"]["secretKeyRef"]) for e in container["env"])
    assert env_refs["N8N_ENCRYPTION_KEY"] == {"name": "n8n-workbench", "key": "N8N_ENCRYPTION_KEY"}
    assert env_refs["QUEUE_BULL_REDIS_PASSWORD"] == {"name": "n8n-valkey", "key": "valkey-password"}
    assert not [name for name in env_refs if name.startswith("N8N_INSTANCE_OWNER_")]  # workers never set the owner up
    # the main process pre-seeds the owner: e-mail and hash from the role's Secret, nothing of it in the values
    main_env = dict(
        (e["name"], e.get("valueFrom", {}).get("secretKeyRef", e.get("value")))
        for e in main["spec"]["template"]["spec"]["containers"][0]["env"]
    )
    assert main_env["N8N_INSTANCE_OWNER_MANAGED_BY_ENV"] == "true"
    assert main_env["N8N_INSTANCE_OWNER_PASSWORD_HASH"] == {
        "name": "n8n-workbench",
        "key": "N8N_INSTANCE_OWNER_PASSWORD_HASH",
    }
    assert main_env["N8N_INSTANCE_OWNER_EMAIL"] == {"name": "n8n-workbench", "key": "N8N_INSTANCE_OWNER_EMAIL"}
    annotations = main["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true" and annotations["prometheus.io/port"] == "5678"
    hpa = get(k8s, "autoscaling/v2", "horizontalpodautoscalers", "n8n-worker")
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 5)
    service = get(k8s, "v1", "services", "n8n")
    assert service["spec"]["ports"][0]["port"] == 5678  # where the traefik role's n8n route points
    assert_restricted_and_isolated(k8s)


def assert_restricted_and_isolated(k8s):
    """n8n's pods (main, workers) and the bundled Valkey's, stored and as helm rendered them, meet the restricted
    Pod Security Standard and mount no token; the NetworkPolicies admit only what they should; the budgets and the
    workers' autoscaler exist. Reads the fake's store."""
    found, checked = k8s_security.workload_violations(k8s_security.fake_cluster_objects(k8s))
    assert found == [], "\n".join(found)
    release = "helm release n8n/n8n v%s" % helm_release(k8s)["version"]
    for workload in ("Deployment n8n/n8n", "Deployment n8n/n8n-worker", "StatefulSet n8n/n8n-valkey-primary"):
        assert "%s (stored)" % workload in checked and "%s (%s)" % (workload, release) in checked, checked
    account = get(k8s, "v1", "serviceaccounts", "n8n-workbench")
    assert account["automountServiceAccountToken"] is False
    for name in ("n8n", "n8n-worker"):
        pod = get(k8s, "apps/v1", "deployments", name)["spec"]["template"]
        assert pod["spec"]["serviceAccountName"] == "n8n-workbench"
        assert pod["metadata"]["labels"]["n8n-valkey-client"] == "true"  # what Valkey's NetworkPolicy admits
        mounts = {m["mountPath"] for m in pod["spec"]["containers"][0]["volumeMounts"]}
        assert mounts == {"/home/node/.n8n", "/home/node/.cache", "/tmp"}  # the only places n8n writes
    main_policy = get(k8s, "networking.k8s.io/v1", "networkpolicies", "n8n")["spec"]
    assert main_policy["podSelector"]["matchLabels"] == {
        "app.kubernetes.io/name": "n8n",
        "app.kubernetes.io/instance": "n8n",
        "app.kubernetes.io/type": "master",
    }
    assert main_policy["policyTypes"] == ["Ingress"]
    (rule,) = main_policy["ingress"]
    assert [f["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for f in rule["from"]] == [
        "traefik",
        "monitoring",
    ]
    assert rule["ports"] == [{"protocol": "TCP", "port": 5678}]
    (worker_rule,) = get(k8s, "networking.k8s.io/v1", "networkpolicies", "n8n-worker")["spec"]["ingress"]
    assert [f["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"] for f in worker_rule["from"]] == [
        "monitoring"
    ]
    valkey = get(k8s, "networking.k8s.io/v1", "networkpolicies", "n8n-valkey")["spec"]
    (valkey_rule,) = valkey["ingress"]
    assert valkey_rule["from"] == [
        {"podSelector": {"matchLabels": {"n8n-valkey-client": "true"}}},
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "valkey", "app.kubernetes.io/instance": "n8n"}}},
    ]
    for name in ("n8n", "n8n-worker"):
        budget = get(k8s, "policy/v1", "poddisruptionbudgets", name)["spec"]
        assert budget["maxUnavailable"] == 1 and budget["selector"]["matchLabels"]["app.kubernetes.io/type"] in (
            "master",
            "worker",
        )


@pytest.mark.parametrize("rotate", ["database password", "owner password"])
def test_changed_secret_rolls_the_pods_without_showing_it(k8s, inventory, env, release_vars, rotate):
    play(inventory, env, release_vars, tags="n8n_workflows_release")
    before = get(k8s, "apps/v1", "deployments", "n8n")["spec"]["template"]["metadata"]["annotations"]
    if rotate == "database password":
        rotated, new = (
            dict(release_vars, n8n_workflows_release_db_dsn=DSN.replace(DB_PASSWORD, "rotated-pw-Zx81")),
            "rotated-pw-Zx81",
        )
    else:
        rotated, new = dict(release_vars, n8n_workflows_owner_password="Rotated-Owner-Pw-9"), "Rotated-Owner-Pw-9"
    plan = play(inventory, env, rotated, check=True, tags="n8n_workflows_release")
    assert plan.changed > 0 and new not in plan.stdout
    play(inventory, env, rotated, tags="n8n_workflows_release")
    after = get(k8s, "apps/v1", "deployments", "n8n")["spec"]["template"]["metadata"]["annotations"]
    assert after["checksum/workbench-secret"] != before["checksum/workbench-secret"]
    data = dict(
        (k, base64.b64decode(v).decode()) for k, v in get(k8s, "v1", "secrets", "n8n-workbench")["data"].items()
    )
    if rotate == "database password":
        assert data["DB_POSTGRESDB_PASSWORD"] == new
    else:
        assert data["N8N_INSTANCE_OWNER_PASSWORD_HASH"] == bcrypt_hash(new, ENCRYPTION_KEY) != OWNER_HASH
        assert new not in json.dumps(data)


def test_every_value_the_role_sets_exists_in_the_chart(k8s, inventory, env, release_vars, chart):
    """The values helm stored (only what the role set), walked against the real chart's defaults: a key under a
    mapping the defaults spell out must be one of theirs (helm enforces the same through the derived schema; this
    names the key directly). Multi-main and an external Redis are rendered too."""
    defaults = yaml.safe_load(open(os.path.join(chart, "values.yaml")))
    # the bundled Valkey's keys are the sub-chart's (helm passes valkey.* to it), plus its condition
    defaults["valkey"] = dict(standin.subchart_defaults("valkey"), enabled=False)
    for parent, keys in standin.TEMPLATE_ONLY.items():  # read by the chart's templates, absent from its values.yaml
        defaults[parent[0]].update((key, {}) for key in keys)

    def walk(value, default, path):
        if (
            isinstance(value, dict)
            and isinstance(default, dict)
            and default
            and (not path or path[-1] not in standin.FREE_FORM)
        ):
            for key, sub in value.items():
                assert key in default, "%s is not a key of the 8gears chart 1.1.0" % ".".join(path + (key,))
                walk(sub, default[key], path + (key,))

    for extra in (
        {},
        dict(
            n8n_workflows_release_multi_main=True,
            n8n_workflows_release_redis_host="redis.example.internal",
            n8n_workflows_release_redis_password="ext-redis-pw",
        ),
    ):
        play(inventory, env, dict(release_vars, **extra), tags="n8n_workflows_release")
        values = helm_release(k8s)["config"]
        walk(values, defaults, ())
        assert len(values) >= 6  # image, ingress, main, worker, webhook, valkey: the walk saw them
    assert values["main"]["autoscaling"]["enabled"] and values["valkey"] == {"enabled": False}
    assert values["main"]["config"]["QUEUE_BULL_REDIS_HOST"] == "redis.example.internal"


def test_a_key_the_chart_lacks_fails_the_install(k8s, inventory, env, release_vars):
    bad = dict(release_vars, n8n_workflows_release_extra_values={"main": {"replicas": 3}})
    result = play(inventory, env, bad, tags="n8n_workflows_release", expect_ok=False)
    assert result.failed and "additional properties 'replicas' not allowed" in json.dumps(result.failure())
    assert helm_release(k8s) is None


def test_import_through_the_in_cluster_url(k8s, inventory, env, release_vars, n8n_server, n8n, workbench_db):
    """The whole stage: the release, then the credential and workflows through n8n_workflows_url."""
    full = dict(
        release_vars,
        n8n_workflows_url=n8n_server.url,
        n8n_workflows_api_key=n8n_server.api_key,
        n8n_workflows_mattermost_webhook_url="http://127.0.0.1:8065/hooks/it",
        n8n_workflows_wait_timeout=30,
        **workflow_db_vars(workbench_db),
    )
    plan = play(inventory, env, full, check=True)
    assert plan.changed > 0 and n8n.workflows() == []
    assert "the credentials and 2 workflow(s) would be created" in plan.stdout  # no release yet: planned, not read
    apply = play(inventory, env, full)
    assert apply.changed > 0
    for check in (True, False):
        again = play(inventory, env, full, check=check)
        assert again.changed == 0, [t["name"] for t in again.tasks if t["result"].get("changed")]
    assert helm_release(k8s)["info"]["status"] == "deployed"
    assert sorted(w["name"] for w in n8n.workflows()) == ["Workbench: expense approval", "Workbench: pipeline trigger"]
    assert sorted(c["name"] for c in n8n.credentials()) == [
        "Workbench Postgres (automation)",
        "Workbench Postgres (expense approver)",
        "Workbench Postgres (pipeline runner)",
        "Workbench Webhook Auth",
    ]


def test_first_deploy_without_an_api_key_imports_in_one_run(
    k8s, inventory, env, release_vars, n8n_server, n8n, workbench_db
):
    """No n8n_workflows_api_key: release -> ready -> the role's own key (logged in as the owner the release
    pre-seeds) -> credentials -> workflows, active, in one run. The key is kept in the cluster and reused after.
    (The n8n answering is the local one, pre-seeded with the same N8N_INSTANCE_OWNER_* settings by local_stack.)"""
    label = "it-release-key-" + n8n_server.url.rsplit(":", 1)[1]
    first = dict(
        release_vars,
        n8n_workflows_url=n8n_server.url,
        n8n_workflows_api_key="",
        n8n_workflows_owner_email=OWNER_EMAIL,
        n8n_workflows_owner_password=n8n_server.owner_password,
        n8n_workflows_api_key_label=label,
        n8n_workflows_wait_timeout=30,
        n8n_workflows_mattermost_webhook_url="http://127.0.0.1:8065/hooks/it",
        **workflow_db_vars(workbench_db),
    )
    rest = n8n_server.rest()
    rest.login(OWNER_EMAIL, n8n_server.owner_password)
    for key in [k for k in rest.api_keys() if k["label"] == label]:  # a previous run's
        rest.call("DELETE", "/api-keys/" + key["id"])

    plan = play(inventory, env, first, check=True)
    assert plan.changed > 0 and helm_release(k8s) is None and n8n.workflows() == []
    apply = play(inventory, env, first)
    assert apply.changed > 0
    assert apply.task("Keep the new API key in the cluster")["changed"] is True
    assert apply.task("Ensure the workflows")["changed"] is True
    secret = get(k8s, "v1", "secrets", "n8n-workbench-api-key")
    key = base64.b64decode(secret["data"]["api-key"]).decode()
    assert key not in apply.stdout + apply.stderr and key not in plan.stdout
    for check in (True, False):
        again = play(inventory, env, first, check=check)
        assert again.changed == 0, [t["name"] for t in again.tasks if t["result"].get("changed")]
        assert key not in again.stdout + again.stderr

    # independent reads: one key of the label in n8n, the kept copy works, the workflows are there and active
    found = [k for k in rest.api_keys() if k["label"] == label]
    assert len(found) == 1 and found[0]["apiKey"][-4:] == key[-4:]
    assert "kubectl.kubernetes.io/last-applied-configuration" not in secret["metadata"].get("annotations", {})
    assert {m["manager"] for m in secret["metadata"]["managedFields"]} == {"insightpulseai.workbench.n8n_workflows"}
    workflows = Api(n8n_server.url, key).workflows()
    assert sorted((w["name"], w["active"]) for w in workflows) == [
        ("Workbench: expense approval", True),
        ("Workbench: pipeline trigger", True),
    ]

    # the kept copy lost (revoked in n8n): the next run renews the key and the Secret
    rest.call("DELETE", "/api-keys/" + found[0]["id"])
    renewed = play(inventory, env, first)
    new = base64.b64decode(get(k8s, "v1", "secrets", "n8n-workbench-api-key")["data"]["api-key"]).decode()
    assert renewed.task("Ensure the role's API key")["changed"] is True and new != key
    assert len(Api(n8n_server.url, new).workflows()) == 2
    try:
        Api(n8n_server.url, key).workflows()
        raise AssertionError("the revoked key still works")
    except ApiError as exc:
        assert exc.status == 401
    rest.call("DELETE", "/api-keys/" + [k for k in rest.api_keys() if k["label"] == label][0]["id"])


def test_the_release_refuses_a_missing_owner_before_any_write(k8s, inventory, env, release_vars):
    rv = k8s.resource_version
    for overrides, message in (
        (dict(n8n_workflows_owner_email=""), 'n8n_workflows_owner_email="" is not an e-mail'),
        (dict(n8n_workflows_owner_password=""), "n8n_workflows_owner_password is empty"),
        (
            dict(n8n_workflows_owner_password="alllowercase1"),
            "n8n_workflows_owner_password (13 characters, not shown) must be 8 to 64",
        ),
    ):
        result = play(inventory, env, dict(release_vars, **overrides), tags="n8n_workflows_release", expect_ok=False)
        assert result.failed and message in result.failure()["msg"], result.failure()
        assert "alllowercase1" not in result.stdout + result.stderr
    assert k8s.resource_version == rv and helm_release(k8s) is None


def test_destroy_removes_the_release(k8s, inventory, env, release_vars, tmp_path):
    """roles/n8n_workflows/tasks/destroy.yml (playbooks/destroy.yml's n8n step): check -> apply -> check -> apply,
    with the volume claim a Valkey StatefulSet would leave behind."""
    play(inventory, env, release_vars, tags="n8n_workflows_release")
    k8s.cluster.create(
        k8s._type("v1", "persistentvolumeclaims"),
        NS,
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {
                "name": "valkey-data-n8n-valkey-primary-0",
                "namespace": NS,
                "labels": {"app.kubernetes.io/instance": "n8n"},
            },
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "8Gi"}}},
        },
    )
    playbook = tmp_path / "destroy-n8n.yml"
    playbook.write_text(
        yaml.safe_dump(
            [
                {
                    "name": "n8n teardown",
                    "hosts": "workbench_workflows",
                    "gather_facts": False,
                    "tasks": [
                        {
                            "name": "Remove n8n",
                            "ansible.builtin.include_role": {
                                "name": "insightpulseai.workbench.n8n_workflows",
                                "tasks_from": "destroy.yml",
                            },
                        }
                    ],
                }
            ]
        )
    )

    def run(check):
        result = run_playbook(
            playbook=str(playbook), inventory=inventory, extra_vars=release_vars, check=check, env=env
        )
        assert result.rc == 0, result.failure() or result.stdout[-3000:]
        return result

    # the plan removes nothing: the release stays deployed and the fake's store does not move
    runs = check_apply_check_apply(run, state=lambda: k8s.resource_version, changed=lambda r: r.changed > 0)
    assert helm_release(k8s) is None
    assert k8s.get("apps/v1", "deployments", "n8n", namespace=NS) is None
    assert k8s.get("v1", "persistentvolumeclaims", "valkey-data-n8n-valkey-primary-0", namespace=NS) is None
    assert "removed: Helm release n8n/n8n, PersistentVolumeClaim valkey-data-n8n-valkey-primary-0" in runs[1].stdout


def test_queue_mode_off_removes_the_workers_objects(k8s, inventory, env, release_vars):
    """Without queue mode there are no workers: their NetworkPolicy, budget and autoscaler go; main's stay."""
    play(inventory, env, release_vars, tags="n8n_workflows_release")
    assert get(k8s, "autoscaling/v2", "horizontalpodautoscalers", "n8n-worker")
    single = dict(release_vars, n8n_workflows_release_queue_mode=False)
    check_apply_check_apply(
        lambda check: play(inventory, env, single, check=check, tags="n8n_workflows_release"),
        state=lambda: k8s.resource_version,
        changed=lambda r: r.changed > 0,
        explain=lambda runs: [[t["name"] for t in r.tasks if t["result"].get("changed")] for r in runs],
    )
    for api_version, plural in (
        ("networking.k8s.io/v1", "networkpolicies"),
        ("policy/v1", "poddisruptionbudgets"),
        ("autoscaling/v2", "horizontalpodautoscalers"),
    ):
        assert get(k8s, api_version, plural, "n8n-worker") is None, plural
    assert get(k8s, "networking.k8s.io/v1", "networkpolicies", "n8n") and get(
        k8s, "policy/v1", "poddisruptionbudgets", "n8n"
    )
    found, _checked = k8s_security.workload_violations(k8s_security.fake_cluster_objects(k8s))
    assert found == [], "\n".join(found)


def test_a_secret_applied_client_side_loses_its_annotation(k8s, kubeconfig, inventory, env, release_vars, tmp_path):
    """The role's Secret applied client-side over a converged release (kubectl apply by hand, with an older password)
    holds its values in the last-applied-configuration annotation; the next converge takes it over server-side and
    removes the annotation: check -> apply -> check -> apply, then the store read directly."""
    play(inventory, env, release_vars, tags="n8n_workflows_release")
    old = {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {"name": "n8n-workbench", "namespace": NS},
        "stringData": {"N8N_ENCRYPTION_KEY": ENCRYPTION_KEY, "DB_POSTGRESDB_PASSWORD": "old-db-pw-Qs7"},
    }
    k8s_security.client_side_apply(kubeconfig, [old], tmp_path)
    assert k8s_security.annotated_secrets(k8s.list("v1", "secrets")) == [NS + "/n8n-workbench"]
    remove = "Remove the client-side apply annotation from the n8n Secret"
    rv = k8s.resource_version
    plan = play(inventory, env, release_vars, check=True, tags="n8n_workflows_release")
    assert plan.task(remove)["changed"] and k8s.resource_version == rv
    applied = play(inventory, env, release_vars, tags="n8n_workflows_release")
    assert applied.task(remove)["changed"]
    for check in (True, False):
        again = play(inventory, env, release_vars, check=check, tags="n8n_workflows_release")
        assert again.changed == 0 and again.task(remove)["skipped"], [
            t["name"] for t in again.tasks if t["result"].get("changed")
        ]
    secret = get(k8s, "v1", "secrets", "n8n-workbench")
    assert "annotations" not in secret["metadata"]
    assert {k: base64.b64decode(v).decode() for k, v in secret["data"].items()} == {
        "DB_POSTGRESDB_PASSWORD": DB_PASSWORD,
        "N8N_ENCRYPTION_KEY": ENCRYPTION_KEY,
        "N8N_INSTANCE_OWNER_EMAIL": "owner@workbench.test",
        "N8N_INSTANCE_OWNER_PASSWORD_HASH": OWNER_HASH,
    }
    assert k8s_security.annotated_secrets(k8s.list("v1", "secrets")) == []
    assert "old-db-pw-Qs7" not in plan.stdout + applied.stdout
