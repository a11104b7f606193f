# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the one way this collection talks to PostgreSQL.

Not a public API; it can change at any time. Modules get their connection options from
``postgres_argument_spec()`` (documented by the ``_postgres`` doc fragment), a connection from ``connect()`` and
their run from ``PostgresRun``: one transaction per run (``transaction()``) and every statement counted as a read
or a write (``StatementCounter``) for the result's ``requests``.
"""

from __future__ import annotations

import contextlib
import re
import traceback

from ansible.module_utils.basic import env_fallback, missing_required_lib
from ansible_collections.insightpulseai.workbench.plugins.module_utils._runtime import (
    ModuleRun,
    ServiceError,
    WorkbenchError,
)

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

__all__ = [
    "pgsql",
    "postgres_argument_spec",
    "connect",
    "connection_user",
    "ensure_library",
    "pg_error_message",
    "describe_target",
    "StatementCounter",
    "transaction",
    "PostgresRun",
]


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


def ensure_library():
    """Raise a WorkbenchError (with the import traceback) when psycopg2 is not installed."""
    if psycopg2 is None:
        raise WorkbenchError(missing_required_lib("psycopg2 (or psycopg2-binary)"), exception=PSYCOPG2_IMPORT_ERROR)


# TCP keepalives on every connection: a half-open connection (a server or a path that died without a FIN) is noticed
# within about idle + interval * count seconds, instead of blocking the module for ever.
KEEPALIVES = dict(keepalives=1, keepalives_idle=30, keepalives_interval=10, keepalives_count=3)
# Refusals of a login (wrong password, no such role, may not log in): SQLSTATE 28P01, 28000.
_REFUSED_SQLSTATES = frozenset(("28P01", "28000"))


def _open(dsn, kwargs):
    """``psycopg2.connect`` with the keepalives (the only call of it in the collection)."""
    ensure_library()
    options = dict(KEEPALIVES)
    options.update(kwargs)
    return psycopg2.connect(dsn, **options)


def _first_line(exc):
    text = str(exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


def connect(module):
    """Open a connection (autocommit off: every module decides where its transactions end), with TCP keepalives
    and the module's ``connect_timeout``.

    Raises ServiceError (nothing written) when the server cannot be reached or refuses the login."""
    dsn, kwargs = connection_kwargs(module.params)
    try:
        conn = _open(dsn, kwargs)
    except psycopg2.Error as exc:
        # libpq messages can echo the DSN it was given; they never contain the password itself,
        # but be strict and only report the target and the first line of the server's reason.
        raise ServiceError(
            "Failed to connect to PostgreSQL at %s: %s" % (describe_target(module.params), _first_line(exc))
        )
    conn.autocommit = False
    return conn


def login_refused(exc):
    """Whether a failed connection means "this login was refused" (wrong password, unknown role, no login right)."""
    text = str(exc)
    return (
        getattr(exc, "pgcode", None) in _REFUSED_SQLSTATES
        or "password authentication failed" in text
        or "not permitted to log in" in text
        or "does not exist" in text
        or "no password" in text
    )


def try_login(params, user, password):
    """True when ``user`` logs in with ``password`` at the target of the connection options ``params``, False when
    the login is refused; ServiceError on any other connection error (the server is down, ...)."""
    dsn, kwargs = connection_kwargs(params)
    kwargs = dict(kwargs, user=user, password=password)
    try:
        conn = _open(dsn, kwargs)
    except psycopg2.OperationalError as exc:
        if login_refused(exc):
            return False
        raise ServiceError(
            "Could not try the login of %s at %s: %s" % (user, describe_target(params), _first_line(exc))
        )
    conn.close()
    return True


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


# ---------------------------------------------------------------------------------------------------------
# Counting statements, one transaction per run
# ---------------------------------------------------------------------------------------------------------

# A statement reads when it starts (after comments) with SELECT, SHOW, VALUES or TABLE, or is a WITH query without a
# data-modifying part; everything else (DDL, DML, SET, SAVEPOINT, DO, ...) counts as a write.
_FIRST_WORD_RE = re.compile(r"^(?:\s+|--[^\n]*(?:\n|$)|/\*.*?\*/)*([A-Za-z]+)", re.DOTALL)
_READ_WORDS = frozenset(["select", "show", "values", "table"])
_MODIFYING_RE = re.compile(r"\b(?:insert|update|delete|merge)\b", re.IGNORECASE)


def is_read(statement):
    """Whether a statement's text (str or bytes) only reads: see the rule above."""
    if isinstance(statement, bytes):
        statement = statement.decode("utf-8", "replace")
    match = _FIRST_WORD_RE.match(statement)
    word = match.group(1).lower() if match else ""
    if word == "with":
        return not _MODIFYING_RE.search(statement)
    return word in _READ_WORDS


