# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the access matrix: which identity may select/insert/update/delete which table, asked as PostgREST asks.

Not a public API. Everything runs in ONE transaction that is always rolled back: fixture rows are inserted first as
the connecting user, then every cell (table x operation x identity) runs in its own savepoint::

    SAVEPOINT ...; SET LOCAL ROLE <db_role>; SELECT set_config('request.jwt.claims', <json>, true);
    <statement>; ROLLBACK TO SAVEPOINT ...; RELEASE SAVEPOINT ...; RESET ROLE

Validating the spec, building statements, judging a cell and comparing with the expected matrix are pure
functions (unit-tested without a server); ``verify()`` is the only part that talks to PostgreSQL.
"""

from __future__ import annotations

import json
import re

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _runtime
from ansible_collections.insightpulseai.workbench.plugins.module_utils._pg_migrations import (
    split_statements,
    statement_lines,
)
from ansible_collections.insightpulseai.workbench.plugins.module_utils._pg_client import pg_error_message, psycopg2
from ansible_collections.insightpulseai.workbench.plugins.module_utils._pg_rls_spec import quote_ident

OPERATIONS = ("select", "insert", "update", "delete")
WRITES = ("insert", "update", "delete")
DENIED = "42501"  # insufficient_privilege: a missing grant, or a row refused by WITH CHECK
MATVIEW_WRITE_DENIED = "42809"  # wrong_object_type: "cannot change materialized view"
SAVEPOINT = "workbench_access_cell"
IDENTITY_KEYS = ("db_role", "claims")
CHECK_KEYS = (
    "table",
    "operations",
    "key",
    "value",
    "values",
    "insert",
    "update",
    "owner_column",
    "owners",
    "statements",
)
SCALARS = (str, int, float, bool, type(None))
# Statements that would end, or step outside, the one transaction everything must stay in.
_TX_CONTROL_RE = re.compile(
    r"^(begin|start\s+transaction|commit|end|rollback|abort|savepoint|release|prepare\s+transaction)\b", re.IGNORECASE
)
_LEADING_COMMENTS_RE = re.compile(r"^(\s*(--[^\n]*(\n|$)|/\*.*?\*/))*\s*", re.DOTALL)


# Invalid options: raised before anything connects (the runtime's kind, under the name callers know).
SpecError = _runtime.SpecError


class CellError(_runtime.ServiceError):
    """A cell, a fixture or the set-up failed with an error that is not a permission denial (the transaction is
    always rolled back, so nothing was written)."""


# ---------------------------------------------------------------------------------------------------------
# Spec validation
# ---------------------------------------------------------------------------------------------------------


def parse_table(name, where="table"):
    """``schema.name`` -> (schema, name). Exactly one dot; names are taken verbatim (no quoting)."""
    if not isinstance(name, str) or name.count(".") != 1 or not all(part.strip() for part in name.split(".")):
        raise SpecError("%s %r is not in schema.name form (for example ip_workbench.domains)." % (where, name))
    schema, table = name.split(".")
    return schema, table


def _nonempty_str(value, what):
    if not isinstance(value, str) or not value.strip():
        raise SpecError("%s must be a non-empty string, got %r." % (what, value))
    return value


def _unknown_keys(raw, allowed, where):
    unknown = sorted(str(k) for k in raw if k not in allowed)
    if unknown:
        raise SpecError("%s: unknown key(s) %s (allowed: %s)." % (where, ", ".join(unknown), ", ".join(allowed)))


def normalize_identities(raw):
    """{name: {db_role, claims}} -> {name: {"db_role": str, "claims": dict}}; claims default to {"role": db_role}."""
    if not isinstance(raw, dict) or not raw:
        raise SpecError("identities must be a non-empty dict of name -> {db_role, claims}, got %r." % (raw,))
    identities = {}
    for name, spec in raw.items():
        _nonempty_str(name, "An identity name")
        where = "identities.%s" % name
        if not isinstance(spec, dict):
            raise SpecError("%s must be a dict with db_role (and claims), got %r." % (where, spec))
        _unknown_keys(spec, IDENTITY_KEYS, where)
        db_role = _nonempty_str(spec.get("db_role"), "%s.db_role" % where)
        claims = spec.get("claims")
        if claims is None:
            claims = {"role": db_role}
        elif not isinstance(claims, dict):
            raise SpecError("%s.claims must be a dict (the JWT claims), got %r." % (where, claims))
        identities[name] = {"db_role": db_role, "claims": claims}
    return identities


def _scalars(values, where):
    if values is None:
        return None
    if not isinstance(values, dict):
        raise SpecError("%s must be a dict of column -> value, got %r." % (where, values))
    for column, value in values.items():
        _nonempty_str(column, "A column name in %s" % where)
        if not isinstance(value, SCALARS):
            raise SpecError(
                "%s.%s must be a plain scalar (PostgreSQL casts the literal to the column type: write jsonb as a "
                "JSON string, an array as '{a,b}'), got %r." % (where, column, value)
            )
    return dict(values)


def _per_identity(mapping, identities, where):
    """A dict identity -> value that must name exactly the defined identities."""
    if not isinstance(mapping, dict):
        raise SpecError("%s must be a dict of identity -> value, got %r." % (where, mapping))
    unknown = sorted(str(k) for k in mapping if k not in identities)
    if unknown:
        raise SpecError(
            "%s names identity %s, which is not defined in identities (defined: %s)."
            % (where, ", ".join(unknown), ", ".join(identities))
        )
    missing = [name for name in identities if name not in mapping]
    if missing:
        raise SpecError("%s has no value for identity %s." % (where, ", ".join(missing)))
    for name, value in mapping.items():
        if not isinstance(value, SCALARS) or value is None:
            raise SpecError("%s.%s must be a plain non-null scalar, got %r." % (where, name, value))
    return dict(mapping)


def check_single_statement(text, where):
    """One SQL statement that stays inside the transaction (no BEGIN/COMMIT/ROLLBACK/SAVEPOINT...)."""
    _nonempty_str(text, where)
    statements = split_statements(text)
    if len(statements) != 1:
        raise SpecError("%s must be exactly one SQL statement, got %d." % (where, len(statements)))
    refuse_transaction_control(statements[0], where)
    return statements[0]


def refuse_transaction_control(statement, where):
    """SpecError when ``statement`` would end or leave the one transaction (BEGIN, COMMIT, SAVEPOINT, ...)."""
    body = _LEADING_COMMENTS_RE.sub("", statement, count=1)
    match = _TX_CONTROL_RE.match(body)
    if match:
        raise SpecError(
            "%s is a transaction-control statement (%s): everything runs in one transaction that is always rolled "
            "back, and it must stay that way." % (where, match.group(1).upper())
        )


def normalize_check(raw, identities, index):
    """Validate ``checks[index]`` against the defined identities; returns it in canonical form."""
    where = "checks[%d]" % index
    if not isinstance(raw, dict):
        raise SpecError("%s must be a dict, got %r." % (where, raw))
    raw = dict((k, v) for k, v in raw.items() if v is not None)
    _unknown_keys(raw, CHECK_KEYS, where)
    table = raw.get("table")
    schema, name = parse_table(table, "%s.table" % where)
    where = "checks[%d] (%s)" % (index, table)
    operations = raw.get("operations", list(OPERATIONS))
    if isinstance(operations, str):
        operations = [operations]
    if not isinstance(operations, list) or not operations:
        raise SpecError(
            "%s.operations must be a non-empty list of %s, got %r." % (where, ", ".join(OPERATIONS), operations)
        )
    for op in operations:
        if op not in OPERATIONS:
            raise SpecError("%s: unknown operation %r (allowed: %s)." % (where, op, ", ".join(OPERATIONS)))
    if len(set(operations)) != len(operations):
        raise SpecError("%s.operations lists an operation twice: %s." % (where, ", ".join(operations)))
    operations = [op for op in OPERATIONS if op in operations]

    statements = raw.get("statements") or {}
    if not isinstance(statements, dict):
        raise SpecError("%s.statements must be a dict of operation -> SQL text, got %r." % (where, statements))
    for op in statements:
        if op not in OPERATIONS:
            raise SpecError("%s.statements: unknown operation %r (allowed: %s)." % (where, op, ", ".join(OPERATIONS)))
        if op not in operations:
            raise SpecError("%s.statements.%s is given but %s is not in operations." % (where, op, op))
    statements = dict(
        (op, check_single_statement(text, "%s.statements.%s" % (where, op))) for op, text in statements.items()
    )

    if "value" in raw and "values" in raw:
        raise SpecError("%s: give value (one row for everybody) or values (a row per identity), not both." % where)
    if ("owner_column" in raw) != ("owners" in raw):
        raise SpecError("%s: owner_column and owners go together." % where)
    check = dict(
        table=table,
        schema=schema,
        name=name,
        operations=operations,
        statements=statements,
        key=raw.get("key"),
        value=raw.get("value"),
        values=None,
        insert=_scalars(raw.get("insert"), "%s.insert" % where),
        update=_scalars(raw.get("update"), "%s.update" % where),
        owner_column=raw.get("owner_column"),
        owners=None,
    )
    if check["key"] is not None:
        _nonempty_str(check["key"], "%s.key" % where)
    if not isinstance(check["value"], SCALARS):
        raise SpecError("%s.value must be a plain scalar, got %r." % (where, check["value"]))
    if "values" in raw:
        check["values"] = _per_identity(raw["values"], identities, "%s.values" % where)
    if "owners" in raw:
        _nonempty_str(check["owner_column"], "%s.owner_column" % where)
        check["owners"] = _per_identity(raw["owners"], identities, "%s.owners" % where)

    generated = [op for op in operations if op not in statements]
    row_ops = [op for op in generated if op != "insert"]
    if row_ops and (check["key"] is None or (check["value"] is None and check["values"] is None)):
        raise SpecError(
            "%s: %s need key and value (or values), or a statement in statements." % (where, "/".join(row_ops))
        )
    if "insert" in generated and check["insert"] is None and check["owners"] is None:
        raise SpecError(
            "%s: insert needs the column values of a new row in insert ({} for DEFAULT VALUES), "
            "or a statement in statements.insert." % where
        )
    return check


def normalize_checks(raw, identities):
    """Validate every check; a (table, operation) pair may be checked only once."""
    if not isinstance(raw, list) or not raw:
        raise SpecError("checks must be a non-empty list, got %r." % (raw,))
    checks = [normalize_check(entry, identities, i) for i, entry in enumerate(raw)]
    seen = {}
    for index, check in enumerate(checks):
        for op in check["operations"]:
            cell = (check["table"], op)
            if cell in seen:
                raise SpecError(
                    "%s %s is checked twice (checks[%d] and checks[%d])." % (op, check["table"], seen[cell], index)
                )
            seen[cell] = index
    return checks


def normalize_expected(raw, checks, identities):
    """{table: {operation: [identity]}} -> {(table, operation): frozenset(identities)}.

    It must cover exactly the checked (table, operation) pairs: a gap would leave cells unverified.
    """
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise SpecError("expected must be a dict of table -> operation -> list of identities, got %r." % (raw,))
    expected = {}
    for table, ops in raw.items():
        parse_table(table, "expected table")
        if not isinstance(ops, dict):
            raise SpecError("expected.%s must be a dict of operation -> list of identities, got %r." % (table, ops))
        for op, allowed in ops.items():
            if op not in OPERATIONS:
                raise SpecError("expected.%s: unknown operation %r (allowed: %s)." % (table, op, ", ".join(OPERATIONS)))
            if allowed is None:
                allowed = []
            if not isinstance(allowed, list):
                raise SpecError("expected.%s.%s must be a list of identity names, got %r." % (table, op, allowed))
            unknown = [str(a) for a in allowed if a not in identities]
            if unknown:
                raise SpecError(
                    "expected.%s.%s names identity %s, which is not defined in identities (defined: %s)."
                    % (table, op, ", ".join(unknown), ", ".join(identities))
                )
            if len(set(allowed)) != len(allowed):
                raise SpecError("expected.%s.%s lists an identity twice." % (table, op))
            expected[(table, op)] = frozenset(allowed)
    checked = [(c["table"], op) for c in checks for op in c["operations"]]
    unchecked = sorted("%s %s" % (op, table) for table, op in expected if (table, op) not in checked)
    if unchecked:
        raise SpecError(
            "expected covers cells no check runs: %s. Add them to checks or remove them from expected."
            % ", ".join(unchecked)
        )
    uncovered = ["%s %s" % (op, table) for table, op in checked if (table, op) not in expected]
    if uncovered:
        raise SpecError(
            "expected says nothing about %s. Give every checked table and operation a list "
            "([] when no identity is allowed)." % ", ".join(uncovered)
        )
    return expected


def load_fixtures(statements=None, text=None, origin="fixtures_file"):
    """Fixture statements in run order: the file's first, then the list's, each as (where, statement)."""
    fixtures = []
    if text is not None:
        parsed = split_statements(text)
        for i, (statement, line) in enumerate(zip(parsed, statement_lines(text, parsed))):
            if line is not None:  # point at the statement, not at the comments before it
                line += _LEADING_COMMENTS_RE.match(statement).group(0).count("\n")
            fixtures.append(("%s statement %d (line %s)" % (origin, i + 1, line), statement))
    for i, entry in enumerate(statements or []):
        _nonempty_str(entry, "fixtures[%d]" % i)
        parts = split_statements(entry)
        for j, statement in enumerate(parts):
            fixtures.append(("fixtures[%d]" % i + (" statement %d" % (j + 1) if len(parts) > 1 else ""), statement))
    for where, statement in fixtures:
        refuse_transaction_control(statement, where)
    return fixtures


def normalize(identities, checks, expected=None):
    """Validate the options together; returns a spec dict for ``verify()``."""
    identities = normalize_identities(identities)
    checks = normalize_checks(checks, identities)
    expected = normalize_expected(expected, checks, identities)
    return dict(identities=identities, checks=checks, expected=expected)


# ---------------------------------------------------------------------------------------------------------
# Statements
# ---------------------------------------------------------------------------------------------------------


def _ident(name):
    # Generated statements always travel with a parameter list, so a % in an identifier must be doubled.
    return quote_ident(name).replace("%", "%%")


def _target(check):
    return "%s.%s" % (_ident(check["schema"]), _ident(check["name"]))


def key_value(check, identity):
    """The fixture row's key value for ``identity``."""
    return check["values"][identity] if check["values"] is not None else check["value"]


