# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the n8n workflow spec layer: a workflow item (``src`` file or ``definition``) loaded, its
``@@NAME@@`` placeholders filled, validated and turned into the desired workflow the planner (_n8n_workflows) compares.

Not a public API. Pure Python, no server: the n8n_workflow module and the n8n_workflows role's preflight
(plugin_utils._inputs_n8n_workflows) refuse a bad definition here before anything is sent. ``settings`` may carry only
the keys n8n 2.x accepts on a write (``SETTINGS_WRITABLE``); tag names are at most 24 characters; secret placeholder
values are put back as placeholders in anything returned (mask()), so they never show up in output.
"""

from __future__ import annotations

import copy
import json
import os
import re

from ansible_collections.insightpulseai.workbench.plugins.module_utils._runtime import SpecError, WorkbenchError

MANAGEMENT_TAG = "insightpulseai.workbench"


TAG_MAX_LENGTH = 24


# n8n 2.41.1 public API, workflowSettings (additionalProperties: false).
SETTINGS_WRITABLE = (
    "saveExecutionProgress",
    "saveManualExecutions",
    "saveDataErrorExecution",
    "saveDataSuccessExecution",
    "executionTimeout",
    "errorWorkflow",
    "timezone",
    "executionOrder",
    "callerPolicy",
    "callerIds",
    "timeSavedMode",
    "timeSavedPerExecution",
    "redactionPolicy",
    "availableInMCP",
    "customTelemetryTags",
)


# In the schema but derived by the server ("any value sent ... is ignored"): never sent, never compared.
SETTINGS_DERIVED = ("binaryMode", "credentialResolverId")


NODE_KEYS = (
    "id",
    "name",
    "type",
    "typeVersion",
    "position",
    "parameters",
    "credentials",
    "webhookId",
    "disabled",
    "notes",
    "notesInFlow",
    "executeOnce",
    "alwaysOutputData",
    "retryOnFail",
    "maxTries",
    "waitBetweenTries",
    "continueOnFail",
    "onError",
    "customTelemetryTags",
)


OPTIONAL_TOP_KEYS = ("nodeGroups",)


# Written with the workflow but not compared: the list endpoint does not return it (2.41.1), and a GET per workflow
# would make a no-op run cost one request per workflow.
WRITE_ONLY_TOP_KEYS = ("description",)


PLACEHOLDER_RE = re.compile(r"@@([A-Z][A-Z0-9_]*)@@")


# What a placeholder may be called (the NAME of @@NAME@@).
PLACEHOLDER_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")


class WorkflowError(WorkbenchError):
    """Base of this file's errors, all raised before anything is written: ``InvalidWorkflow`` or
    ``AmbiguousWorkflow``."""


class InvalidWorkflow(SpecError, WorkflowError):
    """The desired state is wrong or names what the instance does not have (a file, a placeholder, a credential, an
    id)."""


def load_source(item):
    """The raw definition of an item: its ``definition`` dict or the JSON file ``src``."""
    if item.get("definition") is not None:
        definition = item["definition"]
        if isinstance(definition, str):
            try:
                definition = json.loads(definition)
            except ValueError as exc:
                raise InvalidWorkflow("definition is not valid JSON: %s" % exc)
        if not isinstance(definition, dict):
            raise InvalidWorkflow(
                "definition must be a mapping (a workflow object), got %s" % type(definition).__name__
            )
        return copy.deepcopy(definition)
    src = item.get("src")
    if src:
        try:
            with open(src, "rb") as f:
                raw = f.read()
        except OSError as exc:
            raise InvalidWorkflow("cannot read workflow file %s: %s" % (src, exc.strerror or exc))
        try:
            definition = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as exc:
            raise InvalidWorkflow("workflow file %s is not valid JSON: %s" % (src, exc))
        if not isinstance(definition, dict):
            raise InvalidWorkflow(
                "workflow file %s must hold one workflow object, got %s" % (src, type(definition).__name__)
            )
        return definition
    return None


def describe_item(item):
    """How messages name an item before its definition is read: by name, by file, or just "workflow"."""
    if item.get("name"):
        return "workflow %r" % item["name"]
    if item.get("src"):
        return "workflow file %s" % os.path.basename(item["src"])
    return "workflow"


def substitute(value, variables, missing):
    """Fill @@NAME@@ placeholders in every string of ``value``; names without a value are added to ``missing``."""
    if isinstance(value, str):

        def repl(match):
            name = match.group(1)
            if name in variables:
                return variables[name]
            missing.add(name)
            return match.group(0)

        return PLACEHOLDER_RE.sub(repl, value)
    if isinstance(value, list):
        return [substitute(v, variables, missing) for v in value]
    if isinstance(value, dict):
        return dict((k, substitute(v, variables, missing)) for k, v in value.items())
    return value


def mask(value, secrets):
    """Put the placeholders back where secret values appear (for anything shown to the user)."""
    pairs = sorted(
        ((str(v), "@@%s@@" % k) for k, v in (secrets or {}).items() if v not in (None, "")), key=lambda p: -len(p[0])
    )
    if not pairs:
        return value

    def walk(v):
        if isinstance(v, str):
            for secret, placeholder in pairs:
                v = v.replace(secret, placeholder)
            return v
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            return dict((k, walk(x)) for k, x in v.items())
        return v

    return walk(value)


def _placeholder_values(variables, secrets, where):
    values = {}
    for kind, mapping in (("vars", variables or {}), ("secrets", secrets or {})):
        for key, value in mapping.items():
            if not PLACEHOLDER_NAME.match(str(key)):
                raise InvalidWorkflow(
                    "%s key %r is not a placeholder name: use upper case letters, digits and _ "
                    "(written @@%s@@ in the workflow)" % (kind, key, str(key).upper())
                )
            if isinstance(value, (dict, list)) or value is None:
                raise InvalidWorkflow("%s.%s must be a string or a number" % (kind, key))
            if isinstance(value, bool):
                value = "true" if value else "false"
            values[key] = str(value)
    return values


def validate_tags(tags, where):
    """The item's tags, stripped and without duplicates (None when unset); rejects what n8n would refuse."""
    if tags is None:
        return None
    out = []
    for tag in tags:
        if not isinstance(tag, str) or not tag.strip():
            raise InvalidWorkflow("%s: tags must be non-empty strings, got %r" % (where, tag))
        tag = tag.strip()
        if len(tag) > TAG_MAX_LENGTH:
            raise InvalidWorkflow("%s: tag %r is longer than n8n's %d-character limit" % (where, tag, TAG_MAX_LENGTH))
        if tag not in out:
            out.append(tag)
    return out


