# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the row-level-security spec layer: what a policy and a table of the spec may be, normalised.

Not a public API. Pure Python, no connection: the supabase_rls and supabase_rls_policy modules and the
supabase_schema role's preflight (plugin_utils._inputs_supabase_schema) check a spec here before anything connects;
the planner (_pg_rls) works on what this returns. Policy expressions are text pasted into ``USING (...)`` /
``WITH CHECK (...)``, so expression_problem() refuses anything but one expression (the planner's run_guarded() is the
second layer, on the server).
"""

from __future__ import annotations

import re

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _runtime
from ansible_collections.insightpulseai.workbench.plugins.module_utils._pg_migrations import sql_tokens

COMMANDS = ("ALL", "SELECT", "INSERT", "UPDATE", "DELETE")


PROBE_PREFIX = "__workbench_probe_"


POLICY_KEYS = ("name", "command", "permissive", "roles", "using", "with_check", "state")


TABLE_KEYS = ("schema", "table", "rls_enabled", "rls_forced", "policies", "purge")


# PostgreSQL's reserved key words (Appendix C, "reserved" and "reserved (can be function or type)"): an
# identifier that is one of them must be quoted. Everything else that is lower-case ASCII is left bare.
_RESERVED = frozenset(
    """all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate
    collation column concurrently constraint create cross current_catalog current_date current_role
    current_schema current_time current_timestamp current_user default deferrable desc distinct do else end
    except false fetch for foreign freeze from full grant group having ilike in initially inner intersect into
    is isnull join lateral leading left like limit localtime localtimestamp natural not notnull null offset on
    only or order outer overlaps placing primary references returning right select session_user similar some
    symmetric system_user table tablesample then to trailing true union unique user using variadic verbose when
    where window with""".split()
)


_BARE_RE = re.compile(r"^[a-z_][a-z0-9_$]*$")


# Invalid desired state: raised before anything is written (the runtime's kind, under the name callers know).
SpecError = _runtime.SpecError


def quote_ident(name):
    """Quote an identifier exactly when PostgreSQL's quote_ident() would."""
    if _BARE_RE.match(name) and name not in _RESERVED:
        return name
    return '"%s"' % name.replace('"', '""')


def qualified(schema, table):
    """``schema.table``, each part quoted when needed."""
    return "%s.%s" % (quote_ident(schema), quote_ident(table))


def role_list(roles):
    """The roles of a ``TO`` clause."""
    # PUBLIC is a key word, not a role name: it must stay unquoted.
    return ", ".join("PUBLIC" if r.lower() == "public" else quote_ident(r) for r in roles)


def _require_str(value, what):
    if not isinstance(value, str) or not value.strip():
        raise SpecError("%s must be a non-empty string, got %r." % (what, value))
    return value.strip()


def _optional_bool(value, what):
    if value is None or isinstance(value, bool):
        return value
    raise SpecError("%s must be true or false, got %r." % (what, value))


_CLAUSES = {"using": "USING (", "with_check": "WITH CHECK ("}


_UNTERMINATED = {
    "string": "a quoted string that is never closed",
    "quoted_ident": "a quoted identifier that is never closed",
    "dollar": "a dollar-quoted string that is never closed",
}


_EXCERPT = 24


def _near(text, pos):
    excerpt = text[pos : pos + _EXCERPT]
    return "%r%s" % (excerpt, "..." if len(text) > pos + _EXCERPT else "")


def expression_problem(text, clause="using"):
    """Why ``text`` cannot be pasted into ``USING (...)`` / ``WITH CHECK (...)`` as one expression, or None.

    The text must stay one expression inside the parentheses the module writes around it: no ``;`` outside quotes
    (a second statement), no comment (``--``, ``/* */``), no backslash outside quotes, parentheses that balance and
    never close more than they opened (``true) OR (true`` would close the surrounding clause), and every quote
    closed. Quotes are lexed as PostgreSQL does with standard_conforming_strings on (the modules set it for their
    transaction): ``'...'`` with doubled quotes, ``E'...'`` with backslash escapes, ``"..."`` identifiers and
    ``$$``/``$tag$`` dollar quotes, so ``;``, ``(``, ``)`` and ``--`` inside them are data.
    """
    if "\x00" in text:
        return "it contains a NUL character"
    depth = 0
    for kind, start, end, closed in sql_tokens(text):
        if kind in ("line_comment", "block_comment"):
            return "a comment at character %d (near %s): comments are not allowed in a policy expression" % (
                start + 1,
                _near(text, start),
            )
        if not closed:
            return "%s starts at character %d (near %s)" % (_UNTERMINATED[kind], start + 1, _near(text, start))
        if kind == "backslash":
            return "a backslash outside a quoted string at character %d (near %s)" % (start + 1, _near(text, start))
        if kind != "code":
            continue
        for pos in range(start, end):
            c = text[pos]
            if c == ";":
                return (
                    "';' at character %d (near %s) ends the statement: one expression only, never several statements"
                    % (pos + 1, _near(text, pos))
                )
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth < 0:
                    return (
                        "')' at character %d (near %s) closes a parenthesis the expression never opened: it would "
                        "end the %s...) written around it" % (pos + 1, _near(text, pos), _CLAUSES[clause])
                    )
    if depth:
        return "%d '(' %s never closed" % (depth, "is" if depth == 1 else "are")
    return None


def _expression(value, where, clause):
    text = _require_str(value, "%s: %s" % (where, clause))
    problem = expression_problem(text, clause)
    if problem:
        raise SpecError("%s: %s is refused, nothing was sent to the server: %s." % (where, clause, problem))
    return text


