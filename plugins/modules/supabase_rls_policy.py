#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: supabase_rls_policy
short_description: Manage one PostgreSQL row-level-security policy (Supabase style)
version_added: 0.1.0
description:
  - Ensures one policy on one table exists exactly as given, or is absent, and optionally sets the table's
    C(ENABLE)/C(FORCE ROW LEVEL SECURITY) flags.
  - Expressions are compared in PostgreSQL's normalised form (the desired policy is created in a savepoint, read back
    and rolled back), so a rerun with the same input reports no change.
  - Roles, C(USING) and C(WITH CHECK) changes use C(ALTER POLICY); a change of O(command) or O(permissive), or removing
    a clause, drops and recreates the policy in the same transaction.
  - To bring a whole set of tables to a spec (and remove undeclared policies) use M(insightpulseai.workbench.supabase_rls).
options:
  schema:
    description: Schema of the table.
    type: str
    default: public
  table:
    description: Table the policy belongs to.
    type: str
    required: true
  name:
    description: Policy name.
    type: str
    required: true
  state:
    description: V(present) creates or updates the policy; V(absent) drops it if it exists.
    type: str
    choices: [present, absent]
    default: present
  command:
    description: Command the policy applies to.
    type: str
    choices: [ALL, SELECT, INSERT, UPDATE, DELETE]
    default: ALL
  permissive:
    description: V(true) for a permissive policy (OR-ed with others), V(false) for a restrictive one (AND-ed).
    type: bool
    default: true
  roles:
    description: Roles the policy applies to; V(public) means every role.
    type: list
    elements: str
    default: [authenticated]
  using:
    description: The C(USING) expression. Not allowed for V(INSERT). Required with O(state=present) unless O(with_check) is given.
    type: str
  with_check:
    description: The C(WITH CHECK) expression. Not allowed for V(SELECT) and V(DELETE).
    type: str
  rls_enabled:
    description: Enable (V(true)) or disable (V(false)) row-level security on the table. Omit to leave it as is.
    type: bool
  rls_forced:
    description: Force row-level security for the table owner too. Omit to leave it as is.
    type: bool
  lock_timeout:
    description: Seconds to wait for the table lock before failing. V(0) waits forever.
    type: int
    default: 10
extends_documentation_fragment:
  - insightpulseai.workbench._postgres
  - insightpulseai.workbench._attributes
  - insightpulseai.workbench._attributes.ACTIONGROUP_SUPABASE
attributes:
  check_mode:
    support: full
    details: Plans inside a transaction that is rolled back; reports the statements it would run.
  diff_mode:
    support: full
  idempotent:
    support: full
notes:
  - O(using) and O(with_check) must each be one SQL expression. Text with a C(;) outside quotes, a comment, a backslash
    outside quotes, an unclosed quote or parentheses that do not balance is refused before connecting, and no statement
    the module sends can end its transaction, exactly as in M(insightpulseai.workbench.supabase_rls) (see its notes).
seealso:
  - module: insightpulseai.workbench.supabase_rls
author:
  - InsightPulseAI platform team (@insightpulseai)
"""

EXAMPLES = r"""
- name: Users see only their own snippets
  insightpulseai.workbench.supabase_rls_policy:
    schema: ip_workbench
    table: sql_snippets
    name: sql_snippets_select_own
    command: SELECT
    roles: [authenticated]
    using: "user_id = (select auth.uid())"
    rls_enabled: true

- name: Require MFA for deletes (restrictive)
  insightpulseai.workbench.supabase_rls_policy:
    schema: ip_workbench
    table: pipelines
    name: pipelines_delete_mfa
    command: DELETE
    permissive: false
    using: "((select auth.jwt()) ->> 'aal') = 'aal2'"

- name: Remove a policy
  insightpulseai.workbench.supabase_rls_policy:
    table: todos
    name: todos_public_read
    state: absent
"""

RETURN = r"""
actions:
  description: The statements run (in check mode, the statements that would run), in order.
  returned: always
  type: list
  elements: str
  sample:
    - ALTER TABLE ip_workbench.domains ENABLE ROW LEVEL SECURITY
requests:
  description:
    - The SQL statements the module sent, as C(reads) (C(SELECT), C(SHOW), read-only C(WITH)) and C(writes) (every other
      statement, also those of check mode's probes, which are rolled back).
  returned: always
  type: dict
  contains:
    reads:
      description: C(SELECT), C(SHOW) and read-only C(WITH) statements.
      type: int
    writes:
      description: Every other statement.
      type: int
  sample: {"reads": 4, "writes": 6}
queries:
  description:
    - The statements run (in check mode, the statements that would run), in order.
    - "Deprecated: use C(actions); removed in 2.0.0."
  returned: always
  type: list
  elements: str
  sample: ["ALTER POLICY sql_snippets_select_own ON ip_workbench.sql_snippets USING ((user_id = ( SELECT auth.uid() AS uid)))"]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _pg_rls, _pg_rls_spec
from ansible_collections.insightpulseai.workbench.plugins.module_utils._pg_client import postgres_argument_spec


class Run(_pg_rls.RlsRun):
    """supabase_rls_policy: one policy of one table (the table's flags only when given)."""

    def validate(self):
        """The one table entry with its one policy."""
        p = self.module.params
        policy = dict((k, p[k]) for k in ("name", "state", "command", "permissive", "roles", "using", "with_check"))
        table = _pg_rls_spec.normalize_table(
            dict(
                schema=p["schema"],
                table=p["table"],
                rls_enabled=p["rls_enabled"],
                rls_forced=p["rls_forced"],
                purge=False,
                policies=[policy],
            ),
            default_rls_enabled=None,
        )
        return dict(tables=[table])


def main():
    """Module entry point."""
    argument_spec = postgres_argument_spec()
    argument_spec.update(
        schema=dict(type="str", default="public"),
        table=dict(type="str", required=True),
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        command=dict(type="str", choices=list(_pg_rls_spec.COMMANDS), default="ALL"),
        permissive=dict(type="bool", default=True),
        roles=dict(type="list", elements="str", default=["authenticated"]),
        using=dict(type="str"),
        with_check=dict(type="str"),
        rls_enabled=dict(type="bool"),
        rls_forced=dict(type="bool"),
        lock_timeout=dict(type="int", default=10),
    )
    Run(AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)).run()


if __name__ == "__main__":
    main()
