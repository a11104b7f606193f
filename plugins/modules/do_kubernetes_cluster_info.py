#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: do_kubernetes_cluster_info
short_description: Read DigitalOcean Kubernetes (DOKS) clusters
version_added: 0.1.0
description:
  - Lists the account's DOKS clusters, or the one named O(name), in the normalised shape that
    M(insightpulseai.workbench.do_kubernetes_cluster) returns. Reads only.
options:
  name:
    description: Return only the cluster with this name (an empty list when there is none; fails when several share it).
    type: str
extends_documentation_fragment:
  - insightpulseai.workbench._digitalocean
  - insightpulseai.workbench._attributes
  - insightpulseai.workbench._attributes.ACTIONGROUP_DIGITALOCEAN
attributes:
  check_mode:
    support: full
    details: Reads only, in every mode.
  diff_mode:
    support: none
  idempotent:
    support: full
seealso:
  - module: insightpulseai.workbench.do_kubernetes_cluster
author:
  - InsightPulseAI platform team (@insightpulseai)
"""

EXAMPLES = r"""
- name: Read the workbench cluster
  insightpulseai.workbench.do_kubernetes_cluster_info:
    name: ai-workbench
  register: info

- name: Show its node pools
  ansible.builtin.debug:
    msg: "{{ info.clusters[0].node_pools | map(attribute='name') }}"
"""

RETURN = r"""
clusters:
  description: The clusters, normalised (see RV(insightpulseai.workbench.do_kubernetes_cluster#module:cluster)).
  returned: always
  type: list
  elements: dict
  sample: [{"id": "3b1ac4a6-0b8c-4b33-9d5c-9a0b3f7c2b11", "name": "ai-workbench", "region": "fra1", "status": "running"}]
actions:
  description: Always empty (the module only reads).
  returned: always
  type: list
  elements: str
  sample: []
requests:
  description: DigitalOcean API requests this run made, reads (GET) and writes (always 0).
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
api_requests:
  description: The same as C(requests). Deprecated, use C(requests); removed in 2.0.0.
  returned: always
  type: dict
  sample: {reads: 1, writes: 0}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _do_kubernetes
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _runtime
from ansible_collections.insightpulseai.workbench.plugins.module_utils._do_client import (
    DOError,
    DORun,
    do_argument_spec,
    find_one_by_name,
)


class Run(DORun):
    """One read of the account's clusters (or the one named ``name``); the plan is always empty."""

    initial = dict(clusters=[])

    def read(self, spec):
        """The clusters' API objects: all of them, or the one named ``name`` (none when there is none)."""
        try:
            clusters = self.client.list("kubernetes/clusters", "kubernetes_clusters")
        except DOError as exc:
            raise exc.within("Failed to list the Kubernetes clusters")
        if spec["name"] is not None:
            found = find_one_by_name(clusters, spec["name"], "Kubernetes clusters")
            clusters = [found] if found else []
        return clusters

    def plan(self, spec, current):
        """Nothing to do; the clusters, normalised, are the result."""
        return _runtime.Plan([], clusters=[_do_kubernetes.normalize_current(c) for c in current])


def main():
    """Read the clusters."""
    spec = do_argument_spec()
    spec.update(name=dict(type="str"))
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    Run(module).run()


if __name__ == "__main__":
    main()
