#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: do_kubernetes_cluster
short_description: Create a DigitalOcean Kubernetes (DOKS) cluster and keep it reconciled
version_added: 0.1.0
description:
  - Creates a DOKS cluster with its node pools, and on later runs brings an existing cluster (found by O(name)) to the
    desired state with the changes the API can make in place - cluster tags, maintenance window, auto-upgrade,
    surge upgrade, enabling high availability, the container registry integration, a version upgrade, and node
    pools added, removed or changed (count, autoscaling bounds, tags, labels, taints).
  - B(Drift that cannot be fixed in place fails the task) before anything is written, naming every such attribute with
    its current and desired value - the region, the VPC, a lower version, a node pool's droplet size. Unlike
    M(community.digitalocean.digital_ocean_kubernetes), an existing cluster is never reported as C(ok) when it differs.
  - B(Node pools.) All pools are equal - the pools of the create request are ordinary pools afterwards. Pools are
    matched by name. A pool's droplet size cannot change, so replace a pool by giving the new one a new name - the
    module creates new pools before it removes old ones, so the cluster never runs without one.
    For an autoscaled pool, C(count) is used when the pool is created; afterwards the autoscaler owns it and the module
    only moves it into new O(node_pools[].min_nodes)/O(node_pools[].max_nodes) bounds.
  - Options left unset are left alone on an existing cluster.
  - Waits (O(wait)) until the cluster is C(running), for at most O(wait_timeout) seconds.
  - B(kubeconfig.) With O(kubeconfig), writes a kubeconfig for the cluster there (mode C(0600)). It is built from
    C(GET /v2/kubernetes/clusters/{id}/credentials) in the shape of DigitalOcean's C(.../kubeconfig) download, plus a
    C(users[].user.extensions) entry recording the cluster id and the credentials' expiry. DigitalOcean mints a new
    token on every download, so the file is rewritten only when it is missing, belongs to another cluster or
    endpoint, is not mode C(0600), or its credentials expire within O(kubeconfig_renew_before) seconds. A run that
    finds it good neither downloads credentials nor reports a change.
