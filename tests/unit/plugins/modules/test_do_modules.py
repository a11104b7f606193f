"""main() of the DigitalOcean modules with the HTTP helper replaced by an in-memory stub (its get/post/put/... and
list methods, never open_url internals): input errors before any request that writes, no write in check mode, the
token and secret values never in a result or message."""

import pytest

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _do_client
from ansible_collections.insightpulseai.workbench.plugins.module_utils._do_client import DOError
from ansible_collections.insightpulseai.workbench.plugins.modules import (
    do_app,
    do_kubernetes_cluster,
    do_project,
    do_vpc,
)

from unit.module_harness import ModuleFail, run_module

TOKEN = "do-token-never-shown-4f1c"
CONN = dict(api_token=TOKEN, api_url="http://127.0.0.1:9/v2")
CID = "3b1ac4a6-0b8c-4b33-9d5c-9a0b3f7c2b11"
POOL = dict(name="workers", size="s-4vcpu-8gb", count=3, auto_scale=True, min_nodes=3, max_nodes=8)


class Stub(object):
    """Answers GETs from ``pages`` (path -> body), records writes in ``sent``; ``fail_writes`` makes them fail."""

    def __init__(self, pages, fail_writes=None):
        self.pages = pages
        self.sent = []
        self.reads = 0
        self.fail_writes = fail_writes

    @property
    def writes(self):
        return len(self.sent)

    def get(self, path, params=None, ok=(200,)):
        self.reads += 1
        if path not in self.pages:
            raise DOError("GET", "/v2/" + path, 404, "not_found", "The resource you were accessing could not be found.")
        return self.pages[path]

    def get_or_none(self, path, params=None):
        try:
            return self.get(path)
        except DOError:
            return None

    def list(self, path, key, params=None, per_page=200):
        return list(self.get(path).get(key) or [])

    def _write(self, method, path, body=None):
        self.sent.append((method, path, body))
        if self.fail_writes:
            raise DOError(method, "/v2/" + path, 422, "unprocessable_entity", self.fail_writes)
        return {}

    def post(self, path, body=None):
        return self._write("POST", path, body)

    def put(self, path, body):
        return self._write("PUT", path, body)

    def patch(self, path, body):
        return self._write("PATCH", path, body)

    def delete(self, path, body=None):
        return self._write("DELETE", path, body)


@pytest.fixture
def install(monkeypatch):
    def install(module, client):
        # every DO module's run gets its client from _do_client.DORun, i.e. from DOClient.from_module
        monkeypatch.setattr(_do_client.DOClient, "from_module", classmethod(lambda cls, m: client))
        return client

    return install


def clusters(*items):
    return {"kubernetes/clusters": dict(kubernetes_clusters=list(items))}


def cluster_body():
    return dict(
        id=CID,
        name="wb",
        region="fra1",
        version="1.35.4-do.1",
        vpc_uuid="v1",
        tags=["k8s", "k8s:" + CID],
        ha=False,
        auto_upgrade=False,
        surge_upgrade=False,
        registry_enabled=False,
        endpoint="https://e",
        maintenance_policy=dict(start_time="00:00", day="any", duration="4h0m0s"),
        status=dict(state="running"),
        node_pools=[
            dict(
                id="p1",
                name="workers",
                size="s-4vcpu-8gb",
                count=3,
                auto_scale=True,
                min_nodes=3,
                max_nodes=6,
                tags=["k8s"],
                nodes=[],
            )
        ],
    )


def test_cluster_check_mode_plans_without_writing(monkeypatch, install):
    client = install(do_kubernetes_cluster, Stub(clusters(cluster_body())))
    result = run_module(
        monkeypatch, do_kubernetes_cluster.main, dict(CONN, name="wb", node_pools=[POOL]), check_mode=True
    ).result
    assert result["changed"] is True and result["actions"] == ["update node pool workers: max_nodes 6 -> 8"]
    assert client.sent == [] and result["api_requests"] == dict(reads=1, writes=0)
    assert result["requests"] == dict(reads=1, writes=0)