def cell_statement(check, op, identity):
    """(sql, params) for one cell; params is None for a statement given as text (run exactly as written)."""
    if op in check["statements"]:
        return check["statements"][op], None
    target = _target(check)
    if op == "insert":
        values = dict(check["insert"] or {})
        if check["owners"] is not None:
            values[check["owner_column"]] = check["owners"][identity]
        if not values:
            return "INSERT INTO %s DEFAULT VALUES" % target, []
        return (
            "INSERT INTO %s (%s) VALUES (%s)"
            % (target, ", ".join(_ident(c) for c in values), ", ".join(["%s"] * len(values))),
            list(values.values()),
        )
    key = _ident(check["key"])
    value = key_value(check, identity)
    if op == "select":
        return "SELECT 1 FROM %s WHERE %s = %%s" % (target, key), [value]
    if op == "delete":
        return "DELETE FROM %s WHERE %s = %%s" % (target, key), [value]
    changes = check["update"] or {check["key"]: value}
    assignments = ", ".join("%s = %%s" % _ident(c) for c in changes)
    return "UPDATE %s SET %s WHERE %s = %%s" % (target, assignments, key), list(changes.values()) + [value]


def claims_json(identity_spec):
    """The identity's JWT claims as the JSON text PostgREST sets."""
    return json.dumps(identity_spec["claims"], sort_keys=True, separators=(",", ":"))


