#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: n8n_workflow
short_description: Ensure n8n workflows exist exactly as defined, activated or not, tagged and with their credentials
version_added: 0.1.0
description:
  - Ensures one workflow (O(name), O(src), O(definition)) or a set of workflows (O(workflows)) on an n8n 2.x instance,
    through its public REST API.
  - B(Identity.) A workflow is matched by its exact name among the instance's non-archived workflows (or by O(id)).
    n8n does not keep names unique; if several workflows have the name, the module fails and names their ids.
  - B(Comparison.) The definition and the server's copy are compared in a normalised form, so the module writes only
    when something that matters differs - the name, the nodes (by node name - type, typeVersion, position, parameters,
    credentials, flags), the connections, the settings the API accepts and, when given, C(nodeGroups). A
    C(description) is written with the workflow but not compared (n8n's workflow list does not return it, and a read
    per workflow would make every run cost one request per workflow).
    Server-managed fields (workflow and node ids, C(versionId), timestamps, C(meta), C(pinData),
    C(staticData), C(shared)) are ignored; node ids and webhook ids that the definition does not give are carried over
    from the server on update, so webhook URLs stay stable.
  - B(Writes.) Only the writable fields are sent. C(settings) keys the public API rejects are left out with a warning
    (a GET cannot be PUT back as is; n8n answers 400 "settings must NOT have additional properties").
  - B(Activation.) O(active=true) activates (publishes) the workflow through C(POST /workflows/{id}/publish),
    O(active=false) deactivates it through C(/unpublish) (C(/activate) and C(/deactivate) where the server has no
    publish endpoints); O(active) unset leaves it as it is (new workflows start inactive). Updating an
    active workflow republishes it, and an active workflow whose published version is not its current version is
    republished when O(active=true). Activation errors are reported with n8n's message (for example a workflow
    without a trigger node).
  - B(Credentials.) Nodes reference credentials by credential type and name, C("credentials" {"postgres" {"name"
    "Workbench Postgres"}}) (an C(id) in the file is ignored, since ids differ per instance). Each reference is resolved to
    the instance's credential id; a (type, name) that does not exist, or exists more than once, fails the run before
    anything is written. In check mode a credential that does not exist yet only gives a warning, so that a plan of
    a playbook that creates the credential in an earlier task (M(insightpulseai.workbench.n8n_credential)) works.
  - B(Tags.) Every workflow the module writes carries O(management_tag), which is how O(purge) recognises the
    workflows it manages. O(tags) sets the remaining tags exactly; unset, other tags are left alone.
  - B(Placeholders.) C(@@NAME@@) in any string of a definition is replaced by O(placeholders) or O(secret_placeholders)
    before comparing and writing (for example a per-environment threshold, or a Mattermost incoming-webhook URL that
    must not be committed). Secret values are shown as their placeholder in the diff and in everything returned.
  - All definitions are read, validated and their credentials resolved before the first write. A run that changes
    nothing makes no write request, only one paginated list of workflows, plus the credential list when a definition
    references credentials.
options:
  name:
    description:
      - Name of the workflow. Overrides the C(name) of O(src) or O(definition).
      - With O(state=absent), the name of the workflow to remove.
    type: str
  id:
    description:
      - Id of the workflow on this instance, to match by id instead of by name (for example to rename a workflow).
      - The module fails if no workflow has that id, except with O(state=absent).
    type: str
  src:
    description:
      - A workflow JSON file (as exported by n8n, or written by hand), on the host the module runs on.
      - A relative path is relative to the module's working directory, not to the playbook; use an absolute path
        (for example C({{ playbook_dir }}/files/...) or C({{ role_path }}/files/...)).
    type: path
  definition:
    description: The workflow as a mapping (or a JSON string) with C(name), C(nodes), C(connections) and C(settings).
    type: raw
  state:
    description:
      - V(present) creates or updates the workflow; V(absent) deactivates and deletes it.
      - Defaults to V(present). With O(workflows), each item has its own C(state).
    type: str
    choices: [present, absent]
  active:
    description: V(true) activates (publishes) the workflow, V(false) deactivates it; unset leaves it as it is.
    type: bool
  tags:
    description:
      - The workflow's tags besides O(management_tag), which is always added. Unset leaves other tags alone.
      - n8n tag names are at most 24 characters. Missing tags are created.
    type: list
    elements: str
  workflows:
    description:
      - Several workflows in one run (one list request for all of them). Mutually exclusive with O(name), O(id),
        O(src), O(definition), O(state), O(active) and O(tags), which it takes per item.
    type: list
    elements: dict
    suboptions:
      name:
        description: As O(name).
        type: str
      id:
        description: As O(id).
        type: str
      src:
        description: As O(src).
        type: path
      definition:
        description: As O(definition).
        type: raw
      state:
        description: As O(state).
        type: str
        choices: [present, absent]
        default: present
      active:
        description: As O(active).
        type: bool
      tags:
        description: As O(tags).
        type: list
        elements: str
  purge:
    description:
      - Delete the workflows that carry O(management_tag) but are not in O(workflows) (deactivating them first).
      - Only with O(workflows), so a single-workflow task can never remove the others.
    type: bool
    default: false
  management_tag:
    description:
      - The tag that marks workflows managed by this collection. Set to an empty string to add no tag (then
        O(purge) cannot be used).
    type: str
    default: insightpulseai.workbench
  placeholders:
    description: Values for C(@@NAME@@) placeholders (NAME in upper case). Shown in output like any other value.
    type: dict
    default: {}
  secret_placeholders:
    description:
      - Values for C(@@NAME@@) placeholders that are secret (for example an incoming-webhook URL). They are sent to n8n,
        where they are part of the workflow and visible to users who can open it, and are never shown by Ansible.
      - Prefer an n8n credential where the node supports one.
    type: dict
    default: {}