options:
  name:
    description: Cluster name, unique in the account. If several clusters have this name the module fails.
    type: str
    required: true
  state:
    description: V(present) creates or reconciles the cluster; V(absent) deletes it (node pools and nodes with it).
    type: str
    choices: [present, absent]
    default: present
  region:
    description: Region slug, for example V(fra1). Required to create; fixed afterwards.
    type: str
  version:
    description:
      - V(latest), a minor version (V(1.35)), a patch version (V(1.35.4)) or a DOKS slug (V(1.35.4-do.1)). Defaults
        to V(latest) on creation and is not managed afterwards when unset.
      - On an existing cluster the version is compared to the precision given (V(1.35) accepts any 1.35 patch, which
        suits O(auto_upgrade=true)). A higher version is an upgrade in place; a lower one fails.
    type: str
  vpc_uuid:
    description: ID of the VPC the cluster's nodes join. Fixed after creation. Unset, DigitalOcean uses the region's default VPC.
    type: str
  tags:
    description: The cluster's tags (without the C(k8s) and C(k8s:<id>) tags DigitalOcean adds itself). Replaces the current tags.
    type: list
    elements: str
  ha:
    description: Highly available control plane. It can be enabled in place but never disabled.
    type: bool
  auto_upgrade:
    description: Upgrade to new patch releases automatically in the maintenance window.
    type: bool
  surge_upgrade:
    description: Create new nodes before draining old ones during upgrades.
    type: bool
  maintenance_policy:
    description: Weekly maintenance window. The API keeps its own duration (4 hours).
    type: dict
    suboptions:
      start_time:
        description: Start, C(HH:MM) UTC.
        type: str
        default: "00:00"
      day:
        description: Day of the week, or V(any).
        type: str
        choices: [any, monday, tuesday, wednesday, thursday, friday, saturday, sunday]
        default: any
  node_pools:
    description:
      - The node pools, matched by name. Required to create a cluster.
      - With O(purge_node_pools=true) pools that are not listed are removed (after the new ones exist).
    type: list
    elements: dict
    suboptions:
      name:
        description: Pool name, unique in the cluster.
        type: str
        required: true
      size:
        description: Droplet size slug, for example V(s-4vcpu-8gb). Cannot change in place.
        type: str
        required: true
      count:
        description:
          - Number of nodes. Required without O(node_pools[].auto_scale).
          - With autoscaling, the initial count (default O(node_pools[].min_nodes), at least 1).
        type: int
      auto_scale:
        description: Let the cluster autoscaler size the pool between O(node_pools[].min_nodes) and O(node_pools[].max_nodes).
        type: bool
        default: false
      min_nodes:
        description: Lower autoscaling bound.
        type: int
      max_nodes:
        description: Upper autoscaling bound.
        type: int
      tags:
        description: Tags of the pool's droplets (for example the tag a cloud firewall applies to). Unset leaves them alone.
        type: list
        elements: str
      labels:
        description: Kubernetes labels of the pool's nodes. Unset leaves them alone.
        type: dict
      taints:
        description: Kubernetes taints of the pool's nodes. Unset leaves them alone.
        type: list
        elements: dict
        suboptions:
          key:
            description: Taint key.
            type: str
            required: true
          value:
            description: Taint value.
            type: str
          effect:
            description: Taint effect.
            type: str
            required: true
            choices: [NoSchedule, PreferNoSchedule, NoExecute]
  purge_node_pools:
    description: Remove node pools that O(node_pools) does not list.
    type: bool
    default: true
  registry_enabled:
    description: Integrate the account's container registry (DigitalOcean writes image pull secrets into the cluster).
    type: bool
  wait:
    description: Wait until the cluster is C(running) after creating or changing it (and when it is not running yet).
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for C(running). On timeout the module fails; the operation goes on at DigitalOcean.
    type: int
    default: 1800
  poll_interval:
    description: Seconds between status reads while waiting.
    type: float
    default: 10
  kubeconfig:
    description: Write a kubeconfig for the cluster to this controller path (mode C(0600); missing directories are created C(0700)).
    type: path
  kubeconfig_expiry_seconds:
    description: Lifetime of the credentials written to O(kubeconfig). V(0) means DigitalOcean's default of 7 days.
    type: int
    default: 0
  kubeconfig_renew_before:
    description: Rewrite O(kubeconfig) with fresh credentials when the current ones expire within this many seconds.
    type: int
    default: 86400
extends_documentation_fragment:
  - insightpulseai.workbench._digitalocean
  - insightpulseai.workbench._attributes
  - insightpulseai.workbench._attributes.ACTIONGROUP_DIGITALOCEAN
attributes:
  check_mode:
    support: full
    details:
      - Plans with reads only and reports the same C(changed) and RV(actions) as a real run; fails on drift the same way.
      - An upgrade's target slug is resolved (one more read) only in a real run.
  diff_mode:
    support: full
    details: The cluster's settings and node pools before and after, and the kubeconfig's context, server and expiry (never credentials).
  idempotent:
    support: full
notes:
  - "Run it on the controller (C(delegate_to: localhost) or a local connection); it writes O(kubeconfig) there."
  - The credentials in the kubeconfig are never returned or logged; the token is added to the values Ansible masks.
seealso:
  - module: insightpulseai.workbench.do_kubernetes_cluster_info
  - name: DOKS API reference
    description: The cluster and node pool operations this module uses.
    link: https://docs.digitalocean.com/reference/api/digitalocean/#tag/Kubernetes
author:
  - InsightPulseAI platform team (@insightpulseai)
