#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: n8n_credential
short_description: Ensure an n8n credential exists, identified by type and name
version_added: 0.1.0
description:
  - Creates, updates or deletes a credential (for example a C(postgres) credential for Supabase, or an
    C(httpHeaderAuth) credential) on an n8n 2.x instance through its public REST API.
  - B(Identity.) A credential is the one with this O(type) and exactly this O(name). n8n does not keep names unique;
    if several credentials match, the module fails and names their ids. Workflows deployed with
    M(insightpulseai.workbench.n8n_workflow) reference credentials the same way.
  - B(When is data written?) n8n never returns a credential's C(data) - not its secrets, and not its other fields
    either - and offers no field where a fingerprint of it could be kept (the data schema has
    C(additionalProperties false); the public API has no description or metadata field). So the module cannot
    find out whether the stored data differs from O(data), and does not pretend to. O(update_data) decides instead.
    With V(on_create) (the default) O(data) is written when the credential is created and never afterwards; runs are
    idempotent, and a change of O(data) - a rotated password, a new host - is B(not) applied. With V(always), O(data)
    is written on every run (a PATCH that replaces it) and the task reports C(changed). Rotate a secret by running
    once with O(update_data=always) (for example C(-e ..._update_data=always) on the role), or by deleting and
    recreating the credential (workflows then need redeploying, since credential ids change).
  - O(data) is validated against the credential type's schema (field names, enums and types) before anything is
    written, also in check mode. Errors name fields, never values.
options:
  name:
    description: Credential name.
    type: str
    required: true
  type:
    description: Credential type name, for example V(postgres), V(httpHeaderAuth), V(httpBasicAuth).
    type: str
    required: true
  data:
    description:
      - The credential's fields (see C(GET /api/v1/credentials/schema/<type>)), for example C(host), C(port),
        C(database), C(user), C(password), C(ssl) for V(postgres).
      - Required to create a credential. Never logged, returned or shown in a diff (only the field names are).
    type: dict
  state:
    description: V(present) creates the credential if missing; V(absent) deletes it.
    type: str
    choices: [present, absent]
    default: present
  update_data:
    description:
      - V(on_create) writes O(data) only when the credential is created (idempotent; changes of O(data) are not applied).
      - V(always) writes O(data) on every run and reports a change (use it to rotate secrets).
    type: str
    choices: [on_create, always]
    default: on_create
extends_documentation_fragment:
  - insightpulseai.workbench._n8n
  - insightpulseai.workbench._attributes
  - insightpulseai.workbench._attributes.ACTIONGROUP_N8N
attributes:
  check_mode:
    support: full
    details: Validates O(data) and reports what would be done without writing.
  diff_mode:
    support: partial
    details: Shows the credential's name, type and id, and the field names of O(data); never values.
  idempotent:
    support: partial
    details: Idempotent with O(update_data=on_create); V(always) writes and reports a change on every run.
notes:
  - Deleting a credential that workflows use breaks those workflows until they are redeployed with a new one.
  - Because O(data) is C(no_log), Ansible masks each of its values wherever it appears in the task's output; for
    example with C(user=postgres) in O(data), the type V(postgres) is shown as C(********). Prefer a dedicated
    database user for n8n.
seealso:
  - module: insightpulseai.workbench.n8n_workflow
author:
  - InsightPulseAI platform team (@insightpulseai)
"""

EXAMPLES = r"""
- name: Postgres credential for the workbench database (Supabase)
  insightpulseai.workbench.n8n_credential:
    name: Workbench Postgres
    type: postgres
    data:
      host: db.example.supabase.co
      port: 5432
      database: postgres
      user: postgres
      password: "{{ vault_supabase_db_password }}"
      ssl: require

- name: Rotate the password (writes data, reports changed)
  insightpulseai.workbench.n8n_credential:
    name: Workbench Postgres
    type: postgres
    data: "{{ workbench_pg_credential }}"
    update_data: always

- name: Remove a credential
  insightpulseai.workbench.n8n_credential:
    name: Old token
    type: httpHeaderAuth
    state: absent
"""

RETURN = r"""
actions:
  description: What was done (check mode - what would be done), for example V(create credential 'Workbench Postgres' (type
    postgres)); empty when nothing was to do.
  returned: always
  type: list
  elements: str
  sample: ["create credential 'Workbench Postgres' (type postgres)"]
requests:
  description: HTTP requests this run made to n8n, split into reads and writes.
  returned: always
  type: dict
  contains:
    reads:
      description: Requests that only read (GET).
      type: int
    writes:
      description: Requests that may write (POST, PUT, PATCH, DELETE).
      type: int
  sample: {"reads": 1, "writes": 0}
credential:
  description: The credential after the run (empty once deleted or when absent). Never contains data.
  returned: always
  type: dict
  sample: {"id": "xPWPzl2R6Z4RS0xb", "name": "Workbench Postgres", "type": "postgres",
           "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z"}
