# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: DigitalOcean Kubernetes (DOKS) clusters as desired state: the current state normalised, planning,
applying, waiting, and the kubeconfig (the desired spec: _do_kubernetes_spec). Not a public API.

What the DO API allows, and hence the plan:
- In place (``PUT /kubernetes/clusters/{id}``): tags, maintenance window (start time and day; the duration is the
  API's own), auto_upgrade, surge_upgrade, and HA (enable only). Registry integration through
  ``POST/DELETE /kubernetes/registry``. Upgrades through ``POST .../upgrade`` to a version ``GET .../upgrades`` lists.
- Node pools (``/node_pools``): create, delete, and update of count, auto_scale/min/max, tags, labels and taints.
  No pool is special: the pools of the create request are ordinary pools afterwards, so the module creates new pools
  before it deletes old ones and a cluster always keeps one.
- Never in place: region, VPC, a lower version, a pool's droplet size. ``plan()`` collects every such drift and the
  module fails naming attribute, current and desired value, before it sends any write.
Errors are the runtime's: SpecError (bad input), DriftError (drift; an upgrade the cluster does not offer), and
ServiceError kinds (a cluster in a failed state, WaitTimeout), each saying whether anything had been written.
Everything here but ``apply``/``wait_running``/``fetch_credentials`` works on plain dicts and is unit-tested
without a server.
"""

from __future__ import annotations

import copy
import datetime
import time

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _runtime
from ansible_collections.insightpulseai.workbench.plugins.module_utils._do_client import find_one_by_name
from ansible_collections.insightpulseai.workbench.plugins.module_utils._do_kubernetes_spec import (
    SpecError,
    start_time,
    normalize_taints,
    parse_version,
)

CLUSTER_SETTINGS = ("tags", "maintenance_policy", "auto_upgrade", "surge_upgrade", "ha")
FAILED_STATES = ("degraded", "error", "deleted", "deleting")
APPLY_ORDER = ("create", "update", "create_pool", "update_pool", "delete_pool", "registry", "upgrade")
KUBECONFIG_EXTENSION = "insightpulseai.workbench/doks"


ServiceError = _runtime.ServiceError


class DriftError(_runtime.DriftError):
    """Drift the API cannot fix in place: raised by plan(), before anything is written. ``drifts`` lists each
    attribute with its current and desired value; the failed result carries it as ``drift``."""

    def __init__(self, cluster, drifts):
        self.drifts = drifts
        _runtime.DriftError.__init__(
            self,
            "Cluster %r cannot be brought to the desired state in place; nothing was changed: %s."
            % (cluster, "; ".join(drifts)),
            written=False,
            drift=list(drifts),
        )


class UpgradeUnavailable(_runtime.DriftError):
    """The desired version is not among the upgrades DOKS offers this cluster (found while applying, so earlier
    steps of the plan may have been written: ``written``)."""


class WaitTimeout(_runtime.ServiceError):
    """The cluster did not reach ``running`` within wait_timeout; the operation goes on at DigitalOcean."""


class ClusterFailed(_runtime.ServiceError):
    """The cluster reports a failed state (degraded, error, deleted, deleting) while the module waits for it."""


# ---------------------------------------------------------------------------------------------------------
# Desired state
# ---------------------------------------------------------------------------------------------------------


# ---------------------------------------------------------------------------------------------------------
# Current state
# ---------------------------------------------------------------------------------------------------------


def _user_tags(tags, cluster_id):
    auto = set(["k8s", "k8s:" + str(cluster_id), "k8s:worker", "k8s-worker"])
    return sorted(set(t for t in tags or [] if t not in auto))


def normalize_pool_current(pool, cluster_id):
    """An API node pool in the shape of a desired pool, plus its id and node counts."""
    nodes = pool.get("nodes") or []
    return dict(
        id=pool.get("id"),
        name=pool.get("name"),
        size=pool.get("size"),
        count=pool.get("count"),
        auto_scale=bool(pool.get("auto_scale")),
        min_nodes=pool.get("min_nodes") or 0,
        max_nodes=pool.get("max_nodes") or 0,
        tags=_user_tags(pool.get("tags"), cluster_id),
        labels=dict(pool.get("labels") or {}),
        taints=normalize_taints(pool.get("taints") or [], "node pool %r" % pool.get("name")),
        nodes=len(nodes),
        nodes_running=sum(1 for n in nodes if ((n.get("status") or {}).get("state")) == "running"),
    )


def normalize_current(cluster):
    """An API cluster object in the shape of the desired state (plus read-only facts)."""
    if cluster is None:
        return None
    cid = cluster.get("id")
    policy = cluster.get("maintenance_policy") or {}
    return dict(
        id=cid,
        name=cluster.get("name"),
        region=cluster.get("region"),
        version=cluster.get("version"),
        vpc_uuid=cluster.get("vpc_uuid"),
        tags=_user_tags(cluster.get("tags"), cid),
        ha=bool(cluster.get("ha")),
        auto_upgrade=bool(cluster.get("auto_upgrade")),
        surge_upgrade=bool(cluster.get("surge_upgrade")),
        maintenance_policy=dict(
            start_time=start_time(policy.get("start_time") or "00:00", "current maintenance_policy"),
            day=str(policy.get("day") or "any").lower(),
            duration=policy.get("duration"),
        ),
        registry_enabled=bool(cluster.get("registry_enabled")),
        endpoint=cluster.get("endpoint"),
        status=(cluster.get("status") or {}).get("state"),
        node_pools=[normalize_pool_current(p, cid) for p in cluster.get("node_pools") or []],
    )


# ---------------------------------------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------------------------------------


def version_drift(current_slug, desired):
    """'same', 'upgrade' or 'downgrade', comparing only to the precision the desired version gives."""
    want = parse_version(desired)
    if want is None:
        return "same"
    have = parse_version(current_slug)
    if have is None:
        return "same"
    precision = len([p for p in want if p is not None])
    have, want = tuple(p or 0 for p in have[:precision]), tuple(want[:precision])
    if have == want:
        return "same"
    return "upgrade" if want > have else "downgrade"


def pool_create_body(pool):
    """The POST body that creates a desired node pool."""
    body = dict(name=pool["name"], size=pool["size"], count=pool["count"], auto_scale=pool["auto_scale"])
    if pool["auto_scale"]:
        body.update(min_nodes=pool["min_nodes"], max_nodes=pool["max_nodes"])
    for key in ("tags", "labels", "taints"):
        if pool.get(key) is not None:
            body[key] = pool[key]
    return body


def _pool_changes(desired, current):
    """{setting: (current, desired)} for the settings of a pool that differ and can change in place."""
    changes = {}
    for key in ("auto_scale", "tags", "labels", "taints"):
        if desired.get(key) is not None and desired[key] != current[key]:
            changes[key] = (current[key], desired[key])
    if desired["auto_scale"]:
        for key in ("min_nodes", "max_nodes"):
            if desired[key] != current[key]:
                changes[key] = (current[key], desired[key])
        # The autoscaler owns count; it is only moved when it falls outside the new bounds.
        clamped = min(max(current["count"], desired["min_nodes"]), desired["max_nodes"])
        if clamped != current["count"]:
            changes["count"] = (current["count"], clamped)
    elif desired["count"] != current["count"]:
        changes["count"] = (current["count"], desired["count"])
    return changes


def pool_update_body(desired, current, changes):
    """The PUT body of a pool update: every setting (the API replaces them all), changed or kept."""
    body = dict(
        name=current["name"], count=changes.get("count", (None, current["count"]))[1], auto_scale=desired["auto_scale"]
    )
    if desired["auto_scale"]:
        body.update(min_nodes=desired["min_nodes"], max_nodes=desired["max_nodes"])
    else:
        body.update(min_nodes=0, max_nodes=0)
    for key in ("tags", "labels", "taints"):
        body[key] = desired[key] if desired.get(key) is not None else current[key]
    return body


def create_body(desired):
    """The POST body that creates the desired cluster with its node pools."""
    body = dict(
        name=desired["name"],
        region=desired["region"],
        version=desired["version"] or "latest",
        node_pools=[pool_create_body(p) for p in desired["node_pools"]],
    )
    for key in ("vpc_uuid", "tags", "maintenance_policy", "auto_upgrade", "surge_upgrade", "ha"):
        if desired.get(key) is not None:
            body[key] = desired[key]
    return body


def plan(desired, current):
    """The list of actions that bring ``current`` (normalised, or None) to ``desired``.

    Each action is a dict with ``op`` and a human-readable ``summary``. Raises DriftError, listing every attribute
    that cannot change in place, before anything is written. Raises SpecError for a create that lacks what the
    API needs.
    """
    name = desired["name"]
    if current is None:
        missing = [k for k in ("region", "node_pools") if not desired.get(k)]
        if missing:
            raise SpecError(
                "Cluster %r does not exist and cannot be created without %s." % (name, " and ".join(missing))
            )
        actions = [
            dict(
                op="create",
                body=create_body(desired),
                summary="create cluster %s in %s (version %s) with node pools %s"
                % (
                    name,
                    desired["region"],
                    desired["version"] or "latest",
                    ", ".join("%s (%s x %d)" % (p["name"], p["size"], p["count"]) for p in desired["node_pools"]),
                ),
            )
        ]
        if desired.get("registry_enabled"):
            actions.append(dict(op="registry", enable=True, summary="enable the container registry integration"))
        return actions

    drifts = []
    for key in ("region", "vpc_uuid"):
        if desired.get(key) is not None and desired[key] != current[key]:
            drifts.append(
                "%s is %s, desired %s (%s cannot change in place: create a new cluster)"
                % (key, current[key], desired[key], "the region" if key == "region" else "the VPC")
            )
    direction = version_drift(current["version"], desired.get("version"))
    if direction == "downgrade":
        drifts.append("version is %s, desired %s (DOKS cannot downgrade)" % (current["version"], desired["version"]))
    if desired.get("ha") is False and current["ha"]:
        drifts.append("ha is true, desired false (high availability cannot be disabled once enabled)")
    current_pools = dict((p["name"], p) for p in current["node_pools"])
    for pool in desired.get("node_pools") or []:
        have = current_pools.get(pool["name"])
        if have is not None and have["size"] != pool["size"]:
            drifts.append(
                "node pool %r size is %s, desired %s (a pool's droplet size cannot change in place: add a "
                "pool with a new name and the new size and remove this one; the module adds pools before it "
                "removes any)" % (pool["name"], have["size"], pool["size"])
            )
    if drifts:
        raise DriftError(name, drifts)

    actions = []
    update = {}
    for key in CLUSTER_SETTINGS:
        want = desired.get(key)
        if want is None:
            continue
        have = current[key]
        if key == "maintenance_policy":
            have = dict(start_time=have["start_time"], day=have["day"])
        if want != have:
            update[key] = (have, want)
    if update:
        shown = ", ".join("%s %s -> %s" % (k, _show(v[0]), _show(v[1])) for k, v in sorted(update.items()))
        actions.append(dict(op="update", changes=update, summary="update cluster: " + shown))
    if desired.get("node_pools") is not None:
        wanted = set()
        for pool in desired["node_pools"]:
            wanted.add(pool["name"])
            have = current_pools.get(pool["name"])
            if have is None:
                actions.append(
                    dict(
                        op="create_pool",
                        body=pool_create_body(pool),
                        summary="add node pool %s (%s x %d%s)"
                        % (
                            pool["name"],
                            pool["size"],
                            pool["count"],
                            ", autoscale %d-%d" % (pool["min_nodes"], pool["max_nodes"]) if pool["auto_scale"] else "",
                        ),
                    )
                )
                continue
            changes = _pool_changes(pool, have)
            if changes:
                actions.append(
                    dict(
                        op="update_pool",
                        pool_id=have["id"],
                        body=pool_update_body(pool, have, changes),
                        summary="update node pool %s: %s"
                        % (
                            pool["name"],
                            ", ".join(
                                "%s %s -> %s" % (k, _show(v[0]), _show(v[1])) for k, v in sorted(changes.items())
                            ),
                        ),
                    )
                )
        if desired.get("purge_node_pools", True):
            for have in current["node_pools"]:
                if have["name"] not in wanted:
                    actions.append(
                        dict(
                            op="delete_pool",
                            pool_id=have["id"],
                            summary="remove node pool %s (%s x %d)" % (have["name"], have["size"], have["count"]),
                        )
                    )
    if desired.get("registry_enabled") is not None and desired["registry_enabled"] != current["registry_enabled"]:
        actions.append(
            dict(
                op="registry",
                enable=desired["registry_enabled"],
                summary="%s the container registry integration"
                % ("enable" if desired["registry_enabled"] else "disable"),
            )
        )
    if direction == "upgrade":
        actions.append(
            dict(
                op="upgrade",
                version=desired["version"],
                summary="upgrade from %s to %s" % (current["version"], desired["version"]),
            )
        )
    # listed in the order apply() sends them
    return sorted(actions, key=lambda a: APPLY_ORDER.index(a["op"]))


def update_body(current, actions):
    """The PUT body of an ``update`` action: the name plus the changed settings."""
    body = dict(name=current["name"])
    for action in actions:
        if action["op"] == "update":
            for key, (_have, want) in action["changes"].items():
                body[key] = want
    return body


def _show(value):
    if isinstance(value, dict):
        return "{%s}" % ", ".join("%s: %s" % (k, _show(v)) for k, v in sorted(value.items()))
    if isinstance(value, list):
        return "[%s]" % ", ".join(_show(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def predicted(desired, current):
    """What the cluster will look like after the plan (for diff 'after'); read-only facts are left out."""
    view = public_view(current) if current else dict(name=desired["name"])
    for key in ("region", "vpc_uuid", "tags", "ha", "auto_upgrade", "surge_upgrade", "registry_enabled"):
        if desired.get(key) is not None:
            view[key] = desired[key]
    if desired.get("version") and (not current or version_drift(current["version"], desired["version"]) == "upgrade"):
        view["version"] = desired["version"]
    if desired.get("maintenance_policy") is not None:
        view["maintenance_policy"] = dict(desired["maintenance_policy"])
    if desired.get("node_pools") is not None:
        pools = dict((p["name"], p) for p in view.get("node_pools") or [])
        out = []
        for pool in desired["node_pools"]:
            merged = dict(pools.get(pool["name"]) or {})
            for key in ("name", "size", "auto_scale", "min_nodes", "max_nodes", "tags", "labels", "taints"):
                if pool.get(key) is not None:
                    merged[key] = pool[key]
            if not pool["auto_scale"] or "count" not in merged:
                merged["count"] = pool["count"]
            else:
                merged["count"] = min(max(merged["count"], pool["min_nodes"]), pool["max_nodes"])
            out.append(merged)
        if not desired.get("purge_node_pools", True):
            out.extend(p for n, p in sorted(pools.items()) if n not in set(x["name"] for x in desired["node_pools"]))
        view["node_pools"] = out
    return view


def public_view(current):
    """A normalised cluster without the volatile facts (status, node counts, ids of pools), for diffs."""
    if current is None:
        return {}
    view = copy.deepcopy(current)
    for key in ("status", "endpoint", "id"):
        view.pop(key, None)
    view["maintenance_policy"] = dict(
        start_time=view["maintenance_policy"]["start_time"], day=view["maintenance_policy"]["day"]
    )
    for pool in view["node_pools"]:
        for key in ("id", "nodes", "nodes_running"):
            pool.pop(key, None)
    return view


# ---------------------------------------------------------------------------------------------------------
# API access
# ---------------------------------------------------------------------------------------------------------


def find_cluster(client, name):
    """The API cluster named ``name``, or None; DuplicateNameError when several share it."""
    return find_one_by_name(client.list("kubernetes/clusters", "kubernetes_clusters"), name, "Kubernetes clusters")


def resolve_upgrade(client, cluster_id, desired_version, written=True):
    """The slug of the available upgrade matching ``desired_version``; raises UpgradeUnavailable (a DriftError)
    naming what is available, with ``written`` (whether earlier steps of the run were written)."""
    available = client.get("kubernetes/clusters/%s/upgrades" % cluster_id).get("available_upgrade_versions") or []
    want = parse_version(desired_version)
    precision = len([p for p in want if p is not None])
    for version in available:  # newest first, as the API lists them
        have = parse_version(version["slug"])
        if tuple(p or 0 for p in have[:precision]) == tuple(want[:precision]):
            return version["slug"]
    raise UpgradeUnavailable(
        "version %s is not an available upgrade of this cluster; available: %s"
        % (desired_version, ", ".join(v["slug"] for v in available) or "none"),
        written=written,
    )


def apply(client, current, actions, after_create=None, done=None):
    """Send the writes of a plan, in an order that keeps the cluster valid: cluster settings, new pools, changed
    pools, removed pools (last among the pools, so a cluster never drops to zero), the registry integration, and
    an upgrade last (node pools are not changed while the cluster upgrades). ``after_create(cluster_id)`` runs
    right after a create (the module waits there for ``running`` before integrating the registry). The summary of
    each action is appended to ``done`` once its request succeeded. Returns the cluster id."""
    done = [] if done is None else done
    cluster_id = current["id"] if current else None
    for action in actions:
        if action["op"] == "create":
            cluster_id = client.post("kubernetes/clusters", action["body"])["kubernetes_cluster"]["id"]
            done.append(action["summary"])
            if after_create is not None:
                after_create(cluster_id)
    if current is not None and any(a["op"] == "update" for a in actions):
        client.put("kubernetes/clusters/%s" % cluster_id, update_body(current, actions))
        done.extend(a["summary"] for a in actions if a["op"] == "update")
    for op in ("create_pool", "update_pool", "delete_pool"):
        for action in actions:
            if action["op"] != op:
                continue
            if op == "create_pool":
                client.post("kubernetes/clusters/%s/node_pools" % cluster_id, action["body"])
            elif op == "update_pool":
                client.put("kubernetes/clusters/%s/node_pools/%s" % (cluster_id, action["pool_id"]), action["body"])
            else:
                client.delete("kubernetes/clusters/%s/node_pools/%s" % (cluster_id, action["pool_id"]))
            done.append(action["summary"])
    for action in actions:
        if action["op"] == "registry":
            method = client.post if action["enable"] else client.delete
            method("kubernetes/registry", dict(cluster_uuids=[cluster_id]))
            done.append(action["summary"])
    for action in actions:
        if action["op"] == "upgrade":
            slug = resolve_upgrade(client, cluster_id, action["version"], written=bool(done))
            client.post("kubernetes/clusters/%s/upgrade" % cluster_id, dict(version=slug))
            done.append(action["summary"])
    return cluster_id


def wait_running(client, cluster_id, timeout, interval, sleep=time.sleep, clock=time.time, written=True):
    """Poll the cluster until its state is ``running``; returns the API object. Raises WaitTimeout, or ClusterFailed
    when the cluster reports a failed state; both ServiceErrors with ``written`` (whether this run had written
    anything, e.g. requested the cluster, before it waited)."""
    deadline = clock() + timeout
    while True:
        cluster = client.get("kubernetes/clusters/%s" % cluster_id)["kubernetes_cluster"]
        status = cluster.get("status") or {}
        state = status.get("state")
        if state == "running":
            return cluster
        if state in FAILED_STATES:
            raise ClusterFailed(
                "cluster %s reports state %s: %s" % (cluster.get("name"), state, status.get("message") or "no message"),
                written=written,
            )
        if clock() + interval > deadline:
            raise WaitTimeout(
                "cluster %s is still %s after %ds (wait_timeout); the operation goes on at DigitalOcean: "
                "run again to wait for it" % (cluster.get("name"), state, timeout),
                written=written,
            )
        sleep(interval)


# ---------------------------------------------------------------------------------------------------------
# kubeconfig
# ---------------------------------------------------------------------------------------------------------


def kubeconfig_names(cluster):
    """(context name, user name) of the cluster's kubeconfig, as doctl names them."""
    name = "do-%s-%s" % (cluster["region"], cluster["name"])
    return name, name + "-admin"


def build_kubeconfig(cluster, credentials):
    """A kubeconfig (dict) for the cluster from ``GET .../credentials``, shaped like DO's ``.../kubeconfig``, plus an
    extension recording the cluster id and the credentials' expiry (so later runs can tell whether it is still good
    without fetching new credentials, which mints a new token each time)."""
    context, user_name = kubeconfig_names(cluster)
    entry = dict(server=credentials["server"])
    if credentials.get("certificate_authority_data"):
        entry["certificate-authority-data"] = credentials["certificate_authority_data"]
    user = {}
    if credentials.get("token"):
        user["token"] = credentials["token"]
    if credentials.get("client_certificate_data"):
        user["client-certificate-data"] = credentials["client_certificate_data"]
    if credentials.get("client_key_data"):
        user["client-key-data"] = credentials["client_key_data"]
    user["extensions"] = [
        dict(
            name=KUBECONFIG_EXTENSION,
            extension=dict(cluster_id=cluster["id"], expires_at=credentials.get("expires_at") or None),
        )
    ]
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [dict(name=context, cluster=entry)],
        "contexts": [dict(name=context, context=dict(cluster=context, user=user_name))],
        "current-context": context,
        "preferences": {},
        "users": [dict(name=user_name, user=user)],
    }


