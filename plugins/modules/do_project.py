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
actions:
  description: >-
    What the run did (in check mode, would do), one line each - V(create), C(<attribute>: <current> -> <desired>),
    C(assign <urn>), C(move <urn> to the default project), V(delete).
  returned: always
  type: list
  elements: str
  sample: ["assign do:kubernetes:3b1ac4a6-0b8c-4b33-9d5c-9a0b3f7c2b11"]
requests:
  description: DigitalOcean API requests this run made, reads (GET) and writes (every other method).
  returned: always
  type: dict
  contains:
    reads:
      description: Requests that only read (GET).
      type: int
    writes:
      description: Requests that may write (POST, PUT, PATCH, DELETE).
      type: int
  sample: {reads: 2, writes: 0}
changes:
  description: The same as C(actions). Deprecated, use C(actions); removed in 2.0.0.
  returned: always
  type: list
  elements: str
  sample: ["assign do:kubernetes:3b1ac4a6-0b8c-4b33-9d5c-9a0b3f7c2b11"]
api_requests:
  description: The same as C(requests). Deprecated, use C(requests); removed in 2.0.0.
  returned: always
  type: dict
  sample: {reads: 2, writes: 0}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _do_resources as res
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _runtime
from ansible_collections.insightpulseai.workbench.plugins.module_utils._do_client import (
    DOError,
    DORun,
    do_argument_spec,
    lookup_by_name,
)

ASSIGNED = ("assigned", "ok", "already_assigned")


class Run(DORun):
    """One do_project run: the project's settings, the resources assigned to it, and on deletion the listed resources
    moved to the default project first (so they are kept)."""

    initial = dict(project={}, changes=[])

    def validate(self):
        """The parameters, with every resource checked to be a URN before any request."""
        self.urns(self.module.params["resources"], None)
        return self.module.params

    def urns(self, desired, current):
        """res.missing_resources, its SpecError naming the project."""
        try:
            return res.missing_resources(desired, current)
        except res.SpecError as exc:
            raise res.SpecError("Invalid resources for project %r: %s" % (self.module.params["name"], exc.msg)) from exc

    def read(self, spec):
        """The project named ``name`` (or None) and, when O(resources) is set, the URNs assigned to it."""
        project = lookup_by_name(self.client, "projects", "projects", spec["name"], "projects")[0]
        if spec["state"] == "absent" and project is not None and project.get("is_default"):
            return dict(project=project, urns=None)  # refused in plan(), before another read
        urns = None
        if project is not None and spec["resources"] is not None and (spec["state"] == "present" or spec["resources"]):
            try:
                urns = [r["urn"] for r in self.client.list("projects/%s/resources" % project["id"], "resources")]
            except DOError as exc:
                raise exc.within("Failed to list the resources of project %r" % spec["name"])
        return dict(project=project, urns=urns)

    def plan(self, spec, current):
        """Delete (after moving the listed resources out), or create/update from res.plan_project plus assignments."""
        project, urns = current["project"], current["urns"]
        if spec["state"] == "absent":
            return self.plan_absent(spec, project, urns)
        self.result["project"] = res.project_view(project)
        todo = res.plan_project(spec, project)
        to_assign = self.urns(spec["resources"], urns)
        before = res.project_view(project, urns) if project else {}
        after = (
            dict(before)
            if project
            else dict(
                name=spec["name"],
                description=spec["description"] or "",
                purpose=spec["purpose"],
                environment=spec["environment"],
                is_default=bool(spec["is_default"]),
            )
        )
        for key, (_old, new) in todo.changes.items():
            after[key] = new
        if spec["resources"] is not None:
            after["resources"] = sorted(set(urns or []) | set(to_assign))
        plan = _runtime.Plan(
            todo.summary() + ["assign %s" % urn for urn in to_assign], before=before, after=after, project=after
        )
        plan.todo, plan.project, plan.assign, plan.moves = todo, project, to_assign, None
        return plan

    def plan_absent(self, spec, project, urns):
        """Nothing without the project; the default project is refused (DriftError) before any write."""
        if project is None:
            return _runtime.Plan([])
        if project.get("is_default"):
            self.result["project"] = res.project_view(project)
            raise _runtime.DriftError(
                "Project %r (%s) is the account's default project; DigitalOcean does not delete the default project "
                "(make another project the default first)." % (spec["name"], project["id"])
            )
        moves = sorted(set(spec["resources"]) & set(urns)) if spec["resources"] else []
        plan = _runtime.Plan(
            ["move %s to the default project" % urn for urn in moves] + ["delete"],
            before=res.project_view(project, urns),
            after={},
        )
        plan.todo, plan.project, plan.assign, plan.moves = None, project, [], moves
        return plan

    def assign(self, project_id, label, urns, written):
        """Assign ``urns`` to project ``project_id`` (or ``"default"``); ServiceError unless all are assigned."""
        try:
            answer = self.client.post("projects/%s/resources" % project_id, dict(resources=urns))
        except DOError as exc:
            raise exc.within("Failed to assign %s to %s" % (", ".join(urns), label), written=written or exc.written)
        items = answer.get("resources") or []
        refused = ["%s (%s)" % (r.get("urn"), r.get("status")) for r in items if r.get("status") not in ASSIGNED]
        if refused:
            raise _runtime.ServiceError(
                "DigitalOcean did not assign %s to %s: check that these resources exist and that the token may read them."
                % (", ".join(refused), label),
                written=written or len(refused) < len(items),
            )

    def apply(self, spec, plan):
        """Move and delete; or create/PATCH the project, then assign the missing resources."""
        if plan.todo is None:
            return self.delete(spec, plan)
        project = plan.project
        try:
            if plan.todo.action == "create":
                project = self.client.post("projects", plan.todo.body)["project"]
                if plan.todo.extra.get("make_default"):
                    project = self.client.patch("projects/%s" % project["id"], dict(is_default=True))["project"]
            elif plan.todo.action == "update":
                project = self.client.patch("projects/%s" % project["id"], plan.todo.body)["project"]
        except DOError as exc:
            raise exc.within("Failed to %s project %r" % (plan.todo.action, spec["name"]))
        if plan.assign:
            self.assign(project["id"], "project %r" % spec["name"], plan.assign, written=plan.todo.action != "none")
        return dict(project=res.project_view(project, plan.after.get("resources")))

    def delete(self, spec, plan):
        """Move the listed resources to the default project, then delete the project."""
        project = plan.project
        if plan.moves:
            self.assign(
                "default",
                "the default project (to empty project %r before deleting it)" % spec["name"],
                plan.moves,
                written=False,
            )
        try:
            self.client.delete("projects/%s" % project["id"])
        except DOError as exc:
            raise exc.within(
                "Failed to delete project %r (%s)" % (spec["name"], project["id"]),
                written=bool(plan.moves) or exc.written,
            )
        return {}


def main():
    """Build the module from its options and run it."""
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
    Run(module).run()


if __name__ == "__main__":
    main()
