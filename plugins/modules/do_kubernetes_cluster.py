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
  description:
    - What the run did (in check mode, would do) through the API, one line each, in order.
    - Writing the kubeconfig is not an action (see RV(kubeconfig)); a run that only writes it reports C(changed) with no actions.
  returned: always
  type: list
  elements: str
  sample: ["update node pool workers: max_nodes 6 -> 8"]
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
kubeconfig:
  description: The kubeconfig at O(kubeconfig) (without credentials), and whether and why it was (or would be) written.
  returned: when O(kubeconfig) is set and O(state=present)
  type: dict
  sample: {path: /home/ops/.kube/ai-workbench.yaml, written: true, reason: missing, context: do-fra1-ai-workbench,
           server: "https://3b1ac4a6.k8s.ondigitalocean.com", cluster_id: 3b1ac4a6-0b8c-4b33-9d5c-9a0b3f7c2b11,
           expires_at: "2026-06-08T10:00:00Z", auth: token}
api_requests:
  description: The same as C(requests). Deprecated, use C(requests); removed in 2.0.0.
  returned: always
  type: dict
  sample: {reads: 2, writes: 0}
"""

import os
import tempfile
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible.module_utils.common.text.converters import to_native
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _do_kubernetes, _do_kubernetes_spec
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _runtime
from ansible_collections.insightpulseai.workbench.plugins.module_utils._do_client import (
    DOError,
    DORun,
    do_argument_spec,
)

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
    """Write ``config`` to ``path`` atomically, mode 0600 (the directory is created 0700 when missing)."""
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


class ClusterPlan(_runtime.Plan):
    """The runtime's Plan plus the kubeconfig: ``kubeconfig`` is the reason to (re)write it, or None. Writing it is a
    change (so the run applies it) but not an API action. ``ops`` are _do_kubernetes.plan's actions (None for a deletion),
    ``current`` the normalised cluster, ``raw`` its API object, ``kc`` the kubeconfig's diff pair (or None)."""

    def __init__(self, actions=(), before=None, after=None, **keys):
        """A Plan with no kubeconfig to write yet."""
        _runtime.Plan.__init__(self, actions, before, after, **keys)
        self.kubeconfig = None
        self.ops = self.current = self.raw = self.kc = None

    @property
    def changed(self):
        """Whether there is an API action or a kubeconfig to write."""
        return bool(self.actions) or self.kubeconfig is not None


