#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: do_vpc
short_description: Create, update or delete a DigitalOcean VPC, with an honest check mode
version_added: 0.1.0
description:
  - Ensures a VPC network with this O(name) exists in O(region) with O(ip_range), and keeps its description (and
    whether it is the region's default) as given.
  - Written because M(community.digitalocean.digital_ocean_vpc) (1.27.0) reports C(changed) in check mode whether or
    not a real run would change anything, sends an update on every run, and never compares the region or range of an
    existing VPC. This module reads first, compares, and writes only what differs.
  - A VPC cannot move to another region or change its range. Such drift fails the task, naming the attribute and both
    values, before anything is written.
options:
  name:
    description: VPC name, unique in the account (if several VPCs have it, the module fails).
    type: str
    required: true
  state:
    description: V(present) or V(absent).
    type: str
    choices: [present, absent]
    default: present
  region:
    description: Region slug. Required to create; checked against an existing VPC.
    type: str
  ip_range:
    description:
      - Private IPv4 range in CIDR notation, C(/16) to C(/28), for example V(10.10.0.0/16). Unset on creation,
        DigitalOcean picks a free range. Checked against an existing VPC.
    type: str
  description:
    description: Free-text description. Unset leaves it alone.
    type: str
  default:
    description:
      - Make this VPC the region's default. V(false) on the current default fails - DigitalOcean cannot unset a default,
        only make another VPC the default. Unset leaves it alone.
    type: bool
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
  - A region's default VPC cannot be deleted (DigitalOcean answers 403); O(state=absent) on it fails before any request
    that writes.
  - Deleting a VPC that still has members (clusters, droplets) fails with DigitalOcean's message.
seealso:
  - module: insightpulseai.workbench.do_firewall
  - module: insightpulseai.workbench.do_kubernetes_cluster
author:
  - InsightPulseAI platform team (@insightpulseai)
"""

EXAMPLES = r"""
- name: Workbench VPC
  insightpulseai.workbench.do_vpc:
    name: ai-workbench-vpc
    region: fra1
    ip_range: 10.10.0.0/16
    description: AI workbench private network
  register: vpc

- name: Use its id
  ansible.builtin.set_fact:
    do_network_vpc_id: "{{ vpc.vpc.id }}"
"""

RETURN = r"""
vpc:
  description: The VPC after the run (in check mode, as it would be; no C(id) before it exists). Empty when absent.
  returned: always
  type: dict
  sample: {"id": "5a4981aa-9653-4bd1-bef5-d6bff52042e4", "urn": "do:vpc:5a4981aa-9653-4bd1-bef5-d6bff52042e4",
           "name": "ai-workbench-vpc", "region": "fra1", "ip_range": "10.10.0.0/16",
           "description": "AI workbench private network", "default": false}
actions:
  description: "What the run did (in check mode, would do), one line per attribute: V(create), V(delete), or C(<attribute>: <current> -> <desired>)."
  returned: always
  type: list
  elements: str
  sample: ["description: old -> AI workbench private network"]
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
  sample: {reads: 1, writes: 0}
changes:
  description: The same as C(actions). Deprecated, use C(actions); removed in 2.0.0.
  returned: always
  type: list
  elements: str
  sample: ["description: old -> AI workbench private network"]
api_requests:
  description: The same as C(requests). Deprecated, use C(requests); removed in 2.0.0.
  returned: always
  type: dict
  sample: {reads: 1, writes: 0}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _do_resources as res
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _runtime
from ansible_collections.insightpulseai.workbench.plugins.module_utils._do_client import (
    DOError,
    DORun,
    delete_resource,
    do_argument_spec,
    lookup_by_name,
)


class Run(DORun):
    """One do_vpc run: find the VPC by name, plan create/update/delete, send only what differs."""

    initial = dict(vpc={}, changes=[])

    def validate(self):
        """The parameters, with ip_range checked before any request."""
        if self.module.params["state"] == "present":
            res.normalize_ip_range(self.module.params["ip_range"])
        return self.module.params

    def read(self, spec):
        """The VPC named ``name`` (or None) and every VPC (to tell whether it would be its region's first)."""
        vpc, vpcs = lookup_by_name(self.client, "vpcs", "vpcs", spec["name"], "VPCs")
        return dict(vpc=vpc, vpcs=vpcs)

    def plan(self, spec, current):
        """Delete, or create/update from res.plan_vpc; drift fails (DriftError) before any write."""
        vpc = current["vpc"]
        if spec["state"] == "absent":
            return self.plan_absent(spec, vpc)
        self.result["vpc"] = res.vpc_view(vpc)
        todo = res.plan_vpc(spec, vpc)
        first = not any(v.get("region") == spec["region"] for v in current["vpcs"])
        after = res.vpc_after(spec, vpc, todo, first_in_region=first)
        plan = _runtime.Plan(
            todo.summary(), before=res.vpc_view(vpc), after=after, vpc=after if todo.changed else res.vpc_view(vpc)
        )
        plan.todo, plan.vpc = todo, vpc
        return plan

    def plan_absent(self, spec, vpc):
        """Nothing to do without the VPC; a region's default VPC is refused before any write."""
        plan = _runtime.Plan([] if vpc is None else ["delete"], before=res.vpc_view(vpc), after={}, vpc={})
        plan.todo, plan.vpc = None, vpc
        if vpc is not None and vpc.get("default"):
            self.result["vpc"] = res.vpc_view(vpc)
            raise _runtime.DriftError(
                "VPC %r (%s) is the default VPC of %s; DigitalOcean does not delete a region's "
                "default VPC." % (spec["name"], vpc["id"], vpc["region"])
            )
        return plan

    def apply(self, spec, plan):
        """Delete, create (then make it the default when asked and it is not) or PATCH what differs."""
        if plan.todo is None:
            self.result["vpc"] = res.vpc_view(plan.vpc)
            delete_resource(self.client, "vpcs", plan.vpc, "VPC %r" % spec["name"])
            return dict(vpc={})
        todo = plan.todo
        try:
            if todo.action == "create":
                vpc = self.client.post("vpcs", todo.body)["vpc"]
                if todo.extra.get("make_default") and not vpc.get("default"):
                    vpc = self.client.patch("vpcs/%s" % vpc["id"], dict(default=True))["vpc"]
            else:
                vpc = self.client.patch("vpcs/%s" % plan.vpc["id"], todo.body)["vpc"]
        except DOError as exc:
            raise exc.within("Failed to %s VPC %r" % (todo.action, spec["name"]))
        return dict(vpc=res.vpc_view(vpc))


def main():
    """Build the module from its options and run it."""
    spec = do_argument_spec()
    spec.update(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        region=dict(type="str"),
        ip_range=dict(type="str"),
        description=dict(type="str"),
        default=dict(type="bool"),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    Run(module).run()


if __name__ == "__main__":
    main()
