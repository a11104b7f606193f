"""The Kubernetes API fake's own tests, over raw HTTP: what a real API server answers, the fake answers."""

from __future__ import annotations

import base64
import json
import threading

import pytest

DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments"
CONFIGMAPS = "/api/v1/namespaces/default/configmaps"
SECRETS = "/api/v1/namespaces/default/secrets"
MERGE = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"
APPLY = "application/apply-patch+yaml"


def configmap(name, labels=None, **data):
    meta = {"name": name}
    if labels:
        meta["labels"] = labels
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": data}


def deployment(name, image="nginx:1.27", replicas=2, **extra_container):
    container = dict(name="web", image=image, ports=[{"containerPort": 80}], **extra_container)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": [container]}},
        },
    }


def assert_status(resp, code, reason):
    assert resp.code == code, resp.body
    assert resp.body["kind"] == "Status" and resp.body["status"] == "Failure", resp.body
    assert resp.body["reason"] == reason and resp.body["code"] == code, resp.body


# --- discovery and auth --------------------------------------------------------------------------------------------


def test_version_is_public_and_everything_else_needs_the_token(client):
    version = client.get("/version", token=False)
    assert version.code == 200 and version.body["gitVersion"].startswith("v1.32.")
    assert_status(client.get("/api/v1/namespaces", token=False), 401, "Unauthorized")
    assert_status(client.get("/api/v1/namespaces", token="wrong"), 401, "Unauthorized")
    assert client.get("/api/v1/namespaces").code == 200


def test_discovery_documents(client):
    api = client.get("/api").body
    assert api["kind"] == "APIVersions" and api["versions"] == ["v1"]

    core = client.get("/api/v1").body
    assert core["groupVersion"] == "v1"
    by_name = {r["name"]: r for r in core["resources"]}
    assert {
        "namespaces",
        "secrets",
        "configmaps",
        "services",
        "serviceaccounts",
        "pods",
        "persistentvolumeclaims",
    } <= set(by_name)
    assert by_name["configmaps"] == {
        "name": "configmaps",
        "singularName": "configmap",
        "namespaced": True,
        "kind": "ConfigMap",
        "shortNames": ["cm"],
        "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
    }
    assert by_name["namespaces"]["namespaced"] is False

    groups = {g["name"]: g for g in client.get("/apis").body["groups"]}
    expected = {
        "apps": "v1",
        "networking.k8s.io": "v1",
        "autoscaling": "v2",
        "policy": "v1",
        "rbac.authorization.k8s.io": "v1",
        "apiextensions.k8s.io": "v1",
        "traefik.io": "v1alpha1",
    }
    for name, version in expected.items():
        assert groups[name]["preferredVersion"] == {"groupVersion": "%s/%s" % (name, version), "version": version}
        kinds = {r["kind"] for r in client.get("/apis/%s/%s" % (name, version)).body["resources"]}
        assert kinds, name
    traefik = {r["kind"] for r in client.get("/apis/traefik.io/v1alpha1").body["resources"]}
    assert traefik == {"IngressRoute", "Middleware", "TLSOption", "ServersTransport"}
    assert_status(client.get("/apis/example.com/v1"), 404, "NotFound")
    assert_status(client.get("/apis/apps/v1/namespaces/default/widgets"), 404, "NotFound")


# --- CRUD, errors, selectors -----------------------------------------------------------------------------------


def test_create_get_replace_delete_roundtrip(client, k8s):
    created = client.post(CONFIGMAPS, configmap("a", x="1"))
    assert created.code == 201
    meta = created.body["metadata"]
    assert meta["namespace"] == "default" and meta["uid"] and meta["creationTimestamp"].endswith("Z")
    assert int(meta["resourceVersion"]) == k8s.resource_version

    got = client.get(CONFIGMAPS + "/a").body
    assert got == created.body

    got["data"]["x"] = "2"
    replaced = client.put(CONFIGMAPS + "/a", got)
    assert replaced.code == 200 and replaced.body["data"] == {"x": "2"}
    assert int(replaced.body["metadata"]["resourceVersion"]) > int(meta["resourceVersion"])
    assert replaced.body["metadata"]["uid"] == meta["uid"]

    deleted = client.delete(CONFIGMAPS + "/a")
    assert deleted.code == 200
    assert deleted.body == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": {"name": "a", "kind": "configmaps", "uid": meta["uid"]},
    }
    assert k8s.get("v1", "configmaps", "a", "default") is None


