"""/v2/kubernetes: DOKS clusters, node pools and nodes, kubeconfig and credentials, options, upgrades, and the
container registry integration.

A new cluster is ``provisioning`` and becomes ``running`` after the store's provision delay; new nodes likewise.
Its kubeconfig points at the Kubernetes API given to the fake at start (``--kube-server``), so that a playbook can
go on from creating the cluster to the stages that run in it.
"""

from __future__ import annotations

import base64
import ipaddress
import random
import string
import urllib.parse

import yaml

from . import projects, vpcs
from .api import (
    ROUTER,
    ApiError,
    Response,
    accepted,
    created,
    new_id,
    no_content,
    not_found,
    now,
    ok,
    paginate,
    unprocessable,
)
from .catalog import K8S_SIZES, K8S_VERSIONS, REGIONS
from .store import Store

# Settings the API can change in place on a cluster (PUT /v2/kubernetes/clusters/{id}), besides name and tags.
UPDATABLE = (
    "maintenance_policy",
    "auto_upgrade",
    "surge_upgrade",
    "ha",
    "control_plane_firewall",
    "cluster_autoscaler_configuration",
    "routing_agent",
)
DEFAULT_MAINTENANCE = {"start_time": "00:00", "duration": "4h0m0s", "day": "any"}


def get_cluster(store, cluster_id):
    cluster = store.data["clusters"].get(cluster_id)
    if cluster is None:
        raise not_found()
    return cluster


def _get_pool(cluster, pool_id):
    for pool in cluster["node_pools"]:
        if pool["id"] == pool_id:
            return pool
    raise not_found()


def _check_name(store, name, cluster_id=None):
    if any(c["name"] == name and c["id"] != cluster_id for c in store.data["clusters"].values()):
        raise unprocessable("a cluster named %r already exists" % name)


def resolve_version(requested):
    """A version slug from "latest", a minor version ("1.35") or an exact slug."""
    for version in K8S_VERSIONS:
        if requested in ("latest", version["slug"]) or version["kubernetes_version"].startswith(requested + "."):
            return version["slug"]
    raise unprocessable("version %r is not available; see /v2/kubernetes/options" % requested)


def _minor(slug):
    return tuple(int(part) for part in slug.split("-")[0].split(".")[:2])


def _newer_versions(cluster):
    """The catalogue's versions newer than the cluster's (K8S_VERSIONS is newest first)."""
    slugs = [v["slug"] for v in K8S_VERSIONS]
    return K8S_VERSIONS[: slugs.index(cluster["version"])]


def _ip_host(url):
    host = urllib.parse.urlparse(url).hostname
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        return None


def _auto_tags(cluster_id, *extra):
    return ["k8s", "k8s:" + cluster_id] + list(extra)


def _user_tags(tags, cluster_id):
    """Tags as given, without the ones the API adds itself (a client may send back what it read)."""
    auto = set(_auto_tags(cluster_id, "k8s-worker"))
    return [t for t in tags or [] if t not in auto]


def _new_nodes(store, pool, count):
    for _node in range(count):
        suffix = "".join(random.choice(string.ascii_lowercase + string.digits) for _char in range(5))
        pool["nodes"].append(
            {
                "id": new_id(),
                "name": "%s-%s" % (pool["name"], suffix),
                "droplet_id": str(random.randint(100000000, 999999999)),
                "created_at": now(),
                "updated_at": now(),
                "_busy_until": store.busy_until(),
            }
        )


def _scale(store, pool, count):
    if count > len(pool["nodes"]):
        _new_nodes(store, pool, count - len(pool["nodes"]))
    else:
        del pool["nodes"][count:]
    pool["count"] = count


# A pool's settings besides name, size and count, with their values for a new pool.
POOL_SETTINGS = {"tags": [], "labels": None, "taints": [], "auto_scale": False, "min_nodes": 0, "max_nodes": 0}


