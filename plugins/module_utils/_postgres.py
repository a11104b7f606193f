# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the one way this collection talks to PostgreSQL.

Not a public API; it can change at any time. Modules get their connection options from
``postgres_argument_spec()`` (documented by the ``_postgres`` doc fragment) and a connection
from ``connect()``.
"""

from __future__ import annotations

import traceback

from ansible.module_utils.basic import env_fallback, missing_required_lib

PSYCOPG2_IMPORT_ERROR = None
try:
    import psycopg2
    import psycopg2.extensions
    from psycopg2 import sql as pgsql
except ImportError:  # pragma: no cover - exercised only without the library
    psycopg2 = None
    pgsql = None
    PSYCOPG2_IMPORT_ERROR = traceback.format_exc()

APPLICATION_NAME = "insightpulseai.workbench"

__all__ = ["pgsql", "postgres_argument_spec", "connect", "connection_user", "ensure_library", "pg_error_message",
           "describe_target"]


def postgres_argument_spec():
    """Connection options shared by every Postgres module of the collection."""
    return dict(
        login_dsn=dict(
            type="str",
            no_log=True,
            aliases=["dsn"],
            fallback=(env_fallback, ["SUPABASE_DB_URL", "WORKBENCH_PG_DSN"]),
        ),
        login_host=dict(type="str", aliases=["host"]),
        login_port=dict(type="int", aliases=["port"]),
        login_user=dict(type="str", aliases=["user"]),
        login_password=dict(type="str", no_log=True, aliases=["password"]),
        login_db=dict(type="str", aliases=["db", "database"]),
        ssl_mode=dict(
            type="str",
            choices=["allow", "disable", "prefer", "require", "verify-ca", "verify-full"],
        ),
        connect_timeout=dict(type="int", default=10),
    )


def connection_kwargs(params):
    """Translate module parameters into psycopg2.connect() keyword arguments.

    ``login_dsn`` is a libpq connection string or URI; the discrete ``login_*`` options override its parts.
    """
    mapping = (
        ("login_host", "host"),
        ("login_port", "port"),
        ("login_user", "user"),
        ("login_password", "password"),
        ("login_db", "dbname"),
        ("ssl_mode", "sslmode"),
        ("connect_timeout", "connect_timeout"),
    )
    kwargs = {"application_name": APPLICATION_NAME}
    for option, keyword in mapping:
        value = params.get(option)
        if value is not None:
            kwargs[keyword] = value
    return params.get("login_dsn") or "", kwargs


def connection_user(params):
    """The user name the module connects as, as given (``login_user``, else the DSN's), or None."""
    dsn, kwargs = connection_kwargs(params)
    if kwargs.get("user"):
        return kwargs["user"]
    if dsn:
        try:
            return psycopg2.extensions.parse_dsn(dsn).get("user")
        except Exception:  # noqa: BLE001 - an unparsable DSN is reported by connect()
            return None
    return None


def describe_target(params):
    """A secret-free description of where we connect, for error messages."""
    dsn, kwargs = connection_kwargs(params)
    parts = {}
    if dsn:
        try:
            parsed = psycopg2.extensions.parse_dsn(dsn)
        except Exception:  # noqa: BLE001 - an unparsable DSN is reported by connect()
            parsed = {}
        parts.update({k: v for k, v in parsed.items() if k in ("host", "port", "dbname", "user")})
    parts.update({k: v for k, v in kwargs.items() if k in ("host", "port", "dbname", "user")})
    host = parts.get("host", "<default>")
    port = parts.get("port", "5432")
    return "%s@%s:%s/%s" % (parts.get("user", "<default>"), host, port, parts.get("dbname", "<default>"))


def ensure_library(module):
    if psycopg2 is None:
        module.fail_json(msg=missing_required_lib("psycopg2 (or psycopg2-binary)"), exception=PSYCOPG2_IMPORT_ERROR)


def connect(module):
    """Open a connection (autocommit off: every module decides where its transactions end)."""
    ensure_library(module)
    dsn, kwargs = connection_kwargs(module.params)
    try:
        conn = psycopg2.connect(dsn, **kwargs)
    except psycopg2.Error as exc:
        # libpq messages can echo the DSN it was given; they never contain the password itself,
        # but be strict and only report the target and the first line of the server's reason.
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
        module.fail_json(msg="Failed to connect to PostgreSQL at %s: %s" % (describe_target(module.params), reason))
    conn.autocommit = False
    return conn


def pg_error_message(exc):
    """One line describing a psycopg2 error: SQLSTATE, message, detail and hint."""
    diag = getattr(exc, "diag", None)
    pieces = []
    if getattr(exc, "pgcode", None):
        pieces.append("[%s]" % exc.pgcode)
    primary = getattr(diag, "message_primary", None) if diag else None
    pieces.append(primary or str(exc).strip().splitlines()[0])
    for label, attr in (("detail", "message_detail"), ("hint", "message_hint")):
        value = getattr(diag, attr, None) if diag else None
        if value:
            pieces.append("%s: %s" % (label, value))
    return " ".join(pieces)