def _credential_refs(node, where):
    """A node's credentials as {type: {"name": ..., "id": ...}} (accepts the CLI's plain-name strings)."""
    creds = node.get("credentials")
    if creds in (None, {}):
        return {}
    if not isinstance(creds, dict):
        raise InvalidWorkflow("%s: credentials must be a mapping of credential type to {name: ...}" % where)
    out = {}
    for ctype, ref in creds.items():
        if isinstance(ref, str):
            ref = {"name": ref}
        if not isinstance(ref, dict) or not isinstance(ref.get("name"), str) or not ref["name"].strip():
            raise InvalidWorkflow(
                "%s: credential %r must name the credential: {%s: {name: <credential name>}}" % (where, ctype, ctype)
            )
        out[ctype] = {"name": ref["name"]}
    return out


def validate_definition(definition, where):
    """Check what n8n would reject (and what would silently break the workflow) before any request is made."""
    name = definition.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidWorkflow("%s has no name (set name in the file or on the item)" % where)
    nodes = definition.get("nodes")
    if not isinstance(nodes, list) or not nodes:
        raise InvalidWorkflow("%s: nodes must be a non-empty list" % where)
    names = set()
    for index, node in enumerate(nodes):
        at = "%s node %d" % (where, index)
        if not isinstance(node, dict):
            raise InvalidWorkflow("%s must be a mapping" % at)
        nname = node.get("name")
        if not isinstance(nname, str) or not nname:
            raise InvalidWorkflow("%s has no name" % at)
        at = "%s node %r" % (where, nname)
        if nname in names:
            raise InvalidWorkflow("%s: duplicate node name (n8n connects nodes by name)" % at)
        names.add(nname)
        if not isinstance(node.get("type"), str) or not node["type"]:
            raise InvalidWorkflow("%s has no type" % at)
        if not isinstance(node.get("typeVersion"), (int, float)) or isinstance(node.get("typeVersion"), bool):
            raise InvalidWorkflow("%s: typeVersion must be a number" % at)
        pos = node.get("position")
        if not (
            isinstance(pos, list)
            and len(pos) == 2
            and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in pos)
        ):
            raise InvalidWorkflow("%s: position must be [x, y] (n8n requires it)" % at)
        if "parameters" in node and not isinstance(node["parameters"], dict):
            raise InvalidWorkflow("%s: parameters must be a mapping" % at)
        unknown = sorted(set(node) - set(NODE_KEYS) - {"createdAt", "updatedAt"})
        if unknown:
            raise InvalidWorkflow("%s: unknown key(s) %s (the n8n API rejects them)" % (at, ", ".join(unknown)))
        _credential_refs(node, at)
    connections = definition.get("connections", {})
    if not isinstance(connections, dict):
        raise InvalidWorkflow("%s: connections must be a mapping" % where)
    for source, types in connections.items():
        if source not in names:
            raise InvalidWorkflow("%s: connections start at %r, which is not a node of the workflow" % (where, source))
        if not isinstance(types, dict):
            raise InvalidWorkflow(
                "%s: connections of %r must be a mapping of connection type to outputs" % (where, source)
            )
        for ctype, outputs in types.items():
            if not isinstance(outputs, list):
                raise InvalidWorkflow("%s: connections %r.%s must be a list of outputs" % (where, source, ctype))
            for output in outputs:
                for target in output or []:
                    if not isinstance(target, dict) or target.get("node") not in names:
                        raise InvalidWorkflow(
                            "%s: %r connects to %r, which is not a node of the workflow"
                            % (where, source, target.get("node") if isinstance(target, dict) else target)
                        )
    settings = definition.get("settings", {})
    if settings is not None and not isinstance(settings, dict):
        raise InvalidWorkflow("%s: settings must be a mapping" % where)


