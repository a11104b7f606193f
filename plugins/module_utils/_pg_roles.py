# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: least-privileged PostgreSQL login roles for automation (spec, read, plan).

The planner is pure: ``normalize_roles()`` validates the spec before anything is sent, ``read_role()`` reads one
role's current state, ``plan_role()`` turns (desired, current) into a list of ``Action``s. Passwords never appear in
an action's description, a diff or an error: a password is compared by logging in with it (the only check that works
on Supabase, where ``pg_authid`` is not readable), and set as a SCRAM verifier computed on the controller, so the
plain text never reaches the server's statement log either.
"""

from __future__ import annotations

import re

from ansible_collections.insightpulseai.workbench.plugins.module_utils._pg_client import pgsql
from ansible_collections.insightpulseai.workbench.plugins.module_utils._runtime import SpecError

IDENTIFIER_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
SETTING_RE = re.compile(r"^[a-z_][a-z0-9_.]{0,62}$")
# Schemas a login role of this module may never own: Supabase's and PostgreSQL's own, and the workbench's.
RESERVED_SCHEMAS = frozenset(
    [
        "public",
        "auth",
        "extensions",
        "storage",
        "realtime",
        "graphql",
        "graphql_public",
        "vault",
        "pgsodium",
        "supabase_migrations",
        "information_schema",
        "ip_workbench",
        "ip_workbench_private",
        "ip_workbench_runner",
        "bronze",
        "silver",
        "gold",
        "platinum",
    ]
)
RESERVED_ROLES = frozenset(
    [
        "postgres",
        "supabase_admin",
        "supabase_auth_admin",
        "supabase_storage_admin",
        "authenticator",
        "anon",
        "authenticated",
        "service_role",
        "pgbouncer",
        "dashboard_user",
        "public",
    ]
)
# Attributes a role managed here never has.
FORBIDDEN_ATTRIBUTES = ("rolsuper", "rolcreaterole", "rolcreatedb", "rolreplication", "rolbypassrls")
_ATTRIBUTE_SQL = {
    "rolsuper": "NOSUPERUSER",
    "rolcreaterole": "NOCREATEROLE",
    "rolcreatedb": "NOCREATEDB",
    "rolreplication": "NOREPLICATION",
    "rolbypassrls": "NOBYPASSRLS",
}


class RoleSpecError(SpecError, ValueError):
    """The role spec is invalid; raised before anything is sent to the server (a ValueError too, as it was)."""


class Action(object):
    """One statement of a plan: a secret-free description, the SQL and its parameters."""

    __slots__ = ("role", "description", "query", "params", "sets_password")

    def __init__(self, role, description, query, params=None, sets_password=False):
        self.role = role
        self.description = description
        self.query = query
        self.params = params
        self.sets_password = sets_password


def normalize_roles(roles):
    """Validate and complete the ``roles`` option; raise RoleSpecError naming the role and the bad value."""
    if not isinstance(roles, list) or not roles:
        raise RoleSpecError("roles must be a non-empty list of {name, ...} mappings.")
    out = []
    seen = set()
    for index, raw in enumerate(roles):
        if not isinstance(raw, dict):
            raise RoleSpecError("roles[%d] must be a mapping, got %s." % (index, type(raw).__name__))
        name = raw.get("name")
        if not isinstance(name, str) or not IDENTIFIER_RE.match(name):
            raise RoleSpecError(
                "roles[%d].name=%r is not a role name: expected lower-case letters, digits and '_' (at most 63, not "
                "starting with a digit)." % (index, name)
            )
        if name in RESERVED_ROLES or name.startswith("pg_"):
            raise RoleSpecError(
                "roles[%d].name=%r is a Supabase or PostgreSQL role; this module manages only the collection's own "
                "least-privileged login roles." % (index, name)
            )
        if name in seen:
            raise RoleSpecError("roles[%d].name=%r is listed twice." % (index, name))
        seen.add(name)
        state = raw.get("state") or "present"
        if state not in ("present", "absent"):
            raise RoleSpecError("roles[%d] (%s): state=%r, expected present or absent." % (index, name, state))
        login = True if raw.get("login") is None else raw.get("login")
        if not isinstance(login, bool):
            raise RoleSpecError("roles[%d] (%s): login=%r, expected true or false." % (index, name, login))
        inherit = False if raw.get("inherit") is None else raw.get("inherit")
        if not isinstance(inherit, bool):
            raise RoleSpecError("roles[%d] (%s): inherit=%r, expected true or false." % (index, name, inherit))
        password = raw.get("password")
        if password is not None and (not isinstance(password, str) or len(password) < 16):
            # The value is never echoed: only its kind and length.
            raise RoleSpecError(
                "roles[%d] (%s): the password must be a string of at least 16 characters (got %s)."
                % (
                    index,
                    name,
                    "%d characters" % len(password) if isinstance(password, str) else type(password).__name__,
                )
            )
        limit = -1 if raw.get("connection_limit") is None else raw.get("connection_limit")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < -1:
            raise RoleSpecError(
                "roles[%d] (%s): connection_limit=%r, expected -1 (no limit) or a number of connections."
                % (index, name, limit)
            )
        settings = raw.get("settings")
        if settings is not None:
            if not isinstance(settings, dict):
                raise RoleSpecError("roles[%d] (%s): settings must be a mapping of parameter: value." % (index, name))
            clean = {}
            for key, value in settings.items():
                if not isinstance(key, str) or not SETTING_RE.match(key) or key in ("role", "session_authorization"):
                    raise RoleSpecError(
                        "roles[%d] (%s): settings key %r is not a settable parameter name." % (index, name, key)
                    )
                if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
                    raise RoleSpecError(
                        "roles[%d] (%s): settings.%s=%r, expected a string or a number." % (index, name, key, value)
                    )
                clean[key] = str(value)
            settings = clean
        owned = raw.get("owned_schemas") or []
        if not isinstance(owned, list):
            raise RoleSpecError("roles[%d] (%s): owned_schemas must be a list of schema names." % (index, name))
        for schema in owned:
            if not isinstance(schema, str) or not IDENTIFIER_RE.match(schema):
                raise RoleSpecError("roles[%d] (%s): owned_schemas has %r, not a schema name." % (index, name, schema))
            if schema in RESERVED_SCHEMAS or schema.startswith("pg_"):
                raise RoleSpecError(
                    "roles[%d] (%s): owned_schemas has %r, a Supabase, PostgreSQL or workbench schema that an "
                    "automation role must never own." % (index, name, schema)
                )
        out.append(
            dict(
                name=name,
                state=state,
                login=login,
                inherit=inherit,
                password=password,
                connection_limit=limit,
                settings=settings,
                owned_schemas=sorted(set(owned)),
            )
        )
    return out


def read_role(cur, name, owned_schemas=()):
    """The current state of one role (None when it does not exist), with ``schemas``: the state of the schemas it
    should own (see read_schemas)."""
    cur.execute(
        "SELECT rolcanlogin, rolinherit, rolconnlimit, rolsuper, rolcreaterole, rolcreatedb, rolreplication, "
        "rolbypassrls FROM pg_catalog.pg_roles WHERE rolname = %s",
        (name,),
    )
    row = cur.fetchone()
    if row is None:
        return None
    current = dict(login=row[0], inherit=row[1], connection_limit=row[2])
    current.update(dict(zip(FORBIDDEN_ATTRIBUTES, row[3:])))
    cur.execute(
        "SELECT s.setconfig FROM pg_catalog.pg_db_role_setting AS s JOIN pg_catalog.pg_roles AS r ON r.oid = s.setrole "
        "WHERE r.rolname = %s AND s.setdatabase = 0",
        (name,),
    )
    settings = {}
    for (config,) in cur.fetchall():
        for item in config or []:
            key, dummy, value = item.partition("=")
            settings[key] = value
    current["settings"] = settings
    current["schemas"] = read_schemas(cur, name, owned_schemas)
    return current


def read_schemas(cur, name, owned_schemas):
    """Per schema: its owner (None when it does not exist) and the objects in it that ``name`` does not own."""
    schemas = {}
    for schema in owned_schemas:
        cur.execute(
            "SELECT pg_catalog.pg_get_userbyid(nspowner) FROM pg_catalog.pg_namespace WHERE nspname = %s", (schema,)
        )
        found = cur.fetchone()
        foreign = []
        if found is not None:
            # Relations (sequences owned by a table follow it), functions and standalone types in the schema that the
            # role does not own yet.
            cur.execute(
                "SELECT 'table', c.relname, c.relkind FROM pg_catalog.pg_class AS c "
                "JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') "
                "AND pg_catalog.pg_get_userbyid(c.relowner) <> %s "
                "AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend AS d WHERE d.objid = c.oid "
                "AND d.classid = 'pg_catalog.pg_class'::regclass AND d.deptype IN ('a', 'i') "
                "AND d.refclassid = 'pg_catalog.pg_class'::regclass) "
                "UNION ALL "
                "SELECT 'function', p.oid::regprocedure::text, p.prokind FROM pg_catalog.pg_proc AS p "
                "JOIN pg_catalog.pg_namespace AS n ON n.oid = p.pronamespace "
                "WHERE n.nspname = %s AND pg_catalog.pg_get_userbyid(p.proowner) <> %s "
                "UNION ALL "
                "SELECT 'type', t.typname, t.typtype FROM pg_catalog.pg_type AS t "
                "JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace "
                "WHERE n.nspname = %s AND t.typtype IN ('e', 'd', 'r', 'm') "
                "AND pg_catalog.pg_get_userbyid(t.typowner) <> %s "
                "ORDER BY 1, 2",
                (schema, name, schema, name, schema, name),
            )
            foreign = [tuple(r) for r in cur.fetchall()]
        schemas[schema] = dict(owner=found[0] if found else None, foreign=foreign)
    return schemas


_RELKIND_SQL = {
    "r": "TABLE",
    "p": "TABLE",
    "v": "VIEW",
    "m": "MATERIALIZED VIEW",
    "S": "SEQUENCE",
    "f": "FOREIGN TABLE",
}
_TYPE_SQL = {"e": "TYPE", "r": "TYPE", "m": "TYPE", "d": "DOMAIN"}


def plan_role(desired, current, password_ok, schemas=None):
    """Actions that bring one role from ``current`` (read_role) to ``desired`` (normalize_roles).

    ``password_ok`` is True when logging in with the desired password worked, False when it was refused, None when
    no password is managed or the role cannot log in yet. ``schemas`` (read_schemas) is the state of the schemas to
    own when the role does not exist yet (an existing role carries it as ``current["schemas"]``).
    """
    name = desired["name"]
    ident = pgsql.Identifier(name)
    actions = []
    if desired["state"] == "absent":
        if current is not None:
            actions.append(Action(name, "drop role %s" % name, pgsql.SQL("DROP ROLE {}").format(ident)))
        return actions
    if current is None:
        attributes = "LOGIN" if desired["login"] else "NOLOGIN"
        attributes += " INHERIT" if desired["inherit"] else " NOINHERIT"
        actions.append(
            Action(
                name,
                "create role %s (%s)" % (name, attributes.lower()),
                pgsql.SQL(
                    "CREATE ROLE {} " + attributes + " NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS "
                    "CONNECTION LIMIT {}"
                ).format(ident, pgsql.Literal(desired["connection_limit"])),
            )
        )
        current = dict(
            login=desired["login"],
            inherit=desired["inherit"],
            connection_limit=desired["connection_limit"],
            settings={},
            schemas=schemas or {},
        )
        current.update(dict((attr, False) for attr in FORBIDDEN_ATTRIBUTES))
        password_ok = False if desired["password"] is not None else None
    else:
        changes = []
        if current["login"] != desired["login"]:
            changes.append("LOGIN" if desired["login"] else "NOLOGIN")
        if current["inherit"] != desired["inherit"]:
            changes.append("INHERIT" if desired["inherit"] else "NOINHERIT")
        changes.extend(_ATTRIBUTE_SQL[attr] for attr in FORBIDDEN_ATTRIBUTES if current.get(attr))
        if changes:
            actions.append(
                Action(
                    name,
                    "alter role %s %s" % (name, " ".join(changes).lower()),
                    pgsql.SQL("ALTER ROLE {} " + " ".join(changes)).format(ident),
                )
            )
        if current["connection_limit"] != desired["connection_limit"]:
            actions.append(
                Action(
                    name,
                    "alter role %s connection limit %d (was %d)"
                    % (name, desired["connection_limit"], current["connection_limit"]),
                    pgsql.SQL("ALTER ROLE {} CONNECTION LIMIT {}").format(
                        ident, pgsql.Literal(desired["connection_limit"])
                    ),
                )
            )
        if desired["login"] and not current["login"] and desired["password"] is not None:
            password_ok = False  # it could not be tried while the role could not log in
    if desired["password"] is not None and password_ok is False:
        actions.append(Action(name, "set the password of %s" % name, None, sets_password=True))
    if desired["settings"] is not None:
        have = current.get("settings") or {}
        for key in sorted(desired["settings"]):
            if have.get(key) != desired["settings"][key]:
                actions.append(
                    Action(
                        name,
                        "alter role %s set %s = %s" % (name, key, desired["settings"][key]),
                        pgsql.SQL("ALTER ROLE {} SET {} = {}").format(
                            ident, pgsql.Identifier(key), pgsql.Literal(desired["settings"][key])
                        ),
                    )
                )
        for key in sorted(set(have) - set(desired["settings"])):
            actions.append(
                Action(
                    name,
                    "alter role %s reset %s" % (name, key),
                    pgsql.SQL("ALTER ROLE {} RESET {}").format(ident, pgsql.Identifier(key)),
                )
            )
    for schema in desired["owned_schemas"]:
        state = (current.get("schemas") or {}).get(schema) or dict(owner=None, foreign=[])
        sident = pgsql.Identifier(schema)
        if state["owner"] is None:
            actions.append(
                Action(
                    name,
                    "create schema %s owned by %s" % (schema, name),
                    pgsql.SQL("CREATE SCHEMA {} AUTHORIZATION {}").format(sident, ident),
                )
            )
            continue
        if state["owner"] != name:
            actions.append(
                Action(
                    name,
                    "alter schema %s owner to %s (was %s)" % (schema, name, state["owner"]),
                    pgsql.SQL("ALTER SCHEMA {} OWNER TO {}").format(sident, ident),
                )
            )
        for kind, obj, sub in state["foreign"]:
            if kind == "table":
                query = pgsql.SQL("ALTER " + _RELKIND_SQL[sub] + " {}.{} OWNER TO {}").format(
                    sident, pgsql.Identifier(obj), ident
                )
            elif kind == "function":
                # regprocedure text is already a qualified, quoted signature
                query = pgsql.SQL("ALTER ROUTINE " + obj + " OWNER TO {}").format(ident)
            else:
                query = pgsql.SQL("ALTER " + _TYPE_SQL[sub] + " {}.{} OWNER TO {}").format(
                    sident, pgsql.Identifier(obj), ident
                )
            actions.append(Action(name, "alter %s %s.%s owner to %s" % (kind, schema, obj, name), query))
    return actions


def describe_state(desired, current, password_ok):
    """A secret-free snapshot for the diff: attributes, settings, owned schemas and whether the password works."""
    if current is None:
        return dict(name=desired["name"], exists=False)
    out = dict(
        name=desired["name"],
        exists=True,
        login=current["login"],
        inherit=current["inherit"],
        connection_limit=current["connection_limit"],
        settings=current.get("settings") or {},
    )
    if desired.get("owned_schemas"):
        out["owned_schemas"] = dict(
            (s, (current.get("schemas") or {}).get(s, {}).get("owner")) for s in desired["owned_schemas"]
        )
    if desired.get("password") is not None:
        out["password"] = {True: "accepted", False: "refused", None: "not checked"}[password_ok]
    return out


def desired_state(desired):
    """The diff's 'after' side for one role."""
    if desired["state"] == "absent":
        return dict(name=desired["name"], exists=False)
    out = dict(
        name=desired["name"],
        exists=True,
        login=desired["login"],
        inherit=desired["inherit"],
        connection_limit=desired["connection_limit"],
    )
    if desired["settings"] is not None:
        out["settings"] = desired["settings"]
    if desired["owned_schemas"]:
        out["owned_schemas"] = dict((s, desired["name"]) for s in desired["owned_schemas"])
    if desired["password"] is not None:
        out["password"] = "accepted"
    return out