extends_documentation_fragment:
  - insightpulseai.workbench._n8n
  - insightpulseai.workbench._attributes
  - insightpulseai.workbench._attributes.ACTIONGROUP_N8N
attributes:
  check_mode:
    support: full
    details: Reads the instance and reports what would change (RV(workflows[].changes)) without writing.
  diff_mode:
    support: full
    details: The normalised workflow (nodes, connections, settings, active, tags) before and after; secrets masked.
  idempotent:
    support: full
notes:
  - n8n refuses two active workflows listening on the same webhook path and method; the activation then fails with
    n8n's message.
  - Archived workflows are ignored (they neither match a name nor are purged).
  - n8n answers 409 for a moment after a workflow is deactivated; deleting retries that answer.
seealso:
  - module: insightpulseai.workbench.n8n_credential
  - module: insightpulseai.workbench.n8n_workflow_info
  - name: n8n public REST API
    description: The API this module uses.
    link: https://docs.n8n.io/api/
author:
  - InsightPulseAI platform team (@insightpulseai)
"""

EXAMPLES = r"""
- name: Ensure the expense approval workflow is deployed and active
  insightpulseai.workbench.n8n_workflow:
    url: https://n8n.example.com
    api_key: "{{ vault_n8n_api_key }}"
    src: "{{ playbook_dir }}/files/n8n/expense_approval.json"
    active: true
    placeholders:
      EXPENSE_APPROVAL_THRESHOLD: 5000
    secret_placeholders:
      MATTERMOST_WEBHOOK_URL: "{{ vault_mattermost_webhook_url }}"

- name: Deploy every workflow of a directory and remove managed workflows that are no longer there
  insightpulseai.workbench.n8n_workflow:
    workflows: "{{ query('ansible.builtin.fileglob', playbook_dir ~ '/files/n8n/*.json') | map('community.general.dict_kv', 'src') | list }}"
    purge: true

- name: Plan only
  insightpulseai.workbench.n8n_workflow:
    src: "{{ playbook_dir }}/files/n8n/pipeline_trigger.json"
    active: true
  check_mode: true
  diff: true

- name: Remove a workflow
  insightpulseai.workbench.n8n_workflow:
    name: Old import job
    state: absent
"""

RETURN = r"""
workflow:
  description: The workflow after the run (single-workflow form only; empty once deleted or when absent).
  returned: when O(workflows) is not used
  type: dict
  sample: {"id": "LAoxsMlK3aWY4xVv", "name": "Expense approval", "active": true, "versionId": "acc50e19-...",
           "activeVersionId": "acc50e19-...", "tags": ["insightpulseai.workbench"], "nodes": 9,
           "updatedAt": "2026-01-01T00:00:00.000Z"}
workflows:
  description: One entry per declared workflow, in order, plus one per purged workflow.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Workflow name.
      type: str
    id:
      description: Workflow id (none when it would be created, in check mode).
      type: str
    operation:
      description: V(create), V(update), V(delete) or V(none).
      type: str
    changes:
      description: "What differs, for example V(node Fetch expense: parameters), V(connections), V(activated), V(tags)."
      type: list
      elements: str
    workflow:
      description: The workflow after the run, as in RV(workflow).
      type: dict
  sample: [{"name": "Expense approval", "id": "LAoxsMlK3aWY4xVv", "operation": "update",
            "changes": ["node Check threshold: parameters"], "workflow": {}}]