def split_settings(settings):
    """(writable settings, unknown keys dropped). Server-derived keys are dropped silently."""
    kept, dropped = {}, []
    for key, value in (settings or {}).items():
        if key in SETTINGS_WRITABLE:
            kept[key] = value
        elif key not in SETTINGS_DERIVED:
            dropped.append(key)
    return kept, sorted(dropped)


def prepare(item, variables=None, secrets=None, management_tag=MANAGEMENT_TAG):
    """Turn one module item into a desired workflow: {"name", "state", "active", "tags", "body", "credentials", "warnings"}.

    ``body`` holds only fields the API accepts; node credentials are still unresolved ({type: {name}}).
    """
    where = describe_item(item)
    state = item.get("state") or "present"
    tags = validate_tags(item.get("tags"), where)
    if state == "absent":
        if not item.get("name") and not item.get("id"):
            definition = load_source(item)
            if definition is None or not definition.get("name"):
                raise InvalidWorkflow("%s: state=absent needs name (or a definition/src with a name)" % where)
            return dict(name=definition["name"], id=None, state="absent", where=where)
        return dict(name=item.get("name"), id=item.get("id"), state="absent", where=where)

    definition = load_source(item)
    if definition is None:
        raise InvalidWorkflow("%s: give src (a workflow JSON file) or definition (a workflow object)" % where)
    if item.get("name"):
        definition["name"] = item["name"]
    where = "workflow %r" % definition.get("name") if definition.get("name") else where
    values = _placeholder_values(variables, secrets, where)
    missing = set()
    definition = substitute(definition, values, missing)
    if missing:
        raise InvalidWorkflow(
            "%s uses placeholder(s) %s that neither vars nor secrets define"
            % (where, ", ".join("@@%s@@" % m for m in sorted(missing)))
        )
    validate_definition(definition, where)

    warnings = []
    settings, dropped = split_settings(definition.get("settings") or {})
    if dropped:
        warnings.append(
            "%s: settings key(s) %s are not accepted by the n8n public API and were left out"
            % (where, ", ".join(dropped))
        )
    nodes = []
    credentials = set()
    for node in definition["nodes"]:
        node = dict((k, copy.deepcopy(v)) for k, v in node.items() if k in NODE_KEYS)
        refs = _credential_refs(node, "%s node %r" % (where, node["name"]))
        if refs:
            node["credentials"] = refs
            credentials.update((ctype, ref["name"]) for ctype, ref in refs.items())
        else:
            node.pop("credentials", None)
        nodes.append(node)
    body = dict(
        name=definition["name"], nodes=nodes, connections=definition.get("connections") or {}, settings=settings
    )
    for key in OPTIONAL_TOP_KEYS + WRITE_ONLY_TOP_KEYS:
        if key in definition and definition[key] is not None:
            body[key] = copy.deepcopy(definition[key])
    if management_tag:
        if len(management_tag) > TAG_MAX_LENGTH:
            raise InvalidWorkflow(
                "management_tag %r is longer than n8n's %d-character limit" % (management_tag, TAG_MAX_LENGTH)
            )
    return dict(
        name=definition["name"],
        id=item.get("id"),
        state="present",
        active=item.get("active"),
        tags=tags,
        body=body,
        credentials=sorted(credentials),
        warnings=warnings,
        where=where,
    )