"""

EXAMPLES = r"""
- name: AI workbench cluster (the seed's 3 x s-4vcpu-8gb, autoscaling 3-6)
  insightpulseai.workbench.do_kubernetes_cluster:
    name: ai-workbench
    region: fra1
    version: "1.35"
    vpc_uuid: "{{ do_network_vpc_id }}"
    auto_upgrade: true
    surge_upgrade: true
    maintenance_policy: {start_time: "03:00", day: sunday}
    node_pools:
      - name: workers
        size: s-4vcpu-8gb
        count: 3
        auto_scale: true
        min_nodes: 3
        max_nodes: 6
        tags: [ai-workbench]
    kubeconfig: ~/.kube/ai-workbench.yaml
  register: cluster

- name: Plan only
  insightpulseai.workbench.do_kubernetes_cluster:
    name: ai-workbench
    node_pools: "{{ workbench_pools }}"
  check_mode: true
  register: plan

- name: Remove the cluster
  insightpulseai.workbench.do_kubernetes_cluster:
    name: ai-workbench
    state: absent
"""

RETURN = r"""
cluster:
  description: The cluster after the run (in check mode, as it would be), normalised; empty when absent.
  returned: always
  type: dict
  sample:
    id: 3b1ac4a6-0b8c-4b33-9d5c-9a0b3f7c2b11
    name: ai-workbench
    region: fra1
    version: 1.35.4-do.1
    vpc_uuid: 5a4981aa-9653-4bd1-bef5-d6bff52042e4
    status: running
    endpoint: https://3b1ac4a6-0b8c-4b33-9d5c-9a0b3f7c2b11.k8s.ondigitalocean.com
    tags: [ai-workbench]
    ha: false
    auto_upgrade: true
    surge_upgrade: true
    maintenance_policy: {start_time: "03:00", day: sunday, duration: 4h0m0s}
    registry_enabled: true
    node_pools:
      - {name: workers, size: s-4vcpu-8gb, count: 3, auto_scale: true, min_nodes: 3, max_nodes: 6,
         tags: [ai-workbench], labels: {}, taints: [], nodes: 3, nodes_running: 3}
actions:
  description: What the run did (in check mode, would do), one line each, in order.
  returned: always
  type: list
  elements: str
  sample: ["update node pool workers: max_nodes 6 -> 8"]
kubeconfig:
  description: The kubeconfig at O(kubeconfig) (without credentials), and whether and why it was (or would be) written.
  returned: when O(kubeconfig) is set and O(state=present)
  type: dict
  sample: {path: /home/ops/.kube/ai-workbench.yaml, written: true, reason: missing, context: do-fra1-ai-workbench,
           server: "https://3b1ac4a6.k8s.ondigitalocean.com", cluster_id: 3b1ac4a6-0b8c-4b33-9d5c-9a0b3f7c2b11,
           expires_at: "2026-06-08T10:00:00Z", auth: token}
api_requests:
  description: DigitalOcean API requests this run made, reads and writes.
  returned: always
  type: dict
  sample: {reads: 2, writes: 0}
"""

import os
import tempfile
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.text.converters import to_native
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _doks
from ansible_collections.insightpulseai.workbench.plugins.module_utils._do_api import DOClient, DOError, do_argument_spec

try:
    import yaml

    HAS_YAML = True
    YAML_IMPORT_ERROR = None
except ImportError:  # pragma: no cover - PyYAML comes with ansible-core
    HAS_YAML = False
    YAML_IMPORT_ERROR = traceback.format_exc()


def _read_kubeconfig(path):
    """(parsed content or None, file mode or None)."""
    try:
        mode = os.stat(path).st_mode & 0o777
    except OSError:
        return None, None
    try:
        with open(path) as handle:
            return yaml.safe_load(handle), mode
    except (OSError, yaml.YAMLError):
        return "unreadable", mode


def _write_kubeconfig(path, config):
    directory = os.path.dirname(path) or "."
    if not os.path.isdir(directory):
        os.makedirs(directory, 0o700)
    fd, tmp = tempfile.mkstemp(prefix=".kubeconfig-", dir=directory)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w") as handle:
            yaml.safe_dump(config, handle, default_flow_style=False, sort_keys=False)
        os.replace(tmp, path)
    except Exception:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


class Runner(object):
    def __init__(self, module, client=None):
        self.module = module
        self.p = module.params
        self.client = client or DOClient.from_module(module)
        self.result = dict(changed=False, cluster={}, actions=[], api_requests={})

    def fail(self, msg, **extra):
        self.result["api_requests"] = dict(reads=self.client.reads, writes=self.client.writes)
        self.result.update(extra)
        self.module.fail_json(msg=msg, **self.result)

    def run(self):
        p = self.p
        try:
            desired = _doks.normalize_desired(p)
        except _doks.SpecError as exc:
            self.fail("Invalid cluster spec for %r: %s" % (p["name"], exc))
        try:
            current_raw = _doks.find_cluster(self.client, p["name"])
        except ValueError as exc:
            self.fail(str(exc))
        except DOError as exc:
            self.fail("Failed to list the Kubernetes clusters: %s" % exc)
        current = _doks.normalize_current(current_raw)

        if p["state"] == "absent":
            return self.absent(current)

        try:
            actions = _doks.plan(desired, current)
        except _doks.DriftError as exc:
            self.result["cluster"] = current
            self.fail(str(exc), drift=exc.drifts)
        except _doks.SpecError as exc:
            self.fail(str(exc))
        self.result["actions"] = [a["summary"] for a in actions]
        self.result["changed"] = bool(actions)

        after_raw = current_raw
        if actions and not self.module.check_mode:
            done = []
            try:
                cluster_id = _doks.apply(self.client, current, actions, after_create=self._wait_created, done=done)
            except (_doks.WaitTimeout, _doks.SpecError, DOError) as exc:
                self.result["changed"] = bool(done)
                self.fail("Failed to reconcile cluster %r after %d of %d steps (done: %s): %s"
                          % (p["name"], len(done), len(actions), "; ".join(done) or "nothing", exc), done=done)
            after_raw = self._read(cluster_id)
        if not self.module.check_mode and p["wait"] and after_raw and (after_raw.get("status") or {}).get("state") != "running":
            try:
                after_raw = _doks.wait_running(self.client, after_raw["id"], p["wait_timeout"], p["poll_interval"])
            except (_doks.WaitTimeout, _doks.SpecError) as exc:
                self.result["cluster"] = _doks.normalize_current(after_raw)
                self.fail("Failed waiting for cluster %r: %s" % (p["name"], exc))
            except DOError as exc:
                self.fail("Failed waiting for cluster %r: %s" % (p["name"], exc))

        if self.module.check_mode:
            self.result["cluster"] = _doks.predicted(desired, current)
            if current:
                self.result["cluster"].update(id=current["id"], status=current["status"], endpoint=current["endpoint"])
        else:
            self.result["cluster"] = _doks.normalize_current(after_raw)

        diff_before, diff_after = _doks.public_view(current), _doks.predicted(desired, current) if actions else None
        if p["kubeconfig"]:
            kc_before, kc_after = self.kubeconfig(after_raw)
        else:
            kc_before = kc_after = None
        if self.module._diff and self.result["changed"]:
            before = dict(diff_before)
            after = dict(diff_after if diff_after is not None else diff_before)
            if kc_after is not None:
                before["kubeconfig"], after["kubeconfig"] = kc_before, kc_after
            self.result["diff"] = dict(before=before, after=after)
        self.result["api_requests"] = dict(reads=self.client.reads, writes=self.client.writes)
        self.module.exit_json(**self.result)

    def _wait_created(self, cluster_id):
        """After a create: wait for running first when the registry integration follows (as DigitalOcean's Terraform
        provider does), so it is never requested for a cluster that is still provisioning."""
        if self.p["wait"] and self.p["registry_enabled"]:
            _doks.wait_running(self.client, cluster_id, self.p["wait_timeout"], self.p["poll_interval"])

    def _read(self, cluster_id):
        try:
            return self.client.get("kubernetes/clusters/%s" % cluster_id)["kubernetes_cluster"]
        except DOError as exc:
            self.fail("Failed to read cluster %r after changing it: %s" % (self.p["name"], exc))

    def kubeconfig(self, cluster_raw):
        """Check (and outside check mode, write) the kubeconfig. Returns the diff pair when it changes, else (None, None)."""
        path = self.p["kubeconfig"]
        existing, mode = _read_kubeconfig(path)
        info = dict(path=path, written=False, reason=None)
        info.update(_doks.kubeconfig_summary(existing))
        self.result["kubeconfig"] = info
        if cluster_raw is None:  # check mode, cluster still to be created
            reason = "the cluster does not exist yet"
        else:
            cluster = dict(id=cluster_raw["id"], name=cluster_raw["name"], region=cluster_raw["region"],
                           endpoint=cluster_raw.get("endpoint"))
            reason = _doks.kubeconfig_status(existing, cluster, self.p["kubeconfig_renew_before"])
            if reason is None and mode != 0o600:
                reason = "mode is %04o, expected 0600" % mode
        if reason is None:
            return None, None
        before = dict((k, v) for k, v in info.items() if k not in ("written", "reason"))
        info.update(written=True, reason=reason)
        self.result["changed"] = True
        if self.module.check_mode:
            return before, dict(path=path, content="(new credentials for %s)" % self.p["name"])
        state = (cluster_raw.get("status") or {}).get("state")
        if state != "running":
            self.module.warn("Cluster %s is %s, so its kubeconfig was not written; a later run writes it once the "
                             "cluster is running." % (self.p["name"], state))
            info.update(written=False)
            self.result["changed"] = bool(self.result["actions"])
            return None, None
        try:
            credentials = _doks.fetch_credentials(self.client, cluster_raw["id"], self.p["kubeconfig_expiry_seconds"])
        except DOError as exc:
            self.fail("Failed to get credentials for cluster %r: %s" % (self.p["name"], exc))
        for key in ("token", "client_key_data", "client_certificate_data"):
            if credentials.get(key):
                self.module.no_log_values.add(credentials[key])
        config = _doks.build_kubeconfig(cluster_raw, credentials)
        try:
            _write_kubeconfig(path, config)
        except (OSError, IOError) as exc:
            self.fail("Failed to write the kubeconfig to %s: %s" % (path, to_native(exc)), exception=traceback.format_exc())
        info.update(_doks.kubeconfig_summary(config))
        return before, dict((k, v) for k, v in info.items() if k not in ("written", "reason"))

    def absent(self, current):
        if current is None:
            self.result["api_requests"] = dict(reads=self.client.reads, writes=self.client.writes)
            self.module.exit_json(**self.result)
        self.result.update(changed=True, actions=["delete cluster %s (%s)" % (current["name"], current["id"])])
        if self.module._diff:
            self.result["diff"] = dict(before=_doks.public_view(current), after={})
        if not self.module.check_mode:
            try:
                self.client.delete("kubernetes/clusters/%s" % current["id"])
            except DOError as exc:
                self.fail("Failed to delete cluster %r: %s" % (current["name"], exc))
        self.result["api_requests"] = dict(reads=self.client.reads, writes=self.client.writes)
        self.module.exit_json(**self.result)


def argument_spec():
    spec = do_argument_spec()
    spec.update(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        region=dict(type="str"),
        version=dict(type="str"),
        vpc_uuid=dict(type="str"),
        tags=dict(type="list", elements="str"),
        ha=dict(type="bool"),
        auto_upgrade=dict(type="bool"),
        surge_upgrade=dict(type="bool"),
        maintenance_policy=dict(type="dict", options=dict(
            start_time=dict(type="str", default="00:00"),
            day=dict(type="str", default="any", choices=list(_doks.DAYS)),
        )),
        node_pools=dict(type="list", elements="dict", options=dict(
            name=dict(type="str", required=True),
            size=dict(type="str", required=True),
            count=dict(type="int"),
            auto_scale=dict(type="bool", default=False),
            min_nodes=dict(type="int"),
            max_nodes=dict(type="int"),
            tags=dict(type="list", elements="str"),
            labels=dict(type="dict"),
            taints=dict(type="list", elements="dict", options=dict(
                key=dict(type="str", required=True, no_log=False),
                value=dict(type="str"),
                effect=dict(type="str", required=True, choices=list(_doks.TAINT_EFFECTS)),
            )),
        )),
        purge_node_pools=dict(type="bool", default=True),
        registry_enabled=dict(type="bool"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=1800),
        poll_interval=dict(type="float", default=10),
        kubeconfig=dict(type="path"),
        kubeconfig_expiry_seconds=dict(type="int", default=0),
        kubeconfig_renew_before=dict(type="int", default=86400),
    )
    return spec


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    if not HAS_YAML:
        module.fail_json(msg=missing_required_lib("PyYAML"), exception=YAML_IMPORT_ERROR)
    Runner(module).run()


if __name__ == "__main__":
    main()
