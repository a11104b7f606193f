"""Workflow normalisation, comparison, credential mapping and planning (no server)."""

import copy
import json

import pytest

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _n8n_workflow_spec
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _n8n_workflows as wfl
from ansible_collections.insightpulseai.workbench.plugins.module_utils._runtime import DriftError, SpecError

TAG = _n8n_workflow_spec.MANAGEMENT_TAG


def definition(**overrides):
    wf = {
        "name": "Demo",
        "nodes": [
            {
                "name": "Hook",
                "type": "n8n-nodes-base.webhook",
                "typeVersion": 2,
                "position": [0, 0],
                "parameters": {"httpMethod": "POST", "path": "demo", "responseMode": "lastNode"},
            },
            {
                "name": "Query",
                "type": "n8n-nodes-base.postgres",
                "typeVersion": 2.6,
                "position": [200, 0],
                "parameters": {"operation": "executeQuery", "query": "select 1"},
                "credentials": {"postgres": {"name": "Workbench Postgres"}},
            },
        ],
        "connections": {"Hook": {"main": [[{"node": "Query", "type": "main", "index": 0}]]}},
        "settings": {"executionOrder": "v1"},
    }
    wf.update(overrides)
    return wf


CREDS = [
    {"id": "pg1", "name": "Workbench Postgres", "type": "postgres"},
    {"id": "hh1", "name": "Mattermost", "type": "httpHeaderAuth"},
]


def desired(item=None, **kw):
    item = item or {"definition": definition()}
    d = _n8n_workflow_spec.prepare(item, **kw)
    if d["state"] == "present":
        wfl.resolve_credentials(d, wfl.credential_index(CREDS))
    return d


def server_copy(d, wf_id="W1", active=False, tags=(TAG,), version="v1", active_version=None):
    """What n8n 2.41.1 returns for a workflow created from ``d`` (observed shape, server-added fields included)."""
    wf = copy.deepcopy(d["body"])
    for i, node in enumerate(wf["nodes"]):
        node["id"] = "node-%d" % i
        if node["type"] == "n8n-nodes-base.webhook":
            node.setdefault("webhookId", "hook-uuid")
    wf.update(
        id=wf_id,
        active=active,
        activeVersionId=active_version if active_version is not None else (version if active else None),
        versionId=version,
        isArchived=False,
        createdAt="2026-01-01T00:00:00.000Z",
        updatedAt="2026-01-02T00:00:00.000Z",
        triggerCount=1,
        nodeGroups=[],
        staticData=None,
        meta=None,
        pinData=None,
        settings=dict(wf["settings"], binaryMode="separate"),
        tags=[{"id": "t-%s" % t, "name": t} for t in tags],
        shared=[{"role": "workflow:owner"}],
    )
    wf.pop("description", None)
    return wf


# ---------------------------------------------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------------------------------------------


def test_server_managed_fields_are_not_differences():
    d = desired()
    p = wfl.plan_one(d, server_copy(d))
    assert p["action"] == "none", p["changes"]


def test_node_rename_is_detected():
    d0 = desired()
    current = server_copy(d0)
    wf = definition()
    wf["nodes"][1]["name"] = "Fetch"
    wf["connections"] = {"Hook": {"main": [[{"node": "Fetch", "type": "main", "index": 0}]]}}
    p = wfl.plan_one(desired({"definition": wf}), current)
    assert p["action"] == "update"
    assert p["changes"] == ["nodes added: Fetch", "nodes removed: Query", "connections"]


def test_parameter_change_is_detected_and_named():
    d0 = desired()
    wf = definition()
    wf["nodes"][1]["parameters"]["query"] = "select 2"
    p = wfl.plan_one(desired({"definition": wf}), server_copy(d0))
    assert p["changes"] == ["node Query: parameters"]
    assert p["before"]["nodes"]["Query"]["parameters"]["query"] == "select 1"
    assert p["after"]["nodes"]["Query"]["parameters"]["query"] == "select 2"


def test_removed_node_flag_is_detected():
    wf = definition()
    wf["nodes"][1]["alwaysOutputData"] = True
    current = server_copy(desired({"definition": wf}))
    p = wfl.plan_one(desired(), current)
    assert p["changes"] == ["node Query: alwaysOutputData"]