def become_statements(identity_spec):
    """The two statements that make the transaction act as an identity, as PostgREST does."""
    return [
        ("SET LOCAL ROLE %s" % quote_ident(identity_spec["db_role"]), None),
        ("SELECT set_config('request.jwt.claims', %s, true)", [claims_json(identity_spec)]),
    ]


def cells(checks, identities):
    """Every cell in run order: (check, operation, identity)."""
    return [(check, op, identity) for check in checks for op in check["operations"] for identity in identities]


# ---------------------------------------------------------------------------------------------------------
# Judging and comparing
# ---------------------------------------------------------------------------------------------------------


def label(op, table, identity):
    """How a cell is named in messages."""
    return "%s %s as %s" % (op, table, identity)


def _rows(n):
    return "%d row%s" % (n, "" if n == 1 else "s")


def judge(op, rowcount):
    """(allowed, detail) for a statement that succeeded."""
    if op == "select":
        return rowcount == 1, "saw %s" % _rows(rowcount)
    if op == "insert":
        return rowcount >= 1, "inserted %s" % _rows(rowcount)
    return rowcount == 1, "affected %s" % _rows(rowcount)


def is_denial(op, relkind, pgcode):
    """42501 everywhere; 42809 too for a write to a materialized view."""
    if pgcode == DENIED:
        return True
    return pgcode == MATVIEW_WRITE_DENIED and op in WRITES and relkind == "m"