def test_errors_are_status_objects_like_a_real_server(client):
    missing = client.get(DEPLOYMENTS + "/nope")
    assert_status(missing, 404, "NotFound")
    assert missing.body["message"] == 'deployments.apps "nope" not found'
    assert missing.body["details"] == {"name": "nope", "group": "apps", "kind": "deployments"}

    assert client.post(CONFIGMAPS, configmap("dup")).code == 201
    exists = client.post(CONFIGMAPS, configmap("dup"))
    assert_status(exists, 409, "AlreadyExists")
    assert exists.body["message"] == 'configmaps "dup" already exists'

    no_ns = client.post("/api/v1/namespaces/ghost/configmaps", configmap("a"))
    assert_status(no_ns, 404, "NotFound")
    assert no_ns.body["message"] == 'namespaces "ghost" not found'

    bad_name = client.post(CONFIGMAPS, configmap("Not_Valid"))
    assert_status(bad_name, 422, "Invalid")
    assert bad_name.body["details"]["causes"][0]["field"] == "metadata.name"

    wrong_ns = client.post(CONFIGMAPS, dict(configmap("b"), metadata={"name": "b", "namespace": "kube-system"}))
    assert_status(wrong_ns, 400, "BadRequest")

    mismatch = deployment("web")
    mismatch["spec"]["template"]["metadata"]["labels"] = {"app": "other"}
    assert_status(client.post(DEPLOYMENTS, mismatch), 422, "Invalid")


def test_label_and_field_selectors(client):
    for name, labels in (
        ("a", {"tier": "web", "env": "prod"}),
        ("b", {"tier": "db", "env": "prod"}),
        ("c", {"tier": "web"}),
        ("d", None),
    ):
        assert client.post(CONFIGMAPS, configmap(name, labels)).code == 201

    def names(**query):
        resp = client.get(CONFIGMAPS, query=query)
        assert resp.code == 200, resp.body
        return [i["metadata"]["name"] for i in resp.body["items"]]

    assert names() == ["a", "b", "c", "d"]
    assert names(labelSelector="tier=web") == ["a", "c"]
    assert names(labelSelector="tier==web,env=prod") == ["a"]
    assert names(labelSelector="tier!=web") == ["b", "d"]
    assert names(labelSelector="tier in (web, db)") == ["a", "b", "c"]
    assert names(labelSelector="tier notin (web)") == ["b", "d"]
    assert names(labelSelector="env") == ["a", "b"]
    assert names(labelSelector="!env") == ["c", "d"]
    assert names(fieldSelector="metadata.name=b") == ["b"]
    assert names(fieldSelector="metadata.name!=b,metadata.namespace=default") == ["a", "c", "d"]
    assert_status(client.get(CONFIGMAPS, query={"labelSelector": "tier in web"}), 400, "BadRequest")
    assert_status(client.get(CONFIGMAPS, query={"fieldSelector": "data.x=1"}), 400, "BadRequest")

    listed = client.get(CONFIGMAPS).body
    assert listed["kind"] == "ConfigMapList" and listed["apiVersion"] == "v1"
    assert "kind" not in listed["items"][0]  # typed lists carry no apiVersion/kind on their items
    everywhere = client.get("/api/v1/configmaps", query={"labelSelector": "tier=web"}).body
    assert [i["metadata"]["name"] for i in everywhere["items"]] == ["a", "c"]


def test_list_pagination(client):
    for n in range(5):
        client.post(CONFIGMAPS, configmap("cm-%d" % n))
    first = client.get(CONFIGMAPS, query={"limit": 2}).body
    assert [i["metadata"]["name"] for i in first["items"]] == ["cm-0", "cm-1"]
    assert first["metadata"]["remainingItemCount"] == 3
    second = client.get(CONFIGMAPS, query={"limit": 2, "continue": first["metadata"]["continue"]}).body
    assert [i["metadata"]["name"] for i in second["items"]] == ["cm-2", "cm-3"]


# --- patches -----------------------------------------------------------------------------------------------------


def test_merge_patch(client):
    client.post(CONFIGMAPS, configmap("m", {"a": "1"}, x="1", y="2"))
    resp = client.patch(CONFIGMAPS + "/m", {"metadata": {"labels": {"b": "2"}}, "data": {"y": None, "z": "3"}}, MERGE)
    assert resp.code == 200
    assert resp.body["metadata"]["labels"] == {"a": "1", "b": "2"}
    assert resp.body["data"] == {"x": "1", "z": "3"}