@pytest.mark.parametrize(
    "key,value",
    [("disabled", False), ("parameters", {}), ("onError", "stopWorkflow"), ("notesInFlow", False), ("credentials", {})],
)
def test_default_valued_keys_equal_absent_keys(key, value):
    node = {"name": "N", "type": "t", "typeVersion": 1, "position": [0, 0]}
    assert wfl.normalize_node(dict(node, **{key: value})) == wfl.normalize_node(node)


def test_integral_type_versions_compare_equal():
    a = {"name": "N", "type": "t", "typeVersion": 2, "position": [0, 0]}
    assert wfl.normalize_node(dict(a, typeVersion=2.0)) == wfl.normalize_node(a)
    assert wfl.normalize_node(dict(a, typeVersion=2.1)) != wfl.normalize_node(a)


def test_webhook_id_is_compared_only_when_the_definition_gives_it():
    d = desired()
    current = server_copy(d)
    assert wfl.plan_one(d, current)["action"] == "none"
    wf = definition()
    wf["nodes"][0]["webhookId"] = "another-uuid"
    p = wfl.plan_one(desired({"definition": wf}), current)
    assert p["changes"] == ["node Hook: webhookId"]


def test_empty_connection_outputs_are_ignored():
    a = {"A": {"main": [[{"node": "B", "type": "main", "index": 0}], []]}, "B": {"main": [[]]}}
    b = {"A": {"main": [[{"node": "B"}]]}}
    assert wfl._normalize_connections(a) == wfl._normalize_connections(b)


def test_settings_outside_the_allowlist_are_dropped_with_a_warning():
    settings = {"executionOrder": "v1", "binaryMode": "separate", "callerPolicy": "any", "someFutureKey": 1}
    d = _n8n_workflow_spec.prepare({"definition": definition(settings=settings)})
    assert d["body"]["settings"] == {"executionOrder": "v1", "callerPolicy": "any"}
    assert d["warnings"] == [
        "workflow 'Demo': settings key(s) someFutureKey are not accepted by the n8n public API and were left out"
    ]


def test_a_settings_change_is_detected():
    d0 = desired()
    p = wfl.plan_one(desired({"definition": definition(settings={"executionOrder": "v0"})}), server_copy(d0))
    assert p["changes"] == ["settings"]


def test_description_is_written_but_not_compared():
    d = desired({"definition": definition(description="first")})
    assert d["body"]["description"] == "first"
    assert wfl.plan_one(d, server_copy(d))["action"] == "none"


# ---------------------------------------------------------------------------------------------------------------
# Credentials
# ---------------------------------------------------------------------------------------------------------------


def test_credentials_resolve_to_instance_ids_and_compare_by_id():
    d = desired()
    assert d["body"]["nodes"][1]["credentials"] == {"postgres": {"name": "Workbench Postgres", "id": "pg1"}}
    current = server_copy(d)
    current["nodes"][1]["credentials"]["postgres"]["name"] = "Renamed on the server"
    assert wfl.plan_one(d, current)["action"] == "none"
    current["nodes"][1]["credentials"]["postgres"]["id"] = "pg-old"
    assert wfl.plan_one(d, current)["changes"] == ["node Query: credentials"]


def test_an_id_in_the_file_is_ignored_and_plain_names_are_accepted():
    wf = definition()
    wf["nodes"][1]["credentials"] = {"postgres": {"id": "from-another-instance", "name": "Workbench Postgres"}}
    assert desired({"definition": wf})["body"]["nodes"][1]["credentials"]["postgres"]["id"] == "pg1"
    wf["nodes"][1]["credentials"] = {"postgres": "Workbench Postgres"}
    assert desired({"definition": wf})["body"]["nodes"][1]["credentials"]["postgres"]["id"] == "pg1"


def test_unknown_credential_fails_naming_node_type_and_name():
    wf = definition()
    wf["nodes"][1]["credentials"] = {"postgres": {"name": "Mattermost"}}
    with pytest.raises(_n8n_workflow_spec.WorkflowError) as err:
        desired({"definition": wf})
    msg = str(err.value)
    assert "node 'Query' uses credential 'Mattermost' of type postgres, which does not exist" in msg
    assert "a credential of that name exists with type httpHeaderAuth" in msg