def denial_detail(pgcode, message):
    """The reason of a denial: SQLSTATE and message."""
    return "%s %s" % (pgcode, message)


def mismatch(op, table, identity, expected, allowed, detail):
    """One line for a cell that differs from the expected matrix."""
    return "%s: expected %s, got %s (%s)" % (
        label(op, table, identity),
        "allowed" if expected else "denied",
        "allowed" if allowed else "denied",
        detail,
    )


def compare(results, expected):
    """results: [(table, op, identity, allowed, detail)] -> list of mismatch strings, in run order."""
    if expected is None:
        return []
    return [
        mismatch(op, table, identity, identity in expected[(table, op)], allowed, detail)
        for table, op, identity, allowed, detail in results
        if allowed != (identity in expected[(table, op)])
    ]


def build_matrix(results):
    """table -> operation -> sorted allowed identities (every checked operation present, [] when none)."""
    matrix = {}
    for table, op, identity, allowed, dummy in results:
        ops = matrix.setdefault(table, {})
        ops.setdefault(op, [])
        if allowed:
            ops[op].append(identity)
    for ops in matrix.values():
        for op in ops:
            ops[op] = sorted(ops[op])
    return matrix


# ---------------------------------------------------------------------------------------------------------
# Running (the only part that talks to PostgreSQL)
# ---------------------------------------------------------------------------------------------------------