def _apply_pool(cluster, pool, body):
    """Validate a create (``pool`` is new) or update body and apply it; a setting left out keeps its value."""
    for key in ("name", "count"):
        if body.get(key) is None:
            raise unprocessable("node pool %s is required" % key)
    name, count = body["name"], body["count"]
    if any(p["name"] == name and p["id"] != pool["id"] for p in cluster["node_pools"]):
        raise unprocessable("node pool name %r is already used in this cluster" % name)
    settings = {key: pool.get(key, default) for key, default in POOL_SETTINGS.items()}
    settings.update((key, body[key]) for key in POOL_SETTINGS if body.get(key) is not None)
    settings["tags"] = _user_tags(settings["tags"], cluster["id"])
    if settings["auto_scale"]:
        if not settings["min_nodes"] <= count <= settings["max_nodes"]:
            raise unprocessable(
                "node pool %s: count %d must be between min_nodes %d and max_nodes %d"
                % (name, count, settings["min_nodes"], settings["max_nodes"])
            )
    elif count < 1:
        raise unprocessable("node pool %s: count must be at least 1 without auto_scale" % name)
    else:
        # The spec: min_nodes and max_nodes "will be 0 if auto_scale is set to false".
        settings.update(min_nodes=0, max_nodes=0)
    pool.update(settings, name=name)
    return count


def _new_pool(store, cluster, body):
    if body.get("size") not in K8S_SIZES:
        raise unprocessable("node pool size %r is not available; see /v2/kubernetes/options" % body.get("size"))
    pool = {"id": new_id(), "size": body["size"], "count": 0, "nodes": []}
    _scale(store, pool, _apply_pool(cluster, pool, body))
    return pool


def render_pool(cluster_id, pool):
    out = Store.public(pool)
    out["tags"] = _auto_tags(cluster_id, "k8s-worker") + pool["tags"]
    out["nodes"] = []
    for node in pool["nodes"]:
        shown = Store.public(node)
        shown["status"] = {"state": "provisioning" if Store.is_busy(node) else "running"}
        out["nodes"].append(shown)
    return out


def render(cluster):
    out = Store.public(cluster)
    out["tags"] = _auto_tags(cluster["id"]) + cluster["tags"]
    out["node_pools"] = [render_pool(cluster["id"], p) for p in cluster["node_pools"]]
    if Store.is_busy(cluster):
        out["status"] = {"state": cluster["_busy_state"], "message": cluster["_busy_state"]}
    else:
        out["status"] = {"state": "running", "message": ""}
    return out


@ROUTER.route("GET", "/v2/kubernetes/options")
def options(store, req):
    return ok(
        {
            "options": {
                "regions": [{"name": name, "slug": slug} for slug, name in sorted(REGIONS.items())],
                "versions": K8S_VERSIONS,
                "sizes": [{"name": name, "slug": slug} for slug, name in K8S_SIZES.items()],
            }
        }
    )


@ROUTER.route("GET", "/v2/kubernetes/clusters")
def list_clusters(store, req):
    clusters = sorted(store.data["clusters"].values(), key=lambda c: c["created_at"])
    return ok(paginate(req, [render(c) for c in clusters], "kubernetes_clusters"))