def kubeconfig_summary(config):
    """What may be shown of a kubeconfig (diff, return values): never a token or key."""
    if not isinstance(config, dict):
        return {}
    clusters = config.get("clusters") or [{}]
    users = config.get("users") or [{}]
    user = (users[0] or {}).get("user") or {}
    ext = _extension(user)
    return dict(
        context=config.get("current-context"),
        server=((clusters[0] or {}).get("cluster") or {}).get("server"),
        cluster_id=ext.get("cluster_id"),
        expires_at=ext.get("expires_at"),
        auth="token" if user.get("token") else ("client-certificate" if user.get("client-certificate-data") else None),
    )


def _extension(user):
    for ext in user.get("extensions") or []:
        if isinstance(ext, dict) and ext.get("name") == KUBECONFIG_EXTENSION:
            return ext.get("extension") or {}
    return {}


def parse_time(text):
    """An ISO 8601 UTC timestamp as an aware datetime, or None when missing or unreadable."""
    if not text:
        return None
    try:
        return datetime.datetime.strptime(str(text).replace("Z", "+0000")[:19] + "+0000", "%Y-%m-%dT%H:%M:%S%z")
    except ValueError:
        return None


def kubeconfig_status(existing, cluster, renew_before, now=None):
    """None when the kubeconfig on disk is good for the cluster, else the reason to (re)write it."""
    if existing is None:
        return "missing"
    if not isinstance(existing, dict):
        return "not a kubeconfig"
    summary = kubeconfig_summary(existing)
    context, _user = kubeconfig_names(cluster)
    if summary["cluster_id"] != cluster["id"]:
        return "written for another cluster or by another tool"
    if summary["context"] != context:
        return "context is %s, expected %s" % (summary["context"], context)
    if cluster.get("endpoint") and summary["server"] != cluster["endpoint"]:
        return "server is %s, the cluster's endpoint is %s" % (summary["server"], cluster["endpoint"])
    if not summary["auth"]:
        return "has no credentials"
    expires = parse_time(summary["expires_at"])
    if summary["expires_at"] and expires is None:
        return "expiry %r is unreadable" % summary["expires_at"]
    if expires is not None:
        now = now or datetime.datetime.now(datetime.timezone.utc)
        if expires - now < datetime.timedelta(seconds=renew_before):
            return "credentials expire at %s (renewed %ds before expiry)" % (summary["expires_at"], renew_before)
    return None


def fetch_credentials(client, cluster_id, expiry_seconds):
    """``GET .../credentials`` of the cluster (a new token each call), valid ``expiry_seconds`` when given."""
    params = dict(expiry_seconds=expiry_seconds) if expiry_seconds else None
    return client.get("kubernetes/clusters/%s/credentials" % cluster_id, params=params)