def test_strategic_merge_patch_merges_keyed_lists(client):
    client.post(DEPLOYMENTS, deployment("web", env=[{"name": "A", "value": "1"}]))
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {"name": "sidecar", "image": "busybox:1.36"},
                        {"name": "web", "env": [{"name": "B", "value": "2"}]},
                    ]
                }
            }
        }
    }
    containers = client.patch(DEPLOYMENTS + "/web", patch, STRATEGIC).body["spec"]["template"]["spec"]["containers"]
    web = containers[0]
    assert [c["name"] for c in containers] == ["web", "sidecar"]
    assert web["image"] == "nginx:1.27" and web["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    assert web["env"] == [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]

    directives = {
        "spec": {
            "template": {
                "spec": {
                    "$setElementOrder/containers": [{"name": "sidecar"}, {"name": "web"}],
                    "containers": [{"name": "web", "$patch": "delete"}],
                }
            }
        }
    }
    containers = client.patch(DEPLOYMENTS + "/web", directives, STRATEGIC).body["spec"]["template"]["spec"]
    assert [c["name"] for c in containers["containers"]] == ["sidecar"]

    # A merge patch replaces lists whole, as RFC 7386 says.
    merged = client.patch(
        DEPLOYMENTS + "/web",
        {"spec": {"template": {"spec": {"containers": [{"name": "only", "image": "x:1"}]}}}},
        MERGE,
    ).body
    assert [c["name"] for c in merged["spec"]["template"]["spec"]["containers"]] == ["only"]


def test_strategic_merge_patch_is_refused_for_custom_resources(client):
    route = {
        "apiVersion": "traefik.io/v1alpha1",
        "kind": "IngressRoute",
        "metadata": {"name": "r"},
        "spec": {"routes": [{"match": "Host(`a`)", "kind": "Rule"}]},
    }
    path = "/apis/traefik.io/v1alpha1/namespaces/default/ingressroutes"
    assert client.post(path, route).code == 201
    assert_status(client.patch(path + "/r", {"spec": {}}, STRATEGIC), 415, "UnsupportedMediaType")
    assert client.patch(path + "/r", {"spec": {"entryPoints": ["web"]}}, MERGE).code == 200
    assert_status(client.patch(path + "/r", {}, "text/plain"), 415, "UnsupportedMediaType")


def test_json_patch(client):
    client.post(CONFIGMAPS, configmap("j", x="1"))
    ops = [
        {"op": "add", "path": "/data/y", "value": "2"},
        {"op": "remove", "path": "/data/x"},
        {"op": "add", "path": "/metadata/labels", "value": {"k": "v"}},
        {"op": "copy", "from": "/data/y", "path": "/data/z"},
        {"op": "test", "path": "/data/z", "value": "2"},
    ]
    resp = client.patch(CONFIGMAPS + "/j", ops, JSON_PATCH)
    assert resp.code == 200 and resp.body["data"] == {"y": "2", "z": "2"}
    failing = client.patch(CONFIGMAPS + "/j", [{"op": "test", "path": "/data/y", "value": "nope"}], JSON_PATCH)
    assert failing.code == 422
    assert client.get(CONFIGMAPS + "/j").body["data"] == {"y": "2", "z": "2"}


def test_server_side_apply(client, k8s):
    resp = client.patch(
        CONFIGMAPS + "/s", configmap("s", {"a": "1", "b": "2"}, x="1", y="2"), APPLY, query={"fieldManager": "one"}
    )
    assert resp.code == 201  # created by the apply
    (entry,) = resp.body["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"], entry["fieldsType"]) == ("one", "Apply", "FieldsV1")
    assert entry["fieldsV1"] == {"f:data": {"f:x": {}, "f:y": {}}, "f:metadata": {"f:labels": {"f:a": {}, "f:b": {}}}}

    rv = k8s.resource_version
    again = client.patch(
        CONFIGMAPS + "/s", configmap("s", {"a": "1", "b": "2"}, x="1", y="2"), APPLY, query={"fieldManager": "one"}
    )
    assert again.code == 200 and again.body == resp.body and k8s.resource_version == rv  # no-op

    # Fields this manager stops applying are removed; fields of another manager stay.
    client.patch(CONFIGMAPS + "/s", {"data": {"other": "o"}}, MERGE)
    dropped = client.patch(
        CONFIGMAPS + "/s", configmap("s", {"a": "1"}, x="1"), APPLY, query={"fieldManager": "one"}
    ).body
    assert dropped["metadata"]["labels"] == {"a": "1"}
    assert dropped["data"] == {"x": "1", "other": "o"}

    conflict = client.patch(CONFIGMAPS + "/s", configmap("s", x="2"), APPLY, query={"fieldManager": "two"})
    assert_status(conflict, 409, "Conflict")
    assert conflict.body["message"] == 'Apply failed with 1 conflict: conflict with "one": .data.x'
    forced = client.patch(
        CONFIGMAPS + "/s", configmap("s", x="2"), APPLY, query={"fieldManager": "two", "force": "true"}
    ).body
    assert forced["data"]["x"] == "2"
    owners = {e["manager"]: e["fieldsV1"] for e in forced["metadata"]["managedFields"]}
    assert owners == {"one": {"f:metadata": {"f:labels": {"f:a": {}}}}, "two": {"f:data": {"f:x": {}}}}

    # No fieldManager: the API server validates the PatchOptions first and answers 422 Invalid (not 400).
    missing = client.patch(CONFIGMAPS + "/s", configmap("s"), APPLY)
    assert_status(missing, 422, "Invalid")
    assert missing.body["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'
    )
    assert missing.body["details"]["causes"] == [
        {
            "reason": "FieldValueRequired",
            "field": "fieldManager",
            "message": "Required value: is required for apply patch",
        }
    ]


