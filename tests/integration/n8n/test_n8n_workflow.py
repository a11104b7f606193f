"""n8n_workflow and n8n_workflow_info against a real n8n 2.41.1: every change is check -> apply -> check -> apply,
followed by an independent read through the API; a no-op run sends no write request (counted by a proxy)."""

import json

from n8n_tasks import four_steps, module, result, simple_workflow, with_postgres

TAG = "insightpulseai.workbench"


def test_create_and_converge(n8n, conn):
    wf = simple_workflow("IT create")
    results = four_steps("n8n_workflow", dict(conn, definition=wf, tags=["it"]))
    assert results[0]["workflows"][0]["operation"] == "create" and results[0]["workflow"] == {}
    assert results[1]["workflows"][0]["changes"] == ["created", "tags"]
    assert results[0]["actions"] == results[1]["actions"] == ["create workflow 'IT create' (tags)"]
    assert results[3]["actions"] == [] and results[3]["requests"] == {"reads": 1, "writes": 0}
    assert results[1]["diff"]["before"] == {}
    assert set(results[1]["diff"]["after"]["nodes"]) == {"Hook", "Shape"}
    # independent read
    server = n8n.workflow("IT create")
    assert server["id"] == results[1]["workflow"]["id"]
    assert sorted(t["name"] for t in server["tags"]) == ["insightpulseai.workbench", "it"]
    assert server["active"] is False
    assert [n["name"] for n in server["nodes"]] == ["Hook", "Shape"]
    assert server["nodes"][0]["webhookId"]  # added by n8n, and not a difference on the next runs


def test_a_noop_run_makes_no_write_request(n8n, conn, proxy):
    workflows = [dict(definition=simple_workflow("IT noop %d" % i), active=True) for i in range(3)]
    first = result("n8n_workflow", dict(conn, workflows=workflows))
    assert first["changed"]
    for check in (True, False):
        proxy.clear()
        again = result("n8n_workflow", dict(conn, url=proxy.url, workflows=workflows), check=check)
        assert not again["changed"]
        assert proxy.writes == []
        assert [r[:2] for r in proxy.records] == [("GET", "/api/v1/workflows")]
        assert again["api_requests"] == {"requests": 1, "writes": 0}
        assert again["requests"] == {"reads": 1, "writes": 0} and again["actions"] == []


def test_node_rename_is_detected_and_applied(n8n, conn):
    wf = simple_workflow("IT rename")
    result("n8n_workflow", dict(conn, definition=wf))
    hook_id = n8n.workflow("IT rename")["nodes"][0]["webhookId"]
    wf["nodes"][1]["name"] = "Shape it"
    wf["connections"] = {"Hook": {"main": [[{"node": "Shape it", "type": "main", "index": 0}]]}}
    results = four_steps("n8n_workflow", dict(conn, definition=wf))
    assert results[1]["workflows"][0]["changes"] == ["nodes added: Shape it", "nodes removed: Shape", "connections"]
    server = n8n.workflow("IT rename")
    assert [n["name"] for n in server["nodes"]] == ["Hook", "Shape it"]
    assert server["nodes"][0]["webhookId"] == hook_id  # carried over: the webhook URL did not change


def test_parameter_change_is_detected_and_applied(n8n, conn):
    wf = simple_workflow("IT param")
    result("n8n_workflow", dict(conn, definition=wf))
    version = n8n.workflow("IT param")["versionId"]
    wf["nodes"][1]["parameters"]["assignments"]["assignments"][0]["value"] = "select 2"
    results = four_steps("n8n_workflow", dict(conn, definition=wf))
    assert results[1]["workflows"][0]["changes"] == ["node Shape: parameters"]
    before = results[1]["diff"]["before"]["nodes"]["Shape"]["parameters"]["assignments"]["assignments"][0]["value"]
    assert before == "select 1"
    server = n8n.workflow("IT param")
    assert server["nodes"][1]["parameters"]["assignments"]["assignments"][0]["value"] == "select 2"
    assert server["versionId"] != version


