# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the one PostgreSQL connection-string parser of the collection (libpq's own, through psycopg2).

``parts()`` reads a URI (``postgresql://user:pass@host:port/db?sslmode=require``) or a key=value string into a dict
of libpq keywords; ``with_login()`` returns the same target as a URI for another role and password (Supabase's pooler
user names ``<role>.<project-ref>`` are kept); ``is_owner_login()`` tells whether a user name is the database owner or a
Supabase administrator, which no automation may connect as. Error messages never contain the string itself.
"""

from __future__ import annotations

from ansible.module_utils.six.moves.urllib.parse import quote
from ansible_collections.insightpulseai.workbench.plugins.module_utils._runtime import SpecError

try:
    import psycopg2.extensions

    HAS_PSYCOPG2 = True
except ImportError:  # pragma: no cover - the controller's toolchain has it
    HAS_PSYCOPG2 = False

# Roles that own a Supabase database or administer it.
OWNER_ROLES = frozenset(
    [
        "postgres",
        "supabase_admin",
        "supabase_auth_admin",
        "supabase_storage_admin",
        "supabase_replication_admin",
        "supabase_read_only_user",
    ]
)


class DsnError(SpecError, ValueError):
    """A connection string libpq cannot read; the message never contains the string (it may hold a password)."""


def parts(dsn):
    """libpq keywords of ``dsn`` (host, port, dbname, user, password, sslmode, ...) as a dict of strings."""
    if not isinstance(dsn, str) or not dsn.strip():
        raise DsnError(
            "expected a PostgreSQL connection string (postgresql://user:password@host:port/db or "
            "key=value pairs), got an empty value"
        )
    if not HAS_PSYCOPG2:
        raise DsnError("psycopg2 is needed on the controller to read PostgreSQL connection strings")
    try:
        return dict(psycopg2.extensions.parse_dsn(dsn))
    except Exception as exc:  # psycopg2.ProgrammingError; its text can quote the string: keep only the reason
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        if "\"" in reason or "=" in reason:
            reason = "libpq could not parse it"
        raise DsnError(
            "not a PostgreSQL connection string (%s); expected postgresql://user:password@host:port/db or "
            "key=value pairs (the value is not shown because it may hold a password)" % reason
        )


def login_user(role, base_user):
    """The user name ``role`` logs in with through the same endpoint as ``base_user`` (``<role>.<ref>`` via Supabase's
    pooler, whose user names are ``postgres.<project-ref>``)."""
    if base_user and "." in base_user:
        return "%s.%s" % (role, base_user.split(".", 1)[1])
    return role


def role_of(user):
    """The database role behind a login name (``postgres.<ref>`` -> ``postgres``)."""
    return (user or "").split(".", 1)[0]


def is_owner_login(dsn):
    """True when ``dsn`` logs in as the database owner or a Supabase administrator (or names no user)."""
    user = parts(dsn).get("user")
    return not user or role_of(user) in OWNER_ROLES


def with_login(dsn, role, password):
    """``dsn``'s server, port, database and options as a URI that logs in as ``role`` with ``password``."""
    p = parts(dsn)
    user = login_user(role, p.get("user"))
    host = p.get("host") or "localhost"
    if ":" in host and not host.startswith("["):
        host = "[%s]" % host
    netloc = "%s:%s@%s" % (quote(user, safe=""), quote(password or "", safe=""), host)
    if p.get("port"):
        netloc += ":%s" % p["port"]
    query = "&".join(
        "%s=%s" % (k, quote(v, safe=""))
        for k, v in sorted(p.items())
        if k not in ("user", "password", "host", "port", "dbname")
    )
    return "postgresql://%s/%s%s" % (
        netloc,
        quote(p.get("dbname") or "postgres", safe=""),
        ("?" + query) if query else "",
    )
