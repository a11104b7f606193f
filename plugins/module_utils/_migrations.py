# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: Supabase-CLI-compatible migration files, history (ledger) and runner.

The Supabase CLI (supabase/cli ``pkg/migration``) names files ``<version>_<name>.sql``, splits each file into
statements with a small state machine (``pkg/parser``: statements keep their comments, lose the trailing
``;`` and surrounding white space) and records each applied file as one row of
``supabase_migrations.schema_migrations(version, name, statements)``. This module reproduces that, so
``supabase migration list`` keeps working on a database managed by this collection, and plans what to do
by comparing files with the recorded history.
"""

from __future__ import annotations

import hashlib
import os
import re

from ansible_collections.insightpulseai.workbench.plugins.module_utils._postgres import pg_error_message, pgsql

MIGRATION_RE = re.compile(r"^([0-9]+)_(.*)\.sql$")
_DOLLAR_TAG_RE = re.compile(r"\$([A-Za-z_\x80-\uffff][A-Za-z0-9_\x80-\uffff]*)?\$")
_WS_RE = re.compile(r"\s+")


class MigrationError(Exception):
    """A problem with the files or the history that must stop the run before anything is written."""


class Migration(object):
    __slots__ = ("version", "name", "filename", "statements", "lines")

    def __init__(self, version, name, filename, statements, lines=None):
        self.version = version
        self.name = name
        self.filename = filename
        self.statements = statements
        self.lines = lines or [None] * len(statements)

    def to_dict(self):
        return {"version": self.version, "name": self.name, "file": self.filename}


def split_statements(text):
    """Split SQL text into statements the way ``supabase/cli`` ``parser.SplitAndTrim`` does.

    Semicolons inside quotes, quoted identifiers, dollar-quoted bodies and (nested) block comments do not
    split; ``--`` comments run to the end of the line. Each statement keeps its own leading comments.
    Empty statements are dropped.
    """
    statements = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "-" and text.startswith("--", i):
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c == "/" and text.startswith("/*", i):
            depth = 1
            i += 2
            while i < n and depth:
                if text.startswith("/*", i):
                    depth += 1
                    i += 2
                elif text.startswith("*/", i):
                    depth -= 1
                    i += 2
                else:
                    i += 1
            continue
        if c in ("'", '"'):
            i += 1
            while i < n:
                if text[i] == c:
                    if i + 1 < n and text[i + 1] == c:  # doubled quote is an escaped quote
                        i += 2
                        continue
                    i += 1
                    break
                i += 1
            continue
        if c == "$":
            m = _DOLLAR_TAG_RE.match(text, i)
            # A $n positional parameter or an identifier containing $ is not a dollar quote.
            if m and not (i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")):
                tag = m.group(0)
                end = text.find(tag, m.end())
                i = n if end < 0 else end + len(tag)
                continue
            i += 1
            continue
        if c == "\\":
            i += 2
            continue
        if c == ";":
            _append(statements, text[start:i])
            start = i + 1
        i += 1
    _append(statements, text[start:])
    return statements


def _append(statements, chunk):
    chunk = chunk.strip().rstrip(";").strip()
    if chunk:
        statements.append(chunk)


def statement_lines(text, statements):
    """1-based line number where each statement starts, for error messages."""
    lines = []
    pos = 0
    for statement in statements:
        found = text.find(statement, pos)
        if found < 0:
            lines.append(None)
            continue
        lines.append(text.count("\n", 0, found) + 1)
        pos = found + len(statement)
    return lines


def fingerprint(statements):
    """Statements reduced to what matters for 'was this file edited': white space is not significant."""
    return _WS_RE.sub(" ", " ".join(s.strip() for s in statements or [])).strip()


def load_migrations(path):
    """Read migration files from ``path`` in version order.

    Returns ``(migrations, skipped)``: the parsed migrations and the names of ``.sql``-less or badly named
    files that were ignored (the CLI skips them too). Fails on two files with the same version.
    """
    if not os.path.isdir(path):
        raise MigrationError("Migration directory %s does not exist or is not a directory." % path)
    migrations = []
    skipped = []
    seen = {}
    for filename in sorted(os.listdir(path)):
        full = os.path.join(path, filename)
        if not os.path.isfile(full):
            continue
        m = MIGRATION_RE.match(filename)
        if not m:
            skipped.append(filename)
            continue
        version, name = m.group(1), m.group(2)
        if version in seen:
            raise MigrationError(
                "Migration files %s and %s share version %s; the version (the digits before the first '_') "
                "must be unique: rename one of them." % (seen[version], filename, version)
            )
        seen[version] = filename
        try:
            with open(full, "rb") as f:
                text = f.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MigrationError("Migration file %s is not valid UTF-8: %s" % (filename, exc))
        statements = split_statements(text)
        if not statements:
            raise MigrationError("Migration file %s contains no SQL statement." % filename)
        migrations.append(Migration(version, name, filename, statements, statement_lines(text, statements)))
    migrations.sort(key=version_key)
    return migrations, skipped


def version_key(item):
    version = item.version if isinstance(item, Migration) else item
    return (int(version), version)


def plan(migrations, history, allow_out_of_order=False):
    """Decide which migrations to apply.

    ``history`` maps applied version -> {"name": ..., "statements": [...] or None} as read from the ledger.
    Raises MigrationError when the history has versions without a file, when an applied file was edited,
    or when a pending file sorts before the newest applied version (unless ``allow_out_of_order``).
    Returns the pending migrations, in order.
    """
    local = dict((m.version, m) for m in migrations)
    unknown = sorted((v for v in history if v not in local), key=version_key)
    if unknown:
        raise MigrationError(
            "The database records migration version(s) %s but no such file exists in the migration directory. "
            "Restore the missing file(s), or, if they were rolled back by hand, mark them reverted with "
            "`supabase migration repair --status reverted %s` (or delete those rows from "
            "supabase_migrations.schema_migrations)." % (", ".join(unknown), " ".join(unknown))
        )
    edited = []
    for version, row in history.items():
        recorded = row.get("statements")
        if recorded is None:  # rows written by `supabase migration repair` before statements were tracked
            continue
        if fingerprint(recorded) != fingerprint(local[version].statements):
            edited.append(local[version].filename)
    if edited:
        raise MigrationError(
            "Migration file(s) %s were edited after they were applied: their statements differ from those "
            "recorded in supabase_migrations.schema_migrations. Applied migrations are immutable: restore the "
            "file(s) and put the change in a new migration. If the database already matches the edited file, "
            "record that with `supabase migration repair --status reverted <version>` followed by "
            "`supabase migration repair --status applied <version>`." % ", ".join(sorted(edited))
        )
    pending = [m for m in migrations if m.version not in history]
    if pending and history and not allow_out_of_order:
        newest = max(history, key=version_key)
        early = [m.filename for m in pending if version_key(m.version) < version_key(newest)]
        if early:
            raise MigrationError(
                "Migration file(s) %s sort before the newest applied version %s. Rename them to a later version, "
                "or set allow_out_of_order=true to apply them anyway." % (", ".join(early), newest)
            )
    return pending


# --------------------------------------------------------------------------------------------------------
# The ledger: supabase_migrations.schema_migrations, exactly as the Supabase CLI creates and writes it.
# --------------------------------------------------------------------------------------------------------

LEDGER_TABLE = "schema_migrations"


def lock_key(ledger_schema):
    """A stable 63-bit advisory lock key per ledger, so runs against one ledger serialise."""
    digest = hashlib.sha256(("insightpulseai.workbench/migrations/" + ledger_schema).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") & 0x7FFFFFFFFFFFFFFF


def _ledger(ledger_schema):
    return pgsql.SQL("{}.{}").format(pgsql.Identifier(ledger_schema), pgsql.Identifier(LEDGER_TABLE))


def read_history(cur, ledger_schema):
    """Applied versions -> {"name", "statements"}; an empty dict when the ledger does not exist yet."""
    cur.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s",
        (ledger_schema, LEDGER_TABLE),
    )
    columns = set(row[0] for row in cur.fetchall())
    if "version" not in columns:
        return {}
    query = pgsql.SQL("SELECT version, {}, {} FROM {}").format(
        pgsql.Identifier("name") if "name" in columns else pgsql.SQL("NULL"),
        pgsql.Identifier("statements") if "statements" in columns else pgsql.SQL("NULL"),
        _ledger(ledger_schema),
    )
    cur.execute(query)
    return dict((row[0], {"name": row[1], "statements": row[2]}) for row in cur.fetchall())


def ensure_ledger(cur, ledger_schema):
    """Create the ledger as the CLI does (pkg/migration/history.go), tolerating an older CLI's table."""
    cur.execute("SET LOCAL lock_timeout = '4s'")
    cur.execute(pgsql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(pgsql.Identifier(ledger_schema)))
    cur.execute(pgsql.SQL("CREATE TABLE IF NOT EXISTS {} (version text NOT NULL PRIMARY KEY)").format(_ledger(ledger_schema)))
    cur.execute(pgsql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS statements text[]").format(_ledger(ledger_schema)))
    cur.execute(pgsql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS name text").format(_ledger(ledger_schema)))


def apply_migration(cur, migration, ledger_schema):
    """Run one file's statements and record it, in the caller's transaction. Raises MigrationError."""
    total = len(migration.statements)
    for index, statement in enumerate(migration.statements):
        try:
            cur.execute(statement)
        except Exception as exc:  # psycopg2.Error; the caller rolls back
            where = "statement %d of %d" % (index + 1, total)
            if migration.lines[index]:
                where += " (line %d)" % migration.lines[index]
            raise MigrationError(
                "Migration %s failed at %s: %s" % (migration.filename, where, pg_error_message(exc))
            )
    cur.execute(
        pgsql.SQL("INSERT INTO {} (version, name, statements) VALUES (%s, %s, %s)").format(_ledger(ledger_schema)),
        (migration.version, migration.name, list(migration.statements)),
    )