@ROUTER.route("POST", "/v2/kubernetes/clusters")
def create_cluster(store, req):
    body = req.json()
    if body["region"] not in REGIONS:
        raise unprocessable("region %r is not available; see /v2/kubernetes/options" % body["region"])
    _check_name(store, body["name"])
    version = resolve_version(body["version"])
    if body.get("vpc_uuid"):
        vpc = store.data["vpcs"].get(body["vpc_uuid"])
        if vpc is None or vpc["region"] != body["region"]:
            raise unprocessable("vpc_uuid %s is not a VPC in region %s" % (body["vpc_uuid"], body["region"]))
    else:
        vpc = vpcs.default_vpc(store, body["region"])
    if not body["node_pools"]:
        raise unprocessable("a cluster needs at least one node pool")
    cluster_id = new_id()
    endpoint = store.kube_server or "https://%s.k8s.ondigitalocean.com" % cluster_id
    cluster = {
        "id": cluster_id,
        "name": body["name"],
        "region": body["region"],
        "version": version,
        "cluster_subnet": body.get("cluster_subnet") or "10.244.0.0/16",
        "service_subnet": body.get("service_subnet") or "10.245.0.0/16",
        "vpc_uuid": vpc["id"],
        "endpoint": endpoint,
        "tags": _user_tags(body.get("tags"), cluster_id),
        "node_pools": [],
        "maintenance_policy": dict(DEFAULT_MAINTENANCE, **(body.get("maintenance_policy") or {})),
        "auto_upgrade": bool(body.get("auto_upgrade")),
        "surge_upgrade": bool(body.get("surge_upgrade")),
        # The spec: "When omitted on create, ... for DOKS 1.36.0 and later, the default is true".
        "ha": body["ha"] if body.get("ha") is not None else _minor(version) >= (1, 36),
        "registry_enabled": False,
        "created_at": now(),
        "updated_at": now(),
        "_busy_state": "provisioning",
        "_busy_until": store.busy_until(),
    }
    if not cluster["ha"] and _ip_host(endpoint):  # the spec: ipv4 "will not be set if high availability is configured"
        cluster["ipv4"] = _ip_host(endpoint)
    for key in ("control_plane_firewall", "cluster_autoscaler_configuration", "routing_agent"):
        if body.get(key) is not None:
            cluster[key] = body[key]
    for pool_body in body["node_pools"]:
        cluster["node_pools"].append(_new_pool(store, cluster, pool_body))
    store.data["clusters"][cluster_id] = cluster
    projects.assign_to_default(store, "do:kubernetes:" + cluster_id)
    return created({"kubernetes_cluster": render(cluster)})


@ROUTER.route("GET", "/v2/kubernetes/clusters/{cluster_id}")
def read_cluster(store, req, cluster_id):
    return ok({"kubernetes_cluster": render(get_cluster(store, cluster_id))})


@ROUTER.route("PUT", "/v2/kubernetes/clusters/{cluster_id}")
def update_cluster(store, req, cluster_id):
    cluster = get_cluster(store, cluster_id)
    body = req.json()
    if cluster["ha"] and body.get("ha") is False:
        raise unprocessable("high availability cannot be disabled once enabled")
    _check_name(store, body["name"], cluster_id)
    cluster["name"] = body["name"]
    if body.get("tags") is not None:
        cluster["tags"] = _user_tags(body["tags"], cluster_id)
    for key in UPDATABLE:
        if body.get(key) is not None:
            value = body[key]
            if key == "maintenance_policy":  # duration is read-only: the API keeps its own
                value = dict(value, duration=DEFAULT_MAINTENANCE["duration"])
            cluster[key] = value
    cluster["updated_at"] = now()
    return accepted({"kubernetes_cluster": render(cluster)})


@ROUTER.route("DELETE", "/v2/kubernetes/clusters/{cluster_id}")
def delete_cluster(store, req, cluster_id):
    get_cluster(store, cluster_id)
    del store.data["clusters"][cluster_id]
    projects.unassign(store, "do:kubernetes:" + cluster_id)
    return no_content()


def _credentials(store, cluster):
    token = store.kube_token or "fake-token-" + cluster["id"]
    return cluster["endpoint"], token


@ROUTER.route("GET", "/v2/kubernetes/clusters/{cluster_id}/kubeconfig")
def kubeconfig(store, req, cluster_id):
    cluster = get_cluster(store, cluster_id)
    server, token = _credentials(store, cluster)
    name = "do-%s-%s" % (cluster["region"], cluster["name"])
    entry = {"server": server}
    if store.kube_ca_data:
        entry["certificate-authority-data"] = store.kube_ca_data
    elif server.startswith("https://"):
        entry["insecure-skip-tls-verify"] = True
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": entry}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name + "-admin"}}],
        "current-context": name,
        "preferences": {},
        "users": [{"name": name + "-admin", "user": {"token": token}}],
    }
    return Response(200, yaml.safe_dump(config, sort_keys=False), content_type="application/yaml")


@ROUTER.route("GET", "/v2/kubernetes/clusters/{cluster_id}/credentials")
def credentials(store, req, cluster_id):
    cluster = get_cluster(store, cluster_id)
    server, token = _credentials(store, cluster)
    ca = store.kube_ca_data or base64.b64encode(b"fake CA of the DigitalOcean API fake").decode()
    # A fixed, far expiry: the fake's kube tokens do not expire.
    return ok(
        {
            "server": server,
            "certificate_authority_data": ca,
            "client_certificate_data": None,
            "client_key_data": None,
            "token": token,
            "expires_at": "2099-01-01T00:00:00Z",
        }
    )


