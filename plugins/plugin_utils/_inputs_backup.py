# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the input rules of the backup role (run by the role_input_problems filter from its preflight).

The connection string goes through the one DSN parser (``Inputs.dsn``: libpq's own, naming a user, a host and a
database); the endpoint is checked as an http(s) URL, numbers, choices and paths by the shared checks of ``_inputs``.
Every problem is one sentence of the role's own wording, ``<variable>=<shown> is invalid: expected <what>.``, which
its integration tests assert; the rules run in the order the sentences are reported. The DSN and the Spaces keys are
secret: their sentences show a fixed text, never the value.
"""

from __future__ import annotations

import re

from ansible_collections.insightpulseai.workbench.plugins.plugin_utils._inputs import INVALID

SECRETS = ("backup_dsn", "backup_access_key", "backup_secret_key")
DSN_EXPECTED = (
    "a libpq connection string that names a user, a host and a database: a URI "
    "postgresql://user:password@host:port/database (or postgres://...) or key=value pairs "
    "(host=... port=... dbname=... user=... password=...)"
)
# How the DSN is shown: an empty one points at where it comes from, any other value is hidden.
DSN_EMPTY = '"" (empty; its default is supabase_schema_login_dsn)'
DSN_HIDDEN = "<hidden, it is a secret>"
# S3 bucket names (3-63 characters, lower case, digits, '.' and '-', a letter or digit at both ends).
BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# A key prefix: not starting with '/', ending with '/', without an empty "directory" ('//').
PREFIX = re.compile(r"^(?!.*//)[^/].*/$")
FORMATS = ("custom", "plain")


def check(i):
    """The rules of backup's inputs, in the order their problems are reported."""
    dsn(i)
    i.pattern(
        "backup_bucket", BUCKET, INVALID % "a bucket name (3-63 characters, lower-case letters, digits, '.' and '-')"
    )
    i.pattern(
        "backup_prefix",
        PREFIX,
        INVALID % "a non-empty key prefix that ends with '/' and does not start with '/' (e.g. backups/supabase/)",
    )
    retention(i)
    i.choice("backup_format", FORMATS, expected=INVALID % " or ".join(FORMATS))
    schemas(i)
    endpoint(i)
    if not _text(i, "backup_region"):
        i.bad("backup_region", INVALID % "a region name (e.g. fra1)")
    keys(i)
    binaries(i)
    temp_dir(i)


def _text(i, name):
    """The value of ``name`` stripped when it is a string; None for any other type (a rule expecting a string refuses
    it, so a number or a list never passes as a name or a path)."""
    value = i.values.get(name)
    return value.strip() if isinstance(value, str) else None


def dsn(i):
    """The database to dump: a connection string the one DSN parser reads, naming a user, a host and a database (the
    owner may log in, and a password may come from elsewhere). Shown as empty, or hidden."""
    if not i.text("backup_dsn"):
        return i.invalid("backup_dsn", DSN_EMPTY, DSN_EXPECTED)
    return i.dsn(
        "backup_dsn",
        owner_allowed=True,
        password=False,
        login=True,
        problem="backup_dsn=%s %s" % (DSN_HIDDEN, INVALID % DSN_EXPECTED),
    )


def retention(i):
    """Keep the newest N dumps (N at least 1); delete those older than N days (0: never by age)."""
    i.integer("backup_retention_count", 1, expected=INVALID % "a positive integer (the number of newest dumps to keep)")
    i.integer(
        "backup_retention_days",
        0,
        expected=INVALID % "an integer >= 0 (delete dumps older than this many days; 0 = off)",
    )


def schemas(i):
    """A list of schema names, each a non-empty string ([]: the whole database)."""
    value = i.values.get("backup_schemas")
    if not isinstance(value, list) or not all(isinstance(s, str) and s for s in value):
        i.bad("backup_schemas", INVALID % "a list of schema names ([] = the whole database)")


def endpoint(i):
    """The S3 API of Spaces: an http(s) URL with a host (blanks around it are ignored, as the role trims it), or
    empty for AWS S3."""
    url = _text(i, "backup_endpoint_url")
    expected = INVALID % "an http(s):// URL (or empty for AWS S3)"
    if url is None:
        return i.bad("backup_endpoint_url", expected)
    return not url or i.url("backup_endpoint_url", value=url, expected=expected)


def keys(i):
    """The Spaces key pair: both set, or both empty (amazon.aws then reads the AWS_* environment). Never shown."""
    access, secret = i.values.get("backup_access_key"), i.values.get("backup_secret_key")
    if not isinstance(access, str) or not isinstance(secret, str) or bool(access) != bool(secret):
        i.invalid(
            "backup_access_key/backup_secret_key",
            "<hidden>",
            "both set, or both empty to use AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY",
        )


def binaries(i):
    """pg_dump and psql: the path or name of each binary (whether they run is the dump phase's to find out)."""
    for name, what in (("backup_pg_dump", "pg_dump"), ("backup_psql", "psql")):
        if not _text(i, name):
            i.bad(name, INVALID % ("the path or name of a %s binary" % what))


def temp_dir(i):
    """Where the private temporary directory is made: an absolute path, or empty for the system temp dir."""
    value = i.values.get("backup_temp_dir")
    if value != "":
        i.absolute_path(
            "backup_temp_dir", expected=INVALID % "an absolute path (or empty for the system temp dir)", value=value
        )