def test_server_side_apply_refuses_what_a_real_server_refuses(client, k8s):
    """Each refusal stores nothing: the resourceVersion stays, the object stays as it was."""
    client.patch(CONFIGMAPS + "/r", configmap("r", x="1"), APPLY, query={"fieldManager": "one"})
    rv = k8s.resource_version
    query = {"fieldManager": "one"}
    # force belongs to apply patches only
    forced = client.patch(CONFIGMAPS + "/r", {"data": {"x": "2"}}, MERGE, query={"force": "true"})
    assert_status(forced, 422, "Invalid")
    assert "force: Forbidden: may not be specified for non-apply patch" in forced.body["message"]
    assert_status(
        client.patch(CONFIGMAPS + "/r", configmap("r"), APPLY, query={"fieldManager": "m" * 129}), 422, "Invalid"
    )
    # the configuration must name the URL's apiVersion and kind, and carry no managedFields
    no_version = {k: v for k, v in configmap("r", x="2").items() if k != "apiVersion"}
    wrong = client.patch(CONFIGMAPS + "/r", no_version, APPLY, query=query)
    assert_status(wrong, 400, "BadRequest")
    assert wrong.body["message"] == "invalid object type: /, Kind=ConfigMap"
    as_secret = dict(configmap("r", x="2"), kind="Secret")
    assert client.patch(CONFIGMAPS + "/r", as_secret, APPLY, query=query).body["message"] == (
        "invalid object type: /v1, Kind=Secret"
    )
    read_back = client.get(CONFIGMAPS + "/r").body
    read_back["data"] = {"x": "2"}
    owned = client.patch(CONFIGMAPS + "/r", read_back, APPLY, query=query)
    assert_status(owned, 400, "BadRequest")
    assert owned.body["message"] == "metadata.managedFields must be nil"
    assert k8s.resource_version == rv and k8s.get("v1", "configmaps", "r", "default")["data"] == {"x": "1"}


def test_server_side_apply_keeps_a_client_side_apply_annotation(client, k8s):
    """A server-side apply never removes kubectl.kubernetes.io/last-applied-configuration: for any manager but
    "kubectl" it stays as it was, stale values and all (the API server's lastAppliedUpdater syncs it for kubectl
    only). Removing it takes an explicit patch."""
    annotation = "kubectl.kubernetes.io/last-applied-configuration"
    old = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "csa"}, "stringData": {"k": "old-value"}}
    created = dict(old, metadata={"name": "csa", "annotations": {annotation: json.dumps(old)}})
    client.post(SECRETS, created)
    applied = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "csa"},
        "data": {"k": base64.b64encode(b"new-value").decode()},
    }
    body = client.patch(SECRETS + "/csa", applied, APPLY, query={"fieldManager": "insightpulseai.workbench"}).body
    assert body["metadata"]["annotations"] == {annotation: json.dumps(old)}  # still the old value, in clear
    assert "old-value" in k8s.get("v1", "secrets", "csa", "default")["metadata"]["annotations"][annotation]

    synced = client.patch(SECRETS + "/csa", applied, APPLY, query={"fieldManager": "kubectl"}).body
    assert json.loads(synced["metadata"]["annotations"][annotation]) == dict(
        applied, metadata={"name": "csa", "namespace": "default"}
    )

    client.patch(
        SECRETS + "/csa",
        [{"op": "remove", "path": "/metadata/annotations/" + annotation.replace("/", "~1")}],
        JSON_PATCH,
    )
    assert "annotations" not in k8s.get("v1", "secrets", "csa", "default")["metadata"]  # an empty map is omitted