def test_ambiguous_credential_fails():
    d = _n8n_workflow_spec.prepare({"definition": definition()})
    index = wfl.credential_index(CREDS + [{"id": "pg2", "name": "Workbench Postgres", "type": "postgres"}])
    with pytest.raises(
        _n8n_workflow_spec.WorkflowError, match=r"2 credentials have that type and name \(ids pg1, pg2\)"
    ):
        wfl.resolve_credentials(d, index)


def test_check_mode_tolerates_credentials_an_earlier_task_would_create():
    d = _n8n_workflow_spec.prepare({"definition": definition()})
    warnings = wfl.resolve_credentials(d, wfl.credential_index([]), missing_ok=True)
    assert d["body"]["nodes"][1]["credentials"] == {"postgres": {"name": "Workbench Postgres", "id": None}}
    assert "does not exist on the n8n instance yet" in warnings[0] and "check mode assumes" in warnings[0]
    assert wfl.plan_one(d, None)["action"] == "create"


def test_prepare_lists_the_credentials_a_workflow_needs():
    assert _n8n_workflow_spec.prepare({"definition": definition()})["credentials"] == [
        ("postgres", "Workbench Postgres")
    ]


# ---------------------------------------------------------------------------------------------------------------
# Placeholders and secrets
# ---------------------------------------------------------------------------------------------------------------


def test_placeholders_are_filled_and_secrets_masked():
    wf = definition()
    wf["nodes"][1]["parameters"]["query"] = "select @@LIMIT@@ from x where url = '@@HOOK_URL@@'"
    d = _n8n_workflow_spec.prepare(
        {"definition": wf}, variables={"LIMIT": 5}, secrets={"HOOK_URL": "https://mm/hooks/s3cr3t"}
    )
    assert d["body"]["nodes"][1]["parameters"]["query"] == "select 5 from x where url = 'https://mm/hooks/s3cr3t'"
    shown = _n8n_workflow_spec.mask(d["body"], {"HOOK_URL": "https://mm/hooks/s3cr3t"})
    assert "s3cr3t" not in json.dumps(shown)
    assert "@@HOOK_URL@@" in json.dumps(shown)


def test_a_placeholder_without_value_fails_before_any_request():
    wf = definition(name="Uses @@MISSING@@ and @@OTHER@@")
    with pytest.raises(
        _n8n_workflow_spec.WorkflowError, match=r"uses placeholder\(s\) @@MISSING@@, @@OTHER@@ that neither"
    ):
        _n8n_workflow_spec.prepare({"definition": wf})


def test_placeholder_names_are_validated():
    with pytest.raises(_n8n_workflow_spec.WorkflowError, match="is not a placeholder name"):
        _n8n_workflow_spec.prepare({"definition": definition()}, variables={"lower": "x"})


# ---------------------------------------------------------------------------------------------------------------
# Input validation
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mutate,message",
    [
        (lambda wf: wf["nodes"].append(dict(wf["nodes"][0])), "duplicate node name"),
        (lambda wf: wf["connections"].update({"Ghost": {"main": []}}), "connections start at 'Ghost'"),
        (lambda wf: wf["connections"]["Hook"]["main"][0].append({"node": "Ghost"}), "connects to 'Ghost'"),
        (lambda wf: wf["nodes"][0].pop("position"), "position must be [x, y]"),
        (lambda wf: wf["nodes"][0].pop("type"), "has no type"),
        (lambda wf: wf["nodes"][0].update(bogus=1), "unknown key(s) bogus"),
        (lambda wf: wf.update(nodes=[]), "nodes must be a non-empty list"),
        (lambda wf: wf.pop("name"), "has no name"),
        (lambda wf: wf.update(settings=[]), "settings must be a mapping"),
    ],
)
def test_invalid_definitions_are_rejected(mutate, message):
    wf = definition()
    mutate(wf)
    with pytest.raises(_n8n_workflow_spec.WorkflowError) as err:
        _n8n_workflow_spec.prepare({"definition": wf})
    assert message in str(err.value)


def test_missing_file_and_json_string_definitions(tmp_path):
    with pytest.raises(_n8n_workflow_spec.WorkflowError, match="cannot read workflow file"):
        _n8n_workflow_spec.prepare({"src": str(tmp_path / "nope.json")})
    assert _n8n_workflow_spec.prepare({"definition": json.dumps(definition())})["name"] == "Demo"
    with pytest.raises(_n8n_workflow_spec.WorkflowError, match="definition is not valid JSON"):
        _n8n_workflow_spec.prepare({"definition": "{nope"})