@ROUTER.route("GET", "/v2/kubernetes/clusters/{cluster_id}/upgrades")
def upgrades(store, req, cluster_id):
    return ok({"available_upgrade_versions": _newer_versions(get_cluster(store, cluster_id))})


@ROUTER.route("POST", "/v2/kubernetes/clusters/{cluster_id}/upgrade")
def upgrade(store, req, cluster_id):
    cluster = get_cluster(store, cluster_id)
    version = req.json()["version"]
    if version not in [v["slug"] for v in _newer_versions(cluster)]:
        raise unprocessable("%s is not an available upgrade of %s" % (version, cluster["version"]))
    cluster.update(version=version, updated_at=now(), _busy_state="upgrading", _busy_until=store.busy_until())
    return Response(202)


@ROUTER.route("GET", "/v2/kubernetes/clusters/{cluster_id}/node_pools")
def list_pools(store, req, cluster_id):
    cluster = get_cluster(store, cluster_id)
    return ok({"node_pools": [render_pool(cluster_id, p) for p in cluster["node_pools"]]})


@ROUTER.route("POST", "/v2/kubernetes/clusters/{cluster_id}/node_pools")
def create_pool(store, req, cluster_id):
    cluster = get_cluster(store, cluster_id)
    pool = _new_pool(store, cluster, req.json())
    cluster["node_pools"].append(pool)
    return created({"node_pool": render_pool(cluster_id, pool)})


@ROUTER.route("GET", "/v2/kubernetes/clusters/{cluster_id}/node_pools/{node_pool_id}")
def read_pool(store, req, cluster_id, node_pool_id):
    pool = _get_pool(get_cluster(store, cluster_id), node_pool_id)
    return ok({"node_pool": render_pool(cluster_id, pool)})


@ROUTER.route("PUT", "/v2/kubernetes/clusters/{cluster_id}/node_pools/{node_pool_id}")
def update_pool(store, req, cluster_id, node_pool_id):
    cluster = get_cluster(store, cluster_id)
    pool = _get_pool(cluster, node_pool_id)
    _scale(store, pool, _apply_pool(cluster, pool, req.json()))
    return accepted({"node_pool": render_pool(cluster_id, pool)})


@ROUTER.route("DELETE", "/v2/kubernetes/clusters/{cluster_id}/node_pools/{node_pool_id}")
def delete_pool(store, req, cluster_id, node_pool_id):
    cluster = get_cluster(store, cluster_id)
    pool = _get_pool(cluster, node_pool_id)
    if len(cluster["node_pools"]) == 1:
        raise unprocessable("a cluster needs at least one node pool; delete the cluster instead")
    cluster["node_pools"].remove(pool)
    return no_content()


@ROUTER.route("DELETE", "/v2/kubernetes/clusters/{cluster_id}/node_pools/{node_pool_id}/nodes/{node_id}")
def delete_node(store, req, cluster_id, node_pool_id, node_id):
    pool = _get_pool(get_cluster(store, cluster_id), node_pool_id)
    node = next((n for n in pool["nodes"] if n["id"] == node_id), None)
    if node is None:
        raise not_found()
    pool["nodes"].remove(node)
    if req.flag("replace"):
        _new_nodes(store, pool, 1)
    else:
        pool["count"] -= 1
    return Response(202)


def _registry_clusters(store, req):
    if store.data["registry"] is None:
        raise ApiError(404, "not_found", "no container registry exists in this account")
    return [get_cluster(store, cluster_id) for cluster_id in req.json()["cluster_uuids"]]


@ROUTER.route("POST", "/v2/kubernetes/registry")
def add_registry(store, req):
    for cluster in _registry_clusters(store, req):
        cluster["registry_enabled"] = True
    return no_content()


@ROUTER.route("DELETE", "/v2/kubernetes/registry")
def remove_registry(store, req):
    for cluster in _registry_clusters(store, req):
        cluster["registry_enabled"] = False
    return no_content()
