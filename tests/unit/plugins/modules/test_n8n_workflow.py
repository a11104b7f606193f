"""n8n_workflow / n8n_credential main(): input errors before any request, no writes on a no-op, secrets masked.

The HTTP helper is replaced by an in-memory fake (its list/create/... methods), never fetch_url internals.
"""

import json

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _n8n_workflow_spec
from ansible_collections.insightpulseai.workbench.plugins.module_utils._n8n_client import N8nApiError, N8nClient
from ansible_collections.insightpulseai.workbench.plugins.modules import n8n_credential, n8n_workflow

from support.cycle import check_apply_check_apply
from unit.module_harness import ModuleFail, run_module

CONN = dict(url="http://127.0.0.1:5678", api_key="KEY-never-shown")
SECRET = "https://mattermost.example/hooks/abcdefSECRET"


def workflow(query="select 1"):
    return {
        "name": "Notify",
        "nodes": [
            {
                "name": "Hook",
                "type": "n8n-nodes-base.webhook",
                "typeVersion": 2,
                "position": [0, 0],
                "parameters": {"httpMethod": "POST", "path": "notify"},
            },
            {
                "name": "Send",
                "type": "n8n-nodes-base.httpRequest",
                "typeVersion": 4.2,
                "position": [200, 0],
                "parameters": {"method": "POST", "url": "@@HOOK_URL@@", "query": query},
            },
        ],
        "connections": {"Hook": {"main": [[{"node": "Send", "type": "main", "index": 0}]]}},
        "settings": {},
    }


class FakeN8n(object):
    """Stores workflows like n8n does, counts writes and keeps a request log per module run as N8nClient does."""

    instances = []

    def __init__(self, workflows=None, credentials=None):
        self.workflows = workflows or []
        self.credentials = credentials or []
        self.writes = []
        self.reads = 0
        self.log = []
        self.base = 0

    @classmethod
    def from_module(cls, module):
        inst = cls.instances[-1]
        inst.base = len(inst.log)  # the log per module run, as a fresh client has
        return inst

    @property
    def requests(self):
        return self.log[self.base :]

    def list_workflows(self):
        self.reads += 1
        self.log.append(("GET", "/workflows"))
        return json.loads(json.dumps(self.workflows))

    def list_credentials(self):
        self.reads += 1
        self.log.append(("GET", "/credentials"))
        return list(self.credentials)

    def list_tags(self):
        self.reads += 1
        self.log.append(("GET", "/tags"))
        return [{"id": "T", "name": _n8n_workflow_spec.MANAGEMENT_TAG}]

    def create_workflow(self, body):
        self.writes.append("create")
        self.log.append(("POST", "/workflows"))
        wf = dict(
            json.loads(json.dumps(body)),
            id="W%d" % (len(self.workflows) + 1),
            active=False,
            versionId="v1",
            activeVersionId=None,
            tags=[],
        )
        self.workflows.append(wf)
        return wf

    def update_workflow(self, wf_id, body, publish_if_active=True):
        self.writes.append("update")
        self.log.append(("PUT", "/workflows/%s" % wf_id))
        wf = [w for w in self.workflows if w["id"] == wf_id][0]
        wf.update(json.loads(json.dumps(body)))
        return wf

    def set_workflow_tags(self, wf_id, ids):
        self.writes.append("tags")
        self.log.append(("PUT", "/workflows/%s/tags" % wf_id))
        wf = [w for w in self.workflows if w["id"] == wf_id][0]
        wf["tags"] = [{"id": i, "name": _n8n_workflow_spec.MANAGEMENT_TAG} for i in ids]
        return wf["tags"]

    def activate_workflow(self, wf_id):
        self.writes.append("activate")
        self.log.append(("POST", "/workflows/%s/publish" % wf_id))
        wf = [w for w in self.workflows if w["id"] == wf_id][0]
        wf.update(active=True, activeVersionId=wf["versionId"])
        return wf


def run(monkeypatch, fake, args, check_mode=False, diff=False):
    FakeN8n.instances.append(fake)
    monkeypatch.setattr(n8n_workflow, "N8nClient", FakeN8n)
    args = dict(CONN, **args)
    if diff:
        args["_ansible_diff"] = True
    return run_module(monkeypatch, n8n_workflow.main, args, check_mode=check_mode)