def test_name_on_the_item_overrides_the_file():
    assert _n8n_workflow_spec.prepare({"definition": definition(), "name": "Other"})["body"]["name"] == "Other"


def test_tags_are_validated():
    with pytest.raises(_n8n_workflow_spec.WorkflowError, match="longer than n8n's 24-character limit"):
        _n8n_workflow_spec.prepare({"definition": definition(), "tags": ["x" * 25]})


# ---------------------------------------------------------------------------------------------------------------
# Identity, activation, tags, purge
# ---------------------------------------------------------------------------------------------------------------


def test_exact_name_match_ignores_archived_and_substring_matches():
    d = desired()
    others = [dict(server_copy(d, "A1"), isArchived=True), dict(server_copy(d, "X"), name="Demo 2")]
    assert wfl.match(d, others) is None
    assert wfl.match(d, others + [server_copy(d, "W1")])["id"] == "W1"


def test_several_workflows_with_the_name_fail():
    d = desired()
    with pytest.raises(
        _n8n_workflow_spec.WorkflowError, match=r"2 workflows are named 'Demo' on the n8n instance \(ids W1, W2\)"
    ):
        wfl.match(d, [server_copy(d, "W1"), server_copy(d, "W2")])


def test_errors_are_the_runtime_kinds():
    d = desired()
    with pytest.raises(DriftError) as err:
        wfl.match(d, [server_copy(d, "W1"), server_copy(d, "W2")])
    assert (
        err.value.kind == "drift"
        and err.value.written is False
        and isinstance(err.value, _n8n_workflow_spec.WorkflowError)
    )
    with pytest.raises(SpecError) as err:
        _n8n_workflow_spec.prepare({"definition": "{ not json"})
    assert err.value.kind == "spec" and isinstance(err.value, _n8n_workflow_spec.WorkflowError)


def test_activation_changes():
    d = desired({"definition": definition(), "active": True})
    assert wfl.plan_one(d, server_copy(d))["changes"] == ["activated"]
    assert wfl.plan_one(d, server_copy(d, active=True))["action"] == "none"
    off = desired({"definition": definition(), "active": False})
    p = wfl.plan_one(off, server_copy(d, active=True))
    assert p["changes"] == ["deactivated"] and p["deactivate"]
    unset = desired({"definition": definition()})
    assert wfl.plan_one(unset, server_copy(d, active=True))["action"] == "none"


def test_a_stale_published_version_is_republished_when_active_is_asked():
    d = desired({"definition": definition(), "active": True})
    stale = server_copy(d, active=True, version="v2", active_version="v1")
    p = wfl.plan_one(d, stale)
    assert p["republish"] and p["changes"] == ["published version is not the current version: republished"]


def test_tags_management_tag_is_always_added():
    d = desired()
    p = wfl.plan_one(d, server_copy(d, tags=("ops",)))
    assert p["tags"] == sorted(["ops", TAG]) and p["changes"] == ["tags"]
    d = desired({"definition": definition(), "tags": ["ops"]})
    p = wfl.plan_one(d, server_copy(d, tags=("ops", "old", TAG)))
    assert p["tags"] == sorted(["ops", TAG]) and p["changes"] == ["tags"]


def test_create_plan():
    d = desired({"definition": definition(), "active": True, "tags": ["ops"]})
    p = wfl.plan_one(d, None)
    assert (p["action"], p["changes"], p["tags"], p["publish"]) == (
        "create",
        ["created", "tags", "activated"],
        sorted(["ops", TAG]),
        True,
    )


def test_delete_plan():
    d = _n8n_workflow_spec.prepare({"name": "Demo", "state": "absent"})
    assert wfl.plan_one(d, None)["action"] == "none"
    assert wfl.plan_one(d, server_copy(desired()))["action"] == "delete"


def test_write_body_carries_server_ids_over():
    d = desired()
    current = server_copy(d)
    body = wfl.write_body(d, current)
    assert [n.get("id") for n in body["nodes"]] == ["node-0", "node-1"]
    assert body["nodes"][0]["webhookId"] == "hook-uuid"
    assert "id" not in wfl.write_body(d)["nodes"][0]
    assert set(body) == {"name", "nodes", "connections", "settings"}