def test_active_toggle(n8n, conn, proxy):
    wf = simple_workflow("IT active")
    result("n8n_workflow", dict(conn, definition=wf))
    wf_id = n8n.workflow("IT active")["id"]
    on = four_steps("n8n_workflow", dict(conn, url=proxy.url, definition=wf, active=True))
    assert on[1]["workflows"][0]["changes"] == ["activated"]
    assert [r[:2] for r in proxy.writes] == [("POST", "/api/v1/workflows/%s/publish" % wf_id)]
    assert on[1]["requests"] == {"reads": 1, "writes": 1} and on[1]["actions"] == [
        "update workflow 'IT active' (activated)"
    ]
    server = n8n.workflow("IT active")
    assert server["active"] and server["activeVersionId"] == server["versionId"]
    proxy.clear()
    off = four_steps("n8n_workflow", dict(conn, url=proxy.url, definition=wf, active=False))
    assert off[1]["workflows"][0]["changes"] == ["deactivated"]
    assert [r[:2] for r in proxy.writes] == [("POST", "/api/v1/workflows/%s/unpublish" % wf_id)]
    assert n8n.workflow("IT active")["active"] is False
    # unset leaves it alone
    assert not result("n8n_workflow", dict(conn, definition=wf))["changed"]


def test_updating_an_active_workflow_republishes_it(n8n, conn):
    wf = simple_workflow("IT republish")
    result("n8n_workflow", dict(conn, definition=wf, active=True))
    wf["nodes"][1]["parameters"]["assignments"]["assignments"][0]["value"] = "changed"
    four_steps("n8n_workflow", dict(conn, definition=wf, active=True))
    server = n8n.workflow("IT republish")
    assert server["active"] and server["activeVersionId"] == server["versionId"]
    live = server["activeVersion"]["nodes"][1]["parameters"]["assignments"]["assignments"][0]["value"]
    assert live == "changed"


def test_a_stale_published_version_is_republished(n8n, conn):
    wf = simple_workflow("IT stale")
    result("n8n_workflow", dict(conn, definition=wf, active=True))
    # someone saves the desired content as a draft, leaving the old version live
    server = n8n.workflow("IT stale")
    wf["nodes"][1]["parameters"]["assignments"]["assignments"][0]["value"] = "draft"
    body = {k: server[k] for k in ("name", "connections", "settings")}
    body["nodes"] = [dict(n, parameters=wf["nodes"][i]["parameters"]) for i, n in enumerate(server["nodes"])]
    n8n.call("PUT", "/workflows/%s?publishIfActive=false" % server["id"], body)
    server = n8n.workflow("IT stale")
    assert server["activeVersionId"] != server["versionId"]
    results = four_steps("n8n_workflow", dict(conn, definition=wf, active=True))
    assert results[1]["workflows"][0]["changes"] == ["published version is not the current version: republished"]
    server = n8n.workflow("IT stale")
    assert server["activeVersionId"] == server["versionId"]
    assert server["activeVersion"]["nodes"][1]["parameters"]["assignments"]["assignments"][0]["value"] == "draft"


def test_removal(n8n, conn):
    result("n8n_workflow", dict(conn, definition=simple_workflow("IT remove"), active=True))
    results = four_steps("n8n_workflow", dict(conn, name="IT remove", state="absent"))
    assert results[1]["workflows"][0]["changes"] == ["deleted"]
    assert n8n.workflow("IT remove") is None


