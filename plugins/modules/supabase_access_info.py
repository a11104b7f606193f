#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: supabase_access_info
short_description: Prove who may select, insert, update and delete what, as PostgREST requests would
version_added: 0.1.0
description:
  - Reads the access matrix of a Supabase (or any PostgreSQL) database for a set of test identities. Each identity
    is a database role plus the JWT claims PostgREST would receive; each cell of the matrix is one table, one
    operation (V(select), V(insert), V(update), V(delete)) and one identity.
  - "Everything runs in B(one) transaction that is B(always rolled back), also when something fails. First the
    O(fixtures_file) and O(fixtures) statements run as the connecting user, to give every table a known row. Then
    every cell runs as PostgREST runs a request: C(SAVEPOINT), C(SET LOCAL ROLE <db_role>), the identity's claims
    set as C(request.jwt.claims) with C(set_config) local to the transaction, the statement, C(ROLLBACK TO SAVEPOINT)
    (and C(RELEASE SAVEPOINT)), C(RESET ROLE)."
  - Because of that it can run against production. Nothing it inserts, updates or deletes, fixture rows included,
    is ever committed. Side effects PostgreSQL cannot roll back remain. Sequences advanced by inserts stay advanced
    (C(nextval) is never rolled back), and the locks taken are held until the run ends. Inserts and updates take
    row locks and a C(ROW EXCLUSIVE) table lock; refreshing a materialized view in a fixture locks the view. See
    O(lock_timeout).
  - A cell is B(allowed) when a V(select) returns exactly one row (the fixture row), an V(update) or V(delete)
    affects exactly one row, or an V(insert) succeeds and writes a row. It is B(denied) on SQLSTATE C(42501)
    (a missing grant, or a row refused by a C(WITH CHECK) policy), on C(42809) for a write to a materialized view,
    or when zero rows are seen or affected. Any other error fails the module, naming the cell and the SQLSTATE.
  - "With O(expected), the module fails when the matrix differs and lists every differing cell, for example
    C(update ip_workbench.domains as viewer: expected allowed, got denied) followed by the reason in parentheses,
    such as C(42501 permission denied for table domains) or C(affected 0 rows)."
  - The options are validated together before connecting. An unknown operation, a table not in C(schema.name)
    form, or an identity that O(expected) or a check names but O(identities) does not define fails before any SQL
    runs. Tables and database roles that do not exist are reported once the fixtures have run, before any cell.
options:
  identities:
    description:
      - The identities to try, by name. Each is a dict with C(db_role) (required) and C(claims).
      - C(db_role) is the role PostgREST switches to, for example V(anon), V(authenticated) or V(service_role).
        The connecting user must be allowed to C(SET ROLE) to it (on Supabase, C(postgres) is).
      - C(claims) are the JWT claims, set as C(request.jwt.claims). Supabase's auth.uid() and auth.jwt() read them.
      - 'The default C(claims) are C({"role": <db_role>}), which is what an anon or service key carries.'
    type: dict
    required: true
  checks:
    description:
      - What to run, one entry per table. Every listed operation is tried by every identity, so the module runs
        (operations per table) x (identities) cells.
      - Statements are built from C(key)/C(value), C(insert) and C(update), unless C(statements) gives the SQL
        text for an operation.
      - Values are sent as untyped literals, so PostgreSQL casts them to the column type (uuid, date, numeric, ...).
        Write jsonb as a JSON string and an array as a PostgreSQL array literal (C('{read,suggest}')).
    type: list
    elements: dict
    required: true
    suboptions:
      table:
        description: The table or materialized view, as C(schema.name). The names are taken verbatim (case-sensitive, no quotes).
        type: str
        required: true
      operations:
        description: The operations to try on this table.
        type: list
        elements: str
        choices: [select, insert, update, delete]
        default: [select, insert, update, delete]
        aliases: [operation]
      key:
        description:
          - Column that identifies the fixture row. V(select) runs C(SELECT 1 FROM <table> WHERE <key> = <value>),
            V(delete) runs C(DELETE FROM <table> WHERE <key> = <value>).
          - Needed by the V(select), V(update) and V(delete) operations that have no entry in C(statements).
        type: str
      value:
        description: The C(key) value of the fixture row, the same for every identity.
        type: raw
      values:
        description:
          - The C(key) value per identity (identity name -> value), for tables where each identity works on its
            own row (own-rows policies). It must name every identity in O(identities).
          - Mutually exclusive with C(value).
        type: dict
      insert:
        description:
          - Column -> value of one valid new row, inserted without C(RETURNING). C(RETURNING) would need C(SELECT) on
            the new row, which an identity may lack although it may insert.
          - V({}) inserts C(DEFAULT VALUES).
        type: dict
      update:
        description:
          - Column -> value to C(SET) on the fixture row. When not given or V({}), C(key) is set to its own value,
            which still needs the C(UPDATE) privilege and passes the policies.
        type: dict
      owner_column:
        description: For own-rows tables, the column an V(insert) sets to the identity's C(owners) value. Goes with C(owners).
        type: str
      owners:
        description:
          - Identity name -> the value of C(owner_column) in the row that identity inserts (usually its user id).
            It must name every identity in O(identities).
        type: dict
      statements:
        description:
          - Operation -> SQL text to run for that operation instead of the generated statement. Each must be one
            statement; it is run exactly as written, with no parameters. Transaction control (C(BEGIN),
            C(COMMIT), C(ROLLBACK), C(SAVEPOINT), ...) is refused.
          - It runs with the identity's role and claims in place, so it can filter on the identity's own rows with
            auth.uid().
          - A V(select) statement must return exactly one row to count as allowed. Write C(select 1 from ... where ...),
            not a C(count) query, which always returns one row.
        type: dict
  expected:
    description:
      - The expected matrix, table -> operation -> list of the identities allowed (V([]) when none is).
        It must cover exactly the table and operation pairs of O(checks).
      - When given, the module fails if any cell differs and lists every differing cell in the message and in
        RV(mismatches). Without it, the module only reports RV(matrix).
    type: dict
  fixtures_file:
    description:
      - A SQL file whose statements run first, as the connecting user, inside the transaction. Use it to give
        every checked table a known row.
      - The path is read on the host that runs the module (usually the controller).
    type: path
  fixtures:
    description:
      - SQL to run as the connecting user after O(fixtures_file), inside the transaction. Each entry may hold
        several statements.
      - Transaction control (C(BEGIN), C(COMMIT), C(ROLLBACK), C(SAVEPOINT), ...) is refused.
    type: list
    elements: str
    default: []
  lock_timeout:
    description:
      - Seconds to wait for a lock before failing instead of queueing behind long-running statements.
        V(0) waits forever.
    type: int
    default: 10
