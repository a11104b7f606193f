"""The input rules of n8n_workflows (plugin_utils._inputs_n8n_workflows), through the role_input_problems filter."""

from __future__ import annotations

import json
import os
import stat

import pytest

from ansible_collections.insightpulseai.workbench.plugins.filter.role_input_problems import role_input_problems

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
SEED = os.path.join(ROOT, "roles", "n8n_workflows", "files", "expense_approval.json")
KEY = "unit-n8n-api-key-0123"
PASSWORD = "unit-pg-secret-pw"
HOOK = "https://mm.example.org/hooks/unit-hook-secret"
TOKEN = "unit-webhook-token-0123456789abcdef-0123"
OWNER = "Unit-Owner-Passw0rd"
ENCRYPTION = "unit-encryption-key-0123456789"
SECRETS = (KEY, PASSWORD, HOOK, "unit-hook-secret", TOKEN, OWNER, ENCRYPTION)


def dsn(user):
    return "postgresql://%s:%s@127.0.0.1:5432/workbench" % (user, PASSWORD)


GOOD = dict(
    n8n_workflows_url="http://127.0.0.1:5678",
    n8n_workflows_api_key=KEY,
    n8n_workflows_release_enabled=False,
    n8n_workflows_postgres_dsn=dsn("workbench_automation"),
    n8n_workflows_expense_postgres_dsn=dsn("workbench_expense_approver"),
    n8n_workflows_pipeline_postgres_dsn="",
    n8n_workflows_webhook_auth_token=TOKEN,
    n8n_workflows_webhook_auth_header="X-Workbench-Token",
    n8n_workflows_pipeline_lock_timeout="10s",
    n8n_workflows_timeout=30,
    n8n_workflows_management_tag="insightpulseai.workbench",
    n8n_workflows_expense_approval_threshold=5000,
    n8n_workflows_mattermost_webhook_url=HOOK,
    n8n_workflows_definitions=[{"src": SEED, "active": True}],
    n8n_workflows_credentials=[],
    n8n_workflows_placeholders={},
    n8n_workflows_secret_placeholders={},
    n8n_workflows_wait_timeout=0,
)


@pytest.fixture()
def helm(tmp_path):
    """A stand-in helm 3 binary: answers version --short, and show chart with an n8n 1.1.0 Chart.yaml."""
    path = tmp_path / "helm"
    path.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = version ]; then echo v3.19.0+g1; exit 0; fi\n'
        'if [ "$1" = show ]; then printf "apiVersion: v2\\nname: n8n\\nversion: 1.1.0\\ndependencies:\\n'
        '- name: valkey\\n  version: 2.0.0\\n"; exit 0; fi\n'
        "exit 1\n"
    )
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def release(helm, tmp_path, **changes):
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\n")
    values = dict(
        GOOD,
        n8n_workflows_api_key="",
        n8n_workflows_release_enabled=True,
        n8n_workflows_owner_email="owner@workbench.test",
        n8n_workflows_owner_password=OWNER,
        n8n_workflows_api_key_label="insightpulseai.workbench",
        n8n_workflows_namespace="n8n",
        n8n_workflows_ingress_namespace="traefik",
        n8n_workflows_metrics_namespace="monitoring",
        n8n_workflows_release_name="n8n",
        n8n_workflows_hostname="n8n.example.org",
        n8n_workflows_chart_version="1.1.0",
        n8n_workflows_image_tag="2.41.1",
        n8n_workflows_release_db_dsn=dsn("workbench_n8n"),
        n8n_workflows_release_db_schema="n8n",
        n8n_workflows_release_encryption_key=ENCRYPTION,
        n8n_workflows_release_queue_mode=True,
        n8n_workflows_release_redis_host="",
        n8n_workflows_release_redis_port=6379,
        n8n_workflows_release_worker_replicas=1,
        n8n_workflows_release_worker_max_replicas=3,
        n8n_workflows_release_worker_concurrency=5,
        n8n_workflows_release_autoscaling_cpu_utilization=70,
        n8n_workflows_chart_repo="oci://8gears.container-registry.com/library/n8n",
        n8n_workflows_chart_ref="",
        n8n_workflows_image_repository="n8nio/n8n",
        n8n_workflows_release_timezone="Asia/Manila",
        n8n_workflows_helm_wait_timeout="10m",
        n8n_workflows_release_resources={"requests": {"cpu": "250m", "memory": "512Mi"}},
        n8n_workflows_kubeconfig=str(kubeconfig),
        n8n_workflows_helm_binary=helm,
    )
    values.update(changes)
    return found(values)


def found(values, check_mode=False):
    problems = role_input_problems(values, "n8n_workflows", check_mode)
    for secret in SECRETS:
        assert all(secret not in p for p in problems), problems
    return problems


def problems(**changes):
    return found(dict(GOOD, **changes))


def test_the_seed_values_pass():
    assert problems() == []


def test_the_release_values_pass(helm, tmp_path):
    assert release(helm, tmp_path) == []