def test_bad_input_fails_before_any_request(monkeypatch, tmp_path):
    class Boom(object):
        @classmethod
        def from_module(cls, module):
            raise AssertionError("a request would be made")

    monkeypatch.setattr(n8n_workflow, "N8nClient", Boom)
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    out = run_module(monkeypatch, n8n_workflow.main, dict(CONN, src=str(bad)))
    assert isinstance(out, ModuleFail)
    assert out.result["msg"].startswith("Invalid workflow: workflow file %s is not valid JSON" % bad)
    assert out.result["error_kind"] == "spec" and out.result["written"] is False
    assert out.result["requests"] == {"reads": 0, "writes": 0} and out.result["api_requests"] == {
        "requests": 0,
        "writes": 0,
    }
    out = run_module(monkeypatch, n8n_workflow.main, dict(CONN, definition=workflow()))
    assert "@@HOOK_URL@@" in out.result["msg"] and isinstance(out, ModuleFail)
    monkeypatch.setattr(n8n_workflow, "N8nClient", N8nClient)  # the real one: its options fail before any request
    args = dict(CONN, url="n8n.example", definition=workflow(), secret_placeholders={"HOOK_URL": SECRET})
    out = run_module(monkeypatch, n8n_workflow.main, args)
    assert isinstance(out, ModuleFail) and out.result["error_kind"] == "spec"
    assert (
        out.result["msg"]
        == "Invalid n8n connection options: url must start with http:// or https://, got 'n8n.example'"
    )


def test_check_apply_check_apply_and_a_noop_writes_nothing(monkeypatch):
    fake = FakeN8n()
    args = dict(definition=workflow(), active=True, secret_placeholders={"HOOK_URL": SECRET})
    results = check_apply_check_apply(
        lambda check: run(monkeypatch, fake, args, check_mode=check, diff=True).result, state=lambda: list(fake.writes)
    )
    assert fake.writes == ["create", "tags", "activate"]
    assert results[3]["api_requests"] == {"requests": 1, "writes": 0}
    assert [r["requests"] for r in results] == [
        {"reads": 1, "writes": 0},
        {"reads": 2, "writes": 3},
        {"reads": 1, "writes": 0},
        {"reads": 1, "writes": 0},
    ]
    assert results[0]["actions"] == results[1]["actions"] == ["create workflow 'Notify' (tags, activated)"]
    assert results[2]["actions"] == results[3]["actions"] == []
    assert "diff" in results[0] and "diff" not in results[2]
    stored = fake.workflows[0]["nodes"][1]["parameters"]["url"]
    assert stored == SECRET
    assert SECRET not in json.dumps(results) and "@@HOOK_URL@@" in json.dumps(results[0]["diff"])


def test_a_change_is_one_put_and_the_diff_masks_secrets(monkeypatch):
    fake = FakeN8n()
    base = dict(secret_placeholders={"HOOK_URL": SECRET})
    run(monkeypatch, fake, dict(base, definition=workflow()))
    fake.writes = []
    out = run(monkeypatch, fake, dict(base, definition=workflow("select 2")), diff=True).result
    assert out["changed"] and fake.writes == ["update"]
    assert out["workflow"]["id"] == "W1"
    assert out["workflows"][0]["changes"] == ["node Send: parameters"]
    assert out["actions"] == ["update workflow 'Notify' (node Send: parameters)"]
    assert out["requests"] == {"reads": 1, "writes": 1}
    assert SECRET not in json.dumps(out)
    assert out["diff"]["after"]["nodes"]["Send"]["parameters"]["url"] == "@@HOOK_URL@@"


class FailingPut(FakeN8n):
    """n8n refuses the update, quoting the (secret) value it did not like."""

    def update_workflow(self, wf_id, body, publish_if_active=True):
        self.log.append(("PUT", "/workflows/%s" % wf_id))
        raise N8nApiError("PUT", "/workflows/%s" % wf_id, 400, message="invalid url %s" % SECRET, written=True)


def test_a_failed_write_masks_secrets_and_says_what_was_written(monkeypatch):
    fake = FailingPut()
    base = dict(secret_placeholders={"HOOK_URL": SECRET})
    run(monkeypatch, fake, dict(base, workflows=[dict(definition=workflow())]))
    other = dict(workflow(), name="Other")
    out = run(
        monkeypatch,
        fake,
        dict(base, workflows=[dict(definition=workflow("select 2")), dict(definition=other)]),
        diff=True,
    )
    assert isinstance(out, ModuleFail)
    res = out.result
    assert (
        res["msg"] == "Failed to update workflow 'Notify' (id W1): PUT /workflows/W1: HTTP 400 invalid url @@HOOK_URL@@"
    )
    assert SECRET not in json.dumps(res) and "@@HOOK_URL@@" in json.dumps(res["diff"])
    assert res["error_kind"] == "service" and res["written"] is True and res["status"] == 400
    assert res["changed"] is False and [w["operation"] for w in res["workflows"]] == ["update"]
    assert res["actions"] == ["update workflow 'Notify' (node Send: parameters)", "create workflow 'Other' (tags)"]
    assert res["requests"] == {"reads": 1, "writes": 1} and res["api_requests"] == {"requests": 2, "writes": 1}