def test_purge_removes_only_undeclared_managed_workflows(n8n, conn):
    keep, drop = simple_workflow("IT keep"), simple_workflow("IT drop")
    result("n8n_workflow", dict(conn, workflows=[dict(definition=keep), dict(definition=drop, active=True)]))
    n8n.create_workflow(simple_workflow("IT hand made"))  # no management tag: never purged
    results = four_steps("n8n_workflow", dict(conn, workflows=[dict(definition=keep)], purge=True))
    purged = results[1]["workflows"][1]
    assert (purged["name"], purged["operation"]) == ("IT drop", "delete")
    assert results[1]["actions"] == ["delete workflow 'IT drop' (purged: carries %s but is not declared)" % TAG]
    assert sorted(w["name"] for w in n8n.workflows()) == ["IT hand made", "IT keep"]


def test_credentials_are_resolved_by_type_and_name(n8n, conn):
    cred = n8n.create_credential("Workbench Postgres", "postgres", {"host": "127.0.0.1", "password": "x"})
    n8n.create_credential("Workbench Postgres", "httpHeaderAuth", {"name": "a", "value": "b"})  # same name, other type
    wf = with_postgres(simple_workflow("IT creds"))
    wf["nodes"][2]["credentials"]["postgres"]["id"] = "id-from-another-instance"
    four_steps("n8n_workflow", dict(conn, definition=wf))
    server = n8n.workflow("IT creds")
    assert server["nodes"][2]["credentials"] == {"postgres": {"id": cred["id"], "name": "Workbench Postgres"}}


def test_same_name_workflows_fail_without_writing(n8n, conn, proxy):
    n8n.create_workflow(simple_workflow("IT twin"))
    n8n.create_workflow(simple_workflow("IT twin"))
    res = result("n8n_workflow", dict(conn, url=proxy.url, definition=simple_workflow("IT twin")))
    assert res["failed"] and "2 workflows are named 'IT twin' on the n8n instance (ids " in res["msg"]
    assert res["error_kind"] == "drift" and res["written"] is False
    assert proxy.writes == []


def test_info_module(n8n, conn):
    result("n8n_workflow", dict(conn, definition=simple_workflow("IT info", path="it-info-path"), active=True))
    n8n.create_workflow(simple_workflow("IT info unmanaged"))
    res = result("n8n_workflow_info", dict(conn, tag=TAG))
    assert [w["name"] for w in res["workflows"]] == ["IT info"]
    assert res["actions"] == [] and res["requests"] == {"reads": 1, "writes": 0} and not res["changed"]
    assert res["workflows"][0]["webhooks"] == ["POST webhook/it-info-path"] and res["workflows"][0]["active"]
    res = result("n8n_workflow_info", dict(conn, name="IT info unmanaged", include_definition=True))
    assert [n["name"] for n in res["workflows"][0]["nodes"]] == ["Hook", "Shape"]
    # what _info returns can be fed back as a definition: no change
    definition = {k: res["workflows"][0][k] for k in ("name", "nodes", "connections", "settings")}
    again = result("n8n_workflow", dict(conn, definition=definition, tags=[]), check=True)
    assert again["workflows"][0]["changes"] == ["tags"]  # only the management tag it lacks


# ---------------------------------------------------------------------------------------------------------------
# Bad input: a clear error, and nothing written
# ---------------------------------------------------------------------------------------------------------------