def test_cluster_drift_fails_before_any_write(monkeypatch, install):
    client = install(do_kubernetes_cluster, Stub(clusters(cluster_body())))
    outcome = run_module(
        monkeypatch,
        do_kubernetes_cluster.main,
        dict(CONN, name="wb", region="ams3", node_pools=[dict(POOL, size="c-4")]),
    )
    assert isinstance(outcome, ModuleFail)
    assert "region is fra1, desired ams3" in outcome.result["msg"]
    assert "size is s-4vcpu-8gb, desired c-4" in outcome.result["msg"]
    assert client.sent == [] and TOKEN not in str(outcome.result)
    assert outcome.result["error_kind"] == "drift" and outcome.result["written"] is False
    assert len(outcome.result["drift"]) == 2 and outcome.result["requests"] == dict(reads=1, writes=0)


def test_cluster_api_error_names_the_step_not_the_token(monkeypatch, install):
    client = install(do_kubernetes_cluster, Stub(clusters(), fail_writes="region 'xx1' is not available"))
    outcome = run_module(
        monkeypatch, do_kubernetes_cluster.main, dict(CONN, name="wb", region="xx1", node_pools=[POOL])
    )
    assert isinstance(outcome, ModuleFail)
    msg = outcome.result["msg"]
    assert msg.startswith("Failed to reconcile cluster 'wb' after 0 of 1 steps (done: nothing): ")
    assert "POST /v2/kubernetes/clusters failed: HTTP 422 unprocessable_entity: region 'xx1' is not available" in msg
    assert TOKEN not in str(outcome.result) and len(client.sent) == 1
    # the refused create wrote nothing: the failure says so, and counts the write it tried
    assert outcome.result["error_kind"] == "service" and outcome.result["written"] is False
    assert outcome.result["done"] == [] and outcome.result["changed"] is False
    assert outcome.result["requests"] == outcome.result["api_requests"] == dict(reads=1, writes=1)


def test_vpc_invalid_range_fails_before_any_write(monkeypatch, install):
    client = install(do_vpc, Stub({"vpcs": dict(vpcs=[])}))
    outcome = run_module(monkeypatch, do_vpc.main, dict(CONN, name="v", region="fra1", ip_range="10.0.0.0/8"))
    assert isinstance(outcome, ModuleFail)
    assert "between /16 and /28" in outcome.result["msg"] and client.sent == []
    # bad input fails before anything is read
    assert outcome.result["error_kind"] == "spec" and outcome.result["requests"] == dict(reads=0, writes=0)


def test_app_secret_values_are_masked_in_the_result(monkeypatch, install):
    client = install(do_app, Stub({"apps": dict(apps=[])}))
    spec = dict(
        name="expense-api",
        services=[
            dict(
                name="api",
                envs=[
                    dict(key="INLINE", type="SECRET", value="inline-SECRET-value"),
                    dict(key="FROM_VAULT", type="SECRET"),
                ],
            )
        ],
    )
    result = run_module(
        monkeypatch, do_app.main, dict(CONN, spec=spec, secrets=dict(FROM_VAULT="vault-SECRET-value")), check_mode=True
    ).result
    assert result["changed"] is True and client.sent == []
    shown = str(result)
    assert "inline-SECRET-value" not in shown and "vault-SECRET-value" not in shown and TOKEN not in shown


PID = "4e1bfbc3-dc3e-41f2-a18f-1b4d7ba71679"


def projects(is_default=False, urns=()):
    project = dict(
        id=PID, name="wb", description="", purpose="Service or API", environment="Production", is_default=is_default
    )
    return {
        "projects": dict(projects=[project]),
        "projects/%s/resources" % PID: dict(resources=[dict(urn=u, status="ok") for u in urns]),
    }


