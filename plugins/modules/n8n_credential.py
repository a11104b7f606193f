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
credential:
  description: The credential after the run (empty once deleted or when absent). Never contains data.
  returned: always
  type: dict
  sample: {"id": "xPWPzl2R6Z4RS0xb", "name": "Workbench Postgres", "type": "postgres",
           "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z"}
operation:
  description: V(create), V(update_data), V(delete) or V(none).
  returned: always
  type: str
  sample: create
data_written:
  description: Whether this run wrote (or, in check mode, would write) the credential's data.
  returned: always
  type: bool
  sample: true
api_requests:
  description: HTTP requests this run made to n8n, in total and how many of them wrote.
  returned: always
  type: dict
  sample: {"requests": 1, "writes": 0}
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _n8n_credentials as crd
from ansible_collections.insightpulseai.workbench.plugins.module_utils._n8n_api import (
    N8nApiError,
    N8nClient,
    n8n_argument_spec,
)


def run(module):
    p = module.params
    client = N8nClient.from_module(module)
    result = dict(changed=False, credential={}, operation="none", data_written=False, api_requests={})

    def fail(msg):
        result["api_requests"] = client.stats()
        module.fail_json(msg=msg, **result)

    try:
        current = crd.find(client.list_credentials(), p["type"], p["name"])
    except N8nApiError as exc:
        fail("Failed to list the credentials of %s: %s" % (client.base_url, exc))
    except crd.CredentialError as exc:
        fail("Ambiguous credential: %s" % exc)

    action, changes = crd.plan(current, p["state"], p["update_data"])
    if action == "create" and p["data"] is None:
        fail("Credential %r of type %s does not exist: data is required to create it" % (p["name"], p["type"]))
    if action in ("create", "update_data"):
        try:
            schema = client.credential_schema(p["type"])
        except N8nApiError as exc:
            if exc.status in (400, 404):
                fail("Credential type %r is not known to the n8n instance (%s)" % (p["type"], exc))
            fail("Failed to read the schema of credential type %s: %s" % (p["type"], exc))
        try:
            crd.check_data(schema, p["data"], p["type"])
        except crd.CredentialError as exc:
            fail("Invalid data for credential %r: %s" % (p["name"], exc))

    result["operation"] = action
    result["changes"] = changes
    result["changed"] = action != "none"
    result["data_written"] = action in ("create", "update_data")
    if module._diff and result["changed"]:
        before = dict(name=current["name"], type=current["type"], id=current["id"], data="<write-only: not readable from n8n>") if current else {}
        after = {} if action == "delete" else dict(name=p["name"], type=p["type"], data=crd.data_view(p["data"]))
        if current and action != "delete":
            after["id"] = current["id"]
        result["diff"] = dict(before=before, after=after)

    after = current
    if not module.check_mode:
        try:
            if action == "create":
                after = client.create_credential(dict(name=p["name"], type=p["type"], data=p["data"]))
            elif action == "update_data":
                after = client.update_credential(current["id"], dict(data=p["data"], isPartialData=False))
            elif action == "delete":
                client.delete_credential(current["id"])
                after = None
        except N8nApiError as exc:
            verb = {"create": "create", "update_data": "write the data of", "delete": "delete"}[action]
            fail("Failed to %s credential %r (type %s): %s" % (verb, p["name"], p["type"], exc))
    elif action == "delete":
        after = None
    result["credential"] = crd.summary(after)
    result["api_requests"] = client.stats()
    module.exit_json(**result)


def main():
    argument_spec = n8n_argument_spec()
    argument_spec.update(
        name=dict(type="str", required=True),
        type=dict(type="str", required=True),
        data=dict(type="dict", no_log=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        update_data=dict(type="str", choices=["on_create", "always"], default="on_create"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    run(module)


if __name__ == "__main__":
    main()