def _execute(cur, statement, params):
    if params is None:
        cur.execute(statement)
    else:
        cur.execute(statement, params)


def preflight(cur, checks, identities):
    """Relation kinds of the checked tables; fails naming tables and roles that do not exist."""
    cur.execute(
        """SELECT n.nspname, c.relname, c.relkind FROM pg_catalog.pg_class c
           JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
           WHERE (n.nspname::text, c.relname::text) IN (SELECT * FROM unnest(%s::text[], %s::text[]))""",
        ([c["schema"] for c in checks], [c["name"] for c in checks]),
    )
    relkinds = dict(("%s.%s" % (schema, name), kind) for schema, name, kind in cur.fetchall())
    missing = [c["table"] for c in checks if c["table"] not in relkinds]
    if missing:
        raise CellError("Table(s) not found: %s." % ", ".join(missing))
    roles = sorted(set(spec["db_role"] for spec in identities.values()))
    cur.execute("SELECT rolname FROM pg_catalog.pg_roles WHERE rolname = ANY(%s)", (roles,))
    found = set(r[0] for r in cur.fetchall())
    absent = [r for r in roles if r not in found]
    if absent:
        raise CellError(
            "Database role(s) not found: %s (used by identities %s)."
            % (", ".join(absent), ", ".join(n for n, s in identities.items() if s["db_role"] in absent))
        )
    return relkinds


