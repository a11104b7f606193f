#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: n8n_workflow_info
short_description: Read workflows from an n8n instance
version_added: 0.1.0
description:
  - Lists the workflows of an n8n 2.x instance through its public REST API, optionally filtered by exact name, id or
    tag, with or without their definitions.
  - Archived workflows are left out unless O(include_archived=true).
options:
  name:
    description: Only the workflows with exactly this name (n8n's own name filter is a case-insensitive substring match).
    type: str
  id:
    description: Only the workflow with this id.
    type: str
  tag:
    description: Only the workflows carrying this tag, for example V(insightpulseai.workbench) for the managed ones.
    type: str
  include_definition:
    description:
      - Also return each workflow's C(nodes), C(connections) and C(settings), in the shape
        M(insightpulseai.workbench.n8n_workflow) accepts as O(insightpulseai.workbench.n8n_workflow#module:definition).
      - Node parameters are returned as stored, including any value a workflow keeps in clear text.
    type: bool
    default: false
  include_archived:
    description: Include archived workflows.
    type: bool
    default: false
extends_documentation_fragment:
  - insightpulseai.workbench._n8n
  - insightpulseai.workbench._attributes
  - insightpulseai.workbench._attributes.ACTIONGROUP_N8N
attributes:
  check_mode:
    support: full
    details: Read-only.
  diff_mode:
    support: none
  idempotent:
    support: full
seealso:
  - module: insightpulseai.workbench.n8n_workflow
author:
  - InsightPulseAI platform team (@insightpulseai)
"""

EXAMPLES = r"""
- name: List the workflows this collection manages
  insightpulseai.workbench.n8n_workflow_info:
    tag: insightpulseai.workbench
  register: managed

- name: Export one workflow's definition
  insightpulseai.workbench.n8n_workflow_info:
    name: Expense approval
    include_definition: true
  register: expense
"""

RETURN = r"""
workflows:
  description: The matching workflows, by name then id.
  returned: always
  type: list
  elements: dict
  contains:
    id:
      description: Workflow id.
      type: str
    name:
      description: Workflow name.
      type: str
    active:
      description: Whether the workflow is active (published).
      type: bool
    versionId:
      description: Current version.
      type: str
    activeVersionId:
      description: Published version (null when inactive).
      type: str
    tags:
      description: Tag names.
      type: list
      elements: str
    nodes:
      description: Node count, or the node list with O(include_definition=true).
      type: raw
    isArchived:
      description: Whether the workflow is archived.
      type: bool
    webhooks:
      description: The production webhook paths of the workflow's webhook nodes (C(<method> webhook/<path>)).
      type: list
      elements: str
  sample: [{"id": "LAoxsMlK3aWY4xVv", "name": "Expense approval", "active": true, "tags": ["insightpulseai.workbench"],
            "nodes": 9, "webhooks": ["POST webhook/workbench/expense-approval"]}]
actions:
  description: Always empty (the module only reads).
  returned: always
  type: list
  elements: str
  sample: []
requests:
  description: HTTP requests made to n8n, split into reads and writes (never any write).
  returned: always
  type: dict
  contains:
    reads:
      description: Requests that only read (GET).
      type: int
    writes:
      description: Requests that may write (POST, PUT, PATCH, DELETE).
      type: int
  sample: {"reads": 1, "writes": 0}
api_requests:
  description:
    - HTTP requests made to n8n.
    - "Deprecated: use C(requests); removed in 2.0.0."
  returned: always
  type: dict
  sample: {"requests": 1, "writes": 0}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _n8n_workflow_spec
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _n8n_workflows as wfl
from ansible_collections.insightpulseai.workbench.plugins.module_utils._n8n_client import (
    N8nApiError,
    N8nClient,
    N8nRun,
    n8n_argument_spec,
)
from ansible_collections.insightpulseai.workbench.plugins.module_utils._runtime import Plan


def webhooks(wf):
    """The production webhook paths of a workflow's enabled webhook nodes, as ``<method> webhook/<path>``."""
    out = []
    for node in wf.get("nodes") or []:
        if node.get("type") == "n8n-nodes-base.webhook" and not node.get("disabled"):
            params = node.get("parameters") or {}
            out.append("%s webhook/%s" % (params.get("httpMethod", "GET"), params.get("path") or node.get("webhookId")))
    return out


def describe(wf, include_definition):
    """What the module returns of a workflow: its summary, and its definition with ``include_definition``."""
    out = dict(
        id=wf.get("id"),
        name=wf.get("name"),
        active=bool(wf.get("active")),
        versionId=wf.get("versionId"),
        activeVersionId=wf.get("activeVersionId"),
        tags=wfl.tag_names(wf),
        isArchived=bool(wf.get("isArchived")),
        createdAt=wf.get("createdAt"),
        updatedAt=wf.get("updatedAt"),
        webhooks=webhooks(wf),
    )
    if include_definition:
        out.update(
            nodes=wf.get("nodes") or [],
            connections=wf.get("connections") or {},
            settings=_n8n_workflow_spec.split_settings(wf.get("settings"))[0],
        )
        if wf.get("description"):
            out["description"] = wf["description"]
    else:
        out["nodes"] = len(wf.get("nodes") or [])
    return out


class Run(N8nRun):
    """Read-only: read the workflows (one by id, or the list), filter them; the plan is empty and carries them."""

    def __init__(self, module):
        N8nRun.__init__(self, module)
        self.result["workflows"] = []

    def validate(self):
        """The parameters; the client."""
        self.client = N8nClient.from_module(self.module)
        return self.module.params

    def read(self, spec):
        """The workflow with ``id`` (none when n8n does not know it), or every workflow."""
        try:
            if not spec["id"]:
                return self.client.list_workflows()
            try:
                return [self.client.get_workflow(spec["id"])]
            except N8nApiError as exc:
                if exc.status != 404:
                    raise
                return []
        except N8nApiError as exc:
            raise exc.failure("Failed to read the workflows of %s: %s" % (self.client.base_url, exc))

    def plan(self, spec, current):
        """No action; the matching workflows, by name then id."""
        out = []
        for wf in current:
            if spec["name"] is not None and wf.get("name") != spec["name"]:
                continue
            if spec["tag"] is not None and spec["tag"] not in wfl.tag_names(wf):
                continue
            if wf.get("isArchived") and not spec["include_archived"]:
                continue
            out.append(describe(wf, spec["include_definition"]))
        out.sort(key=lambda w: (w["name"] or "", w["id"] or ""))
        return Plan([], workflows=out)


def main():
    """The argument spec; the run is ``Run``'s."""
    argument_spec = n8n_argument_spec()
    argument_spec.update(
        name=dict(type="str"),
        id=dict(type="str"),
        tag=dict(type="str"),
        include_definition=dict(type="bool", default=False),
        include_archived=dict(type="bool", default=False),
    )
    Run(AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)).run()


if __name__ == "__main__":
    main()
