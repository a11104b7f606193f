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

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _runtime
from ansible_collections.insightpulseai.workbench.plugins.module_utils._pg_client import pg_error_message, pgsql

MIGRATION_RE = re.compile(r"^([0-9]+)_(.*)\.sql$")
_DOLLAR_TAG_RE = re.compile(r"\$([A-Za-z_\x80-\U0010ffff][A-Za-z0-9_\x80-\U0010ffff]*)?\$")
_WS_RE = re.compile(r"\s+")
AMENDS_MARK = "workbench:amends"
_AMENDS_LINE_RE = re.compile(r"^--[ \t]*workbench:amends\b(.*)$")
_AMENDS_VALUE_RE = re.compile(r"^[ \t]+(sha256:[0-9a-f]{64})(?:[ \t].*)?$")
_AMENDS_ANYWHERE_RE = re.compile(r"^[ \t]*--[ \t]*workbench:amends\b", re.MULTILINE)
_IDENT = r'(?:"(?:[^"]|"")+"|[a-z_\x80-\U0010ffff][a-z0-9_$\x80-\U0010ffff]*)'
_RLS_STATEMENT_RE = re.compile(
    r"^alter table (?:if exists )?(?:only )?(%s) ?\. ?(%s) (enable|disable) row level security$" % (_IDENT, _IDENT)
)


class MigrationError(_runtime.WorkbenchError):
    """Base of every migration error (callers catch it); each is raised as one of the runtime's kinds below."""


class MigrationSpecError(MigrationError, _runtime.SpecError):
    """The files are wrong (a missing directory, two files with one version, bad UTF-8, an empty file, a bad
    ``workbench:amends`` header, a new file sorting before the newest applied one): raised before anything is written."""


class MigrationDriftError(MigrationError, _runtime.DriftError):
    """The ledger disagrees with the files (a version without a file, an applied file edited afterwards, a row that
    changed while it was being amended)."""


class MigrationFailed(MigrationError, _runtime.ServiceError):
    """The server refused a statement of a migration file."""


class Migration(object):
    """One migration file: its version, name, statements (as recorded in the ledger) and declared amendments."""

    __slots__ = ("version", "name", "filename", "statements", "lines", "amends")

    def __init__(self, version, name, filename, statements, lines=None, amends=()):
        self.version = version
        self.name = name
        self.filename = filename
        self.statements = statements
        self.lines = lines or [None] * len(statements)
        self.amends = frozenset(amends)

    def to_dict(self):
        """The migration as the module returns it: version, name and file."""
        return {"version": self.version, "name": self.name, "file": self.filename}


def _ident_start(c):
    return c == "_" or ("a" <= c <= "z") or ("A" <= c <= "Z") or c >= "\x80"


def _ident_cont(c):
    return _ident_start(c) or ("0" <= c <= "9") or c == "$"


def sql_tokens(text):
    r"""Lex SQL text the way PostgreSQL's scanner delimits it (standard_conforming_strings on).

    Yields ``(kind, start, end, closed)``: ``code`` (a run of anything else), ``line_comment`` (``--`` to the end
    of the line, newline included), ``block_comment`` (``/* */``, nested), ``string`` (``'...'`` with doubled
    quotes; an ``E'...'`` string also takes backslash escapes), ``quoted_ident`` (``"..."``), ``dollar``
    (``$$...$$``, ``$tag$...$tag$``) and ``backslash`` (a backslash outside quotes and the character after it, as
    psql's ``\;``). ``closed`` is False for a quote or comment that runs to the end of the text. A ``$`` inside
    an identifier (``a$b$``) does not start a dollar quote, and ``$1`` is a parameter, as in PostgreSQL.
    """
    n = len(text)
    i = 0
    code_from = 0
    ident_from = -1  # where the identifier or key word the scanner is inside began, -1 when outside one
    while i < n:
        c = text[i]
        kind = None
        if c == "-" and text.startswith("--", i):
            end = text.find("\n", i)
            kind, stop, closed = "line_comment", (n if end < 0 else end + 1), True
        elif c == "/" and text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            kind, stop, closed = "block_comment", j, depth == 0
        elif c in ("'", '"'):
            escapes = c == "'" and i > 0 and ident_from == i - 1 and text[i - 1] in "eE"
            j, closed = i + 1, False
            while j < n:
                if escapes and text[j] == "\\":
                    j += 2
                    continue
                if text[j] == c:
                    if j + 1 < n and text[j + 1] == c:  # a doubled quote is an escaped quote
                        j += 2
                        continue
                    j, closed = j + 1, True
                    break
                j += 1
            kind, stop = ("string" if c == "'" else "quoted_ident"), min(j, n)
        elif c == "$" and ident_from < 0:
            m = _DOLLAR_TAG_RE.match(text, i)
            if m:
                end = text.find(m.group(0), m.end())
                kind, stop, closed = "dollar", (n if end < 0 else end + len(m.group(0))), end >= 0
        elif c == "\\":
            kind, stop, closed = "backslash", min(i + 2, n), True
        if kind is None:
            if ident_from >= 0 and _ident_cont(c):
                pass
            elif _ident_start(c):
                ident_from = i
            else:
                ident_from = -1
            i += 1
            continue
        if code_from < i:
            yield "code", code_from, i, True
        yield kind, i, stop, closed
        i = code_from = stop
        ident_from = -1
    if code_from < n:
        yield "code", code_from, n, True


