#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: do_container_registry
short_description: Create, update or delete the DigitalOcean Container Registry of an account
version_added: 0.1.0
description:
  - Ensures the account's container registry exists with this O(name), O(region) and O(subscription_tier), and
    changes the tier in place when it differs. An account has one registry; its name and region are fixed, so a
    registry with another name or region fails the task (naming both values) before anything is written.
  - Before creating the registry or changing its tier, the tier (and region) are checked against
    C(GET /v2/registry/options), so a tier the account cannot use (for example one that includes fewer
    repositories than exist) fails with DigitalOcean's reason instead of a half-done change.
  - B(Repositories.) A repository comes into being when the first image is pushed to it
    (C(docker push registry.digitalocean.com/<registry>/<repository>:<tag>)); the API cannot create one. So
    O(repositories) is a declaration the module checks, not something it creates - it reports the missing ones in
    RV(missing_repositories) (with a warning, or a failure with O(fail_on_missing_repositories)), and fails before any
    write when the declared and existing repositories together exceed what the tier includes. Repositories that are
    not declared are left alone - the module never deletes images.
options:
  name:
    description: Registry name (the first path segment of image names, unique across DigitalOcean).
    type: str
    required: true
  state:
    description: V(present) or V(absent). V(absent) deletes the registry with all its images, if it has this name.
    type: str
    choices: [present, absent]
    default: present
  region:
    description: Region slug, for example V(fra1). Unset on creation, DigitalOcean picks one. Checked against an existing registry.
    type: str
  subscription_tier:
    description: Subscription tier. V(basic) includes 5 repositories and 5 GiB. Required to create.
    type: str
    choices: [starter, basic, professional]
  repositories:
    description: Repositories that should exist (see above). Unset skips the repository check (and its API reads).
    type: list
    elements: str
  fail_on_missing_repositories:
    description: Fail, instead of warning, when a declared repository has no image yet.
    type: bool
    default: false
extends_documentation_fragment:
  - insightpulseai.workbench._digitalocean
  - insightpulseai.workbench._attributes
  - insightpulseai.workbench._attributes.ACTIONGROUP_DIGITALOCEAN
attributes:
  check_mode:
    support: full
    details: Reads (including the tier options when a write would need them), compares and reports; writes nothing.
  diff_mode:
    support: full
  idempotent:
    support: full
notes:
  - Garbage collection of untagged manifests is not managed by this module.