@pytest.mark.parametrize(
    "changes, expected",
    [
        (dict(n8n_workflows_url="n8n.example.org"), 'n8n_workflows_url="n8n.example.org" must be the base URL'),
        (dict(n8n_workflows_api_key=""), "n8n_workflows_api_key is empty."),
        (dict(n8n_workflows_timeout=0), "n8n_workflows_timeout=0 must be a number of seconds of at least 1."),
        (dict(n8n_workflows_management_tag="x" * 25), "must be a tag name of 1 to 24 characters"),
        (dict(n8n_workflows_postgres_dsn="mysql://a:%s@h/db" % PASSWORD), "n8n_workflows_postgres_dsn: not a "),
        (
            dict(n8n_workflows_postgres_dsn="host=127.0.0.1 user=workbench_automation dbname=w"),
            "n8n_workflows_postgres_dsn is not a postgresql:// URI",
        ),
        (dict(n8n_workflows_postgres_dsn=dsn("postgres")), "n8n_workflows_postgres_dsn logs in as the database owner"),
        (
            dict(n8n_workflows_expense_postgres_dsn=dsn("supabase_admin")),
            "n8n_workflows_expense_postgres_dsn logs in as the database owner",
        ),
        (
            dict(n8n_workflows_webhook_auth_token="short"),
            "n8n_workflows_webhook_auth_token (a secret of 5 characters, not shown) must be a secret of 32",
        ),
        (dict(n8n_workflows_webhook_auth_header="X Token"), 'n8n_workflows_webhook_auth_header="X Token" must be'),
        (dict(n8n_workflows_pipeline_lock_timeout="10 s"), 'n8n_workflows_pipeline_lock_timeout="10 s" must be'),
        (dict(n8n_workflows_expense_approval_threshold="lots"), 'threshold="lots" must be an amount'),
        (dict(n8n_workflows_mattermost_webhook_url="not a url"), "n8n_workflows_mattermost_webhook_url is not an"),
        (
            dict(n8n_workflows_mattermost_webhook_url=""),
            "use @@MATTERMOST_WEBHOOK_URL@@ but no value is set (MATTERMOST_WEBHOOK_URL comes from "
            "n8n_workflows_mattermost_webhook_url)",
        ),
        (dict(n8n_workflows_credentials=[{"name": "Mattermost"}]), "item 1 (Mattermost) needs a name and a type"),
        (
            dict(n8n_workflows_credentials=[{"name": "M", "type": "httpHeaderAuth", "state": "gone"}]),
            'state="gone" is not present or absent',
        ),
        (dict(n8n_workflows_credentials=[{"name": "M", "type": "httpHeaderAuth"}]), "item 1 (M) needs data"),
        (dict(n8n_workflows_placeholders={"approval-threshold": 1}), 'key(s) "approval-threshold": placeholder'),
        (dict(n8n_workflows_definitions=[{"src": "files/n8n/x.json"}]), 'src="files/n8n/x.json" is not an absolute'),
        (dict(n8n_workflows_definitions=[{"src": "/nonexistent/w.json"}]), '"/nonexistent/w.json" is not found'),
        (dict(n8n_workflows_definitions=["w.json"]), "n8n_workflows_definitions: item 1 is not a mapping"),
        (dict(n8n_workflows_definitions=[{"active": True}]), "item 1 has no src, definition or name"),
        (dict(n8n_workflows_wait_timeout=-1), "n8n_workflows_wait_timeout=-1 must be a number of seconds"),
    ],
)
def test_a_bad_input_is_named_with_its_value(changes, expected):
    assert any(expected in p for p in problems(**changes)), problems(**changes)