def test_project_absent_check_mode_plans_the_move_without_writing(monkeypatch, install):
    client = install(do_project, Stub(projects(urns=["do:space:data", "do:kubernetes:" + CID])))
    result = run_module(
        monkeypatch,
        do_project.main,
        dict(CONN, name="wb", state="absent", resources=["do:space:data", "do:space:elsewhere"]),
        check_mode=True,
    ).result
    assert result["changed"] is True and client.sent == []
    assert result["changes"] == ["move do:space:data to the default project", "delete"]
    assert result["actions"] == result["changes"] and result["requests"] == dict(reads=2, writes=0)


def test_project_absent_moves_then_deletes(monkeypatch, install):
    client = install(do_project, Stub(projects(urns=["do:space:data"])))
    result = run_module(
        monkeypatch, do_project.main, dict(CONN, name="wb", state="absent", resources=["do:space:data"])
    ).result
    assert result["changed"] is True
    assert client.sent == [
        ("POST", "projects/default/resources", dict(resources=["do:space:data"])),
        ("DELETE", "projects/" + PID, None),
    ]
    assert result["actions"] == ["move do:space:data to the default project", "delete"]
    assert result["requests"] == dict(reads=2, writes=2)


def test_project_absent_refuses_the_default_project_before_any_write(monkeypatch, install):
    client = install(do_project, Stub(projects(is_default=True, urns=["do:space:data"])))
    outcome = run_module(
        monkeypatch, do_project.main, dict(CONN, name="wb", state="absent", resources=["do:space:data"])
    )
    assert isinstance(outcome, ModuleFail)
    assert "is the account's default project; DigitalOcean does not delete the default project" in outcome.result["msg"]
    assert client.sent == [] and outcome.result["changed"] is False
    assert outcome.result["error_kind"] == "drift" and outcome.result["written"] is False
    assert outcome.result["project"]["is_default"] is True


def test_project_absent_bad_urn_fails_before_any_write(monkeypatch, install):
    client = install(do_project, Stub(projects()))
    outcome = run_module(monkeypatch, do_project.main, dict(CONN, name="wb", state="absent", resources=["data"]))
    assert isinstance(outcome, ModuleFail)
    assert "is not a DigitalOcean URN" in outcome.result["msg"] and client.sent == []
    assert outcome.result["error_kind"] == "spec" and outcome.result["requests"] == dict(reads=0, writes=0)


class Answers(Stub):
    """A Stub whose writes answer from ``answers`` (path -> body) instead of {}."""

    def __init__(self, pages, answers):
        Stub.__init__(self, pages)
        self.answers = answers

    def _write(self, method, path, body=None):
        Stub._write(self, method, path, body)
        return self.answers.get(path, {})


def test_project_refused_assignment_after_the_create_says_it_was_written(monkeypatch, install):
    created = dict(id=PID, name="wb", description="", purpose="Service or API", environment=None, is_default=False)
    client = install(
        do_project,
        Answers(
            {"projects": dict(projects=[])},
            {
                "projects": dict(project=created),
                "projects/%s/resources" % PID: dict(resources=[dict(urn="do:space:nope", status="not_found")]),
            },
        ),
    )
    outcome = run_module(
        monkeypatch, do_project.main, dict(CONN, name="wb", purpose="Service or API", resources=["do:space:nope"])
    )
    assert isinstance(outcome, ModuleFail)
    assert outcome.result["msg"].startswith("DigitalOcean did not assign do:space:nope (not_found) to project 'wb'")
    assert outcome.result["error_kind"] == "service" and outcome.result["written"] is True
    assert outcome.result["actions"] == ["create", "assign do:space:nope"] and len(client.sent) == 2


def test_cluster_info_reads_only(monkeypatch, install):
    from ansible_collections.insightpulseai.workbench.plugins.modules import do_kubernetes_cluster_info

    client = install(do_kubernetes_cluster_info, Stub(clusters(cluster_body())))
    result = run_module(monkeypatch, do_kubernetes_cluster_info.main, dict(CONN, name="wb")).result
    assert [c["id"] for c in result["clusters"]] == [CID] and client.sent == []
    assert result["changed"] is False and result["actions"] == []
    assert result["requests"] == result["api_requests"] == dict(reads=1, writes=0)
