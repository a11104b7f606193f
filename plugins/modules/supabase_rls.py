#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: supabase_rls
short_description: Bring the row-level security of a set of tables to a spec
version_added: 0.1.0
description:
  - Takes a whole row-level-security spec (tables, their RLS flags and policies, as data) and makes the database
    match it in one transaction. It enables or forces RLS, creates missing policies, alters policies whose roles or
    expressions differ, drops and recreates those whose command or permissive/restrictive kind differ (PostgreSQL
    cannot alter those), and removes policies the spec does not name when O(purge=true).
  - Expressions are compared in PostgreSQL's own normalised form. Each desired policy is created as a probe inside a
    savepoint, read back from C(pg_policies) and rolled back, so C((select auth.uid()) = user_id) matches the stored
    C((( SELECT auth.uid() AS uid) = user_id)) and a second run reports no change.
  - Use M(insightpulseai.workbench.supabase_rls_policy) for a single policy.
options:
  tables:
    description:
      - The spec, one entry per table.
    type: list
    elements: dict
    required: true
    suboptions:
      schema:
        description: Schema of the table.
        type: str
        default: public
      table:
        description: Table name.
        type: str
        required: true
      rls_enabled:
        description: Row-level security on (V(true)) or off (V(false)) for the table.
        type: bool
        default: true
      rls_forced:
        description: Apply the policies to the table owner too (C(FORCE ROW LEVEL SECURITY)). Omit to leave as is.
        type: bool
      purge:
        description: Drop policies on this table that the entry does not name. Defaults to O(purge).
        type: bool
      policies:
        description: Policies of the table.
        type: list
        elements: dict
        default: []
        suboptions:
          name:
            description: Policy name, unique per table.
            type: str
            required: true
          state:
            description: V(absent) drops the policy if it exists.
            type: str
            choices: [present, absent]
            default: present
          command:
            description: Command the policy applies to.
            type: str
            choices: [ALL, SELECT, INSERT, UPDATE, DELETE]
            default: ALL
          permissive:
            description: V(true) for C(AS PERMISSIVE) (policies are OR-ed), V(false) for C(AS RESTRICTIVE) (AND-ed).
            type: bool
            default: true
          roles:
            description: Roles the policy applies to. Always name them (Supabase advice; it also lets PostgreSQL skip the policy for other roles).
            type: list
            elements: str
            default: [authenticated]
          using:
            description: The C(USING) expression (rows visible / targetable). Not allowed for V(INSERT).
            type: str
          with_check:
            description: The C(WITH CHECK) expression (rows that may be written). Not allowed for V(SELECT) and V(DELETE).
            type: str
  purge:
    description: Default of each entry's C(purge).
    type: bool
    default: false
  exposed_schemas:
    description:
      - Schemas exposed through the Data API. Every table in them must appear in O(tables) with RLS enabled, otherwise
        the module fails before changing anything and names the uncovered tables.
    type: list
    elements: str
    default: []
  created_with_rls:
    description:
      - Tables, as C(schema.table), that do not exist yet but that pending migrations create with row-level security
        already enabled, for example RV(insightpulseai.workbench.supabase_migration#module:rls_enabled_tables) of a
        check-mode migration run.
      - Only used in check mode, for tables that do not exist yet. Such a table is planned from the state the
        migration leaves it in (RLS on, not forced, no policies) instead of from an empty table with RLS off, so
        the plan lists exactly the statements the real run will execute. Ignored for tables that exist.
    type: list
    elements: str
    default: []
  lock_timeout:
    description:
      - Seconds to wait for a table lock (creating or probing a policy takes a short exclusive lock on the table)
        before failing instead of queueing behind long queries. V(0) waits forever.
    type: int
    default: 10
extends_documentation_fragment:
  - insightpulseai.workbench._postgres
  - insightpulseai.workbench._attributes
  - insightpulseai.workbench._attributes.ACTIONGROUP_SUPABASE
attributes:
  check_mode:
    support: full
    details:
      - Plans in a transaction that is rolled back and reports the statements it would run.
      - Tables that do not exist yet (because pending migrations would create them) are planned as written and a warning says so.
  diff_mode:
    support: full
    details: Per changed table, the RLS flags and policies before and after, with expressions in PostgreSQL's deparsed form.
  idempotent:
    support: full
notes:
  - The spec is validated before connecting. Wrong keys, a C(USING) on an C(INSERT) policy, a C(WITH CHECK) on a C(SELECT) or
    C(DELETE) policy and duplicate names are reported with the table and policy they belong to.
  - C(using) and C(with_check) must each be one SQL expression, because they are written into the parentheses of
    C(USING) and C(WITH CHECK). Text with a C(;) outside quotes, a comment (C(--), C(/* */)), a backslash outside quotes,
    an unclosed quote, or parentheses that do not balance (or that close more than they opened, such as
    V(true\) OR (true)) is refused before connecting, naming the table, policy, clause and reason. Quotes are read the
    way PostgreSQL reads them, C('...') with doubled quotes, C(E'...') with backslash escapes, C("...") identifiers and
    C($$...$$)/C($tag$...$tag$) dollar quotes.
  - Every statement the module sends runs with C(standard_conforming_strings) on and through PL/pgSQL C(EXECUTE), which
    refuses transaction control, so no policy text can commit, roll back or leave the check-mode savepoint.
  - Everything runs in one transaction. If any statement fails, nothing is changed.
seealso:
  - module: insightpulseai.workbench.supabase_rls_policy
  - module: insightpulseai.workbench.supabase_migration
  - name: Supabase row-level security guide
    description: Writing policies, helper functions and performance advice this module follows.
    link: https://supabase.com/docs/guides/database/postgres/row-level-security
author:
  - InsightPulseAI platform team (@insightpulseai)
"""

EXAMPLES = r"""
- name: Apply the workbench RLS spec
  insightpulseai.workbench.supabase_rls:
    login_dsn: "{{ vault_supabase_db_url }}"
    tables: "{{ (lookup('ansible.builtin.file', 'files/sql/rls_policies.yml') | from_yaml).tables }}"
    exposed_schemas: [ip_workbench, bronze, silver, gold]
    purge: true

- name: Own-rows policy on a single table
  insightpulseai.workbench.supabase_rls:
    tables:
      - schema: ip_workbench
        table: sql_snippets
        policies:
          - name: sql_snippets_own_rows
            command: ALL
            roles: [authenticated]
            using: "user_id = (select auth.uid())"
            with_check: "user_id = (select auth.uid())"
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
  sample:
    - ALTER TABLE ip_workbench.domains ENABLE ROW LEVEL SECURITY
    - CREATE POLICY domains_select ON ip_workbench.domains AS PERMISSIVE FOR SELECT TO authenticated USING (true)
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _pg_rls, _pg_rls_spec
from ansible_collections.insightpulseai.workbench.plugins.module_utils._pg_client import postgres_argument_spec

POLICY_SPEC = dict(
    name=dict(type="str", required=True),
    state=dict(type="str", choices=["present", "absent"], default="present"),
    command=dict(type="str", choices=list(_pg_rls_spec.COMMANDS), default="ALL"),
    permissive=dict(type="bool", default=True),
    roles=dict(type="list", elements="str", default=["authenticated"]),
    using=dict(type="str"),
    with_check=dict(type="str"),
)


class Run(_pg_rls.RlsRun):
    """supabase_rls: the whole spec of tables."""

    def validate(self):
        """The normalised tables (options left unset are dropped, so each entry's defaults apply)."""
        params = self.module.params
        raw = [dict((k, v) for k, v in entry.items() if v is not None) for entry in params["tables"]]
        return dict(
            tables=_pg_rls_spec.normalize_spec(raw, default_purge=params["purge"]),
            exposed_schemas=params["exposed_schemas"],
            created_with_rls=_pg_rls_spec.normalize_table_names(params["created_with_rls"], "created_with_rls"),
        )


def main():
    """Module entry point."""
    argument_spec = postgres_argument_spec()
    argument_spec.update(
        tables=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(
                schema=dict(type="str", default="public"),
                table=dict(type="str", required=True),
                rls_enabled=dict(type="bool", default=True),
                rls_forced=dict(type="bool"),
                purge=dict(type="bool"),
                policies=dict(type="list", elements="dict", default=[], options=POLICY_SPEC),
            ),
        ),
        purge=dict(type="bool", default=False),
        exposed_schemas=dict(type="list", elements="str", default=[]),
        created_with_rls=dict(type="list", elements="str", default=[]),
        lock_timeout=dict(type="int", default=10),
    )
    Run(AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)).run()


if __name__ == "__main__":
    main()