def test_server_side_apply_keyed_lists(client):
    query = {"fieldManager": "ci"}
    env = [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]
    client.patch(DEPLOYMENTS + "/web", deployment("web", env=env), APPLY, query=query)
    applied = client.patch(
        DEPLOYMENTS + "/web", deployment("web", env=[{"name": "B", "value": "3"}]), APPLY, query=query
    ).body
    (web,) = applied["spec"]["template"]["spec"]["containers"]
    assert web["env"] == [{"name": "B", "value": "3"}]
    fields = applied["metadata"]["managedFields"][0]["fieldsV1"]
    container = fields["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"web"}']
    assert container["f:env"] == {'k:{"name":"B"}': {".": {}, "f:name": {}, "f:value": {}}}


# --- dry run, resourceVersion, generation, secrets -------------------------------------------------------------


def test_dry_run_never_persists(client, k8s):
    client.post(CONFIGMAPS, configmap("kept", x="1"))
    rv = k8s.resource_version
    dry = {"dryRun": "All"}
    created = client.post(CONFIGMAPS, configmap("ghost", x="1"), query=dry)
    assert created.code == 201 and created.body["metadata"]["uid"] and "resourceVersion" not in created.body["metadata"]
    assert client.patch(CONFIGMAPS + "/kept", {"data": {"x": "2"}}, MERGE, query=dry).body["data"] == {"x": "2"}
    assert client.patch(CONFIGMAPS + "/ssa", configmap("ssa"), APPLY, query=dict(dry, fieldManager="m")).code == 201
    put = client.get(CONFIGMAPS + "/kept").body
    put["data"] = {"x": "3"}
    assert client.put(CONFIGMAPS + "/kept", put, query=dry).code == 200
    assert client.delete(CONFIGMAPS + "/kept", query=dry).code == 200
    assert (
        client.delete(CONFIGMAPS + "/kept", {"kind": "DeleteOptions", "apiVersion": "v1", "dryRun": ["All"]}).code
        == 200
    )

    assert k8s.resource_version == rv
    assert k8s.get("v1", "configmaps", "ghost", "default") is None
    assert k8s.get("v1", "configmaps", "ssa", "default") is None
    assert k8s.get("v1", "configmaps", "kept", "default")["data"] == {"x": "1"}


def test_resource_version_conflicts_and_no_op_writes(client, k8s):
    original = client.post(CONFIGMAPS, configmap("rv", x="1")).body
    update = dict(original, data={"x": "2"})
    assert client.put(CONFIGMAPS + "/rv", update).code == 200
    stale = client.put(CONFIGMAPS + "/rv", dict(original, data={"x": "3"}))
    assert_status(stale, 409, "Conflict")
    assert "the object has been modified" in stale.body["message"]
    stale_patch = client.patch(
        CONFIGMAPS + "/rv", {"metadata": {"resourceVersion": original["metadata"]["resourceVersion"]}}, MERGE
    )
    assert_status(stale_patch, 409, "Conflict")

    rv = k8s.resource_version
    assert client.patch(CONFIGMAPS + "/rv", {"data": {"x": "2"}}, MERGE).code == 200
    assert k8s.resource_version == rv  # nothing changed, nothing stored

    precondition = {"kind": "DeleteOptions", "apiVersion": "v1", "preconditions": {"uid": "not-the-uid"}}
    assert_status(client.delete(CONFIGMAPS + "/rv", precondition), 409, "Conflict")


def test_generation_tracks_spec_changes_only(client):
    assert client.post(DEPLOYMENTS, deployment("gen")).body["metadata"]["generation"] == 1
    labelled = client.patch(DEPLOYMENTS + "/gen", {"metadata": {"labels": {"x": "y"}}}, MERGE).body
    assert labelled["metadata"]["generation"] == 1
    scaled = client.patch(DEPLOYMENTS + "/gen", {"spec": {"replicas": 3}}, MERGE).body
    assert scaled["metadata"]["generation"] == 2
    status_ignored = client.patch(DEPLOYMENTS + "/gen", {"status": {"replicas": 99}}, MERGE).body
    assert status_ignored["metadata"]["generation"] == 2 and status_ignored["status"]["replicas"] == 3


def test_secret_string_data_is_folded_into_data(client, k8s):
    body = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "s"},
        "data": {"kept": base64.b64encode(b"old").decode(), "both": base64.b64encode(b"data").decode()},
        "stringData": {"both": "stringData wins", "pw": "hunter2"},
    }
    created = client.post(SECRETS, body).body
    assert "stringData" not in created and created["type"] == "Opaque"
    stored = k8s.get("v1", "secrets", "s", "default")
    decoded = {k: base64.b64decode(v).decode() for k, v in stored["data"].items()}
    assert decoded == {"kept": "old", "both": "stringData wins", "pw": "hunter2"}
    bad = dict(body, metadata={"name": "bad"}, data={"x": "not base64!"})
    assert_status(client.post(SECRETS, bad), 400, "BadRequest")