class StatementCounter:
    """Counts the statements run through its cursors, as reads and writes (``is_read``)."""

    def __init__(self):
        self.reads = 0
        self.writes = 0

    def count(self, statement, context=None, times=1):
        """Count ``times`` executions of ``statement`` (text, or a psycopg2.sql object rendered with ``context``)."""
        if pgsql is not None and isinstance(statement, pgsql.Composable):
            statement = statement.as_string(context)
        if is_read(statement):
            self.reads += times
        else:
            self.writes += times

    def cursor(self, conn):
        """A counting cursor of ``conn``."""
        return CountingCursor(conn.cursor(), self)

    def as_dict(self):
        """The counts as the result's ``requests``."""
        return dict(reads=self.reads, writes=self.writes)


class CountingCursor:
    """A psycopg2 cursor whose execute()/executemany() are counted by a StatementCounter (a statement that fails
    still counts: it was sent). Everything else is the cursor's own."""

    def __init__(self, cursor, counter):
        self._cursor = cursor
        self._counter = counter

    def execute(self, query, vars=None):  # pylint: disable=redefined-builtin
        """Count and run one statement."""
        self._counter.count(query, self._cursor)
        return self._cursor.execute(query, vars)

    def executemany(self, query, vars_list):
        """Count and run one statement once per parameter set."""
        vars_list = list(vars_list)
        self._counter.count(query, self._cursor, times=len(vars_list))
        return self._cursor.executemany(query, vars_list)

    def __getattr__(self, name):
        return getattr(self._cursor, name)

    def __iter__(self):
        return iter(self._cursor)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        return self._cursor.__exit__(exc_type, exc, tb)


def _rollback_quietly(conn):
    try:
        conn.rollback()
    except Exception:  # noqa: BLE001 - a broken connection cannot roll back; closing it discards the transaction
        pass


@contextlib.contextmanager
def transaction(conn, commit):
    """One transaction on ``conn``, which is closed at the end: committed when the block ends without an exception
    and ``commit()`` is true, rolled back otherwise and on any exception. Raises ServiceError when the commit fails."""
    try:
        yield conn
        if commit():
            try:
                conn.commit()
            except psycopg2.Error as exc:
                raise ServiceError("Failed to commit the transaction (nothing was changed): %s" % pg_error_message(exc))
        else:
            conn.rollback()
    except BaseException:
        _rollback_quietly(conn)
        raise
    finally:
        conn.close()


class PostgresRun(ModuleRun):
    """A ModuleRun on one PostgreSQL connection. ``session()`` connects and opens one transaction, committed only when
    not in check mode and ``self.applied`` was set by apply(); ``self.cur`` is a counting cursor on it (opened on
    first use) and ``requests()`` the real statement counts."""

    def __init__(self, module):
        ModuleRun.__init__(self, module)
        self.counter = StatementCounter()
        self.conn = None
        self.applied = False
        self._cur = None

    @property
    def cur(self):
        """The run's counting cursor on its connection."""
        if self._cur is None:
            self._cur = self.counter.cursor(self.conn)
        return self._cur

    def open(self):
        """The connection of the run (``connect()``)."""
        return connect(self.module)

    def session(self):
        """Connect; one transaction around read, plan and apply; the connection is closed afterwards."""
        self.conn = self.open()
        return transaction(self.conn, lambda: self.applied and not self.check_mode)

    def requests(self):
        """The statements run so far, as reads and writes."""
        return self.counter.as_dict()