def test_purge_requires_the_list_form(monkeypatch):
    out = run(monkeypatch, FakeN8n(), dict(definition=workflow(), purge=True))
    assert (
        isinstance(out, ModuleFail)
        and "purge is True but all of the following are missing: workflows" in out.result["msg"]
    )


class FakeCreds(object):
    instances = []

    def __init__(self, creds=None, schema=None):
        self.creds = creds or []
        self.schema = schema or {"properties": {"name": {"type": "string"}, "value": {"type": "string"}}}
        self.writes = []
        self.requests = []

    @classmethod
    def from_module(cls, module):
        inst = cls.instances[-1]
        inst.requests = []  # the log per module run, as a fresh client has
        return inst

    base_url = "http://127.0.0.1:5678"

    def list_credentials(self):
        self.requests.append(("GET", "/credentials"))
        return list(self.creds)

    def credential_schema(self, ctype):
        self.requests.append(("GET", "/credentials/schema/%s" % ctype))
        return self.schema

    def create_credential(self, body):
        self.writes.append(("create", body["name"]))
        self.requests.append(("POST", "/credentials"))
        cred = dict(id="C1", name=body["name"], type=body["type"])
        self.creds.append(cred)
        return cred

    def update_credential(self, cid, body):
        self.writes.append(("patch", cid, sorted(body)))
        self.requests.append(("PATCH", "/credentials/%s" % cid))
        return self.creds[0]


def cred(monkeypatch, fake, check_mode=False, **args):
    FakeCreds.instances.append(fake)
    monkeypatch.setattr(n8n_credential, "N8nClient", FakeCreds)
    args = dict(
        dict(CONN, name="Mattermost hook", type="httpHeaderAuth", data={"name": "X-Token", "value": "tok-SECRET"}),
        **args,
    )
    return run_module(monkeypatch, n8n_credential.main, dict(args, _ansible_diff=True), check_mode=check_mode)


def test_credential_on_create_is_idempotent_and_always_writes_every_time(monkeypatch):
    fake = FakeCreds()
    results = check_apply_check_apply(
        lambda check: cred(monkeypatch, fake, check_mode=check).result, state=lambda: list(fake.writes)
    )
    assert fake.writes == [("create", "Mattermost hook")]
    assert "tok-SECRET" not in json.dumps(results)
    assert results[1]["diff"]["after"]["data"] == "<write-only: fields name, value; values not shown>"
    assert results[1]["actions"] == ["create credential 'Mattermost hook' (type httpHeaderAuth)"]
    assert results[1]["requests"] == {"reads": 2, "writes": 1} and results[3]["requests"] == {"reads": 1, "writes": 0}
    assert results[3]["actions"] == [] and results[3]["operation"] == "none"
    out = cred(monkeypatch, fake, update_data="always").result
    assert out["changed"] and out["data_written"] and fake.writes[-1] == ("patch", "C1", ["data", "isPartialData"])
    assert out["actions"] == ["write the data of credential 'Mattermost hook' (type httpHeaderAuth)"]
    assert out["api_requests"] == {"requests": 3, "writes": 1}


def test_two_credentials_of_the_name_are_drift(monkeypatch):
    twins = [dict(id=i, name="Mattermost hook", type="httpHeaderAuth") for i in ("C1", "C2")]
    fake = FakeCreds(creds=twins)
    out = cred(monkeypatch, fake)
    assert isinstance(out, ModuleFail) and fake.writes == []
    assert out.result["msg"].startswith(
        "Ambiguous credential: 2 credentials of type httpHeaderAuth are named 'Mattermost hook'"
    )
    assert out.result["error_kind"] == "drift" and out.result["written"] is False


def test_credential_bad_data_fails_before_writing(monkeypatch):
    fake = FakeCreds()
    out = cred(monkeypatch, fake, data={"header": "X", "value": "tok-SECRET"})
    assert isinstance(out, ModuleFail) and fake.writes == []
    assert "field(s) header that a httpHeaderAuth credential does not have" in out.result["msg"]
    assert out.result["error_kind"] == "spec" and out.result["written"] is False
    assert "tok-SECRET" not in json.dumps(out.result)
