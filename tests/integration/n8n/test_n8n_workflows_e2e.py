"""The n8n_workflows stage (playbooks/workflows.yml) on an empty n8n and a migrated database: plan, apply, converge,
a threshold change redeployed; the seed workflows' business over one deployment is in deployed/. Also the local_stack
n8n part: a second run changes nothing and the env file carries N8N_URL / N8N_API_KEY."""

import os
import stat

import pytest

from support.ansible import ROOT, run_playbook
from support.n8n_flows import HOOK_SECRET, add_expense, hook
from support.n8n import OWNER_EMAIL, ApiError, read_env


def test_plan_apply_converge(stage, n8n):
    plan = stage(check=True, diff=True)
    assert not plan.failed, plan.stdout[-4000:]
    ops = [w["operation"] for w in plan.task("Ensure the workflows")["workflows"]]
    assert ops == ["create", "create"]
    assert n8n.workflows() == [] and n8n.credentials() == []  # the plan wrote nothing

    apply = stage(diff=True)
    assert not apply.failed, apply.stdout[-4000:]
    assert apply.changed == 2  # the credential task and the workflows task

    for check in (True, False):
        again = stage(check=check, diff=True)
        assert not again.failed and again.changed == 0, again.stdout[-3000:]

    # independent reads
    wfs = {w["name"]: w for w in n8n.workflows()}
    assert sorted(wfs) == ["Workbench: expense approval", "Workbench: pipeline trigger"]
    assert all(w["active"] and w["activeVersionId"] == w["versionId"] for w in wfs.values())
    assert all([t["name"] for t in w["tags"]] == ["insightpulseai.workbench"] for w in wfs.values())
    creds = dict(((c["name"], c["type"]), c) for c in n8n.credentials())
    assert sorted(creds) == [
        ("Workbench Postgres (automation)", "postgres"),
        ("Workbench Postgres (expense approver)", "postgres"),
        ("Workbench Postgres (pipeline runner)", "postgres"),
        ("Workbench Webhook Auth", "httpHeaderAuth"),
    ]
    for (name, ctype), cred in creds.items():
        if ctype == "postgres":  # n8n itself logs in with each (as its own role, never the owner)
            assert n8n.test_credential(cred["id"])["status"] == "OK", name
    notify = [n for n in wfs["Workbench: expense approval"]["nodes"] if n["name"] == "Notify Mattermost"][0]
    assert notify["parameters"]["url"].endswith("/hooks/" + HOOK_SECRET)


def test_secrets_stay_out_of_the_output(stage, workbench_db):
    out = stage(diff=True, verbosity=3)
    assert out.rc == 0, out.stdout[-3000:]
    password = workbench_db.split(":")[2].split("@")[0]
    text = out.stdout + out.stderr
    assert HOOK_SECRET not in text and password not in text
    out = stage(
        check=True, diff=True, verbosity=3, n8n_workflows_mattermost_webhook_url="http://127.0.0.1:1/hooks/zz-new-key"
    )
    assert out.rc == 0 and "zz-new-key" not in out.stdout + out.stderr
    assert "@@MATTERMOST_WEBHOOK_URL@@" in out.stdout  # the diff shows the placeholder instead


def test_a_missing_mattermost_url_fails_in_preflight(stage, n8n):
    res = stage(n8n_workflows_mattermost_webhook_url="")
    assert res.failed
    assert "use @@MATTERMOST_WEBHOOK_URL@@ but no value is set" in res.failure()["msg"]
    assert n8n.credentials() == [] and n8n.workflows() == []


def test_a_removed_definition_is_purged(stage, deployed, n8n):
    only = [{"src": os.path.join(ROOT, "roles", "n8n_workflows", "files", "pipeline_trigger.json"), "active": True}]
    res = stage(n8n_workflows_definitions=only)
    assert not res.failed, res.stdout[-3000:]
    workflows = res.task("Ensure the workflows")["workflows"]
    assert [(w["name"], w["operation"]) for w in workflows] == [
        ("Workbench: pipeline trigger", "none"),
        ("Workbench: expense approval", "delete"),
    ]
    assert [w["name"] for w in n8n.workflows()] == ["Workbench: pipeline trigger"]


# ---------------------------------------------------------------------------------------------------------------
# Expense approval, end to end
# ---------------------------------------------------------------------------------------------------------------


def test_threshold_is_configurable(stage, deployed, workbench_db, receiver):
    res = stage(n8n_workflows_expense_approval_threshold=20000)
    assert not res.failed and res.changed == 1
    eid = add_expense(workbench_db, "EXP-BIG", 12500)
    status, body = hook(deployed + "/webhook/workbench/expense-approval", {"expense_id": eid})
    assert (status, body["status"]) == (200, "approved")


# ---------------------------------------------------------------------------------------------------------------
# local_stack's n8n part
# ---------------------------------------------------------------------------------------------------------------


def test_local_stack_n8n_is_idempotent_and_keeps_its_secrets_private(n8n_server):
    again = n8n_server.converge()
    assert not again.failed and again.changed == 0, [t["name"] for t in again.tasks if t["result"].get("changed")]
    check = run_playbook(
        os.path.join(ROOT, "playbooks", "local_stack.yml"),
        inventory=os.path.join(ROOT, "inventories", "local"),
        tags="local_stack_n8n",
        extra_vars=n8n_server.vars,
        check=True,
    )
    assert not check.failed and check.changed == 0
    env = read_env(os.path.join(n8n_server.state_dir, "local.env"))
    assert env["N8N_URL"] == "http://127.0.0.1:%d" % n8n_server.port and env["N8N_API_KEY"] == n8n_server.api_key
    n8n_dir = os.path.join(n8n_server.state_dir, "n8n")
    for name in ("encryption.key", "owner.password", "api.key"):
        assert stat.S_IMODE(os.stat(os.path.join(n8n_dir, name)).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(n8n_dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(os.path.join(n8n_server.state_dir, "local.env")).st_mode) == 0o600


def test_local_stack_recreates_a_lost_api_key(n8n_server):
    key_file = os.path.join(n8n_server.state_dir, "n8n", "api.key")
    old_key = n8n_server.api_key
    os.unlink(key_file)
    res = n8n_server.converge()
    # the session's other tests use the key local.env holds now, whatever this test finds
    new_key = n8n_server.api_key = read_env(os.path.join(n8n_server.state_dir, "local.env"))["N8N_API_KEY"]
    assert not res.failed, res.stdout[-3000:]
    # one task replaces the labelled key (the old one revoked, a new one created), one stores it, one updates the env
    changed = [t["name"].split(" : ")[-1] for t in res.tasks if t["result"].get("changed")]
    assert changed == [
        "Ensure the public-API key",
        "Keep the key under the state directory",
        "Record the n8n API key in the local env file",
    ], changed
    assert new_key != old_key
    with open(key_file) as fh:
        assert fh.read().strip() == new_key
    assert n8n_server.api().workflows() is not None
    with pytest.raises(ApiError) as refused:  # the lost key was revoked, not left behind
        n8n_server.api(key=old_key).workflows()
    assert refused.value.status == 401
    rest = n8n_server.rest()
    rest.login(OWNER_EMAIL, n8n_server.owner_password)
    assert [k["label"] for k in rest.api_keys()].count("insightpulseai.workbench local_stack") == 1