# --- protobuf (what helm's release storage sends) --------------------------------------------------------------


def _varint(n):
    out = b""
    while True:
        byte, n = n & 0x7F, n >> 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out


def _bytes(number, payload):
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _str(number, text):
    return _bytes(number, text.encode())


def _map(number, mapping):
    return b"".join(
        _bytes(number, _str(1, k) + _bytes(2, v if isinstance(v, bytes) else v.encode())) for k, v in mapping.items()
    )


def _envelope(api_version, kind, raw):
    """The k8s protobuf serializer's output: magic, then runtime.Unknown{typeMeta, raw}."""
    return b"k8s\x00" + _bytes(1, _str(1, api_version) + _str(2, kind)) + _bytes(2, raw)


def protobuf_secret(name, data, labels, resource_version=None):
    meta = _str(1, name) + _str(3, "default") + (_str(6, resource_version) if resource_version else b"")
    meta += _bytes(8, b"")  # the zero creationTimestamp Go always writes
    return _envelope("v1", "Secret", _bytes(1, meta + _map(11, labels)) + _map(2, data) + _str(3, "helm.sh/release.v1"))


def test_protobuf_secret_create_update_delete(client, k8s):
    pb = "application/vnd.kubernetes.protobuf"
    labels = {"owner": "helm", "name": "demo"}
    created = client.post(
        SECRETS, protobuf_secret("sh.helm.release.v1.demo.v1", {"release": b"\x00\x01blob"}, labels), content_type=pb
    )
    assert created.code == 201, created.body
    stored = k8s.get("v1", "secrets", "sh.helm.release.v1.demo.v1", "default")
    assert stored["type"] == "helm.sh/release.v1" and stored["metadata"]["labels"] == labels
    assert base64.b64decode(stored["data"]["release"]) == b"\x00\x01blob"
    assert "creationTimestamp" in stored["metadata"] and "generateName" not in stored["metadata"]

    rv = stored["metadata"]["resourceVersion"]
    updated = client.put(
        SECRETS + "/sh.helm.release.v1.demo.v1",
        protobuf_secret("sh.helm.release.v1.demo.v1", {"release": b"v2"}, labels, rv),
        content_type=pb,
    )
    assert updated.code == 200 and base64.b64decode(updated.body["data"]["release"]) == b"v2"

    options = _envelope("v1", "DeleteOptions", _bytes(2, _str(1, "wrong-uid")))  # preconditions.uid
    assert_status(client.delete(SECRETS + "/sh.helm.release.v1.demo.v1", options, content_type=pb), 409, "Conflict")
    options = _envelope("v1", "DeleteOptions", _str(4, "Background"))  # propagationPolicy
    assert client.delete(SECRETS + "/sh.helm.release.v1.demo.v1", options, content_type=pb).code == 200
    assert k8s.get("v1", "secrets", "sh.helm.release.v1.demo.v1", "default") is None
    unknown = _envelope("apps/v1", "Deployment", b"")
    assert_status(client.post(DEPLOYMENTS, unknown, content_type=pb), 415, "UnsupportedMediaType")


# --- controllers, garbage collection, finalizers, namespaces, CRDs, watch ------------------------------------------

OTHER_TYPES = [
    ("/api/v1/namespaces/default/serviceaccounts", {"apiVersion": "v1", "kind": "ServiceAccount"}),
    (
        "/apis/networking.k8s.io/v1/namespaces/default/ingresses",
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "spec": {"rules": [{"host": "a.example.test"}]}},
    ),
    (
        "/apis/networking.k8s.io/v1/ingressclasses",
        {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "spec": {"controller": "traefik.io/ingress"}},
    ),
    (
        "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies",
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "spec": {"podSelector": {}}},
    ),
    (
        "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers",
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "spec": {
                "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                "maxReplicas": 3,
            },
        },
    ),
    (
        "/apis/policy/v1/namespaces/default/poddisruptionbudgets",
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "spec": {"minAvailable": 1}},
    ),
    (
        "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "rules": []},
    ),
    (
        "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "x"},
        },
    ),
    (
        "/apis/rbac.authorization.k8s.io/v1/clusterroles",
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "rules": []},
    ),
    (
        "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "x"},
        },
    ),
    (
        "/apis/traefik.io/v1alpha1/namespaces/default/tlsoptions",
        {"apiVersion": "traefik.io/v1alpha1", "kind": "TLSOption", "spec": {"minVersion": "VersionTLS12"}},
    ),
    (
        "/apis/traefik.io/v1alpha1/namespaces/default/serverstransports",
        {"apiVersion": "traefik.io/v1alpha1", "kind": "ServersTransport", "spec": {"insecureSkipVerify": True}},
    ),
]