extends_documentation_fragment:
  - insightpulseai.workbench._postgres
  - insightpulseai.workbench._attributes
  - insightpulseai.workbench._attributes.ACTIONGROUP_SUPABASE
attributes:
  check_mode:
    support: full
    details: The module never changes anything, so check mode runs the same checks and returns the same result.
  diff_mode:
    support: none
  idempotent:
    support: full
    details: The transaction is always rolled back, so a run leaves the database as it found it (sequences aside).
notes:
  - The connecting user must be able to insert the fixture rows. It must also be a member of every C(db_role);
    on Supabase, connect as C(postgres). Row-level security is not forced for the table owner, so the fixtures
    are not subject to the policies under test.
  - The collection's verify role (C(insightpulseai.workbench.verify), its database stage)
    runs it with the access matrix it ships, C(roles/verify/files/access_matrix.yml) (O(identities), O(checks) and
    O(expected) for the workbench schema), and C(roles/verify/files/access_fixtures.sql). Its identities are
    hand-built JWT claims; the workbench policies read only the claims, so the users need not exist in C(auth.users).
seealso:
  - module: insightpulseai.workbench.supabase_rls
  - module: insightpulseai.workbench.supabase_rls_policy
  - name: Supabase row-level security guide
    description: How policies, roles and JWT claims decide what a request may do.
    link: https://supabase.com/docs/guides/database/postgres/row-level-security
  - name: PostgREST transaction and impersonation
    description: How PostgREST switches role and sets the JWT claims for each request.
    link: https://docs.postgrest.org/en/stable/references/transactions.html
author:
  - InsightPulseAI platform team (@insightpulseai)
"""

EXAMPLES = r"""
- name: Prove the workbench access matrix for the test users (as the verify role does, in roles/verify/tasks)
  vars:
    access: "{{ lookup('ansible.builtin.file', role_path ~ '/files/access_matrix.yml') | from_yaml }}"
  insightpulseai.workbench.supabase_access_info:
    login_dsn: "{{ verify_dsn }}"
    identities: "{{ access.identities }}"
    checks: "{{ access.checks }}"
    expected: "{{ access.expected }}"
    fixtures_file: "{{ role_path }}/files/access_fixtures.sql"
  delegate_to: localhost

- name: Ask what anon and a signed-in user may do with one table
  insightpulseai.workbench.supabase_access_info:
    identities:
      anon:
        db_role: anon
      alice:
        db_role: authenticated
        claims: {sub: "00000000-0000-4000-8000-00000000000a", role: authenticated}
    fixtures:
      - >-
        insert into public.notes (id, user_id, body)
        values (9001, '00000000-0000-4000-8000-00000000000a', 'fixture')
    checks:
      - table: public.notes
        operations: [select, update]
        key: id
        value: 9001
        update: {body: changed}
  register: notes_access

- name: Show who may read the notes
  ansible.builtin.debug:
    msg: "{{ notes_access.matrix['public.notes'].select }}"
"""

RETURN = r"""
actions:
  description: Always V([]); the module never changes anything.
  returned: always
  type: list
  elements: str
  sample: []