seealso:
  - module: insightpulseai.workbench.do_kubernetes_cluster
    description: O(insightpulseai.workbench.do_kubernetes_cluster#module:registry_enabled) lets a cluster pull from the registry.
author:
  - InsightPulseAI platform team (@insightpulseai)
"""

EXAMPLES = r"""
- name: Workbench registry (basic tier, the seed's repositories)
  insightpulseai.workbench.do_container_registry:
    name: ai-workbench-registry
    region: fra1
    subscription_tier: basic
    repositories: [litellm-gateway, ocr-backend, expense-api, agent-runtime, workbench-ui]
"""

RETURN = r"""
registry:
  description: The registry after the run (in check mode, as it would be). Empty when absent.
  returned: always
  type: dict
  sample: {"name": "ai-workbench-registry", "region": "fra1", "subscription_tier": "basic",
           "included_repositories": 5, "storage_usage_bytes": 0}
repositories:
  description: The registry's repositories (when O(repositories) is set).
  returned: when O(repositories) is set
  type: list
  elements: str
  sample: ["litellm-gateway"]
missing_repositories:
  description: Declared repositories that have no image yet.
  returned: always
  type: list
  elements: str
  sample: ["ocr-backend"]
actions:
  description: "What the run did (in check mode, would do): V(create), V(delete), or C(subscription_tier: <current> -> <desired>)."
  returned: always
  type: list
  elements: str
  sample: ["subscription_tier: starter -> basic"]
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
  sample: ["subscription_tier: starter -> basic"]
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
)


class Run(DORun):
    """One do_container_registry run: the account's one registry, its tier checked against the options before a
    write, and the declared repositories reported (only an image push creates one)."""

    initial = dict(registry={}, changes=[], missing_repositories=[])

    def read(self, spec):
        """The account's registry (with its subscription), or None."""
        try:
            return (self.client.get_or_none("registry") or {}).get("registry")
        except DOError as exc:
            raise exc.within("Failed to read the container registry")

    def plan(self, spec, current):
        """Delete (only a registry of this name), or create/change the tier from res.plan_registry."""
        if spec["state"] == "absent":
            return self.plan_absent(spec, current)
        before = res.registry_view(current)
        self.result["registry"] = before
        todo = res.plan_registry(spec, current)
        after = dict(before) if current else dict(name=spec["name"], region=spec["region"])
        included = before.get("included_repositories")
        if todo.changed:
            tier = self.tier_option(spec, todo)
            after.update(
                subscription_tier=spec["subscription_tier"], included_repositories=tier.get("included_repositories")
            )
            included = tier.get("included_repositories")
        self.check_repositories(spec, current, included)
        plan = _runtime.Plan(todo.summary(), before=before, after=after, registry=after)
        plan.todo = todo
        if self.check_mode or not plan.changed:
            self.record(plan)
            self.report_missing(spec, written=False)
        return plan

    def plan_absent(self, spec, current):
        """Delete the account's registry when it has this name; another registry is left alone (with a warning)."""
        plan = _runtime.Plan([])
        if current is not None and current.get("name") == spec["name"]:
            plan = _runtime.Plan(["delete"], before=res.registry_view(current), after={})
        elif current is not None:
            self.module.warn("The account's registry is %r, not %r: left alone." % (current.get("name"), spec["name"]))
        plan.todo = None
        return plan

    def tier_option(self, spec, todo):
        """The desired tier from ``GET registry/options``; SpecError when the account cannot use it (or the region)."""
        try:
            options = self.client.get("registry/options").get("options") or {}
        except DOError as exc:
            raise exc.within("Failed to read the registry options")
        try:
            return res.check_tier_option(
                options, spec["subscription_tier"], spec["region"] if todo.action == "create" else None
            )
        except res.SpecError as exc:
            doing = "create" if todo.action == "create" else "change the tier of"
            raise res.SpecError("Cannot %s registry %r: %s" % (doing, spec["name"], exc.msg)) from exc

    def check_repositories(self, spec, current, included):
        """List the registry's repositories (when declared); fail before any write when they would exceed the tier."""
        if spec["repositories"] is None:
            return
        existing = []
        if current is not None:
            try:
                existing = [
                    r["name"] for r in self.client.list("registry/%s/repositoriesV2" % current["name"], "repositories")
                ]
            except DOError as exc:
                raise exc.within("Failed to list the repositories of registry %r" % spec["name"])
        missing, over = res.repository_report(spec["repositories"], existing, included)
        self.result.update(repositories=existing, missing_repositories=missing)
        if over:
            raise res.SpecError(
                "Registry %r: %s; choose a larger subscription_tier or declare fewer repositories. "
                "Nothing was changed." % (spec["name"], over)
            )

    def report_missing(self, spec, written):
        """Warn about declared repositories without an image, or fail (DriftError) with fail_on_missing_repositories."""
        if not self.result["missing_repositories"]:
            return
        message = (
            "Registry %r has no image yet in %s; repositories are created by pushing an image "
            "(docker push registry.digitalocean.com/%s/<repository>:<tag>)."
            % (spec["name"], ", ".join(self.result["missing_repositories"]), spec["name"])
        )
        if spec["fail_on_missing_repositories"]:
            raise _runtime.DriftError(message, written=written)
        self.module.warn(message)

    def apply(self, spec, plan):
        """Delete, create, or change the subscription tier; then read the registry back."""
        if plan.todo is None:
            try:
                self.client.delete("registry")
            except DOError as exc:
                raise exc.within("Failed to delete registry %r" % spec["name"])
            return {}
        try:
            if plan.todo.action == "create":
                self.client.post("registry", plan.todo.body)
            else:
                self.client.post("registry/subscription", plan.todo.body)
            self.result["registry"] = res.registry_view(self.client.get("registry")["registry"])
        except DOError as exc:
            raise exc.within("Failed to %s registry %r" % (plan.todo.action, spec["name"]))
        self.report_missing(spec, written=True)
        return {}


def main():
    """Build the module from its options and run it."""
    spec = do_argument_spec()
    spec.update(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        region=dict(type="str"),
        subscription_tier=dict(type="str", choices=list(res.REGISTRY_TIERS)),
        repositories=dict(type="list", elements="str"),
        fail_on_missing_repositories=dict(type="bool", default=False),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True)
    Run(module).run()


if __name__ == "__main__":
    main()
