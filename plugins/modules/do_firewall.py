#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: do_firewall
short_description: Create, update or delete a DigitalOcean cloud firewall, with check and diff mode
version_added: 0.1.0
description:
  - Ensures the cloud firewall named O(name) has exactly the given inbound and outbound rules, tags and Droplets.
  - Rules are compared as sets in the form the API returns them (protocol in lower case, C(ports) as a string with
    V(0) for all ports and for ICMP, empty targets dropped, targets sorted), so the order of rules and targets does not
    matter and a converged firewall is never rewritten.
  - Written because M(community.digitalocean.digital_ocean_firewall) (1.27.0) has no check mode (under C(--check)
    Ansible skips it, so a plan cannot show firewall changes) and sends Droplet ids as strings, which the API's schema
    rejects.
options:
  name:
    description: Firewall name. If several firewalls have it, the module fails.
    type: str
    required: true
  state:
    description: V(present) or V(absent).
    type: str
    choices: [present, absent]
    default: present
  inbound_rules:
    description:
      - Inbound rules, each C(protocol) (V(tcp), V(udp), V(icmp)), C(ports) (V(443), V(8000-9000), V(0) or V(all) for all)
        and C(sources) with any of C(addresses), C(tags), C(droplet_ids), C(load_balancer_uids), C(kubernetes_ids).
      - Replaces the current inbound rules. Unset leaves them alone.
    type: list
    elements: dict
  outbound_rules:
    description:
      - Outbound rules, like O(inbound_rules) with C(destinations) instead of C(sources). Replaces the current outbound
        rules. Unset leaves them alone.
      - Once a firewall has outbound rules, all other outbound traffic of its Droplets is dropped.
    type: list
    elements: dict
  tags:
    description: Droplets carrying any of these tags are protected (DOKS worker nodes carry their node pool's tags). Unset leaves them alone.
    type: list
    elements: str
  droplet_ids:
    description: Droplets protected by id. Unset leaves them alone.
    type: list
    elements: int
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
    details: Rules, tags and Droplets before and after, normalised.
  idempotent:
    support: full
seealso:
  - module: insightpulseai.workbench.do_vpc
  - name: Cloud firewall API
    description: Rule format and semantics.
    link: https://docs.digitalocean.com/reference/api/digitalocean/#tag/Firewalls
author:
  - InsightPulseAI platform team (@insightpulseai)
"""

EXAMPLES = r"""
- name: Workbench firewall (the seed's rules)
  insightpulseai.workbench.do_firewall:
    name: ai-workbench-fw
    tags: [ai-workbench]
    inbound_rules:
      - {protocol: tcp, ports: "80", sources: {addresses: ["0.0.0.0/0", "::/0"]}}
      - {protocol: tcp, ports: "443", sources: {addresses: ["0.0.0.0/0", "::/0"]}}
    outbound_rules:
      - {protocol: tcp, ports: "443", destinations: {addresses: ["0.0.0.0/0", "::/0"]}}
      - {protocol: tcp, ports: "5432", destinations: {addresses: ["0.0.0.0/0", "::/0"]}}
"""

RETURN = r"""
firewall:
  description: The firewall after the run, normalised (in check mode, as it would be). Empty when absent.
  returned: always
  type: dict
  sample: {"id": "bb4b2611-3d72-467b-8602-280330ecd65c", "name": "ai-workbench-fw", "tags": ["ai-workbench"],
           "droplet_ids": [], "status": "waiting",
           "inbound_rules": [{"protocol": "tcp", "ports": "443", "sources": {"addresses": ["0.0.0.0/0", "::/0"]}}],
           "outbound_rules": []}
changes:
  description: What changed (or would change), one line per attribute.
  returned: always
  type: list
  elements: str
  sample: ["tags: [] -> [\"ai-workbench\"]"]
api_requests:
  description: DigitalOcean API requests this run made.
  returned: always
  type: dict
  sample: {reads: 1, writes: 1}
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
    result = dict(changed=False, firewall={}, changes=[])

    finish = finisher(module, client, result)

    current = lookup_by_name(client, "firewalls", "firewalls", p["name"], "firewalls", finish)[0]

    if p["state"] == "absent":
        if current is not None:
            delete_resource(module, client, result, finish, "firewalls", current, "firewall %r" % p["name"], res.firewall_view(current))
        finish()

    try:
        plan = res.plan_firewall(p, current)
    except res.SpecError as exc:
        finish("Invalid firewall %r: %s" % (p["name"], exc))
    result.update(changed=plan.changed, changes=plan.summary())
    after = res.firewall_after(p, current, plan)
    if plan.changed and module._diff:
        before = res.firewall_view(current)
        before.pop("status", None)
        result["diff"] = dict(before=before, after=after)
    if module.check_mode or not plan.changed:
        result["firewall"] = dict(after, id=current["id"]) if current else after
        finish()
    try:
        if plan.action == "create":
            firewall = client.post("firewalls", plan.body)["firewall"]
        else:
            firewall = client.put("firewalls/%s" % current["id"], plan.body)["firewall"]
    except DOError as exc:
        finish("Failed to %s firewall %r: %s" % (plan.action, p["name"], exc))
    result["firewall"] = res.firewall_view(firewall)
    finish()


def main():
    spec = do_argument_spec()
    spec.update(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        inbound_rules=dict(type="list", elements="dict"),
        outbound_rules=dict(type="list", elements="dict"),
        tags=dict(type="list", elements="str"),
        droplet_ids=dict(type="list", elements="int"),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    run(module, DOClient.from_module(module))


if __name__ == "__main__":
    main()
