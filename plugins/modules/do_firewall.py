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
actions:
  description: "What the run did (in check mode, would do), one line per attribute: V(create), V(delete), or C(<attribute>: <current> -> <desired>)."
  returned: always
  type: list
  elements: str
  sample: ["tags: [] -> [\"ai-workbench\"]"]
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
  sample: {reads: 1, writes: 1}
changes:
  description: The same as C(actions). Deprecated, use C(actions); removed in 2.0.0.
  returned: always
  type: list
  elements: str
  sample: ["tags: [] -> [\"ai-workbench\"]"]
api_requests:
  description: The same as C(requests). Deprecated, use C(requests); removed in 2.0.0.
  returned: always
  type: dict
  sample: {reads: 1, writes: 1}
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


def _shown(firewall):
    """A firewall's view without its volatile status (for the diff)."""
    view = res.firewall_view(firewall)
    view.pop("status", None)
    return view


class Run(DORun):
    """One do_firewall run: find the firewall by name, compare its rules as sets, send only what differs."""

    initial = dict(firewall={}, changes=[])

    def validate(self):
        """The parameters, with the rules checked before any request."""
        p = self.module.params
        if p["state"] == "present":
            self.checked(res.normalize_rules, p["inbound_rules"], "sources")
            self.checked(res.normalize_rules, p["outbound_rules"], "destinations")
        return p

    def checked(self, func, *args):
        """``func(*args)``, its SpecError naming the firewall (as "Invalid firewall 'name': ...")."""
        try:
            return func(*args)
        except res.SpecError as exc:
            raise res.SpecError("Invalid firewall %r: %s" % (self.module.params["name"], exc.msg)) from exc

    def read(self, spec):
        """The firewall named ``name``, or None."""
        return lookup_by_name(self.client, "firewalls", "firewalls", spec["name"], "firewalls")[0]

    def plan(self, spec, current):
        """Delete, or create/PUT from res.plan_firewall."""
        if spec["state"] == "absent":
            plan = _runtime.Plan([] if current is None else ["delete"], before=res.firewall_view(current), after={})
            plan.todo, plan.current = None, current
            return plan
        todo = self.checked(res.plan_firewall, spec, current)
        after = res.firewall_after(spec, current, todo)
        plan = _runtime.Plan(
            todo.summary(),
            before=_shown(current),
            after=after,
            firewall=dict(after, id=current["id"]) if current else after,
        )
        plan.todo, plan.current = todo, current
        return plan

    def apply(self, spec, plan):
        """Delete, POST a new firewall, or PUT the whole firewall."""
        if plan.todo is None:
            delete_resource(self.client, "firewalls", plan.current, "firewall %r" % spec["name"])
            return {}
        try:
            if plan.todo.action == "create":
                firewall = self.client.post("firewalls", plan.todo.body)["firewall"]
            else:
                firewall = self.client.put("firewalls/%s" % plan.current["id"], plan.todo.body)["firewall"]
        except DOError as exc:
            raise exc.within("Failed to %s firewall %r" % (plan.todo.action, spec["name"]))
        return dict(firewall=res.firewall_view(firewall))


def main():
    """Build the module from its options and run it."""
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
    Run(module).run()


if __name__ == "__main__":
    main()