@pytest.mark.parametrize("path, body", OTHER_TYPES, ids=[body["kind"] for _path, body in OTHER_TYPES])
def test_other_types_round_trip(client, path, body):
    created = client.post(path, dict(body, metadata={"name": "x"}))
    assert created.code == 201, created.body
    assert client.get(path + "/x").body == created.body
    assert [i["metadata"]["name"] for i in client.get(path).body["items"]] == ["x"]
    if body["kind"] == "NetworkPolicy":
        assert created.body["spec"]["policyTypes"] == ["Ingress"]  # defaulted
    assert client.delete(path + "/x").code == 200
    assert_status(client.get(path + "/x"), 404, "NotFound")


def test_pods_claims_and_daemon_sets_settle(client, k8s):
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": {"containers": [{"name": "c", "image": "busybox"}]},
    }
    assert client.post("/api/v1/namespaces/default/pods", pod).body["status"]["phase"] == "Pending"
    stored = k8s.get("v1", "pods", "p", "default")
    assert stored["status"]["phase"] == "Running" and stored["spec"]["nodeName"]
    assert {c["type"] for c in stored["status"]["conditions"] if c["status"] == "True"} >= {"Ready", "PodScheduled"}
    assert stored["spec"]["containers"][0]["imagePullPolicy"] == "Always"  # untagged image

    claim = {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }
    client.post("/api/v1/namespaces/default/persistentvolumeclaims", claim)
    assert k8s.get("v1", "persistentvolumeclaims", "data", "default")["status"] == {
        "phase": "Bound",
        "accessModes": ["ReadWriteOnce"],
        "capacity": {"storage": "1Gi"},
    }

    ds = deployment("agent")
    ds["kind"] = "DaemonSet"
    del ds["spec"]["replicas"]
    client.post("/apis/apps/v1/namespaces/default/daemonsets", ds)
    status = k8s.get("apps/v1", "daemonsets", "agent", "default")["status"]
    assert status["numberReady"] == status["desiredNumberScheduled"] == 1 and status["observedGeneration"] == 1


def test_workloads_report_ready_and_own_their_replica_sets(client, k8s):
    resp = client.post(DEPLOYMENTS, deployment("web", replicas=3))
    assert resp.body["status"] == {}  # the response is the object as stored, before any controller ran
    dep = k8s.get("apps/v1", "deployments", "web", "default")
    status = dep["status"]
    assert status["observedGeneration"] == dep["metadata"]["generation"] == 1
    assert status["replicas"] == status["readyReplicas"] == status["availableReplicas"] == 3
    conditions = {(c["type"], c["status"]) for c in status["conditions"]}
    assert conditions == {("Available", "True"), ("Progressing", "True")}
    (rs,) = k8s.list("apps/v1", "replicasets", "default")
    assert rs["metadata"]["ownerReferences"][0]["uid"] == dep["metadata"]["uid"]
    assert rs["spec"]["template"]["metadata"]["labels"]["pod-template-hash"] in rs["metadata"]["name"]

    client.patch(
        DEPLOYMENTS + "/web",
        {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.28"}]}}}},
        STRATEGIC,
    )
    sets = {r["metadata"]["name"]: r["spec"]["replicas"] for r in k8s.list("apps/v1", "replicasets", "default")}
    assert sorted(sets.values()) == [0, 3]
    assert (
        k8s.get("apps/v1", "deployments", "web", "default")["metadata"]["annotations"][
            "deployment.kubernetes.io/revision"
        ]
        == "2"
    )

    client.delete(DEPLOYMENTS + "/web")
    assert k8s.list("apps/v1", "replicasets", "default") == []  # garbage-collected

    sts = deployment("db", replicas=2)
    sts["kind"] = "StatefulSet"
    client.post("/apis/apps/v1/namespaces/default/statefulsets", sts)
    sts_status = k8s.get("apps/v1", "statefulsets", "db", "default")["status"]
    assert sts_status["readyReplicas"] == 2 and sts_status["currentRevision"] == sts_status["updateRevision"]

    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "lb"},
        "spec": {"type": "LoadBalancer", "selector": {"app": "db"}, "ports": [{"port": 80}]},
    }
    client.post("/api/v1/namespaces/default/services", svc)
    svc = k8s.get("v1", "services", "lb", "default")
    assert svc["spec"]["clusterIP"].startswith("10.96.") and svc["spec"]["ports"][0]["nodePort"] >= 30000
    assert svc["status"]["loadBalancer"]["ingress"][0]["ip"].startswith("203.0.113.")


