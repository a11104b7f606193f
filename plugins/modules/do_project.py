#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: do_project
short_description: Create, update or delete a DigitalOcean project and assign resources to it
version_added: 0.1.0
description:
  - Ensures the project named O(name) exists with the given description, purpose and environment, and that the
    resources in O(resources) (URNs such as C(do:kubernetes:<id>) or C(do:space:<bucket>)) belong to it.
  - Written because M(community.digitalocean.digital_ocean_project) cannot be pointed at another API URL
    (no C(baseurl)) and so cannot be tested offline.
  - Assigning a resource moves it out of the project it was in. DigitalOcean has no way to unassign a resource - it
    leaves a project only by being assigned to another one - so resources not listed are left where they are.
options:
  name:
    description: Project name. If several projects have it, the module fails.
    type: str
    required: true
  state:
    description:
      - V(present) or V(absent).
      - DigitalOcean refuses to delete a project that still has resources, and the default project. With V(absent), the
        resources of O(resources) that are still in the project are first moved to the account's default project (as
        DigitalOcean's Terraform provider does when it deletes a project); the default project itself is refused before
        any request that writes.
    type: str
    choices: [present, absent]
    default: present
  description:
    description: Description. Unset leaves it alone.
    type: str
  purpose:
    description:
      - "Purpose, one of DigitalOcean's (for example V(Service or API), V(Machine learning / AI / Data processing)) or
        free text, which DigitalOcean stores as C(Other: <text>) (the module compares accordingly). Required to create."
    type: str
  environment:
    description: Environment of the project's resources. Unset leaves it alone.
    type: str
    choices: [Development, Staging, Production]
  is_default:
    description: Make this the account's default project (where new resources land). Unset leaves it alone.
    type: bool
  resources:
    description:
      - URNs of resources that must belong to the project. Unset leaves assignments alone.
      - With O(state=absent), the resources to move to the default project before the project is deleted (those no
        longer in the project are skipped), so that resources which outlive the project, such as a Spaces bucket that
        holds data, do not block its deletion.
    type: list
    elements: str
extends_documentation_fragment:
  - insightpulseai.workbench._digitalocean
  - insightpulseai.workbench._attributes
  - insightpulseai.workbench._attributes.ACTIONGROUP_DIGITALOCEAN
attributes:
  check_mode:
    support: full
    details: Reads, compares and reports what a real run would do; writes nothing.
  diff_mode:
    support: full
  idempotent:
    support: full