actions:
  description:
    - "What was done (check mode - what would be done), one entry per workflow that changes, for example
      V(create workflow 'Expense approval' (tags, activated)), V(update workflow 'Expense approval' (node Check
      threshold: parameters)) or V(delete workflow 'Old import job'); empty when nothing was to do."
    - RV(workflows[].operation) and RV(workflows[].changes) say the same per workflow (they are not deprecated).
  returned: always
  type: list
  elements: str
  sample: ["update workflow 'Expense approval' (node Check threshold: parameters)"]
requests:
  description: HTTP requests this run made to n8n, split into reads and writes.
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
    - HTTP requests this run made to n8n, in total and how many of them wrote.
    - "Deprecated: use C(requests); removed in 2.0.0."
  returned: always
  type: dict
  sample: {"requests": 2, "writes": 0}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _n8n_workflow_spec
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _n8n_workflows as wfl
from ansible_collections.insightpulseai.workbench.plugins.module_utils._n8n_client import (
    N8nApiError,
    N8nClient,
    N8nRun,
    n8n_argument_spec,
    reword,
)
from ansible_collections.insightpulseai.workbench.plugins.module_utils._runtime import Plan, SpecError

ITEM_KEYS = ("name", "id", "src", "definition", "state", "active", "tags")


def _items(params):
    """The items to ensure, and whether this is the single-workflow form."""
    if params["workflows"] is not None:
        return [dict((k, item.get(k)) for k in ITEM_KEYS) for item in params["workflows"]], False
    return [dict((k, params.get(k)) for k in ITEM_KEYS)], True


def _action(p):
    """The short string ``actions`` has for a plan that changes something."""
    changes = p["changes"]
    detail = changes if p["action"] == "update" else [c for c in changes if c not in ("created", "deleted")]
    return "%s workflow %r%s" % (p["action"], p["name"], " (%s)" % ", ".join(detail) if detail else "")


def _entry(p, after, secrets):
    """One entry of ``workflows``: the plan, and the workflow as it is after the run (or would be, in check mode)."""
    return dict(
        name=p["name"],
        id=(after or {}).get("id", p.get("id")),
        operation=p["action"],
        changes=p["changes"],
        workflow=wfl.summary(after, secrets) if p["action"] != "delete" else {},
    )


