# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: n8n workflows as desired state - normalisation, planning and applying (loading and validation: the
spec layer, _n8n_workflow_spec).

Not a public API. What the n8n 2.x public API does, and therefore what this file does (measured on 2.41.1):
- ``id``, ``active``, ``tags``, ``versionId``, ``meta``, ``isArchived`` are read-only; ``settings`` accepts only the keys in
  ``SETTINGS_WRITABLE`` (anything else is a 400), so a GET cannot be fed back into a PUT: only the writable fields of
  the *desired* workflow are ever sent.
- A POST always mints a new workflow id, names are not unique and ``?name=`` is a substring filter that also lists
  archived workflows: identity is the exact name among non-archived workflows, and several matches is an error.
- The server adds an ``id`` to every node and a ``webhookId`` to webhook nodes; node ids, webhook ids and positions
  the definition does not give are carried over from the server so an update does not churn them.
- PUT replaces the workflow and always bumps ``versionId``/``updatedAt``: compare first, write only on a difference.
- Activation is ``POST /workflows/{id}/publish`` and ``/unpublish`` (the 1.x names ``/activate`` and ``/deactivate``
  are deprecated aliases on 2.x, and the client's fallback); a PUT of an active workflow
  republishes it (``publishIfActive`` defaults to true). An active workflow whose published version is not its current
  version (``activeVersionId != versionId``) is reported and republished when ``active: true`` is asked for.
- Tags are set with ``PUT /workflows/{id}/tags`` (does not bump the version); tag names are at most 24 characters.
- Credentials are referenced in nodes by (credential type, name) and resolved to this instance's ids.
- ``description`` is written but not compared: the list endpoint does not return it.
- ``@@NAME@@`` placeholders in string values are filled from ``vars`` / ``secrets``; secret values are put back as
  placeholders in anything returned (diff, plan) so they never show up in output.
Everything except ``apply_plan()`` works on plain data and is unit-tested without a server.
"""

from __future__ import annotations

import copy

from ansible_collections.insightpulseai.workbench.plugins.module_utils._runtime import (
    DriftError,
)
from ansible_collections.insightpulseai.workbench.plugins.module_utils._n8n_workflow_spec import (
    InvalidWorkflow,
    MANAGEMENT_TAG,
    NODE_KEYS,
    OPTIONAL_TOP_KEYS,
    WorkflowError,
    mask,
    split_settings,
)


# Keys whose absence means the same as this value.
NODE_DEFAULTS = {
    "parameters": {},
    "credentials": {},
    "disabled": False,
    "notes": "",
    "notesInFlow": False,
    "executeOnce": False,
    "alwaysOutputData": False,
    "retryOnFail": False,
    "maxTries": 3,
    "waitBetweenTries": 1000,
    "continueOnFail": False,
    "onError": "stopWorkflow",
}
# Managed by the server when the definition does not give them: compared only when given, carried over on update.
NODE_SERVER_KEYS = ("id", "webhookId")
# Top-level keys of a workflow file that are not part of the desired state (server-managed or runtime data).
IGNORED_TOP_KEYS = (
    "id",
    "active",
    "activeVersionId",
    "activeVersion",
    "createdAt",
    "updatedAt",
    "isArchived",
    "versionId",
    "versionCounter",
    "sourceWorkflowId",
    "triggerCount",
    "meta",
    "tags",
    "shared",
    "pinData",
    "staticData",
    "parentFolder",
    "parentFolderId",
    "homeProject",
    "scopes",
    "usedCredentials",
    "checksum",
)
# Accepted by PUT /workflows/{id} but not by POST /workflows (2.41.1).
CREATE_UNSUPPORTED = ("description",)


class AmbiguousWorkflow(DriftError, WorkflowError):
    """The instance holds several workflows, or several credentials, that the desired state names once."""


# -------------------------------------------------------------------------------------------------------------
# Loading and validation
# -------------------------------------------------------------------------------------------------------------


# -------------------------------------------------------------------------------------------------------------
# Credentials
# -------------------------------------------------------------------------------------------------------------


def credential_index(credentials):
    """{(type, name): [ids]} from the API's credential list."""
    index = {}
    for cred in credentials or []:
        index.setdefault((cred.get("type"), cred.get("name")), []).append(cred.get("id"))
    return index


def resolve_credentials(desired, index, missing_ok=False):
    """Give every credential reference of ``desired["body"]`` the id it has on this instance.

    Fails, naming the node, on a (type, name) that exists several times, and on one that does not exist - unless
    ``missing_ok`` (check mode: an earlier task of the same run may create it), where the reference keeps no id and
    a warning is returned. Returns the list of warnings.
    """
    warnings = []
    for node in desired["body"]["nodes"]:
        for ctype, ref in (node.get("credentials") or {}).items():
            ids = index.get((ctype, ref["name"])) or []
            at = "%s node %r" % (desired["where"], node["name"])
            if not ids:
                same_name = sorted(t for (t, n) in index if n == ref["name"])
                hint = (" (a credential of that name exists with type %s)" % ", ".join(same_name)) if same_name else ""
                if missing_ok:
                    ref["id"] = None
                    warnings.append(
                        "%s uses credential %r of type %s, which does not exist on the n8n instance yet%s; "
                        "check mode assumes an earlier task creates it (a real run fails if it does not)"
                        % (at, ref["name"], ctype, hint)
                    )
                    continue
                raise InvalidWorkflow(
                    "%s uses credential %r of type %s, which does not exist on the n8n instance%s; "
                    "create it first (insightpulseai.workbench.n8n_credential)" % (at, ref["name"], ctype, hint)
                )
            if len(ids) > 1:
                raise AmbiguousWorkflow(
                    "%s uses credential %r of type %s, but %d credentials have that type and name "
                    "(ids %s): rename or delete the extra ones"
                    % (at, ref["name"], ctype, len(ids), ", ".join(sorted(ids)))
                )
            ref["id"] = ids[0]
    return warnings


# -------------------------------------------------------------------------------------------------------------
# Normalisation and comparison
# -------------------------------------------------------------------------------------------------------------


def _normalize_connections(connections):
    out = {}
    for source, types in (connections or {}).items():
        ntypes = {}
        for ctype, outputs in (types or {}).items():
            outs = [
                [{"node": t.get("node"), "type": t.get("type", ctype), "index": t.get("index", 0)} for t in (o or [])]
                for o in (outputs or [])
            ]
            while outs and not outs[-1]:
                outs.pop()
            if outs:
                ntypes[ctype] = outs
        if ntypes:
            out[source] = ntypes
    return out


def normalize_node(node, desired_node=None):
    """The comparable form of a node. With ``desired_node`` (normalising the server's copy), server-managed keys the
    definition does not give are dropped, so they never count as a difference."""
    out = {}
    for key in NODE_KEYS:
        if key not in node:
            continue
        value = node[key]
        if key == "credentials":
            value = dict((t, (r or {}).get("id")) for t, r in (value or {}).items())
        if key in NODE_DEFAULTS and value == NODE_DEFAULTS[key]:
            continue
        out[key] = value
    if desired_node is not None:
        for key in NODE_SERVER_KEYS:
            if key not in desired_node:
                out.pop(key, None)
    if out.get("typeVersion") is not None and float(out["typeVersion"]).is_integer():
        out["typeVersion"] = int(out["typeVersion"])
    return out


def normalize(workflow, desired=None):
    """The comparable form of a workflow: {name, nodes (by name), connections, settings, description?, nodeGroups?}.

    ``desired`` is the desired body when ``workflow`` is the server's copy: optional fields the desired state does not
    manage are left out.
    """
    desired_nodes = dict((n["name"], n) for n in (desired or {}).get("nodes", [])) if desired is not None else None
    nodes = {}
    for node in workflow.get("nodes") or []:
        dn = None
        if desired_nodes is not None:
            dn = desired_nodes.get(node.get("name"), {})
        nodes[node.get("name")] = normalize_node(node, dn)
    settings = split_settings(workflow.get("settings") or {})[0]
    out = dict(
        name=workflow.get("name"),
        nodes=nodes,
        connections=_normalize_connections(workflow.get("connections")),
        settings=settings,
    )
    for key in OPTIONAL_TOP_KEYS:
        if desired is None:
            if workflow.get(key) not in (None, [], ""):
                out[key] = workflow[key]
        elif key in desired:
            out[key] = workflow.get(key)
    return out


def differences(desired_norm, current_norm):
    """Names of what differs, in a stable order ("nodes: renamed X"...)."""
    changes = []
    if desired_norm["name"] != current_norm["name"]:
        changes.append("name")
    dn, cn = desired_norm["nodes"], current_norm["nodes"]
    added = sorted(set(dn) - set(cn))
    removed = sorted(set(cn) - set(dn))
    if added:
        changes.append("nodes added: %s" % ", ".join(added))
    if removed:
        changes.append("nodes removed: %s" % ", ".join(removed))
    for name in sorted(set(dn) & set(cn)):
        if dn[name] != cn[name]:
            keys = sorted(k for k in set(dn[name]) | set(cn[name]) if dn[name].get(k) != cn[name].get(k))
            changes.append("node %s: %s" % (name, ", ".join(keys)))
    if desired_norm["connections"] != current_norm["connections"]:
        changes.append("connections")
    if desired_norm["settings"] != current_norm["settings"]:
        changes.append("settings")
    for key in OPTIONAL_TOP_KEYS:
        if key in desired_norm and desired_norm.get(key) != current_norm.get(key):
            changes.append(key)
    return changes


def write_body(desired, current=None):
    """What to send: the desired body, with node ids / webhook ids / positions carried over from the server's copy."""
    body = copy.deepcopy(desired["body"])
    existing = dict((n.get("name"), n) for n in ((current or {}).get("nodes") or []))
    for node in body["nodes"]:
        old = existing.get(node["name"])
        if old:
            for key in NODE_SERVER_KEYS:
                if key not in node and old.get(key):
                    node[key] = old[key]
    return body


# -------------------------------------------------------------------------------------------------------------
# Planning
# -------------------------------------------------------------------------------------------------------------


def find_by_name(workflows, name):
    """The non-archived workflows named exactly ``name``."""
    return [w for w in workflows if w.get("name") == name and not w.get("isArchived")]


def match(desired, workflows):
    """The server's workflow for ``desired`` (or None). Several workflows of that exact name is an error."""
    if desired.get("id"):
        found = [w for w in workflows if w.get("id") == desired["id"]]
        if not found:
            if desired["state"] == "absent":
                return None
            raise InvalidWorkflow("%s: no workflow has id %s on the n8n instance" % (desired["where"], desired["id"]))
        return found[0]
    found = find_by_name(workflows, desired["name"])
    if len(found) > 1:
        raise AmbiguousWorkflow(
            "%d workflows are named %r on the n8n instance (ids %s): names must be unique for this "
            "module; rename or delete the extra ones, or give the id"
            % (len(found), desired["name"], ", ".join(sorted(w["id"] for w in found)))
        )
    return found[0] if found else None


def tag_names(workflow):
    """A workflow's tag names, sorted."""
    return sorted(t.get("name") for t in (workflow.get("tags") or []) if t.get("name"))


def plan_one(desired, current, management_tag=MANAGEMENT_TAG):
    """What to do for one workflow: {"action": create|update|delete|none, "changes": [...], ...}."""
    p = dict(
        name=desired["name"],
        id=(current or {}).get("id"),
        state=desired["state"],
        changes=[],
        current=current,
        desired=desired,
    )
    if desired["state"] == "absent":
        p["action"] = "delete" if current else "none"
        if current:
            p["changes"] = ["deleted"]
        return p

    want_tags = None
    if desired.get("tags") is not None:
        want_tags = sorted(set(desired["tags"]) | ({management_tag} if management_tag else set()))
    elif management_tag:
        have = set(tag_names(current)) if current else set()
        want_tags = sorted(have | {management_tag})
    p["tags"] = want_tags

    if current is None:
        p["action"] = "create"
        p["changes"] = ["created"]
        if want_tags:
            p["changes"].append("tags")
        if desired.get("active"):
            p["changes"].append("activated")
        p["publish"] = bool(desired.get("active"))
        return p

    desired_norm = normalize(desired["body"])
    current_norm = normalize(current, desired["body"])
    changes = differences(desired_norm, current_norm)
    p["content_changed"] = bool(changes)
    if want_tags is not None and want_tags != tag_names(current):
        changes.append("tags")
    active_now = bool(current.get("active"))
    stale = active_now and current.get("activeVersionId") not in (None, current.get("versionId"))
    want_active = desired.get("active")
    p["activate"] = p["deactivate"] = p["republish"] = False
    if want_active is True and not active_now:
        p["activate"] = True
        changes.append("activated")
    elif want_active is False and active_now:
        p["deactivate"] = True
        changes.append("deactivated")
    elif want_active is True and stale and not p["content_changed"]:
        p["republish"] = True
        changes.append("published version is not the current version: republished")
    p["changes"] = changes
    p["action"] = "update" if changes else "none"
    p["before"] = current_norm
    p["after"] = desired_norm
    return p


def purge_candidates(workflows, declared_names, declared_ids, management_tag):
    """Managed (tagged) non-archived workflows that the run does not declare."""
    out = []
    for w in workflows:
        if w.get("isArchived") or management_tag not in tag_names(w):
            continue
        if w.get("name") in declared_names or w.get("id") in declared_ids:
            continue
        out.append(w)
    return sorted(out, key=lambda w: (w.get("name") or "", w.get("id") or ""))


def diff_view(p):
    """A diff-mode before/after pair for one planned workflow (secrets are masked by the caller)."""

    def state_of(wf_norm, active, tags):
        if wf_norm is None:
            return {}
        out = dict(wf_norm)
        out["active"] = active
        out["tags"] = tags
        return out

    desired = p["desired"]
    current = p["current"]
    if p["action"] == "delete":
        return dict(before=state_of(normalize(current), bool(current.get("active")), tag_names(current)), after={})
    after_active = desired.get("active")
    if p["action"] == "create":
        return dict(before={}, after=state_of(normalize(desired["body"]), bool(after_active), p.get("tags") or []))
    before_active = bool(current.get("active"))
    return dict(
        before=state_of(p["before"], before_active, tag_names(current)),
        after=state_of(
            p["after"],
            before_active if after_active is None else bool(after_active),
            p["tags"] if p.get("tags") is not None else tag_names(current),
        ),
    )


# -------------------------------------------------------------------------------------------------------------
# Applying (the only part that talks to n8n)
# -------------------------------------------------------------------------------------------------------------


class TagCache(object):
    """Tag ids by name: one list of the instance's tags per run, missing tags created on first use."""

    def __init__(self, client):
        self.client = client
        self._by_name = None

    def ids(self, names):
        """The ids of the tags ``names``, creating the missing ones."""
        if self._by_name is None:
            self._by_name = dict((t["name"], t["id"]) for t in self.client.list_tags())
        out = []
        for name in names:
            if name not in self._by_name:
                self._by_name[name] = self.client.create_tag(name)["id"]
            out.append(self._by_name[name])
        return out


def _ensure_published(client, wf_id, result):
    """After activating or updating an active workflow, the published version must be the current one."""
    if result and result.get("active") and result.get("activeVersionId") not in (None, result.get("versionId")):
        result = client.activate_workflow(wf_id)
    return result


def apply_plan(client, p, tags):
    """Carry out one plan. Returns the workflow as the server has it afterwards (None once deleted)."""
    action = p["action"]
    current = p["current"]
    desired = p["desired"]
    if action == "none":
        return current
    if action == "delete":
        if current.get("active"):
            client.deactivate_workflow(current["id"])
        client.delete_workflow(current["id"])
        return None
    if action == "create":
        body = write_body(desired)
        # POST does not take every field PUT takes (2.41.1: no description): those follow in a PUT.
        post_body = dict((k, v) for k, v in body.items() if k not in CREATE_UNSUPPORTED)
        wf = client.create_workflow(post_body)
        wf_id = wf["id"]
        if post_body != body:
            wf = client.update_workflow(wf_id, write_body(desired, wf), publish_if_active=False)
        tagged = client.set_workflow_tags(wf_id, tags.ids(p["tags"])) if p.get("tags") else []
        if p.get("publish"):
            wf = _ensure_published(client, wf_id, client.activate_workflow(wf_id))
        return dict(wf, tags=tagged)

    wf_id = current["id"]
    wf = current
    active_after = current.get("active") if desired.get("active") is None else desired.get("active")
    if p.get("deactivate"):
        wf = client.deactivate_workflow(wf_id)
    if p.get("content_changed"):
        # An active workflow that stays active is republished by the PUT itself; one that is being deactivated is not.
        wf = client.update_workflow(wf_id, write_body(desired, current), publish_if_active=bool(active_after))
        if active_after and not p.get("activate"):
            wf = _ensure_published(client, wf_id, wf)
    if p.get("activate") or p.get("republish"):
        wf = _ensure_published(client, wf_id, client.activate_workflow(wf_id))
    if p.get("tags") is not None and p["tags"] != tag_names(current):
        return dict(wf, tags=client.set_workflow_tags(wf_id, tags.ids(p["tags"])))
    return dict(wf, tags=current.get("tags") or [])


def summary(wf, secrets=None):
    """The secret-free description of a workflow that modules return."""
    if not wf:
        return {}
    return mask(
        dict(
            id=wf.get("id"),
            name=wf.get("name"),
            active=bool(wf.get("active")),
            versionId=wf.get("versionId"),
            activeVersionId=wf.get("activeVersionId"),
            tags=tag_names(wf),
            nodes=len(wf.get("nodes") or []),
            updatedAt=wf.get("updatedAt"),
        ),
        secrets,
    )
