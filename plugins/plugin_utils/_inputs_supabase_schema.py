# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the input rules of the supabase_schema role (run by the role_input_problems filter from its preflight).

The connection string goes through the one DSN parser; the row-level-security spec is read and checked by the
supabase_rls module's own normaliser (module_utils._pg_rls_spec.normalize_spec), so a bad policy is refused before the first
migration runs, not half-way through the stage. Passwords and the connection string are named, never shown.
"""

from __future__ import annotations

import os

import yaml

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _pg_dsn, _pg_rls_spec
from ansible_collections.insightpulseai.workbench.plugins.plugin_utils._inputs import IDENTIFIER, show

SECRETS = (
    "supabase_schema_login_dsn",
    "supabase_schema_automation_password",
    "supabase_schema_expense_approver_password",
    "supabase_schema_pipeline_password",
    "supabase_schema_n8n_password",
)
LOGIN_PASSWORDS = SECRETS[1:]
# Schemas n8n's own tables must not share (the workbench's and Supabase's).
RESERVED_SCHEMAS = ("public", "auth", "platinum", "ip_workbench_private", "ip_workbench_runner")


def check(i):
    """The rules of supabase_schema's inputs."""
    if not i.text("supabase_schema_login_dsn"):
        i.fail(
            "supabase_schema_login_dsn is empty. Set it to the Supabase Postgres URI from vault (production: "
            "inventories/production/group_vars/all/vault.yml) or, for the local profile, run `make local` first so "
            ".workbench/local.env holds WORKBENCH_PG_DSN"
        )
    else:
        try:
            _pg_dsn.parts(i.get("supabase_schema_login_dsn"))
        except _pg_dsn.DsnError:
            i.fail(
                "supabase_schema_login_dsn is not a libpq connection string: expected "
                "postgresql://user:password@host:port/db or key=value pairs (the value is not shown because it may "
                "hold a password)"
            )
    i.directory("supabase_schema_migrations_dir", what="migrations directory")
    rls_spec(i)
    schemas = i.get("supabase_schema_exposed_schemas", []) or []
    bad = [str(s) for s in schemas if not IDENTIFIER.match(str(s))]
    if bad:
        i.fail(
            "supabase_schema_exposed_schemas has %s: a schema name is lower-case letters, digits and '_' (at most 63, "
            "not starting with a digit)" % show(bad)
        )
    for name in ("supabase_schema_lock_timeout", "supabase_schema_migration_lock_timeout"):
        i.integer(name, 0, what="a number of seconds (0: wait forever)")
    if i.flag("supabase_schema_login_roles_enabled"):
        for name in LOGIN_PASSWORDS:
            i.secret(
                name,
                16,
                "must be set to a password of at least 16 characters (from vault in production; the local inventory "
                "generates them under .workbench/secrets/)",
            )
    schema = i.get("supabase_schema_n8n_schema", "")
    if not isinstance(schema, str) or not IDENTIFIER.match(schema):
        i.bad("supabase_schema_n8n_schema", "must be a schema name (lower-case letters, digits and '_')")
    elif schema in tuple(str(s) for s in schemas) + RESERVED_SCHEMAS:
        i.bad(
            "supabase_schema_n8n_schema",
            "must be a schema of its own (not public, auth, a workbench schema or one of "
            "supabase_schema_exposed_schemas)",
        )
    i.integer("supabase_schema_login_connection_limit", -1, what="a number of connections (-1 for no limit)")


def load_rls_spec(path):
    """The tables of the row-level-security spec file at ``path``; ValueError naming what is wrong."""
    try:
        with open(path) as f:
            spec = yaml.safe_load(f)
    except OSError as exc:
        raise ValueError("cannot be read (%s)" % (exc.strerror or exc))
    except yaml.YAMLError as exc:
        raise ValueError("is not YAML (%s)" % str(exc).splitlines()[0])
    if not isinstance(spec, dict) or not isinstance(spec.get("tables"), list):
        raise ValueError("must be a mapping with a 'tables' list (see the supabase_rls module documentation)")
    return spec["tables"]


def rls_spec(i):
    """The spec file exists, is a mapping with a tables list, and every table and policy in it is one the supabase_rls
    module accepts."""
    name = "supabase_schema_rls_spec_file"
    path = i.text(name)
    if not path or not os.path.isfile(path):
        return i.bad(
            name, "is not a file (the row-level-security spec: roles/supabase_schema/files/rls_policies.yml by default)"
        )
    try:
        _pg_rls_spec.normalize_spec(load_rls_spec(path), default_purge=i.flag("supabase_schema_rls_purge"))
    except ValueError as exc:
        return i.fail("%s=%s %s" % (name, path, str(exc).rstrip(".")))
    except _pg_rls_spec.SpecError as exc:
        return i.fail("%s=%s: %s" % (name, path, str(exc).rstrip(".")))
    return True
