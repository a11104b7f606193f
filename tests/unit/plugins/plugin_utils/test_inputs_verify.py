"""The verify role's input rules (plugins/plugin_utils/_inputs_verify.py), per stage, without a server."""

import json

import pytest

from ansible_collections.insightpulseai.workbench.plugins.filter.role_input_problems import role_input_problems

SECRET = "pw-verify-s3cr3t-5e1"
GOOD = dict(
    verify_dsn="postgresql://workbench_verify:%s@db.example.org:5432/postgres?sslmode=require" % SECRET,
    verify_schemas=["ip_workbench", "bronze"],
    verify_litellm_url="https://litellm.example.org",
    verify_n8n_url="https://n8n.example.org",
    verify_webhook_url="https://n8n.example.org/webhook",
    verify_webhook_auth_header="X-Workbench-Token",
    verify_webhook_auth_token="tok-" + SECRET,
    verify_probe_expense_id="00000000-0000-4000-8000-000000000000",
    verify_kubeconfig="",
    verify_certificate_min_days=14,
)


def problems(entry=None, **changes):
    found = role_input_problems(dict(GOOD, **changes), "verify", entry=entry)
    assert SECRET not in json.dumps(found)
    return found


def test_good_inputs_pass_every_stage():
    assert problems() == []
    for stage in ("database", "gateway", "workflows", "cluster"):
        assert problems(stage) == []


@pytest.mark.parametrize(
    "stage, changes, message",
    [
        (
            "database",
            dict(verify_dsn=""),
            'verify_dsn="" (empty; the inventories hand it supabase_schema_login_dsn) is invalid: expected a libpq URI',
        ),
        (
            "database",
            dict(verify_dsn="host=127.0.0.1 dbname=postgres user=postgres password=" + SECRET),
            "verify_dsn=<hidden, it holds a password> is invalid: expected a libpq URI",
        ),
        ("database", dict(verify_schemas=[]), "verify_schemas=[] is invalid: expected a non-empty list"),
        ("database", dict(verify_schemas=["ok", ""]), 'verify_schemas=["ok", ""] is invalid'),
        ("gateway", dict(verify_litellm_url="litellm:4000"), 'verify_litellm_url="litellm:4000" is invalid'),
        ("workflows", dict(verify_n8n_url=""), 'verify_n8n_url="" is invalid: expected n8n\'s http(s):// base URL'),
        ("workflows", dict(verify_webhook_url="ftp://x/"), 'verify_webhook_url="ftp://x/" is invalid'),
        ("workflows", dict(verify_webhook_auth_header="X Token"), 'verify_webhook_auth_header="X Token" is invalid'),
        ("workflows", dict(verify_webhook_auth_token=""), 'verify_webhook_auth_token="" (empty) is invalid'),
        ("workflows", dict(verify_probe_expense_id="ABC"), 'verify_probe_expense_id="ABC" is invalid: expected a UUID'),
        ("cluster", dict(verify_kubeconfig="/nonexistent/kube"), 'verify_kubeconfig="/nonexistent/kube" is invalid'),
        ("cluster", dict(verify_certificate_min_days=-1), "verify_certificate_min_days=-1 is invalid"),
    ],
)
def test_each_rule_names_the_variable_in_its_stage_only(stage, changes, message):
    found = problems(stage, **changes)
    assert len(found) == 1 and found[0].startswith(message), found
    others = [s for s in ("database", "gateway", "workflows", "cluster") if s != stage]
    assert all(problems(s, **changes) == [] for s in others)  # a stage needs only its own inputs
    assert problems(None, **changes) == found  # without an entry point every stage is checked


def test_all_problems_of_a_stage_at_once():
    found = problems("workflows", verify_n8n_url="", verify_webhook_auth_token="", verify_probe_expense_id="x")
    assert [p.split("=", 1)[0] for p in found] == [
        "verify_n8n_url",
        "verify_webhook_auth_token",
        "verify_probe_expense_id",
    ]


def test_a_kubeconfig_that_exists_passes(tmp_path):
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text("apiVersion: v1\n")
    assert problems("cluster", verify_kubeconfig=str(kubeconfig)) == []