def test_finalizers_hold_deletion(client, k8s):
    held = configmap("held")
    held["metadata"]["finalizers"] = ["example.com/hold"]
    client.post(CONFIGMAPS, held)
    resp = client.delete(CONFIGMAPS + "/held")
    assert resp.code == 200 and resp.body["metadata"]["deletionTimestamp"]
    assert k8s.get("v1", "configmaps", "held", "default") is not None
    client.patch(CONFIGMAPS + "/held", {"metadata": {"finalizers": None}}, MERGE)
    assert k8s.get("v1", "configmaps", "held", "default") is None


def test_namespace_deletion_removes_its_contents(client, k8s):
    client.post("/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "tmp"}})
    client.post("/api/v1/namespaces/tmp/configmaps", configmap("c"))
    resp = client.delete("/api/v1/namespaces/tmp")
    assert resp.code == 200 and resp.body["status"]["phase"] == "Terminating"
    assert k8s.get("v1", "namespaces", "tmp") is None
    assert k8s.list("v1", "configmaps", "tmp") == []


def test_custom_resource_definitions_are_served_once_established(client, k8s):
    crd = {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.example.com"},
        "spec": {
            "group": "example.com",
            "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget", "shortNames": ["wd"]},
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "schema": {"openAPIV3Schema": {"type": "object"}},
                }
            ],
        },
    }
    assert client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).code == 201
    stored = k8s.get("apiextensions.k8s.io/v1", "customresourcedefinitions", "widgets.example.com")
    assert {c["type"] for c in stored["status"]["conditions"]} == {"NamesAccepted", "Established"}
    resources = client.get("/apis/example.com/v1").body["resources"]
    assert resources == [
        {
            "name": "widgets",
            "singularName": "widget",
            "namespaced": True,
            "kind": "Widget",
            "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
            "shortNames": ["wd"],
        }
    ]
    widget = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "spec": {"size": 1},
        "status": {"ignored": True},
    }
    created = client.post("/apis/example.com/v1/namespaces/default/widgets", widget).body
    assert "status" not in created  # status is a subresource of this CRD
    listed = client.get("/apis/example.com/v1/namespaces/default/widgets").body["items"]
    assert listed[0]["kind"] == "Widget"  # custom resource lists keep apiVersion/kind on items

    bad = dict(crd, metadata={"name": "wrong.example.com"})
    assert_status(client.post("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", bad), 422, "Invalid")

    client.delete("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com")
    assert_status(client.get("/apis/example.com/v1/namespaces/default/widgets"), 404, "NotFound")
    assert k8s.cluster.store.list("example.com", "widgets") == []


def test_watch_streams_events(client, k8s):
    client.post(CONFIGMAPS, configmap("before"))
    rv = k8s.resource_version
    events = []

    def watch():
        resp = client.get(
            CONFIGMAPS, query={"watch": "true", "resourceVersion": rv, "timeoutSeconds": 1, "labelSelector": "w=1"}
        )
        events.extend(json.loads(line) for line in resp.raw.splitlines())

    watcher = threading.Thread(target=watch)
    watcher.start()
    client.post(CONFIGMAPS, configmap("ignored"))
    client.post(CONFIGMAPS, configmap("seen", {"w": "1"}))
    client.patch(CONFIGMAPS + "/seen", {"data": {"x": "1"}}, MERGE)
    client.delete(CONFIGMAPS + "/seen")
    watcher.join(10)
    assert [(e["type"], e["object"]["metadata"]["name"]) for e in events] == [
        ("ADDED", "seen"),
        ("MODIFIED", "seen"),
        ("DELETED", "seen"),
    ]
    versions = [int(e["object"]["metadata"]["resourceVersion"]) for e in events]
    assert versions == sorted(versions) and versions[0] > rv

    initial = client.get(CONFIGMAPS, query={"watch": "1", "timeoutSeconds": 1}).raw.splitlines()
    assert [(json.loads(e)["type"], json.loads(e)["object"]["metadata"]["name"]) for e in initial] == [
        ("ADDED", "before"),
        ("ADDED", "ignored"),
    ]


@pytest.mark.parametrize("policy, remaining", [("Orphan", 1), ("Foreground", 0)])
def test_delete_propagation_policies(client, k8s, policy, remaining):
    client.post(DEPLOYMENTS, deployment("web"))
    options = {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": policy}
    assert client.delete(DEPLOYMENTS + "/web", options).code == 200
    assert k8s.get("apps/v1", "deployments", "web", "default") is None
    sets = k8s.list("apps/v1", "replicasets", "default")
    assert len(sets) == remaining
    if sets:
        assert "ownerReferences" not in sets[0]["metadata"]