requests:
  description:
    - The SQL statements the module sent, as C(reads) (C(SELECT), C(SHOW), read-only C(WITH)) and C(writes) (every other
      statement; fixtures, the cells' inserts, updates and deletes, savepoints and role switches, all rolled back).
  returned: always
  type: dict
  contains:
    reads:
      description: C(SELECT), C(SHOW) and read-only C(WITH) statements.
      type: int
    writes:
      description: Every other statement.
      type: int
  sample: {"reads": 1300, "writes": 3900}
matrix:
  description: Table -> operation -> the identities allowed, sorted (V([]) when none is).
  returned: success, and when the matrix differs from O(expected)
  type: dict
  sample:
    ip_workbench.domains:
      select: [admin, engineer, service, service_role, viewer]
      insert: [admin, service_role]
      update: [admin, service_role]
      delete: [admin, service_role]
cells:
  description: The number of cells run (table and operation pairs x identities).
  returned: success, and when the matrix differs from O(expected)
  type: int
  sample: 624
mismatches:
  description: The cells that differ from O(expected), in run order; V([]) without O(expected).
  returned: success, and when the matrix differs from O(expected)
  type: list
  elements: str
  sample:
    - "update ip_workbench.domains as viewer: expected allowed, got denied (affected 0 rows)"
    - "insert gold.scout_sales as viewer: expected allowed, got denied (42501 permission denied for table scout_sales)"
tables:
  description: The tables checked, sorted.
  returned: success, and when the matrix differs from O(expected)
  type: list
  elements: str
  sample: [gold.scout_sales, ip_workbench.domains]
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_text
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _pg_access
from ansible_collections.insightpulseai.workbench.plugins.module_utils._pg_client import (
    PostgresRun,
    connect,
    postgres_argument_spec,
)
from ansible_collections.insightpulseai.workbench.plugins.module_utils._runtime import DriftError, Plan, SpecError

CHECK_SPEC = dict(
    table=dict(type="str", required=True),
    operations=dict(
        type="list",
        elements="str",
        choices=list(_pg_access.OPERATIONS),
        default=list(_pg_access.OPERATIONS),
        aliases=["operation"],
    ),
    key=dict(type="str", no_log=False),
    value=dict(type="raw"),
    values=dict(type="dict"),
    insert=dict(type="dict"),
    update=dict(type="dict"),
    owner_column=dict(type="str"),
    owners=dict(type="dict"),
    statements=dict(type="dict"),
)


def _read_fixtures_file(path):
    """The text of the fixtures file, or None when none is given."""
    if not path:
        return None
    try:
        with open(path, "rb") as f:
            return to_text(f.read(), errors="surrogate_or_strict")
    except OSError as exc:
        raise SpecError("Cannot read fixtures_file %s: %s" % (path, exc))


class Run(PostgresRun):
    """An _info run: the probes run in read() in one transaction that is always rolled back; the plan is empty and
    carries the matrix as the module's own keys."""

    def open(self):
        """This module's connect() (the unit tests replace it)."""
        return connect(self.module)

    def validate(self):
        """The matrix spec and the fixture statements, checked together before connecting."""
        params = self.module.params
        try:
            spec = _pg_access.normalize(params["identities"], params["checks"], params["expected"])
            text = _read_fixtures_file(params["fixtures_file"])
            fixtures = _pg_access.load_fixtures(
                params["fixtures"], text, os.path.basename(params["fixtures_file"] or "")
            )
        except SpecError as exc:
            raise SpecError("Invalid access matrix options (nothing was run): %s" % exc.msg)
        return dict(matrix=spec, fixtures=fixtures)

    def read(self, spec):
        """Run the fixtures and every cell (verify() rolls everything back, and so does the session)."""
        try:
            return _pg_access.verify(
                self.conn, spec["matrix"], spec["fixtures"], self.module.params["lock_timeout"], counter=self.counter
            )
        except _pg_access.CellError as exc:
            raise _pg_access.CellError("%s Nothing was changed: the transaction was rolled back." % exc.msg)

    def plan(self, spec, current):
        """Nothing to do; DriftError with the whole result when the matrix differs from the expected one."""
        if current["mismatches"]:
            raise DriftError(
                "The access matrix differs from expected in %d of %d cells: %s"
                % (len(current["mismatches"]), current["cells"], "; ".join(current["mismatches"])),
                **current,
            )
        return Plan((), **current)


def main():
    """Module entry point."""
    argument_spec = postgres_argument_spec()
    argument_spec.update(
        identities=dict(type="dict", required=True),
        checks=dict(
            type="list",
            elements="dict",
            required=True,
            options=CHECK_SPEC,
            mutually_exclusive=[("value", "values")],
            required_together=[("owner_column", "owners")],
        ),
        expected=dict(type="dict"),
        fixtures_file=dict(type="path"),
        fixtures=dict(type="list", elements="str", default=[]),
        lock_timeout=dict(type="int", default=10),
    )
    Run(AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)).run()


if __name__ == "__main__":
    main()
