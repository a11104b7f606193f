# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the input rules of the local_stack role (run by the role_input_problems filter from its preflight).

The role runs on the controller (``connection: local``), so the programs it starts (PostgreSQL's pg_ctl, the n8n
launcher) are looked for here. Ports, loopback addresses, e-mail addresses, versions and executables are the shared
checks of ``_inputs``; what is the role's own are the names PostgreSQL is started with (database, superuser,
postgresql.conf settings, which reach ``pg_ctl -o`` through a shell) and n8n's environment. The role has no secret
input: the superuser's and n8n's owner passwords and n8n's API key are generated into the state directory, and no
rule reads them.
"""

from __future__ import annotations

import re

from ansible_collections.insightpulseai.workbench.plugins.plugin_utils._inputs import show

# No input is a secret (the passwords and the API key are generated, never given); see the module's docstring.
SECRETS = ()
# The database and the superuser, as the bootstrap and the DSN use them without quoting.
PG_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
# A postgresql.conf setting as ``-c name=value`` on pg_ctl's -o (handed to /bin/sh): a name, a value without blanks
# or quotes.
SETTING_NAME = re.compile(r"^[a-z_][a-z0-9_.]*$")
SETTING_VALUE = re.compile(r"^[^\s'\"]+$")
# n8n's settings are environment variables N8N_*, DB_*, ... in upper case.
N8N_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


def check(i):
    """The rules of local_stack's inputs."""
    paths(i)
    postgres(i)
    if i.flag("local_stack_n8n_enabled"):
        n8n(i)
        i.distinct_ports(("local_stack_pg_port", "local_stack_n8n_port", "local_stack_n8n_broker_port"))
    else:
        i.port("local_stack_pg_port")


def paths(i):
    """The state directory and the environment file are set: an empty path would be the current directory."""
    i.present(
        "local_stack_state_dir",
        "must be set (an empty path would put the data, logs and generated secrets in the current directory)",
    )
    i.present(
        "local_stack_env_file",
        "must be set (an empty path would write the connection details and their secrets to the current directory)",
    )


def postgres(i):
    """PostgreSQL 15's pg_ctl is installed, the server listens on loopback, its database, superuser and settings are
    names and values it can be started with (the port is checked with n8n's, each needs its own)."""
    i.executable(
        "local_stack_pg_bindir",
        "Install the server with `apt-get install postgresql-15` (make setup does this), or point "
        "local_stack_pg_bindir at a PostgreSQL 15 bin directory",
        program="pg_ctl",
    )
    i.loopback("local_stack_pg_host", "the local stack's PostgreSQL")
    for name in ("local_stack_pg_database", "local_stack_pg_superuser"):
        i.pattern(
            name, PG_NAME, "must be a plain name (letters, digits and '_', not starting with a digit, at most 63)"
        )
    pg_settings(i)


def pg_settings(i):
    """Each server setting is a postgresql.conf name and a scalar value without blanks or quotes (``pg_ctl -o`` hands
    them to a shell as ``-c name=value``)."""
    settings = i.get("local_stack_pg_settings", {})
    if not isinstance(settings, dict):
        i.bad("local_stack_pg_settings", "must be a mapping of postgresql.conf names to values")
        return
    for key, value in settings.items():
        scalar = isinstance(value, (str, int, float)) and not (isinstance(value, str) and not value)
        if not SETTING_NAME.match(str(key)) or not scalar or not SETTING_VALUE.match(str(value)):
            i.bad(
                "local_stack_pg_settings.%s" % key,
                "is not a setting PostgreSQL can be started with: names are postgresql.conf names (lower-case "
                "letters, digits, '_' and '.'), values are set and have no blanks or quotes (e.g. fsync: \"off\")",
                value,
            )


def n8n(i):
    """With n8n enabled: the version scripts/install-n8n.sh installs, a loopback address, an owner's e-mail address,
    upper-case environment names, a start timeout, and (to start it) its launcher installed."""
    i.version(
        "local_stack_n8n_version",
        expected="must be an n8n release version such as 2.41.1 (as scripts/install-n8n.sh installs it)",
        exact=True,
    )
    i.loopback("local_stack_n8n_host", "the local stack's n8n")
    i.email(
        "local_stack_n8n_owner_email",
        expected="must be an e-mail address (the login of n8n's owner account, e.g. owner@workbench.local)",
    )
    env = i.get("local_stack_n8n_env", {})
    if not isinstance(env, dict):
        i.bad("local_stack_n8n_env", "must be a mapping of environment variable names to values")
    else:
        bad = [str(key) for key in env if not N8N_ENV_NAME.match(str(key))]
        if bad:
            i.fail(
                "local_stack_n8n_env has %s: n8n's settings are environment variables, named in upper-case "
                "letters, digits and '_' (e.g. N8N_LOG_LEVEL)" % ", ".join(show(key) for key in bad)
            )
    i.integer("local_stack_n8n_start_timeout", 1, what="a number of seconds")
    if i.get("local_stack_state", "started") == "started":
        i.executable(
            "local_stack_n8n_bin",
            "Install n8n %s with scripts/install-n8n.sh (make setup runs it), or set local_stack_n8n_enabled=false"
            % i.text("local_stack_n8n_version"),
        )
