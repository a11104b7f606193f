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
changes:
  description: What changed (or would change).
  returned: always
  type: list
  elements: str
  sample: ["subscription_tier: starter -> basic"]
api_requests:
  description: DigitalOcean API requests this run made.
  returned: always
  type: dict
  sample: {reads: 2, writes: 0}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _do_resources as res
from ansible_collections.insightpulseai.workbench.plugins.module_utils._do_api import DOClient, DOError, do_argument_spec, finisher


def run(module, client):
    p = module.params
    result = dict(changed=False, registry={}, changes=[], missing_repositories=[])

    finish = finisher(module, client, result)

    try:
        current = (client.get_or_none("registry") or {}).get("registry")
    except DOError as exc:
        finish("Failed to read the container registry: %s" % exc)

    if p["state"] == "absent":
        if current is not None and current.get("name") == p["name"]:
            result.update(changed=True, changes=["delete"])
            if module._diff:
                result["diff"] = dict(before=res.registry_view(current), after={})
            if not module.check_mode:
                try:
                    client.delete("registry")
                except DOError as exc:
                    finish("Failed to delete registry %r: %s" % (p["name"], exc))
        elif current is not None:
            module.warn("The account's registry is %r, not %r: left alone." % (current.get("name"), p["name"]))
        finish()

    try:
        plan = res.plan_registry(p, current)
    except (res.SpecError, res.DriftError) as exc:
        finish(str(exc), registry=res.registry_view(current), drift=getattr(exc, "drifts", []))

    before = res.registry_view(current)
    after = dict(before) if current else dict(name=p["name"], region=p["region"])
    included = before.get("included_repositories")
    if plan.changed:
        try:
            options = client.get("registry/options").get("options") or {}
            tier = res.check_tier_option(options, p["subscription_tier"], p["region"] if plan.action == "create" else None)
        except DOError as exc:
            finish("Failed to read the registry options: %s" % exc)
        except res.SpecError as exc:
            finish("Cannot %s registry %r: %s" % ("create" if plan.action == "create" else "change the tier of", p["name"], exc),
                   registry=before)
        after.update(subscription_tier=p["subscription_tier"], included_repositories=tier.get("included_repositories"))
        included = tier.get("included_repositories")

    existing = []
    if p["repositories"] is not None:
        if current is not None:
            try:
                existing = [r["name"] for r in client.list("registry/%s/repositoriesV2" % current["name"], "repositories")]
            except DOError as exc:
                finish("Failed to list the repositories of registry %r: %s" % (p["name"], exc))
        missing, over = res.repository_report(p["repositories"], existing, included)
        result.update(repositories=existing, missing_repositories=missing)
        if over:
            finish("Registry %r: %s; choose a larger subscription_tier or declare fewer repositories. Nothing was changed."
                   % (p["name"], over), registry=before)

    result.update(changed=plan.changed, changes=plan.summary())
    if plan.changed and module._diff:
        result["diff"] = dict(before=before, after=after)
    if plan.changed and not module.check_mode:
        try:
            if plan.action == "create":
                client.post("registry", plan.body)
            else:
                client.post("registry/subscription", plan.body)
            after = res.registry_view(client.get("registry")["registry"])
        except DOError as exc:
            finish("Failed to %s registry %r: %s" % (plan.action, p["name"], exc))
    result["registry"] = after
    if result["missing_repositories"]:
        message = ("Registry %r has no image yet in %s; repositories are created by pushing an image "
                   "(docker push registry.digitalocean.com/%s/<repository>:<tag>)."
                   % (p["name"], ", ".join(result["missing_repositories"]), p["name"]))
        if p["fail_on_missing_repositories"]:
            finish(message)
        module.warn(message)
    finish()


def main():
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
    run(module, DOClient.from_module(module))


if __name__ == "__main__":
    main()