def test_a_definition_that_is_not_json_is_named_by_its_file(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    (found,) = problems(n8n_workflows_definitions=[{"src": str(broken)}])
    assert found.startswith("n8n_workflows_definitions: item 1: workflow file %s is not valid JSON" % broken)


def test_a_placeholder_of_an_inline_definition_needs_a_value():
    wf = {"name": "x", "nodes": [{"parameters": {"url": "@@TARGET_URL@@"}}], "connections": {}}
    (found,) = problems(n8n_workflows_definitions=[{"definition": wf}])
    assert "use @@TARGET_URL@@ but no value is set." in found
    assert problems(n8n_workflows_definitions=[{"definition": json.dumps(wf)}], n8n_workflows_placeholders={}) == [
        found
    ]
    assert problems(n8n_workflows_definitions=[{"definition": wf}], n8n_workflows_placeholders={"TARGET_URL": 1}) == []
    assert problems(n8n_workflows_definitions=[{"definition": wf, "state": "absent", "name": "x"}]) == []


def test_the_secret_placeholders_are_named_not_shown():
    (found,) = problems(n8n_workflows_secret_placeholders={"webhook token": "unit-hook-secret"})
    assert '"webhook token"' in found


@pytest.mark.parametrize(
    "changes, expected",
    [
        (dict(n8n_workflows_owner_email="owner@"), 'n8n_workflows_owner_email="owner@" is not an e-mail address'),
        (dict(n8n_workflows_owner_password=""), "n8n_workflows_owner_password is empty"),
        (dict(n8n_workflows_owner_password="weakpassword"), "(12 characters, not shown) must be 8 to 64"),
        (dict(n8n_workflows_api_key_label="x" * 51), "n8n_workflows_api_key_label="),
        (dict(n8n_workflows_namespace="N8N"), 'n8n_workflows_namespace="N8N" must be a Kubernetes namespace'),
        (dict(n8n_workflows_release_name="n" * 54), "must be a helm release name"),
        (dict(n8n_workflows_hostname="n8n"), 'n8n_workflows_hostname="n8n" is not a fully qualified DNS name'),
        (dict(n8n_workflows_chart_version="latest"), 'n8n_workflows_chart_version="latest" must be an exact'),
        (dict(n8n_workflows_image_tag="latest"), 'n8n_workflows_image_tag="latest" must be an exact'),
        (dict(n8n_workflows_release_db_dsn=dsn("postgres")), "n8n_workflows_release_db_dsn logs in as the database"),
        (
            dict(n8n_workflows_release_db_dsn="postgresql://workbench_n8n@127.0.0.1/db"),
            'n8n_workflows_release_db_dsn has no password (user "workbench_n8n")',
        ),
        (dict(n8n_workflows_release_db_schema="N8N Schema"), 'n8n_workflows_release_db_schema="N8N Schema" must be'),
        (
            dict(n8n_workflows_release_encryption_key="short"),
            "encryption_key (a secret of 5 characters, not shown) must be at least 24",
        ),
        (dict(n8n_workflows_release_redis_host="redis host"), 'n8n_workflows_release_redis_host="redis host" must be'),
        (dict(n8n_workflows_release_redis_port=0), "n8n_workflows_release_redis_port=0 must be a TCP port"),
        (dict(n8n_workflows_release_worker_replicas=0), "n8n_workflows_release_worker_replicas=0 must be"),
        (
            dict(n8n_workflows_release_worker_max_replicas=0),
            "n8n_workflows_release_worker_max_replicas=0 must be a number of workers (at least "
            "n8n_workflows_release_worker_replicas=1)",
        ),
        (dict(n8n_workflows_release_worker_concurrency=0), "n8n_workflows_release_worker_concurrency=0 must be"),
        (dict(n8n_workflows_release_autoscaling_cpu_utilization=150), "utilization=150 must be a percentage from 1"),
        (dict(n8n_workflows_chart_repo="example.org/n8n"), 'n8n_workflows_chart_repo="example.org/n8n" must be'),
        (dict(n8n_workflows_image_repository="n8nio/n8n editor"), 'n8n_workflows_image_repository="n8nio/n8n edit'),
        (dict(n8n_workflows_release_timezone="Manila time"), 'n8n_workflows_release_timezone="Manila time" must'),
        (dict(n8n_workflows_helm_wait_timeout="ten minutes"), 'n8n_workflows_helm_wait_timeout="ten minutes" must'),
        (dict(n8n_workflows_release_resources={"requests": {"cpu": "lots"}}), 'requests.cpu="lots", not a'),
        (
            dict(n8n_workflows_kubeconfig="/nonexistent/kubeconfig"),
            "n8n_workflows_kubeconfig=/nonexistent/kubeconfig is",
        ),
        (dict(n8n_workflows_helm_binary="/nonexistent/helm"), "n8n_workflows_helm_binary=/nonexistent/helm does not"),
        (dict(n8n_workflows_chart_ref="/nonexistent/n8n.tgz"), "n8n_workflows_chart_ref=/nonexistent/n8n.tgz does"),
    ],
)
def test_a_bad_release_input_is_named_with_its_value(helm, tmp_path, changes, expected):
    found = release(helm, tmp_path, **changes)
    assert any(expected in p for p in found), found


def test_the_release_inputs_are_not_checked_without_the_release():
    assert problems(n8n_workflows_namespace="N8N", n8n_workflows_helm_binary="/nonexistent/helm") == []


def test_the_redis_inputs_are_checked_only_in_queue_mode(helm, tmp_path):
    assert release(helm, tmp_path, n8n_workflows_release_queue_mode=False, n8n_workflows_release_redis_port=0) == []


def test_a_local_chart_must_be_n8n_at_the_pinned_version(helm, tmp_path):
    chart = tmp_path / "n8n-1.1.0.tgz"
    chart.write_bytes(b"not read: the stand-in helm answers")
    assert release(helm, tmp_path, n8n_workflows_chart_ref=str(chart)) == []
    (found,) = release(helm, tmp_path, n8n_workflows_chart_ref=str(chart), n8n_workflows_chart_version="1.2.0")
    assert found == (
        "n8n_workflows_chart_ref=%s is chart n8n 1.1.0, but n8n_workflows_chart_version pins n8n 1.2.0." % chart
    )


def test_the_kubeconfig_may_be_planned_in_check_mode(helm, tmp_path):
    values = dict(GOOD, n8n_workflows_kubeconfig="/nonexistent/kubeconfig")
    assert found(values, check_mode=True) == found(values)  # not checked without the release
    kubeconfig_problems = [
        p for p in release(helm, tmp_path, n8n_workflows_kubeconfig="/nonexistent/kubeconfig") if "kubeconfig" in p
    ]
    assert len(kubeconfig_problems) == 1