def split_statements(text):
    """Split SQL text into statements the way ``supabase/cli`` ``parser.SplitAndTrim`` does.

    Semicolons inside quotes, quoted identifiers, dollar-quoted bodies and (nested) block comments do not
    split; ``--`` comments run to the end of the line. Each statement keeps its own leading comments.
    Empty statements are dropped. The lexing is ``sql_tokens()``.
    """
    statements = []
    start = 0
    for kind, begin, end, dummy in sql_tokens(text):
        if kind != "code":
            continue
        semicolon = text.find(";", begin, end)
        while semicolon >= 0:
            _append(statements, text[start:semicolon])
            start = semicolon + 1
            semicolon = text.find(";", start, end)
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


def fingerprint_digest(statements):
    """``sha256:<hex>`` of fingerprint(): what a ``-- workbench:amends`` header line names."""
    return "sha256:" + hashlib.sha256(fingerprint(statements).encode("utf-8")).hexdigest()


def parse_amends(text, filename):
    """The digests a file's header declares with ``-- workbench:amends sha256:<hex>`` lines.

    The header is the file's leading run of blank and ``--`` lines. Each such line names the fingerprint_digest()
    of an earlier version of the file whose ledger row may be amended to this version without running anything
    (see plan()). A malformed line, or the mark anywhere after the header, is an error: an amendment is never
    declared by accident.
    """
    digests = []
    lines = text.splitlines()
    header = 0
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped and not stripped.startswith("--"):
            break
        header = number
        m = _AMENDS_LINE_RE.match(stripped)
        if not m:
            continue
        value = _AMENDS_VALUE_RE.match(m.group(1))
        if not value:
            raise MigrationSpecError(
                "Migration file %s line %d: a %s line must be `-- %s sha256:<64 lower-case hex digits>` (the "
                "fingerprint of the earlier version of the file that the database recorded)."
                % (filename, number, AMENDS_MARK, AMENDS_MARK)
            )
        digests.append(value.group(1))
    rest = "\n".join(lines[header:])
    late = _AMENDS_ANYWHERE_RE.search(rest)
    if late:
        raise MigrationSpecError(
            "Migration file %s line %d: %s is only read in the file's header (the comment lines before the first "
            "statement); move it there." % (filename, header + rest.count("\n", 0, late.start()) + 1, AMENDS_MARK)
        )
    return digests


def _unquote(ident):
    return ident[1:-1].replace('""', '"') if ident.startswith('"') else ident


def rls_enabled_tables(migrations):
    """``schema.table`` of every table whose row-level security the migrations leave enabled, in file order.

    Reads schema-qualified ``ALTER TABLE [IF EXISTS] [ONLY] <schema>.<table> ENABLE|DISABLE ROW LEVEL SECURITY``
    statements (comments and case do not matter; a later DISABLE cancels an ENABLE). Statements that are not
    schema-qualified are not counted: their table depends on the search_path.
    """
    tables = []
    for migration in migrations:
        for statement in migration.statements:
            words = []
            for kind, start, end, dummy in sql_tokens(statement):
                if kind == "code":
                    words.append(statement[start:end].lower())
                elif kind == "quoted_ident":
                    words.append(statement[start:end])
                elif kind in ("line_comment", "block_comment"):
                    words.append(" ")
                else:
                    words = None
                    break
            if not words:
                continue
            m = _RLS_STATEMENT_RE.match(_WS_RE.sub(" ", "".join(words)).strip())
            if not m:
                continue
            name = "%s.%s" % (_unquote(m.group(1)), _unquote(m.group(2)))
            if name in tables:
                tables.remove(name)
            if m.group(3) == "enable":
                tables.append(name)
    return tables


def load_migrations(path):
    """Read migration files from ``path`` in version order.

    Returns ``(migrations, skipped)``: the parsed migrations and the names of ``.sql``-less or badly named
    files that were ignored (the CLI skips them too). Fails on two files with the same version.
    """
    if not os.path.isdir(path):
        raise MigrationSpecError("Migration directory %s does not exist or is not a directory." % path)
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
            raise MigrationSpecError(
                "Migration files %s and %s share version %s; the version (the digits before the first '_') "
                "must be unique: rename one of them." % (seen[version], filename, version)
            )
        seen[version] = filename
        try:
            with open(full, "rb") as f:
                text = f.read().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MigrationSpecError("Migration file %s is not valid UTF-8: %s" % (filename, exc))
        statements = split_statements(text)
        if not statements:
            raise MigrationSpecError("Migration file %s contains no SQL statement." % filename)
        migrations.append(
            Migration(
                version, name, filename, statements, statement_lines(text, statements), parse_amends(text, filename)
            )
        )
    migrations.sort(key=version_key)
    return migrations, skipped