def run_fixtures(cur, fixtures):
    """Run the fixture statements in order; CellError naming the one that failed."""
    for where, statement in fixtures:
        try:
            cur.execute(statement)
        except Exception as exc:  # psycopg2.Error; kept generic so this module imports without psycopg2
            raise CellError("Fixture %s failed: %s (statement: %s)." % (where, _error(exc), _short(statement)))


def _is_db_error(exc):
    return (psycopg2 is not None and isinstance(exc, psycopg2.Error)) or getattr(exc, "pgcode", None) is not None


def _error(exc):
    return pg_error_message(exc).rstrip(".")


def _short(statement, limit=200):
    text = " ".join(_LEADING_COMMENTS_RE.sub("", statement, count=1).split())
    return text if len(text) <= limit else text[:limit] + " ..."


def run_cell(cur, check, op, identity, identity_spec, relkind):
    """One cell inside a savepoint; returns (allowed, detail) or raises CellError."""
    cell = label(op, check["table"], identity)
    statement, params = cell_statement(check, op, identity)
    cur.execute("SAVEPOINT %s" % SAVEPOINT)
    try:
        try:
            for text, args in become_statements(identity_spec):
                _execute(cur, text, args)
        except Exception as exc:
            raise CellError(
                "Cannot act as identity %s (database role %s) for %s: %s."
                % (identity, identity_spec["db_role"], cell, _error(exc))
            )
        try:
            _execute(cur, statement, params)
            return judge(op, cur.rowcount)
        except Exception as exc:
            code = getattr(exc, "pgcode", None)
            if code and is_denial(op, relkind, code):
                diag = getattr(exc, "diag", None)
                primary = getattr(diag, "message_primary", None) or str(exc).strip().splitlines()[0]
                return False, denial_detail(code, primary)
            raise CellError(
                "%s failed with SQLSTATE %s, which is not a permission denial: %s (statement: %s)."
                % (cell, code or "(none)", _error(exc), _short(statement))
            )
    finally:
        cur.execute("ROLLBACK TO SAVEPOINT %s" % SAVEPOINT)
        cur.execute("RELEASE SAVEPOINT %s" % SAVEPOINT)
        cur.execute("RESET ROLE")


def verify(conn, spec, fixtures, lock_timeout=None, counter=None):
    """Run fixtures and every cell in one transaction, ALWAYS rolled back. Returns the module result.

    ``counter`` (a _pg_client.StatementCounter) counts the statements when given.
    Raises CellError (after rolling back) when something fails that is not a permission denial.
    """
    results = []
    try:
        with counter.cursor(conn) if counter is not None else conn.cursor() as cur:
            if lock_timeout:
                cur.execute("SET LOCAL lock_timeout = %s", ("%ds" % lock_timeout,))
            run_fixtures(cur, fixtures)
            relkinds = preflight(cur, spec["checks"], spec["identities"])
            for check, op, identity in cells(spec["checks"], spec["identities"]):
                allowed, detail = run_cell(
                    cur, check, op, identity, spec["identities"][identity], relkinds[check["table"]]
                )
                results.append((check["table"], op, identity, allowed, detail))
    except Exception as exc:
        if isinstance(exc, CellError) or not _is_db_error(exc):
            raise
        # outside a cell's own statement: the set-up, a savepoint, a lost connection
        raise CellError("Failed to run the access matrix after %d cell(s): %s." % (len(results), _error(exc)))
    finally:
        try:
            conn.rollback()
        except Exception as exc:
            # A broken connection cannot roll back; closing it makes the server discard the transaction.
            if not _is_db_error(exc):
                raise
    return dict(
        matrix=build_matrix(results),
        cells=len(results),
        mismatches=compare(results, spec["expected"]),
        tables=sorted(set(c["table"] for c in spec["checks"])),
    )
