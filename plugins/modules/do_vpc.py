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
changes:
  description: What changed (or would change), one line per attribute.
  returned: always
  type: list
  elements: str
  sample: ["description: old -> AI workbench private network"]
api_requests:
  description: DigitalOcean API requests this run made.
  returned: always
  type: dict
  sample: {reads: 1, writes: 0}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _do_resources as res
from ansible_collections.insightpulseai.workbench.plugins.module_utils._do_api import (
    DOClient,
    DOError,
    delete_resource,
    do_argument_spec,
    finisher,
    lookup_by_name,
)


def run(module, client):
    p = module.params
    result = dict(changed=False, vpc={}, changes=[])

    finish = finisher(module, client, result)

    current, vpcs = lookup_by_name(client, "vpcs", "vpcs", p["name"], "VPCs", finish)

    if p["state"] == "absent":
        if current is None:
            finish()
        if current.get("default"):
            finish("VPC %r (%s) is the default VPC of %s; DigitalOcean does not delete a region's default VPC."
                   % (p["name"], current["id"], current["region"]), vpc=res.vpc_view(current))
        delete_resource(module, client, result, finish, "vpcs", current, "VPC %r" % p["name"], res.vpc_view(current),
                        vpc=res.vpc_view(current))
        finish()

    try:
        plan = res.plan_vpc(p, current)
    except (res.SpecError, res.DriftError) as exc:
        finish(str(exc), vpc=res.vpc_view(current), drift=getattr(exc, "drifts", []))
    result.update(changed=plan.changed, changes=plan.summary())
    after = res.vpc_after(p, current, plan, first_in_region=not any(v.get("region") == p["region"] for v in vpcs))
    if plan.changed and module._diff:
        result["diff"] = dict(before=res.vpc_view(current), after=after)
    if module.check_mode or not plan.changed:
        result["vpc"] = after if plan.changed else res.vpc_view(current)
        finish()
    try:
        if plan.action == "create":
            vpc = client.post("vpcs", plan.body)["vpc"]
            if plan.extra.get("make_default") and not vpc.get("default"):
                vpc = client.patch("vpcs/%s" % vpc["id"], dict(default=True))["vpc"]
        else:
            vpc = client.patch("vpcs/%s" % current["id"], plan.body)["vpc"]
    except DOError as exc:
        finish("Failed to %s VPC %r: %s" % (plan.action, p["name"], exc))
    result["vpc"] = res.vpc_view(vpc)
    finish()


def main():
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
    run(module, DOClient.from_module(module))


if __name__ == "__main__":
    main()