notes:
  - App Platform apps are placed in a project when they are created (O(insightpulseai.workbench.do_app#module:project_id)).
seealso:
  - module: insightpulseai.workbench.do_app
author:
  - InsightPulseAI platform team (@insightpulseai)
"""

EXAMPLES = r"""
- name: Workbench project with its Spaces bucket
  insightpulseai.workbench.do_project:
    name: ai-workbench
    purpose: Machine learning / AI / Data processing
    environment: Production
    description: InsightPulseAI multi-agent AI workbench
    resources:
      - do:space:ai-workbench-data
  register: project

- name: Add the cluster to the project (other settings left alone)
  insightpulseai.workbench.do_project:
    name: ai-workbench
    resources: ["do:kubernetes:{{ cluster.cluster.id }}"]

- name: Delete the project, keeping its bucket (moved to the default project first)
  insightpulseai.workbench.do_project:
    name: ai-workbench
    state: absent
    resources: ["do:space:ai-workbench-data"]
"""

RETURN = r"""
project:
  description: The project after the run with its C(resources) (URNs), in check mode as it would be. Empty when absent.
  returned: always
  type: dict
  sample: {"id": "4e1bfbc3-dc3e-41f2-a18f-1b4d7ba71679", "name": "ai-workbench", "description": "",
           "purpose": "Service or API", "environment": "Production", "is_default": false,
           "resources": ["do:space:ai-workbench-data"]}
changes:
  description: What changed (or would change).
  returned: always
  type: list
  elements: str
  sample: ["assign do:kubernetes:3b1ac4a6-0b8c-4b33-9d5c-9a0b3f7c2b11"]
api_requests:
  description: DigitalOcean API requests this run made.
  returned: always
  type: dict
  sample: {reads: 2, writes: 0}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _do_resources as res
from ansible_collections.insightpulseai.workbench.plugins.module_utils._do_api import (
    DOClient,
    DOError,
    do_argument_spec,
    finisher,
    lookup_by_name,
)


def assign(client, finish, project_id, label, urns):
    """Assign ``urns`` to project ``project_id`` (or ``"default"``); fails through ``finish`` unless all are assigned."""
    try:
        answer = client.post("projects/%s/resources" % project_id, dict(resources=urns))
    except DOError as exc:
        finish("Failed to assign %s to %s: %s" % (", ".join(urns), label, exc))
    refused = ["%s (%s)" % (r.get("urn"), r.get("status")) for r in answer.get("resources") or []
               if r.get("status") not in ("assigned", "ok", "already_assigned")]
    if refused:
        finish("DigitalOcean did not assign %s to %s: check that these resources exist and that the token "
               "may read them." % (", ".join(refused), label))


def absent(module, client, result, finish, current):
    """state=absent for an existing project: refuse the default project, move the listed resources still in it to
    the default project, then delete it (each step only outside check mode)."""
    p = module.params
    if current.get("is_default"):
        finish("Project %r (%s) is the account's default project; DigitalOcean does not delete the default project "
               "(make another project the default first)." % (p["name"], current["id"]), project=res.project_view(current))
    current_urns = None
    moves = []
    if p["resources"]:
        try:
            res.missing_resources(p["resources"], None)  # checks that each is a URN
        except res.SpecError as exc:
            finish("Invalid resources for project %r: %s" % (p["name"], exc))
        try:
            current_urns = [r["urn"] for r in client.list("projects/%s/resources" % current["id"], "resources")]
        except DOError as exc:
            finish("Failed to list the resources of project %r: %s" % (p["name"], exc))
        moves = sorted(set(p["resources"]) & set(current_urns))
    result["changes"] = ["move %s to the default project" % urn for urn in moves] + ["delete"]
    if module._diff:
        result["diff"] = dict(before=res.project_view(current, current_urns), after={})
    if not module.check_mode:
        if moves:
            assign(client, finish, "default", "the default project (to empty project %r before deleting it)" % p["name"],
                   moves)
            result["changed"] = True
        try:
            client.delete("projects/%s" % current["id"])
        except DOError as exc:
            finish("Failed to delete project %r (%s): %s" % (p["name"], current["id"], exc))
    result["changed"] = True


def run(module, client):
    p = module.params
    result = dict(changed=False, project={}, changes=[])

    finish = finisher(module, client, result)

    current = lookup_by_name(client, "projects", "projects", p["name"], "projects", finish)[0]

    if p["state"] == "absent":
        if current is not None:
            absent(module, client, result, finish, current)
        finish()

    try:
        plan = res.plan_project(p, current)
    except (res.SpecError, res.DriftError) as exc:
        finish(str(exc), project=res.project_view(current))

    current_urns = None
    if current is not None and p["resources"] is not None:
        try:
            current_urns = [r["urn"] for r in client.list("projects/%s/resources" % current["id"], "resources")]
        except DOError as exc:
            finish("Failed to list the resources of project %r: %s" % (p["name"], exc))
    try:
        to_assign = res.missing_resources(p["resources"], current_urns)
    except res.SpecError as exc:
        finish("Invalid resources for project %r: %s" % (p["name"], exc))

    changes = plan.summary() + ["assign %s" % urn for urn in to_assign]
    changed = plan.changed or bool(to_assign)
    before = res.project_view(current, current_urns) if current else {}
    after = dict(before) if current else dict(name=p["name"], description=p["description"] or "", purpose=p["purpose"],
                                              environment=p["environment"], is_default=bool(p["is_default"]))
    for key, (_old, new) in plan.changes.items():
        after[key] = new
    if p["resources"] is not None:
        after["resources"] = sorted(set(current_urns or []) | set(to_assign))
    result.update(changed=changed, changes=changes)
    if changed and module._diff:
        result["diff"] = dict(before=before, after=after)
    if module.check_mode or not changed:
        result["project"] = after
        finish()

    try:
        if plan.action == "create":
            project = client.post("projects", plan.body)["project"]
            if plan.extra.get("make_default"):
                project = client.patch("projects/%s" % project["id"], dict(is_default=True))["project"]
        elif plan.action == "update":
            project = client.patch("projects/%s" % current["id"], plan.body)["project"]
        else:
            project = current
    except DOError as exc:
        finish("Failed to %s project %r: %s" % (plan.action, p["name"], exc))
    if to_assign:
        assign(client, finish, project["id"], "project %r" % p["name"], to_assign)
    result["project"] = res.project_view(project, after.get("resources"))
    finish()


def main():
    spec = do_argument_spec()
    spec.update(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        description=dict(type="str"),
        purpose=dict(type="str"),
        environment=dict(type="str", choices=list(res.ENVIRONMENTS)),
        is_default=dict(type="bool"),
        resources=dict(type="list", elements="str"),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    run(module, DOClient.from_module(module))


if __name__ == "__main__":
    main()
