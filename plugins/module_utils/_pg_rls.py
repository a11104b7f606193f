# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: row-level-security policies: reading, normalising on the server, planning and applying.

Not a public API. Two facts of PostgreSQL drive the design (see docs/ANCHOR-NOTES in the project):
- ``pg_policies.qual`` / ``with_check`` hold *deparsed* expressions, never the text that was written, so the
  desired expressions are normalised by the server itself: each is created as a throw-away probe policy inside a
  savepoint, read back from ``pg_policies`` and rolled back.
- ``ALTER POLICY`` changes only roles, USING and WITH CHECK; a change of command or permissive/restrictive
  (or dropping a clause) needs DROP + CREATE.
Policy expressions are text pasted into ``USING (...)``/``WITH CHECK (...)``, so two layers keep them expressions:
the spec layer (_pg_rls_spec: what a policy and a table may be, expression_problem()) refuses anything but one
expression before connecting, and run_guarded() sends every statement through PL/pgSQL EXECUTE with
standard_conforming_strings on, so none can end the transaction. Planning works on plain dicts and strings, so it is
unit-tested without a server.
"""

from __future__ import annotations

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _runtime
from ansible_collections.insightpulseai.workbench.plugins.module_utils._pg_client import PostgresRun, pg_error_message
from ansible_collections.insightpulseai.workbench.plugins.module_utils._pg_rls_spec import (
    PROBE_PREFIX,
    SpecError,
    qualified,
    quote_ident,
    role_list,
)


# ---------------------------------------------------------------------------------------------------------
# SQL text (plain strings, so plans are testable without a server)
# ---------------------------------------------------------------------------------------------------------


def create_policy_sql(schema, table, policy, name=None):
    """``CREATE POLICY`` for ``policy`` (under ``name`` when given: the deparse probes)."""
    parts = [
        "CREATE POLICY %s ON %s" % (quote_ident(name or policy["name"]), qualified(schema, table)),
        "AS %s" % ("PERMISSIVE" if policy["permissive"] else "RESTRICTIVE"),
        "FOR %s" % policy["command"],
        "TO %s" % role_list(policy["roles"]),
    ]
    if policy["using"] is not None:
        parts.append("USING (%s)" % policy["using"])
    if policy["with_check"] is not None:
        parts.append("WITH CHECK (%s)" % policy["with_check"])
    return " ".join(parts)


def drop_policy_sql(schema, table, name):
    """``DROP POLICY``."""
    return "DROP POLICY %s ON %s" % (quote_ident(name), qualified(schema, table))


def alter_policy_sql(schema, table, policy, roles=False, using=False, with_check=False):
    """``ALTER POLICY`` changing the roles, USING and/or WITH CHECK of ``policy``."""
    parts = ["ALTER POLICY %s ON %s" % (quote_ident(policy["name"]), qualified(schema, table))]
    if roles:
        parts.append("TO %s" % role_list(policy["roles"]))
    if using:
        parts.append("USING (%s)" % policy["using"])
    if with_check:
        parts.append("WITH CHECK (%s)" % policy["with_check"])
    return " ".join(parts)


def rls_sql(schema, table, enabled=None, forced=None):
    """The ``ALTER TABLE ... ROW LEVEL SECURITY`` statements for the flags that are not None."""
    statements = []
    if enabled is not None:
        statements.append(
            "ALTER TABLE %s %s ROW LEVEL SECURITY" % (qualified(schema, table), "ENABLE" if enabled else "DISABLE")
        )
    if forced is not None:
        statements.append(
            "ALTER TABLE %s %s ROW LEVEL SECURITY" % (qualified(schema, table), "FORCE" if forced else "NO FORCE")
        )
    return statements


# ---------------------------------------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------------------------------------


def _view(policy):
    """The comparable, displayable form of a policy (current or desired-after-deparse)."""
    return dict(
        command=policy["command"],
        permissive=policy["permissive"],
        roles=list(policy["roles"]),
        using=policy["using"],
        with_check=policy["with_check"],
    )


def plan_table(desired, current, deparsed=None):
    """Compare one table's desired state with the current one.

    ``current`` is None when the table does not exist (planning then assumes an empty table with RLS off),
    else ``{"rls_enabled", "rls_forced", "policies": {name: {command, permissive, roles, using, with_check}}}``.
    ``deparsed`` maps policy name -> (using, with_check) as PostgreSQL stores them; without it the
    desired text is compared as written.
    Returns ``(statements, before, after)`` where before/after are display dicts for diff mode.
    """
    schema, table = desired["schema"], desired["table"]
    deparsed = deparsed or {}
    current = current or {"rls_enabled": False, "rls_forced": False, "policies": {}}
    cur_policies = current["policies"]
    statements = []

    want_enabled = desired["rls_enabled"] if desired["rls_enabled"] is not None else current["rls_enabled"]
    want_forced = desired["rls_forced"] if desired["rls_forced"] is not None else current["rls_forced"]
    statements.extend(
        rls_sql(
            schema,
            table,
            enabled=want_enabled if want_enabled != current["rls_enabled"] else None,
            forced=want_forced if want_forced != current["rls_forced"] else None,
        )
    )

    after_policies = dict((name, _view(p)) for name, p in cur_policies.items())
    for policy in desired["policies"]:
        name = policy["name"]
        have = cur_policies.get(name)
        if policy["state"] == "absent":
            if have is not None:
                statements.append(drop_policy_sql(schema, table, name))
                after_policies.pop(name, None)
            continue
        using, with_check = deparsed.get(name, (policy["using"], policy["with_check"]))
        want = dict(policy, using=using, with_check=with_check)
        after_policies[name] = _view(want)
        if have is None:
            statements.append(create_policy_sql(schema, table, policy))
            continue
        if (
            have["command"] != want["command"]
            or have["permissive"] != want["permissive"]
            or (have["using"] is not None and want["using"] is None)
            or (have["with_check"] is not None and want["with_check"] is None)
        ):
            statements.append(drop_policy_sql(schema, table, name))
            statements.append(create_policy_sql(schema, table, policy))
            continue
        roles_differ = sorted(have["roles"]) != list(want["roles"])
        using_differs = have["using"] != want["using"]
        check_differs = have["with_check"] != want["with_check"]
        if roles_differ or using_differs or check_differs:
            statements.append(alter_policy_sql(schema, table, policy, roles_differ, using_differs, check_differs))

    if desired["purge"]:
        declared = set(p["name"] for p in desired["policies"])
        for name in sorted(cur_policies):
            if name not in declared:
                statements.append(drop_policy_sql(schema, table, name))
                after_policies.pop(name, None)

    before = dict(
        rls_enabled=current["rls_enabled"],
        rls_forced=current["rls_forced"],
        policies=dict((name, _view(p)) for name, p in cur_policies.items()),
    )
    after = dict(rls_enabled=want_enabled, rls_forced=want_forced, policies=after_policies)
    return statements, before, after


# ---------------------------------------------------------------------------------------------------------
# Server side: read current state, deparse desired expressions, execute
# ---------------------------------------------------------------------------------------------------------


def read_state(cur, tables):
    """Current RLS flags and policies for ``[(schema, table), ...]``; missing tables map to None."""
    schemas = [t[0] for t in tables]
    names = [t[1] for t in tables]
    cur.execute(
        """
        SELECT n.nspname, c.relname, c.relrowsecurity, c.relforcerowsecurity
          FROM unnest(%s::text[], %s::text[]) AS want(nsp, rel)
          JOIN pg_catalog.pg_namespace n ON n.nspname = want.nsp
          JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND c.relname = want.rel
         WHERE c.relkind IN ('r', 'p')
        """,
        (schemas, names),
    )
    state = dict(((s, t), None) for s, t in tables)
    for nsp, rel, enabled, forced in cur.fetchall():
        state[(nsp, rel)] = dict(rls_enabled=enabled, rls_forced=forced, policies={})
    cur.execute(
        """
        SELECT p.schemaname, p.tablename, p.policyname, p.permissive, p.roles::text[], p.cmd, p.qual, p.with_check
          FROM pg_catalog.pg_policies p
          JOIN unnest(%s::text[], %s::text[]) AS want(nsp, rel)
            ON p.schemaname = want.nsp AND p.tablename = want.rel
        """,
        (schemas, names),
    )
    for nsp, rel, name, permissive, roles, cmd, qual, with_check in cur.fetchall():
        entry = state.get((nsp, rel))
        if entry is None or name.startswith(PROBE_PREFIX):
            continue
        entry["policies"][name] = dict(
            command=cmd,
            permissive=(permissive == "PERMISSIVE"),
            roles=tuple(sorted(roles)),
            using=qual,
            with_check=with_check,
        )
    return state


GUARD_SETTING = "workbench.rls_statement"
_GUARD = "DO $workbench_guard$ BEGIN EXECUTE pg_catalog.current_setting('%s'); END $workbench_guard$" % GUARD_SETTING
_ASSUMED_NEW_TABLE = dict(rls_enabled=True, rls_forced=False, policies={})


def run_guarded(cur, statement):
    """Run one generated statement so that it can never end or step out of the caller's transaction.

    The text reaches the server as a parameter of set_config() (quoted by the driver) and runs through PL/pgSQL
    ``EXECUTE``, which refuses COMMIT, ROLLBACK, SAVEPOINT, RELEASE and PREPARE TRANSACTION ("EXECUTE of
    transaction commands is not implemented"). Whatever a policy expression holds, the check-mode savepoint and
    the module's transaction stay intact, so a check-mode run ends in a rollback of everything. It does not make
    several statements one: expression_problem() refuses those before anything is sent.
    """
    cur.execute("SELECT pg_catalog.set_config(%s, %s, true)", (GUARD_SETTING, statement))
    cur.execute(_GUARD)


def deparse(cur, tables, existing):
    """Let PostgreSQL normalise the desired expressions.

    Creates every present policy of every existing table as a probe inside one savepoint, reads the stored
    expressions back and rolls the savepoint back. Returns {(schema, table): {name: (using, with_check)}}.
    Raises SpecError naming the policy when PostgreSQL rejects it (bad expression, unknown role, ...).
    """
    result = {}
    probes = {}
    cur.execute("SAVEPOINT workbench_rls_probe")
    try:
        counter = 0
        for table in tables:
            key = (table["schema"], table["table"])
            if existing.get(key) is None:
                continue
            for policy in table["policies"]:
                if policy["state"] != "present":
                    continue
                counter += 1
                probe = "%s%d" % (PROBE_PREFIX, counter)
                probes[probe] = (key, policy["name"])
                try:
                    run_guarded(cur, create_policy_sql(key[0], key[1], policy, name=probe))
                except Exception as exc:
                    raise SpecError(
                        "Policy %s on %s.%s is not valid: %s" % (policy["name"], key[0], key[1], pg_error_message(exc))
                    )
        if probes:
            cur.execute(
                "SELECT policyname, qual, with_check FROM pg_catalog.pg_policies WHERE policyname = ANY(%s)",
                (list(probes),),
            )
            for probe, qual, with_check in cur.fetchall():
                key, name = probes[probe]
                result.setdefault(key, {})[name] = (qual, with_check)
    finally:
        cur.execute("ROLLBACK TO SAVEPOINT workbench_rls_probe")
        cur.execute("RELEASE SAVEPOINT workbench_rls_probe")
    return result


def missing_exposed_tables(cur, exposed_schemas, spec_tables):
    """Tables of the exposed schemas that the spec does not cover with rls_enabled: true."""
    if not exposed_schemas:
        return []
    covered = set((t["schema"], t["table"]) for t in spec_tables if t["rls_enabled"])
    cur.execute(
        """
        SELECT n.nspname, c.relname
          FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'p')
         ORDER BY 1, 2
        """,
        (list(exposed_schemas),),
    )
    return ["%s.%s" % row for row in cur.fetchall() if row not in covered]


def prepare(cur, tables, allow_missing_tables, created_with_rls=()):
    """Read what planning needs, in the caller's transaction: ``(existing, deparsed, warnings)``.

    Sets standard_conforming_strings on (the quoting expression_problem() assumes), reads the tables' current state
    (read_state) and lets PostgreSQL normalise the desired expressions (deparse). A table that does not exist is a
    SpecError unless ``allow_missing_tables`` (then a warning); one named in ``created_with_rls`` is taken as the
    state its pending migration leaves (RLS on, not forced, no policies).
    """
    cur.execute("SET LOCAL standard_conforming_strings = on")
    keys = [(t["schema"], t["table"]) for t in tables]
    existing = read_state(cur, keys)
    warnings = []
    missing = [k for k in keys if existing[k] is None]
    if missing and not allow_missing_tables:
        raise SpecError(
            "Table(s) %s do not exist; apply the migrations that create them first."
            % ", ".join("%s.%s" % k for k in missing)
        )
    if missing:
        warnings.append(
            "Table(s) %s do not exist yet: their policies are planned as written, not validated by PostgreSQL."
            % ", ".join("%s.%s" % k for k in missing)
        )
    deparsed = deparse(cur, tables, existing)
    for key in missing:
        if "%s.%s" % key in created_with_rls:
            existing[key] = dict(_ASSUMED_NEW_TABLE, policies={})
    return existing, deparsed, warnings


def plan_all(tables, existing, deparsed):
    """plan_table() for every table: ``(statements, diff_before, diff_after)``, before/after keyed by changed table."""
    queries = []
    before = {}
    after = {}
    for table in tables:
        key = (table["schema"], table["table"])
        statements, b, a = plan_table(table, existing[key], deparsed.get(key))
        if statements:
            label = "%s.%s" % key
            before[label] = b
            after[label] = a
        queries.extend(statements)
    return queries, before, after


def execute(cur, statements):
    """Run planned statements through run_guarded(), in order; ServiceError naming the statement that failed."""
    for statement in statements:
        try:
            run_guarded(cur, statement)
        except Exception as exc:  # psycopg2.Error; the caller rolls its transaction back
            raise _runtime.ServiceError("Failed at `%s`: %s" % (statement, pg_error_message(exc)))


def converge(cur, tables, check_mode, allow_missing_tables, created_with_rls=()):
    """Plan (and, unless check_mode, execute) the whole spec in the caller's transaction.

    ``created_with_rls``: ``schema.table`` names of tables that do not exist yet but that pending migrations create
    with RLS enabled; with ``allow_missing_tables`` (check mode) they are planned from that state instead of from
    an empty table with RLS off, so the plan holds exactly what the real run will execute.
    Every statement runs through run_guarded() with standard_conforming_strings on, the quoting
    expression_problem() assumes. Returns ``(queries, diff_before, diff_after, warnings)``. Raises SpecError
    before any statement of the plan runs if the spec cannot be applied; raises ServiceError naming the
    statement that failed.
    """
    existing, deparsed, warnings = prepare(cur, tables, allow_missing_tables, created_with_rls)
    queries, before, after = plan_all(tables, existing, deparsed)
    if not check_mode:
        execute(cur, queries)
    return queries, before, after, warnings


class RlsRun(PostgresRun):
    """The run of both RLS modules (supabase_rls, supabase_rls_policy): they differ only in validate(), which returns
    ``dict(tables=<normalize_spec/normalize_table output>, exposed_schemas=[...], created_with_rls=frozenset)``.

    Reads and plans in one transaction (check mode: tables pending migrations create are planned, not refused), and
    applies the plan's statements in the same transaction, committed only when something ran. ``queries`` is the
    deprecated alias of ``actions``."""

    def read(self, spec):
        """The tables' current state and the deparsed expressions; SpecError when an exposed table is uncovered."""
        if self.module.params.get("lock_timeout"):
            self.cur.execute("SET LOCAL lock_timeout = %s", ("%ds" % self.module.params["lock_timeout"],))
        exposed = spec.get("exposed_schemas") or []
        uncovered = missing_exposed_tables(self.cur, exposed, spec["tables"])
        if uncovered:
            raise SpecError(
                "Every table in an exposed schema must have row-level security, but the spec does not cover "
                "%s (schemas checked: %s). Add them to the spec with rls_enabled: true."
                % (", ".join(uncovered), ", ".join(exposed))
            )
        existing, deparsed, warnings = prepare(
            self.cur, spec["tables"], self.check_mode, spec.get("created_with_rls", ())
        )
        for warning in warnings:
            self.module.warn(warning)
        return existing, deparsed

    def plan(self, spec, current):
        """The statements that bring every table to the spec; before/after per changed table."""
        queries, before, after = plan_all(spec["tables"], *current)
        return _runtime.Plan(queries, before=before, after=after, queries=queries)

    def apply(self, spec, plan):
        """Run the statements; a failure rolls the whole transaction back."""
        try:
            execute(self.cur, plan.actions)
        except _runtime.ServiceError as exc:
            raise _runtime.ServiceError("Failed to apply row-level security (nothing was changed): %s" % exc.msg)
        self.applied = True
        return dict(queries=list(plan.actions))