class Run(N8nRun):
    """Every workflow of the run: all prepared and checked locally, then one list of the instance, then the writes.
    Secret placeholder values are masked in every message, result and diff (``exit``/``fail``)."""

    def __init__(self, module):
        N8nRun.__init__(self, module)
        self.secrets = module.params["secret_placeholders"] or {}
        self.planned = []
        self.result["workflows"] = []

    def warn(self, text):
        """A warning, secrets masked."""
        self.module.warn(_n8n_workflow_spec.mask(text, self.secrets))

    def validate(self):
        """Everything local first - files, JSON, placeholders, structure, duplicates - then the client."""
        p = self.module.params
        if p["workflows"] is None and p["state"] is None:
            p["state"] = "present"
        tag = p["management_tag"] or ""
        if p["purge"] and not tag:
            raise SpecError("purge needs management_tag: without it the managed workflows cannot be told apart")
        items, single = _items(p)
        desired, seen = [], {}
        for index, item in enumerate(items):
            try:
                d = _n8n_workflow_spec.prepare(item, p["placeholders"], self.secrets, tag)
            except _n8n_workflow_spec.WorkflowError as exc:
                raise reword(exc, "Invalid workflow%s: %s" % ("" if single else " (item %d)" % index, exc))
            key = d["id"] or d["name"]
            if key in seen:
                raise SpecError("Workflow %r is declared twice (items %d and %d)" % (d["name"], seen[key], index))
            seen[key] = index
            for warning in d.get("warnings") or []:
                self.warn(warning)
            desired.append(d)
        self.client = N8nClient.from_module(self.module)
        return dict(desired=desired, single=single, tag=tag, purge=p["purge"])

    def read(self, spec):
        """The instance's workflows (one paginated list), and its credentials when a definition references some."""
        try:
            workflows = self.client.list_workflows()
        except N8nApiError as exc:
            raise exc.failure("Failed to list the workflows of %s: %s" % (self.client.base_url, exc))
        index = None
        if any(d.get("credentials") for d in spec["desired"]):
            try:
                index = wfl.credential_index(self.client.list_credentials())
            except N8nApiError as exc:
                raise exc.failure("Failed to list the credentials of %s: %s" % (self.client.base_url, exc))
        return dict(workflows=workflows, index=index)

    def plans(self, spec, current):
        """One plan per declared workflow (its credentials resolved), then one per purged workflow. Still no write."""
        plans = []
        try:
            for d in spec["desired"]:
                if d["state"] == "present" and d.get("credentials"):
                    for warning in wfl.resolve_credentials(d, current["index"], missing_ok=self.check_mode):
                        self.warn(warning)
                plans.append(wfl.plan_one(d, wfl.match(d, current["workflows"]), spec["tag"]))
        except _n8n_workflow_spec.WorkflowError as exc:
            raise reword(exc, "Invalid workflow: %s" % exc)
        if spec["purge"]:
            names = set(d["name"] for d in spec["desired"] if d.get("name"))
            ids = set(p["id"] for p in plans if p.get("id"))
            for wf in wfl.purge_candidates(current["workflows"], names, ids, spec["tag"]):
                plans.append(
                    dict(
                        name=wf.get("name"),
                        id=wf.get("id"),
                        state="absent",
                        action="delete",
                        changes=["purged: carries %s but is not declared" % spec["tag"]],
                        current=wf,
                        desired=dict(state="absent", name=wf.get("name")),
                    )
                )
        return plans

    def plan(self, spec, current):
        """The plans, their actions, the diff (one workflow's, or one per workflow by name) and the entries as they
        would be without writing."""
        self.planned = self.plans(spec, current)
        views = [(p["name"], wfl.diff_view(p)) for p in self.planned if p["action"] != "none"]
        if spec["single"] and len(views) == 1:
            before, after = views[0][1]["before"], views[0][1]["after"]
        else:
            before, after = dict((n, v["before"]) for n, v in views), dict((n, v["after"]) for n, v in views)
        entries = [
            _entry(p, p["current"] if p["action"] in ("none", "update") else None, self.secrets) for p in self.planned
        ]
        actions = [_action(p) for p in self.planned if p["action"] != "none"]
        return Plan(actions, before=before, after=after, **self.keys(spec, entries))

    def keys(self, spec, entries):
        """``workflows``, and ``workflow`` in the single-workflow form."""
        keys = dict(workflows=entries)
        if spec["single"]:
            keys["workflow"] = entries[0]["workflow"] if entries else {}
        return keys

    def apply(self, spec, plan):
        """Carry out the plans in order; a failure reports the workflows done so far and the one that failed."""
        tags = wfl.TagCache(self.client)
        entries = []
        for p in self.planned:
            after = p["current"]
            if p["action"] != "none":
                try:
                    after = wfl.apply_plan(self.client, p, tags)
                except N8nApiError as exc:
                    self.result.pop("workflow", None)
                    self.result.update(
                        changed=any(e["operation"] != "none" for e in entries),
                        workflows=entries
                        + [dict(name=p["name"], id=p.get("id"), operation=p["action"], changes=p["changes"])],
                    )
                    raise exc.failure(
                        "Failed to %s workflow %r%s: %s"
                        % (p["action"], p["name"], " (id %s)" % p["id"] if p.get("id") else "", exc)
                    )
            entries.append(_entry(p, after, self.secrets))
        return self.keys(spec, entries)

    def exit(self, **keys):
        """The runtime's exit, with every secret value put back as its placeholder."""
        self.result = _n8n_workflow_spec.mask(dict(self.result, **keys), self.secrets)
        N8nRun.exit(self)

    def fail(self, msg, error=None, **keys):
        """The runtime's failure, with every secret value put back as its placeholder (message, result, details)."""
        self.result = _n8n_workflow_spec.mask(dict(self.result, **keys), self.secrets)
        if error is not None:
            error.details = _n8n_workflow_spec.mask(error.details, self.secrets)
        N8nRun.fail(self, _n8n_workflow_spec.mask(msg, self.secrets), error=error)


def main():
    """The argument spec; the run is ``Run``'s."""
    argument_spec = n8n_argument_spec()
    item_spec = dict(
        name=dict(type="str"),
        id=dict(type="str"),
        src=dict(type="path"),
        definition=dict(type="raw"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        active=dict(type="bool"),
        tags=dict(type="list", elements="str"),
    )
    argument_spec.update(
        name=dict(type="str"),
        id=dict(type="str"),
        src=dict(type="path"),
        definition=dict(type="raw"),
        state=dict(type="str", choices=["present", "absent"]),
        active=dict(type="bool"),
        tags=dict(type="list", elements="str"),
        workflows=dict(type="list", elements="dict", options=item_spec, mutually_exclusive=[["src", "definition"]]),
        purge=dict(type="bool", default=False),
        management_tag=dict(type="str", default=_n8n_workflow_spec.MANAGEMENT_TAG),
        placeholders=dict(type="dict", default={}),
        secret_placeholders=dict(type="dict", default={}, no_log=True),
    )
    single_only = ["name", "id", "src", "definition", "state", "active", "tags"]
    module = AnsibleModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[["src", "definition"]] + [["workflows", k] for k in single_only],
        required_one_of=[["workflows", "name", "id", "src", "definition"]],
        required_if=[["purge", True, ["workflows"]]],
    )
    Run(module).run()


if __name__ == "__main__":
    main()
