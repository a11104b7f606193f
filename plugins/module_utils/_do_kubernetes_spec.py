# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the DOKS cluster spec layer: the do_kubernetes_cluster module's options (node pools, taints, labels,
maintenance window, version) checked and normalised into the desired cluster the planner (_do_kubernetes) compares.

Not a public API. Pure Python, no API call: a bad option is refused here, before the first request.
"""

from __future__ import annotations

import re

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _runtime

POOL_SETTINGS = ("count", "auto_scale", "min_nodes", "max_nodes", "tags", "labels", "taints")


DAYS = ("any", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


_VERSION_RE = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?(?:-do\.(\d+))?$")


SpecError = _runtime.SpecError  # invalid desired state: raised before anything is written


def _tags(tags):
    return None if tags is None else sorted(set(tags))


def start_time(value, where):
    """``value`` as a maintenance window start ``HH:MM`` (24 h); a bad one is a SpecError naming ``where``."""
    match = re.match(r"^(\d{1,2}):(\d{2})$", str(value or ""))
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise SpecError("%s: start_time must be HH:MM (UTC), got %r." % (where, value))
    return "%02d:%s" % (int(match.group(1)), match.group(2))


def normalize_maintenance(policy, where="maintenance_policy"):
    """A desired maintenance window as ``{start_time: HH:MM, day}``, validated; None stays None."""
    if policy is None:
        return None
    day = str(policy.get("day") or "any").lower()
    if day not in DAYS:
        raise SpecError("%s: day must be one of %s, got %r." % (where, ", ".join(DAYS), policy.get("day")))
    return dict(start_time=start_time(policy.get("start_time") or "00:00", where), day=day)


def normalize_taints(taints, where):
    """Node pool taints as ``{key, value, effect}`` dicts, sorted (None: not managed); a bad one names ``where``."""
    if taints is None:
        return None
    out = []
    for taint in taints:
        if not taint.get("key") or taint.get("effect") not in TAINT_EFFECTS:
            raise SpecError(
                "%s: a taint needs a key and an effect of %s, got %r." % (where, ", ".join(TAINT_EFFECTS), taint)
            )
        out.append(dict(key=taint["key"], value=taint.get("value") or "", effect=taint["effect"]))
    return sorted(out, key=lambda t: (t["key"], t["value"], t["effect"]))


def normalize_pool(raw):
    """One desired node pool, validated. ``count`` of an autoscaled pool is used on creation only."""
    name = raw.get("name")
    where = "node pool %r" % name
    if not name:
        raise SpecError("every node pool needs a name, got %r." % raw)
    if not raw.get("size"):
        raise SpecError("%s: size is required." % where)
    auto_scale = bool(raw.get("auto_scale"))
    count = raw.get("count")
    pool = dict(
        name=name,
        size=raw["size"],
        auto_scale=auto_scale,
        tags=_tags(raw.get("tags")),
        labels=None if raw.get("labels") is None else dict((str(k), str(v)) for k, v in raw["labels"].items()),
        taints=normalize_taints(raw.get("taints"), where),
    )
    if auto_scale:
        low, high = raw.get("min_nodes"), raw.get("max_nodes")
        if low is None or high is None:
            raise SpecError("%s: auto_scale needs min_nodes and max_nodes." % where)
        if low < 0 or high < 1 or low > high:
            raise SpecError(
                "%s: need 0 <= min_nodes <= max_nodes and max_nodes >= 1, got min_nodes=%s max_nodes=%s."
                % (where, low, high)
            )
        if count is None:
            count = max(low, 1)
        if not low <= count <= high:
            raise SpecError("%s: count %s must be between min_nodes %s and max_nodes %s." % (where, count, low, high))
        pool.update(count=count, min_nodes=low, max_nodes=high)
    else:
        if count is None or count < 1:
            raise SpecError("%s: a pool without auto_scale needs count >= 1, got %r." % (where, count))
        pool.update(count=count, min_nodes=0, max_nodes=0)
    return pool


def parse_version(text):
    """(major, minor, patch, do_revision) with None for parts not given; None for "latest" / None."""
    if text in (None, "", "latest"):
        return None
    match = _VERSION_RE.match(str(text))
    if not match:
        raise SpecError(
            "version must be 'latest', a minor version (1.35), a patch version (1.35.4) or a DOKS "
            "slug (1.35.4-do.1), got %r." % text
        )
    return tuple(None if part is None else int(part) for part in match.groups())


def normalize_desired(params):
    """The module's parameters as a desired-state dict; keys with None mean "leave alone"."""
    name = params["name"]
    parse_version(params.get("version"))
    pools = params.get("node_pools")
    if pools is not None:
        if not pools:
            raise SpecError("node_pools must list at least one pool: a cluster cannot exist without one.")
        pools = [normalize_pool(p) for p in pools]
        names = [p["name"] for p in pools]
        dupes = sorted(set(n for n in names if names.count(n) > 1))
        if dupes:
            raise SpecError(
                "node pool names must be unique within the cluster: %s appear more than once." % ", ".join(dupes)
            )
    return dict(
        name=name,
        region=params.get("region"),
        version=params.get("version"),
        vpc_uuid=params.get("vpc_uuid"),
        tags=_tags(params.get("tags")),
        ha=params.get("ha"),
        auto_upgrade=params.get("auto_upgrade"),
        surge_upgrade=params.get("surge_upgrade"),
        maintenance_policy=normalize_maintenance(params.get("maintenance_policy")),
        node_pools=pools,
        purge_node_pools=params.get("purge_node_pools", True),
        registry_enabled=params.get("registry_enabled"),
    )