def test_malformed_workflow_json(n8n, conn, proxy, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"name": "x", "nodes": [')
    res = result("n8n_workflow", dict(conn, url=proxy.url, src=str(path)))
    assert res["failed"]
    assert res["msg"].startswith("Invalid workflow: workflow file %s is not valid JSON: Expecting value" % path)
    assert proxy.records == []


def test_unknown_credential_name(n8n, conn, proxy):
    n8n.create_credential("Other Postgres", "postgres", {"host": "127.0.0.1"})
    wfs = [dict(definition=simple_workflow("IT fine")), dict(definition=with_postgres(simple_workflow("IT bad cred")))]
    res = result("n8n_workflow", dict(conn, url=proxy.url, workflows=wfs))
    assert res["failed"]
    assert (
        "workflow 'IT bad cred' node 'Query' uses credential 'Workbench Postgres' of type postgres, "
        "which does not exist on the n8n instance"
    ) in res["msg"]
    assert proxy.writes == [] and n8n.workflows() == []  # not even the valid first workflow was written


def test_wrong_api_key(n8n, conn):
    res = result("n8n_workflow", dict(conn, api_key="n8n_api_wrong-key-0123", definition=simple_workflow("IT key")))
    assert res["failed"]
    assert res["msg"] == (
        "Failed to list the workflows of %s: GET /workflows?excludePinnedData=true&limit=250: HTTP 401 "
        "Unauthorized (the API key was rejected: check api_key / N8N_API_KEY)" % conn["url"]
    )
    assert "wrong-key" not in json.dumps(res)
    assert res["error_kind"] == "service" and res["status"] == 401 and res["written"] is False
    assert n8n.workflows() == []


def test_n8n_down(n8n, conn):
    res = result("n8n_workflow", dict(conn, url="http://127.0.0.1:9", timeout=2, definition=simple_workflow("IT down")))
    assert res["failed"]
    assert res["msg"].startswith(
        "Failed to list the workflows of http://127.0.0.1:9: GET /workflows?excludePinnedData=true"
        "&limit=250: cannot reach http://127.0.0.1:9: "
    )
    assert "refused" in res["msg"].lower()


def test_activation_error_quotes_n8n(n8n, conn):
    only = {"name": "Only", "type": "n8n-nodes-base.noOp", "typeVersion": 1, "position": [0, 0], "parameters": {}}
    wf = {"name": "IT no trigger", "nodes": [only], "connections": {}, "settings": {}}
    res = result("n8n_workflow", dict(conn, definition=wf, active=True))
    assert res["failed"]
    assert res["msg"].startswith("Failed to create workflow 'IT no trigger': POST /workflows/")
    assert "Workflow cannot be activated because it has no trigger node" in res["msg"]
    assert res["error_kind"] == "service" and res["written"] is True  # created, then the activation failed


# ---------------------------------------------------------------------------------------------------------------
# Secrets
# ---------------------------------------------------------------------------------------------------------------


def test_secret_placeholders_never_reach_the_output(n8n, conn):
    secret = "http://127.0.0.1:1/hooks/zz-very-secret-hook-key"
    wf = simple_workflow("IT secret", query="@@HOOK_URL@@")
    args = dict(conn, definition=wf, secret_placeholders={"HOOK_URL": secret})
    out = module("n8n_workflow", args, diff=True, verbosity=3)
    assert out.rc == 0, out.stdout[-3000:]
    assert "zz-very-secret-hook-key" not in out.stdout + out.stderr
    assert conn["api_key"] not in out.stdout + out.stderr
    stored = n8n.workflow("IT secret")["nodes"][1]["parameters"]["assignments"]["assignments"][0]["value"]
    assert stored == secret
    wf["nodes"][1]["name"] = "Renamed"
    wf["connections"] = {"Hook": {"main": [[{"node": "Renamed", "type": "main", "index": 0}]]}}
    out = module("n8n_workflow", dict(args, definition=wf), check=True, diff=True, verbosity=3)
    assert out.rc == 0 and "zz-very-secret-hook-key" not in out.stdout + out.stderr
    assert "@@HOOK_URL@@" in out.stdout


def test_many_workflows_are_listed_across_pages(n8n, conn):
    # 260 workflows > one page of 250: the list follows nextCursor
    for i in range(260):
        n8n.create_workflow(simple_workflow("IT page %03d" % i))
    res = result("n8n_workflow", dict(conn, definition=simple_workflow("IT page 259"), tags=[]), check=True)
    assert res["workflows"][0]["operation"] == "update" and res["workflows"][0]["id"]
    assert res["api_requests"] == {"requests": 2, "writes": 0}
    assert res["requests"] == {"reads": 2, "writes": 0}