class Run(DORun):
    """One do_kubernetes_cluster run: plan every change from the cluster read once (drift that cannot change in place
    fails before any write), apply in a safe order, wait for ``running``, and keep the kubeconfig good."""

    initial = dict(cluster={})

    def validate(self):
        """The parameters as a desired-state dict (_do_kubernetes_spec.normalize_desired); SpecError for bad input."""
        if not HAS_YAML:
            raise _runtime.WorkbenchError(missing_required_lib("PyYAML"), exception=YAML_IMPORT_ERROR)
        try:
            return _do_kubernetes_spec.normalize_desired(self.module.params)
        except _do_kubernetes_spec.SpecError as exc:
            raise _do_kubernetes_spec.SpecError(
                "Invalid cluster spec for %r: %s" % (self.module.params["name"], exc.msg)
            ) from exc

    def read(self, spec):
        """The cluster named ``name``: its API object and its normalised form (both None when there is none)."""
        try:
            raw = _do_kubernetes.find_cluster(self.client, spec["name"])
        except DOError as exc:
            raise exc.within("Failed to list the Kubernetes clusters")
        return dict(raw=raw, cluster=_do_kubernetes.normalize_current(raw))

    def plan(self, spec, current):
        """_do_kubernetes.plan's actions (DriftError before any write), the result's cluster, and the kubeconfig's state when it
        can be known now (check mode, or nothing to apply: then an existing cluster is first waited for)."""
        now, raw = current["cluster"], current["raw"]
        if self.module.params["state"] == "absent":
            return self.plan_absent(now)
        try:
            ops = _do_kubernetes.plan(spec, now)
        except _do_kubernetes.DriftError:
            self.result["cluster"] = now
            raise
        if not ops and not self.check_mode:
            raw = self.settle(raw, written=False)
        plan = ClusterPlan(
            [a["summary"] for a in ops],
            before=_do_kubernetes.public_view(now),
            after=_do_kubernetes.predicted(spec, now) if ops else _do_kubernetes.public_view(now),
            cluster=self.shown(spec, now, raw, ops),
        )
        plan.ops, plan.current, plan.raw = ops, now, raw
        if self.module.params["kubeconfig"] and (self.check_mode or not ops):
            self.kubeconfig_plan(plan, raw)
        return plan

    def shown(self, spec, now, raw, ops):
        """The result's cluster: predicted in check mode, as read when nothing is to apply, else set by apply()."""
        if self.check_mode:
            cluster = _do_kubernetes.predicted(spec, now)
            if now:
                cluster.update(id=now["id"], status=now["status"], endpoint=now["endpoint"])
            return cluster
        return {} if ops else _do_kubernetes.normalize_current(raw)

    def plan_absent(self, now):
        """Delete the cluster (nothing when there is none)."""
        plan = ClusterPlan(
            [] if now is None else ["delete cluster %s (%s)" % (now["name"], now["id"])],
            before=_do_kubernetes.public_view(now),
            after={},
        )
        plan.current = now
        return plan

    def apply(self, spec, plan):
        """Delete; or send the plan's writes, read the cluster back, wait for it, and write the kubeconfig."""
        if plan.ops is None:
            try:
                self.client.delete("kubernetes/clusters/%s" % plan.current["id"])
            except DOError as exc:
                raise exc.within("Failed to delete cluster %r" % plan.current["name"])
            return {}
        raw = plan.raw
        if plan.ops:
            raw = self.settle(self.reconcile(plan), written=True)
            self.result["cluster"] = _do_kubernetes.normalize_current(raw)
            if self.module.params["kubeconfig"]:
                self.kubeconfig_plan(plan, raw)
        if plan.kubeconfig is not None:
            self.write_kubeconfig(plan, raw)
        self.result["changed"] = plan.changed
        self.result.pop("diff", None)
        if plan.changed and self.module._diff:
            self.result["diff"] = dict(before=plan.before, after=plan.after)
        return {}

    def reconcile(self, plan):
        """_do_kubernetes.apply the actions; a failure names the steps done (and says something was written when one was).
        Returns the cluster's API object read after the changes."""
        done = []
        try:
            cluster_id = _do_kubernetes.apply(
                self.client, plan.current, plan.ops, after_create=self._wait_created, done=done
            )
        except _runtime.WorkbenchError as exc:
            self.result["changed"] = bool(done)
            kind = _runtime.DriftError if isinstance(exc, _runtime.DriftError) else _runtime.ServiceError
            raise kind(
                "Failed to reconcile cluster %r after %d of %d steps (done: %s): %s"
                % (self.module.params["name"], len(done), len(plan.ops), "; ".join(done) or "nothing", exc.msg),
                written=bool(done) or exc.written,
                done=done,
            ) from exc
        try:
            return self.client.get("kubernetes/clusters/%s" % cluster_id)["kubernetes_cluster"]
        except DOError as exc:
            raise exc.within("Failed to read cluster %r after changing it" % self.module.params["name"], written=True)

    def settle(self, raw, written):
        """With O(wait), wait until an existing cluster is ``running``; returns its API object (``raw`` otherwise)."""
        p = self.module.params
        if not p["wait"] or not raw or (raw.get("status") or {}).get("state") == "running":
            return raw
        try:
            return _do_kubernetes.wait_running(
                self.client, raw["id"], p["wait_timeout"], p["poll_interval"], written=written
            )
        except (_do_kubernetes.WaitTimeout, _do_kubernetes.ClusterFailed) as exc:
            self.result["cluster"] = _do_kubernetes.normalize_current(raw)
            raise type(exc)("Failed waiting for cluster %r: %s" % (p["name"], exc.msg), written=exc.written) from exc
        except DOError as exc:
            raise exc.within("Failed waiting for cluster %r" % p["name"], written=written)

    def _wait_created(self, cluster_id):
        """After a create: wait for running first when the registry integration follows (as DigitalOcean's Terraform
        provider does), so it is never requested for a cluster that is still provisioning."""
        p = self.module.params
        if p["wait"] and p["registry_enabled"]:
            _do_kubernetes.wait_running(self.client, cluster_id, p["wait_timeout"], p["poll_interval"], written=True)

    def kubeconfig_plan(self, plan, raw):
        """Whether (and why) the kubeconfig at O(kubeconfig) must be (re)written for the cluster ``raw``: sets the
        result's ``kubeconfig``, ``plan.kubeconfig`` (the reason or None) and the kubeconfig's side of the diff."""
        path = self.module.params["kubeconfig"]
        existing, mode = _read_kubeconfig(path)
        info = dict(path=path, written=False, reason=None)
        info.update(_do_kubernetes.kubeconfig_summary(existing))
        self.result["kubeconfig"] = info
        if raw is None:  # check mode, cluster still to be created
            reason = "the cluster does not exist yet"
        else:
            cluster = dict(id=raw["id"], name=raw["name"], region=raw["region"], endpoint=raw.get("endpoint"))
            reason = _do_kubernetes.kubeconfig_status(existing, cluster, self.module.params["kubeconfig_renew_before"])
            if reason is None and mode != 0o600:
                reason = "mode is %04o, expected 0600" % mode
        plan.kubeconfig = reason
        if reason is None:
            return
        plan.before["kubeconfig"] = dict((k, v) for k, v in info.items() if k not in ("written", "reason"))
        plan.after["kubeconfig"] = dict(path=path, content="(new credentials for %s)" % self.module.params["name"])
        info.update(written=True, reason=reason)

    def write_kubeconfig(self, plan, raw):
        """Fetch new credentials and write the kubeconfig (0600); a cluster that is not running yet is left for a
        later run (with a warning)."""
        p, info = self.module.params, self.result["kubeconfig"]
        state = (raw.get("status") or {}).get("state")
        if state != "running":
            self.module.warn(
                "Cluster %s is %s, so its kubeconfig was not written; a later run writes it once the "
                "cluster is running." % (p["name"], state)
            )
            info.update(written=False)
            plan.kubeconfig = None
            plan.before.pop("kubeconfig", None)
            plan.after.pop("kubeconfig", None)
            return
        try:
            credentials = _do_kubernetes.fetch_credentials(self.client, raw["id"], p["kubeconfig_expiry_seconds"])
        except DOError as exc:
            raise exc.within(
                "Failed to get credentials for cluster %r" % p["name"], written=bool(plan.ops) or exc.written
            )
        for key in ("token", "client_key_data", "client_certificate_data"):
            if credentials.get(key):
                self.module.no_log_values.add(credentials[key])
        config = _do_kubernetes.build_kubeconfig(raw, credentials)
        try:
            _write_kubeconfig(p["kubeconfig"], config)
        except OSError as exc:
            raise _runtime.WorkbenchError(
                "Failed to write the kubeconfig to %s: %s" % (p["kubeconfig"], to_native(exc)),
                written=bool(plan.ops),
                exception=traceback.format_exc(),
            )
        info.update(_do_kubernetes.kubeconfig_summary(config))
        plan.after["kubeconfig"] = dict((k, v) for k, v in info.items() if k not in ("written", "reason"))


def argument_spec():
    """The module's options: the connection options and the desired cluster."""
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
        maintenance_policy=dict(
            type="dict",
            options=dict(
                start_time=dict(type="str", default="00:00"),
                day=dict(type="str", default="any", choices=list(_do_kubernetes_spec.DAYS)),
            ),
        ),
        node_pools=dict(
            type="list",
            elements="dict",
            options=dict(
                name=dict(type="str", required=True),
                size=dict(type="str", required=True),
                count=dict(type="int"),
                auto_scale=dict(type="bool", default=False),
                min_nodes=dict(type="int"),
                max_nodes=dict(type="int"),
                tags=dict(type="list", elements="str"),
                labels=dict(type="dict"),
                taints=dict(
                    type="list",
                    elements="dict",
                    options=dict(
                        key=dict(type="str", required=True, no_log=False),
                        value=dict(type="str"),
                        effect=dict(type="str", required=True, choices=list(_do_kubernetes_spec.TAINT_EFFECTS)),
                    ),
                ),
            ),
        ),
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
    """Build the module from its options and run it."""
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    Run(module).run()


if __name__ == "__main__":
    main()
