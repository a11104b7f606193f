#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: do_app
short_description: Create, update or delete a DigitalOcean App Platform app from an app spec
version_added: 0.1.0
description:
  - Ensures the App Platform app named C(spec.name) exists with O(spec), and waits for its deployment.
  - B(The spec is sent only when it differs.) Every spec update starts a deployment, so the module compares first.
    App Platform fills in defaults and returns them (instance sizes, ports, ingress rules, env scopes), so the
    comparison covers only what O(spec) says; keys O(spec) leaves out are the platform's. Whole components
    (C(services), C(workers), C(jobs), C(static_sites), C(functions), C(databases)), env vars and domains are matched by
    name, and removing one from O(spec) is a change. To drop a setting inside a component, set it explicitly
    (App Platform keeps unset settings at its default).
  - B(Secrets.) App Platform encrypts the value of a C(SECRET) env var (and an image's C(registry_credentials)) on
    first submission and returns only the ciphertext, which clients must send back to keep the secret. The module
    never stores secrets. With O(update_secrets=fingerprint) it keeps a salted PBKDF2-HMAC-SHA256 fingerprint of each
    secret in one app-level env var, O(fingerprint_env) (scope C(BUILD_TIME)), and sends a secret in plain text only
    when its fingerprint differs - a rotated secret is detected and applied, an unchanged one is sent back as the
    ciphertext read and is not a change. Anyone who can read the app spec can test guesses of a secret against its
    fingerprint (slowed by 100,000 PBKDF2 rounds); with O(update_secrets=on_create) no fingerprint is kept and secret
    values are written only when their env var is added.
options:
  spec:
    description:
      - The app spec (see the App Platform app spec reference), as a mapping. C(spec.name) identifies the app.
      - Required with O(state=present).
    type: dict
  secrets:
    description:
      - Values of the C(SECRET) env vars of O(spec) that give no C(value), keyed by C(<component>/<KEY>) (for example
        C(api/DATABASE_URL)) or by C(<KEY>) alone for every component; app-level env vars by C(<KEY>).
      - Keeping secret values here rather than inline in O(spec) keeps them out of logs at the earliest point
        (this option is C(no_log)); inline values are masked in the module's output, and the task should set C(no_log).
    type: dict
  name:
    description: App name, for O(state=absent) without O(spec). Defaults to C(spec.name).
    type: str
  state:
    description: V(present) or V(absent).
    type: str
    choices: [present, absent]
    default: present
  project_id:
    description: Project the app is created in (the account's default project when unset). Used only when creating.
    type: str
  update_secrets:
    description:
      - V(fingerprint) detects changed secrets by fingerprint (see above).
      - V(on_create) writes a secret value only when its env var is added; later changes of the value are not applied.
      - V(always) writes every secret on every run (and so updates the spec and deploys every run).
    type: str
    choices: [fingerprint, on_create, always]
    default: fingerprint
  fingerprint_env:
    description: Name of the app-level env var that holds the secret fingerprints with O(update_secrets=fingerprint).
    type: str
    default: WORKBENCH_SECRET_FINGERPRINTS
  wait:
    description: After creating or updating, wait until the new deployment is C(ACTIVE); fail if it ends otherwise.
    type: bool
    default: true
  wait_timeout:
    description: Seconds to wait for the deployment.
    type: int
    default: 900
  poll_interval:
    description: Seconds between deployment status reads.
    type: float
    default: 5
extends_documentation_fragment:
  - insightpulseai.workbench._digitalocean
  - insightpulseai.workbench._attributes
  - insightpulseai.workbench._attributes.ACTIONGROUP_DIGITALOCEAN
attributes:
  check_mode:
    support: full
    details: Reads and compares (fingerprints are computed locally) and reports the differences; writes nothing.
  diff_mode:
    support: full
    details: The spec before and after, secret values replaced by C(<secret>).
  idempotent:
    support: full
    details: With O(update_secrets=always) every run updates the app.
notes:
  - Secret values are never returned; in the returned spec and the diff they read C(<secret>).
  - Declare routes with C(spec.ingress) rules rather than a component's C(routes); App Platform rewrites C(routes)
    into ingress rules, which then reads as a difference.
seealso:
  - name: App spec reference
    description: Every field of an app spec.
    link: https://docs.digitalocean.com/products/app-platform/reference/app-spec/
  - module: insightpulseai.workbench.do_project
author:
  - InsightPulseAI platform team (@insightpulseai)
"""

EXAMPLES = r"""
- name: Expense API (2 instances, health check, a secret from vault)
  insightpulseai.workbench.do_app:
    project_id: "{{ project.project.id }}"
    spec:
      name: expense-api
      region: fra
      services:
        - name: api
          image: {registry_type: DOCR, repository: expense-api, tag: "1.4.0"}
          instance_count: 2
          instance_size_slug: apps-s-1vcpu-1gb
          http_port: 8080
          health_check: {http_path: /health, initial_delay_seconds: 10, period_seconds: 10}
          envs:
            - {key: SUPABASE_URL, value: "https://abc.supabase.co", scope: RUN_TIME}
            - {key: SUPABASE_SERVICE_ROLE_KEY, type: SECRET, scope: RUN_TIME}
    secrets:
      SUPABASE_SERVICE_ROLE_KEY: "{{ vault_supabase_service_role_key }}"
  no_log: true

- name: Remove an app
  insightpulseai.workbench.do_app:
    name: old-app
    state: absent
"""

RETURN = r"""
app:
  description: The app after the run (in check mode, as it would be), secret values masked. Empty when absent.
  returned: always
  type: dict
  sample: {"id": "c2a93513-8d9b-4223-9d61-5e7272c81cf5", "name": "expense-api", "project_id": "4e1bfbc3-dc3e-41f2-a18f-1b4d7ba71679",
           "live_url": "https://expense-api-c2a93.ondigitalocean.app", "default_ingress": "https://expense-api-c2a93.ondigitalocean.app",
           "active_deployment": {"id": "b6bdf840-2854-4f87-a36c-5f231c617c84", "phase": "ACTIVE"},
           "spec": {"name": "expense-api", "services": [{"name": "api", "instance_count": 2}]}}
changes:
  description: The differences that made (or would make) the module write, one per line; secret values never appear.
  returned: always
  type: list
  elements: str
  sample: ["spec.services[api].instance_count: 1 -> 2", "spec.services[api].envs[SUPABASE_SERVICE_ROLE_KEY].value: (secret changed)"]
deployment:
  description: The deployment this run started, with its final phase when O(wait=true).
  returned: when the app was created or updated
  type: dict
  sample: {"id": "b6bdf840-2854-4f87-a36c-5f231c617c84", "phase": "ACTIVE"}
api_requests:
  description: DigitalOcean API requests this run made.
  returned: always
  type: dict
  sample: {reads: 1, writes: 0}
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _do_apps as apps
from ansible_collections.insightpulseai.workbench.plugins.module_utils._do_api import (
    DOClient,
    DOError,
    do_argument_spec,
    find_one_by_name,
    finisher,
)

DONE_PHASES = ("ACTIVE", "SUPERSEDED", "ERROR", "CANCELED")


def _find(client, name):
    listed = client.list("apps", "apps")
    for app in listed:
        app["name"] = (app.get("spec") or {}).get("name")
    return find_one_by_name(listed, name, "apps")


def _wait(module, client, app_id, dep_id):
    p = module.params
    deadline = time.time() + p["wait_timeout"]
    if dep_id is None:
        deployments = client.list("apps/%s/deployments" % app_id, "deployments")
        if not deployments:
            return None
        dep_id = deployments[0]["id"]
    while True:
        deployment = client.get("apps/%s/deployments/%s" % (app_id, dep_id))["deployment"]
        phase = deployment.get("phase")
        if phase in DONE_PHASES:
            return dict(id=dep_id, phase=phase)
        if time.time() + p["poll_interval"] > deadline:
            return dict(id=dep_id, phase=phase, timed_out=True)
        time.sleep(p["poll_interval"])


def run(module, client):
    p = module.params
    fp_env = p["fingerprint_env"]
    result = dict(changed=False, app={}, changes=[])
    name = (p["spec"] or {}).get("name") or p["name"]

    finish = finisher(module, client, result)

    desired = None
    if p["state"] == "present":
        try:
            desired = apps.fill_secrets(p["spec"], p["secrets"] or {})
            apps.validate_spec(desired, fp_env)
        except apps.SpecError as exc:
            finish("Invalid app spec for %r: %s" % (name, exc))
        # Inline secret values are masked in everything the module returns (the task should still set no_log).
        for _slot, (container, key) in apps.secret_slots(desired).items():
            module.no_log_values.add(container[key])
    try:
        current = _find(client, name)
    except DOError as exc:
        finish("Failed to list the apps: %s" % exc)
    except ValueError as exc:
        finish(str(exc))

    if p["state"] == "absent":
        if current is not None:
            result.update(changed=True, changes=["delete"])
            if module._diff:
                result["diff"] = dict(before=apps.app_view(current, fp_env), after={})
            if not module.check_mode:
                try:
                    client.delete("apps/%s" % current["id"])
                except DOError as exc:
                    finish("Failed to delete app %r (%s): %s" % (name, current["id"], exc))
        finish()

    current_spec = (current or {}).get("spec")
    spec, changed_slots = apps.prepare(desired, current_spec, p["update_secrets"], fp_env)
    if current is None:
        changes = ["create app %s" % name]
    else:
        changes = apps.differences(spec, current_spec, changed_slots, fp_env)
    result.update(changed=bool(changes), changes=changes)
    after_view = dict(apps.app_view(current, fp_env)) if current else dict(name=name, project_id=p["project_id"])
    after_view["spec"] = apps.masked(spec, fp_env, changed_slots)
    if changes and module._diff:
        result["diff"] = dict(before=apps.masked(current_spec, fp_env), after=after_view["spec"])
    if module.check_mode or not changes:
        result["app"] = after_view if changes else apps.app_view(current, fp_env)
        finish()

    try:
        if current is None:
            body = dict(spec=spec)
            if p["project_id"]:
                body["project_id"] = p["project_id"]
            app = client.post("apps", body)["app"]
        else:
            app = client.put("apps/%s" % current["id"], dict(spec=spec))["app"]
    except DOError as exc:
        finish("Failed to %s app %r: %s" % ("create" if current is None else "update the spec of", name, exc))
    deployment = dict(id=apps.deployment_id(app), phase=None)
    if p["wait"]:
        try:
            deployment = _wait(module, client, app["id"], deployment["id"]) or deployment
            app = client.get("apps/%s" % app["id"])["app"]
        except DOError as exc:
            finish("Failed waiting for the deployment of app %r: %s" % (name, exc))
    result["deployment"] = deployment
    result["app"] = apps.app_view(app, fp_env)
    if deployment.get("timed_out"):
        finish("The deployment %s of app %r is still %s after %ds (wait_timeout)." % (deployment["id"], name, deployment["phase"], p["wait_timeout"]))
    if p["wait"] and deployment.get("phase") in ("ERROR", "CANCELED"):
        finish("The deployment %s of app %r ended %s; see its logs (doctl apps logs %s --deployment %s)."
               % (deployment["id"], name, deployment["phase"], app["id"], deployment["id"]))
    finish()


def main():
    spec = do_argument_spec()
    spec.update(
        spec=dict(type="dict"),
        secrets=dict(type="dict", no_log=True),
        name=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        project_id=dict(type="str"),
        update_secrets=dict(type="str", choices=list(apps.UPDATE_SECRETS), default="fingerprint"),
        fingerprint_env=dict(type="str", default="WORKBENCH_SECRET_FINGERPRINTS", no_log=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=900),
        poll_interval=dict(type="float", default=5),
    )
    module = AnsibleModule(argument_spec=spec, supports_check_mode=True,
                           required_if=[("state", "present", ["spec"])],
                           required_one_of=[("spec", "name")])
    run(module, DOClient.from_module(module))


if __name__ == "__main__":
    main()