def test_purge_candidates_are_tagged_undeclared_and_not_archived():
    d = desired()
    wfs = [
        server_copy(d, "W1"),
        dict(server_copy(d, "W2"), name="Old"),
        dict(server_copy(d, "W3", tags=()), name="Manual"),
        dict(server_copy(d, "W4"), name="Archived", isArchived=True),
    ]
    assert [w["id"] for w in wfl.purge_candidates(wfs, {"Demo"}, set(), TAG)] == ["W2"]


def test_diff_view_shows_normalised_states():
    d = desired({"definition": definition(), "active": True})
    view = wfl.diff_view(wfl.plan_one(d, server_copy(d)))
    assert view["before"]["active"] is False and view["after"]["active"] is True
    assert "id" not in json.dumps(view["after"]["nodes"])


# ---------------------------------------------------------------------------------------------------------------
# Applying, against a recording fake client
# ---------------------------------------------------------------------------------------------------------------


class FakeClient(object):
    def __init__(self):
        self.calls = []

    def _wf(self, wf_id, active, version="v2"):
        return {"id": wf_id, "active": active, "versionId": version, "activeVersionId": version if active else None}

    def create_workflow(self, body):
        self.calls.append(("create", sorted(body)))
        return self._wf("NEW", False)

    def update_workflow(self, wf_id, body, publish_if_active=True):
        self.calls.append(("update", wf_id, publish_if_active))
        return self._wf(wf_id, True)

    def activate_workflow(self, wf_id):
        self.calls.append(("activate", wf_id))
        return self._wf(wf_id, True)

    def deactivate_workflow(self, wf_id):
        self.calls.append(("deactivate", wf_id))
        return self._wf(wf_id, False)

    def delete_workflow(self, wf_id):
        self.calls.append(("delete", wf_id))

    def set_workflow_tags(self, wf_id, ids):
        self.calls.append(("tags", wf_id, ids))
        return [{"id": i, "name": i} for i in ids]

    def list_tags(self):
        return [{"id": TAG, "name": TAG}]

    def create_tag(self, name):
        self.calls.append(("create_tag", name))
        return {"id": name}


def test_apply_create_posts_then_puts_description_then_tags_and_activates():
    client = FakeClient()
    d = desired({"definition": definition(description="hello"), "active": True})
    wfl.apply_plan(client, wfl.plan_one(d, None), wfl.TagCache(client))
    assert client.calls == [
        ("create", ["connections", "name", "nodes", "settings"]),
        ("update", "NEW", False),
        ("tags", "NEW", [TAG]),
        ("activate", "NEW"),
    ]


def test_apply_update_of_an_active_workflow_republishes_through_put():
    client = FakeClient()
    d0 = desired({"definition": definition(), "active": True})
    wf = definition()
    wf["nodes"][1]["parameters"]["query"] = "select 2"
    d = desired({"definition": wf, "active": True})
    wfl.apply_plan(client, wfl.plan_one(d, server_copy(d0, active=True)), wfl.TagCache(client))
    assert client.calls == [("update", "W1", True)]


def test_apply_deactivate_and_update_does_not_publish():
    client = FakeClient()
    d0 = desired()
    wf = definition()
    wf["nodes"][1]["parameters"]["query"] = "select 2"
    d = desired({"definition": wf, "active": False})
    wfl.apply_plan(client, wfl.plan_one(d, server_copy(d0, active=True)), wfl.TagCache(client))
    assert client.calls == [("deactivate", "W1"), ("update", "W1", False)]


def test_apply_delete_deactivates_first():
    client = FakeClient()
    d = _n8n_workflow_spec.prepare({"name": "Demo", "state": "absent"})
    wfl.apply_plan(client, wfl.plan_one(d, server_copy(desired(), active=True)), wfl.TagCache(client))
    assert client.calls == [("deactivate", "W1"), ("delete", "W1")]


def test_missing_tags_are_created_once():
    client = FakeClient()
    cache = wfl.TagCache(client)
    assert cache.ids(["ops", TAG, "ops"]) == ["ops", TAG, "ops"]
    assert client.calls == [("create_tag", "ops")]