data_written:
  description: Whether this run wrote (or, in check mode, would write) the credential's data.
  returned: always
  type: bool
  sample: true
operation:
  description:
    - V(create), V(update_data), V(delete) or V(none).
    - "Deprecated: use C(actions); removed in 2.0.0."
  returned: always
  type: str
  sample: create
changes:
  description:
    - What differs, in words (no values).
    - "Deprecated: use C(actions); removed in 2.0.0."
  returned: always
  type: list
  elements: str
  sample: ["created"]
api_requests:
  description:
    - HTTP requests this run made to n8n, in total and how many of them wrote.
    - "Deprecated: use C(requests); removed in 2.0.0."
  returned: always
  type: dict
  sample: {"requests": 1, "writes": 0}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _n8n_credentials as crd
from ansible_collections.insightpulseai.workbench.plugins.module_utils._n8n_client import (
    N8nApiError,
    N8nClient,
    N8nRun,
    n8n_argument_spec,
    reword,
)
from ansible_collections.insightpulseai.workbench.plugins.module_utils._runtime import Plan, SpecError

VERBS = {"create": "create", "update_data": "write the data of", "delete": "delete"}


class Run(N8nRun):
    """One credential: read it (and its type's schema when data will be written), plan, write."""

    def __init__(self, module):
        N8nRun.__init__(self, module)
        self.current = None
        self.result.update(credential={}, operation="none", changes=[], data_written=False)

    def validate(self):
        """The parameters; the client (bad connection options fail here, before any request)."""
        self.client = N8nClient.from_module(self.module)
        return self.module.params

    def read(self, spec):
        """The credential of this type and name; the data checked against the type's schema when it will be written."""
        try:
            current = crd.find(self.client.list_credentials(), spec["type"], spec["name"])
        except N8nApiError as exc:
            raise exc.failure("Failed to list the credentials of %s: %s" % (self.client.base_url, exc))
        except crd.CredentialError as exc:
            raise reword(exc, "Ambiguous credential: %s" % exc)
        self.current = current
        action = crd.plan(current, spec["state"], spec["update_data"])[0]
        if action == "create" and spec["data"] is None:
            raise SpecError(
                "Credential %r of type %s does not exist: data is required to create it" % (spec["name"], spec["type"])
            )
        if action in ("create", "update_data"):
            self.check_data(spec)
        return current

    def check_data(self, spec):
        """Read the type's schema and check ``data`` against it (fields named, never values)."""
        try:
            schema = self.client.credential_schema(spec["type"])
        except N8nApiError as exc:
            if exc.status in (400, 404):
                raise SpecError(
                    "Credential type %r is not known to the n8n instance (%s)" % (spec["type"], exc), status=exc.status
                )
            raise exc.failure("Failed to read the schema of credential type %s: %s" % (spec["type"], exc))
        try:
            crd.check_data(schema, spec["data"], spec["type"])
        except crd.CredentialError as exc:
            raise reword(exc, "Invalid data for credential %r: %s" % (spec["name"], exc))

    def plan(self, spec, current):
        """create | update_data | delete | none, with a diff that shows field names only."""
        action, changes = crd.plan(current, spec["state"], spec["update_data"])
        actions = (
            [] if action == "none" else ["%s credential %r (type %s)" % (VERBS[action], spec["name"], spec["type"])]
        )
        before = (
            dict(
                name=current["name"], type=current["type"], id=current["id"], data="<write-only: not readable from n8n>"
            )
            if current
            else {}
        )
        after = (
            {} if action == "delete" else dict(name=spec["name"], type=spec["type"], data=crd.data_view(spec["data"]))
        )
        if current and action != "delete":
            after["id"] = current["id"]
        return Plan(
            actions,
            before=before,
            after=after,
            operation=action,
            changes=changes,
            data_written=action in ("create", "update_data"),
            credential=crd.summary(None if action == "delete" else current),
        )

    def apply(self, spec, plan):
        """The one write of the plan; returns the credential as n8n has it afterwards."""
        action, current = plan.keys["operation"], self.current
        try:
            if action == "create":
                after = self.client.create_credential(dict(name=spec["name"], type=spec["type"], data=spec["data"]))
            elif action == "update_data":
                after = self.client.update_credential(current["id"], dict(data=spec["data"], isPartialData=False))
            else:
                self.client.delete_credential(current["id"])
                after = None
        except N8nApiError as exc:
            raise exc.failure(
                "Failed to %s credential %r (type %s): %s" % (VERBS[action], spec["name"], spec["type"], exc)
            )
        return dict(credential=crd.summary(after))


def main():
    """The argument spec; the run is ``Run``'s."""
    argument_spec = n8n_argument_spec()
    argument_spec.update(
        name=dict(type="str", required=True),
        type=dict(type="str", required=True),
        data=dict(type="dict", no_log=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        update_data=dict(type="str", choices=["on_create", "always"], default="on_create"),
    )
    Run(AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)).run()


if __name__ == "__main__":
    main()