def normalize_policy(raw, where, default_roles=("authenticated",)):
    """Validate one policy dict and return it in canonical form."""
    if not isinstance(raw, dict):
        raise SpecError("%s: a policy must be a mapping, got %r." % (where, raw))
    unknown = sorted(set(raw) - set(POLICY_KEYS))
    if unknown:
        raise SpecError(
            "%s: unknown key(s) %s; expected some of %s." % (where, ", ".join(unknown), ", ".join(POLICY_KEYS))
        )
    name = _require_str(raw.get("name"), "%s: name" % where)
    where = "%s policy %s" % (where, name)
    if len(name.encode("utf-8")) > 63:
        raise SpecError("%s: the name is longer than PostgreSQL's 63-byte identifier limit." % where)
    if name.startswith(PROBE_PREFIX):
        raise SpecError("%s: names starting with %s are reserved." % (where, PROBE_PREFIX))
    state = raw.get("state") or "present"
    if state not in ("present", "absent"):
        raise SpecError("%s: state must be present or absent, got %r." % (where, state))
    command = str(raw.get("command") or "ALL").upper()
    if command not in COMMANDS:
        raise SpecError("%s: command %r is not one of %s." % (where, raw.get("command"), ", ".join(COMMANDS)))
    permissive = raw.get("permissive", True)
    permissive = True if permissive is None else _optional_bool(permissive, "%s: permissive" % where)
    roles = raw.get("roles")
    if roles is None:
        roles = list(default_roles)
    if isinstance(roles, str):
        roles = [roles]
    if not isinstance(roles, (list, tuple)) or not roles:
        raise SpecError("%s: roles must be a non-empty list of role names, got %r." % (where, raw.get("roles")))
    roles = [_require_str(r, "%s: role" % where) for r in roles]
    roles = tuple(sorted(set("public" if r.lower() == "public" else r for r in roles)))
    using = raw.get("using")
    with_check = raw.get("with_check")
    using = None if using is None else _expression(using, where, "using")
    with_check = None if with_check is None else _expression(with_check, where, "with_check")
    if state == "present":
        if command == "INSERT" and using is not None:
            raise SpecError("%s: an INSERT policy takes only with_check (PostgreSQL rejects USING for INSERT)." % where)
        if command in ("SELECT", "DELETE") and with_check is not None:
            raise SpecError(
                "%s: a %s policy takes only using (PostgreSQL rejects WITH CHECK for it)." % (where, command)
            )
        if using is None and with_check is None:
            raise SpecError("%s: give using and/or with_check; a policy without either grants nothing useful." % where)
    return dict(
        name=name, state=state, command=command, permissive=permissive, roles=roles, using=using, with_check=with_check
    )


def normalize_table(raw, default_rls_enabled=True, default_purge=False):
    """Validate one table entry (its policies too) and return it in canonical form."""
    if not isinstance(raw, dict):
        raise SpecError("Each table entry must be a mapping, got %r." % (raw,))
    unknown = sorted(set(raw) - set(TABLE_KEYS))
    if unknown:
        raise SpecError(
            "Table entry %r: unknown key(s) %s; expected some of %s."
            % (raw.get("table"), ", ".join(unknown), ", ".join(TABLE_KEYS))
        )
    schema = _require_str(raw.get("schema", "public"), "Table entry schema")
    table = _require_str(raw.get("table"), "Table entry %s.<table>" % schema)
    where = "Table %s.%s" % (schema, table)
    rls_enabled = raw.get("rls_enabled", default_rls_enabled)
    rls_enabled = _optional_bool(rls_enabled, "%s: rls_enabled" % where)
    rls_forced = _optional_bool(raw.get("rls_forced"), "%s: rls_forced" % where)
    purge = raw.get("purge", default_purge)
    purge = bool(_optional_bool(purge, "%s: purge" % where))
    policies_raw = raw.get("policies") or []
    if not isinstance(policies_raw, list):
        raise SpecError("%s: policies must be a list, got %r." % (where, policies_raw))
    policies = []
    seen = set()
    for item in policies_raw:
        policy = normalize_policy(item, where)
        if policy["name"] in seen:
            raise SpecError("%s: policy %s is listed twice." % (where, policy["name"]))
        seen.add(policy["name"])
        policies.append(policy)
    return dict(
        schema=schema, table=table, rls_enabled=rls_enabled, rls_forced=rls_forced, purge=purge, policies=policies
    )


def normalize_table_names(names, what):
    """A list of ``schema.table`` strings -> a frozenset of them; SpecError naming the first bad entry."""
    if not isinstance(names, (list, tuple)):
        raise SpecError("%s must be a list of schema.table names, got %r." % (what, names))
    for name in names:
        if not isinstance(name, str) or name.count(".") != 1 or not all(part.strip() for part in name.split(".")):
            raise SpecError("%s: %r is not a schema.table name (for example ip_workbench.domains)." % (what, name))
    return frozenset(names)


def normalize_spec(tables, default_purge=False):
    """Validate the whole list of table entries; SpecError on the first problem."""
    if not isinstance(tables, list):
        raise SpecError("tables must be a list of table entries, got %r." % (tables,))
    result = []
    seen = set()
    for raw in tables:
        table = normalize_table(raw, default_purge=default_purge)
        key = (table["schema"], table["table"])
        if key in seen:
            raise SpecError("Table %s.%s appears twice in the spec; merge its entries." % key)
        seen.add(key)
        result.append(table)
    return result
