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
actions:
  description: The differences that made (or would make) the module write, one per line (C(create app <name>), V(delete)); secret values never appear.
  returned: always
  type: list
  elements: str
  sample: ["spec.services[api].instance_count: 1 -> 2", "spec.services[api].envs[SUPABASE_SERVICE_ROLE_KEY].value: (secret changed)"]
changes:
  description: The same as C(actions). Deprecated, use C(actions); removed in 2.0.0.
  returned: always
  type: list
  elements: str
  sample: ["spec.services[api].instance_count: 1 -> 2"]
deployment:
  description: The deployment this run started, with its final phase when O(wait=true).
  returned: when the app was created or updated
  type: dict
  sample: {"id": "b6bdf840-2854-4f87-a36c-5f231c617c84", "phase": "ACTIVE"}
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
api_requests:
  description: The same as C(requests). Deprecated, use C(requests); removed in 2.0.0.
  returned: always
  type: dict
  sample: {reads: 1, writes: 0}
"""

import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _do_apps as apps
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _runtime
from ansible_collections.insightpulseai.workbench.plugins.module_utils._do_client import (
    DOError,
    DORun,
    do_argument_spec,
    find_one_by_name,
)

DONE_PHASES = ("ACTIVE", "SUPERSEDED", "ERROR", "CANCELED")


class Run(DORun):
    """One do_app run: the app found by its spec's name, the spec sent only when it differs (secrets compared by
    fingerprint), then its deployment awaited."""

    initial = dict(app={}, changes=[])

    def validate(self):
        """The app's name and, for state=present, the desired spec with its secrets filled in (and masked)."""
        p = self.module.params
        name = (p["spec"] or {}).get("name") or p["name"]
        desired = None
        if p["state"] == "present":
            try:
                desired = apps.fill_secrets(p["spec"], p["secrets"] or {})
                apps.validate_spec(desired, p["fingerprint_env"])
            except apps.SpecError as exc:
                raise apps.SpecError("Invalid app spec for %r: %s" % (name, exc.msg)) from exc
            # Inline secret values are masked in everything the module returns (the task should still set no_log).
            for _slot, (container, key) in apps.secret_slots(desired).items():
                self.module.no_log_values.add(container[key])
        return dict(name=name, desired=desired, state=p["state"])

    def read(self, spec):
        """The app whose spec is named ``name``, or None."""
        try:
            listed = self.client.list("apps", "apps")
        except DOError as exc:
            raise exc.within("Failed to list the apps")
        for app in listed:
            app["name"] = (app.get("spec") or {}).get("name")
        return find_one_by_name(listed, spec["name"], "apps")

    def plan(self, spec, current):
        """Delete, create, or the differences of the spec to send (secrets kept as the ciphertext read)."""
        fp_env = self.module.params["fingerprint_env"]
        if spec["state"] == "absent":
            plan = _runtime.Plan([] if current is None else ["delete"], before=apps.app_view(current, fp_env), after={})
            plan.current, plan.spec = current, None
            return plan
        current_spec = (current or {}).get("spec")
        body, changed_slots = apps.prepare(spec["desired"], current_spec, self.module.params["update_secrets"], fp_env)
        if current is None:
            actions = ["create app %s" % spec["name"]]
        else:
            actions = apps.differences(body, current_spec, changed_slots, fp_env)
        after = (
            dict(apps.app_view(current, fp_env))
            if current
            else dict(name=spec["name"], project_id=self.module.params["project_id"])
        )
        after["spec"] = apps.masked(body, fp_env, changed_slots)
        plan = _runtime.Plan(
            actions,
            before=apps.masked(current_spec, fp_env),
            after=after["spec"],
            app=after if actions else apps.app_view(current, fp_env),
        )
        plan.current, plan.spec = current, body
        return plan

    def apply(self, spec, plan):
        """Delete, or POST/PUT the spec and (with wait) wait for the deployment it started."""
        name, current = spec["name"], plan.current
        if plan.spec is None:
            try:
                self.client.delete("apps/%s" % current["id"])
            except DOError as exc:
                raise exc.within("Failed to delete app %r (%s)" % (name, current["id"]))
            return {}
        try:
            if current is None:
                body = dict(spec=plan.spec)
                if self.module.params["project_id"]:
                    body["project_id"] = self.module.params["project_id"]
                app = self.client.post("apps", body)["app"]
            else:
                app = self.client.put("apps/%s" % current["id"], dict(spec=plan.spec))["app"]
        except DOError as exc:
            raise exc.within("Failed to %s app %r" % ("create" if current is None else "update the spec of", name))
        self.await_deployment(name, app)
        return {}

    def await_deployment(self, name, app):
        """Record the deployment (and the app, read again after waiting); ServiceError when it timed out or failed."""
        p = self.module.params
        deployment = dict(id=apps.deployment_id(app), phase=None)
        if p["wait"]:
            try:
                deployment = self.wait(app["id"], deployment["id"]) or deployment
                app = self.client.get("apps/%s" % app["id"])["app"]
            except DOError as exc:
                raise exc.within("Failed waiting for the deployment of app %r" % name, written=True)
        self.result.update(deployment=deployment, app=apps.app_view(app, p["fingerprint_env"]))
        if deployment.get("timed_out"):
            raise _runtime.ServiceError(
                "The deployment %s of app %r is still %s after %ds (wait_timeout)."
                % (deployment["id"], name, deployment["phase"], p["wait_timeout"]),
                written=True,
            )
        if p["wait"] and deployment.get("phase") in ("ERROR", "CANCELED"):
            raise _runtime.ServiceError(
                "The deployment %s of app %r ended %s; see its logs (doctl apps logs %s --deployment %s)."
                % (deployment["id"], name, deployment["phase"], app["id"], deployment["id"]),
                written=True,
            )

    def wait(self, app_id, dep_id):
        """Poll the deployment (the latest one when ``dep_id`` is None) until it is done or wait_timeout passes."""
        p = self.module.params
        deadline = time.time() + p["wait_timeout"]
        if dep_id is None:
            deployments = self.client.list("apps/%s/deployments" % app_id, "deployments")
            if not deployments:
                return None
            dep_id = deployments[0]["id"]
        while True:
            deployment = self.client.get("apps/%s/deployments/%s" % (app_id, dep_id))["deployment"]
            phase = deployment.get("phase")
            if phase in DONE_PHASES:
                return dict(id=dep_id, phase=phase)
            if time.time() + p["poll_interval"] > deadline:
                return dict(id=dep_id, phase=phase, timed_out=True)
            time.sleep(p["poll_interval"])


def main():
    """Build the module from its options and run it."""
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
    module = AnsibleModule(
        argument_spec=spec,
        supports_check_mode=True,
        required_if=[("state", "present", ["spec"])],
        required_one_of=[("spec", "name")],
    )
    Run(module).run()


if __name__ == "__main__":
    main()