def version_key(item):
    """Sort key of a Migration or a version string: numerically, then as text."""
    version = item.version if isinstance(item, Migration) else item
    return (int(version), version)


def _classify(migrations, history):
    """Applied files whose statements differ from the ledger: ``(edited, amended)``.

    ``amended``: the recorded statements' digest is one the file's header declares (``workbench:amends``): the
    file is applied and only its ledger row needs its statements and name brought up to date. ``edited``: any other
    difference, as ``(migration, recorded digest)``. Rows without statements (``supabase migration repair``) are
    neither.
    """
    local = dict((m.version, m) for m in migrations)
    edited = []
    amended = []
    for version in sorted(history, key=version_key):
        recorded = history[version].get("statements")
        migration = local.get(version)
        if recorded is None or migration is None or fingerprint(recorded) == fingerprint(migration.statements):
            continue
        digest = fingerprint_digest(recorded)
        if digest in migration.amends:
            amended.append(migration)
        else:
            edited.append((migration, digest))
    return edited, amended


def plan(migrations, history, allow_out_of_order=False):
    """Decide which migrations to apply.

    ``history`` maps applied version -> {"name": ..., "statements": [...] or None} as read from the ledger.
    Raises MigrationError when the history has versions without a file, when an applied file was edited (unless
    the edit is a declared amendment, see amendments()), or when a pending file sorts before the newest applied
    version (unless ``allow_out_of_order``). Returns the pending migrations, in order.
    """
    local = dict((m.version, m) for m in migrations)
    unknown = sorted((v for v in history if v not in local), key=version_key)
    if unknown:
        raise MigrationDriftError(
            "The database records migration version(s) %s but no such file exists in the migration directory. "
            "Restore the missing file(s), or, if they were rolled back by hand, mark them reverted with "
            "`supabase migration repair --status reverted %s` (or delete those rows from "
            "supabase_migrations.schema_migrations)." % (", ".join(unknown), " ".join(unknown))
        )
    edited = _classify(migrations, history)[0]
    if edited:
        raise MigrationDriftError(
            "Migration file(s) %s were edited after they were applied: their statements differ from those "
            "recorded in supabase_migrations.schema_migrations (recorded fingerprint: %s). Applied migrations are "
            "immutable: restore the file(s) and put the change in a new migration. If the database already has the "
            "edited file's effect, either declare it in the file's header with `-- %s <recorded fingerprint>` "
            "(the ledger row is then amended; see the supabase_migration documentation), or record it with "
            "`supabase migration repair --status reverted <version>` followed by "
            "`supabase migration repair --status applied <version>`."
            % (
                ", ".join(m.filename for m, d in edited),
                ", ".join("%s %s" % (m.filename, d) for m, d in edited),
                AMENDS_MARK,
            )
        )
    pending = [m for m in migrations if m.version not in history]
    if pending and history and not allow_out_of_order:
        newest = max(history, key=version_key)
        early = [m.filename for m in pending if version_key(m.version) < version_key(newest)]
        if early:
            raise MigrationSpecError(
                "Migration file(s) %s sort before the newest applied version %s. Rename them to a later version, "
                "or set allow_out_of_order=true to apply them anyway." % (", ".join(early), newest)
            )
    return pending


def amendments(migrations, history):
    """Applied migrations whose ledger row records an earlier version the file declares it amends, in order.

    Amending writes the file's current statements and name into that row and runs nothing: the header line is
    the author's statement that a database which ran the earlier version already has the effect of this one.
    Call plan() first; it refuses every other edit.
    """
    return _classify(migrations, history)[1]


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
    cur.execute(
        pgsql.SQL("CREATE TABLE IF NOT EXISTS {} (version text NOT NULL PRIMARY KEY)").format(_ledger(ledger_schema))
    )
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
            raise MigrationFailed("Migration %s failed at %s: %s" % (migration.filename, where, pg_error_message(exc)))
    cur.execute(
        pgsql.SQL("INSERT INTO {} (version, name, statements) VALUES (%s, %s, %s)").format(_ledger(ledger_schema)),
        (migration.version, migration.name, list(migration.statements)),
    )


def amend_ledger(cur, migration, ledger_schema, recorded):
    """Bring one applied migration's ledger row to the file's statements and name, in the caller's transaction.

    ``recorded`` is the statements list read under the migration lock; the row is only updated while it still
    holds exactly those. Raises MigrationError when it does not.
    """
    cur.execute(
        pgsql.SQL("UPDATE {} SET name = %s, statements = %s WHERE version = %s AND statements = %s::text[]").format(
            _ledger(ledger_schema)
        ),
        (migration.name, list(migration.statements), migration.version, list(recorded)),
    )
    if cur.rowcount != 1:
        raise MigrationDriftError(
            "Migration %s: its ledger row changed while the amendment was being written; nothing was amended."
            % migration.filename
        )
