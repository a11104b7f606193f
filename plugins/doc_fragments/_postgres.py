# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# PRIVATE: this fragment is not a public API and can have breaking changes at any time.

from __future__ import annotations


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  login_dsn:
    description:
      - A libpq connection string or URI, for example the Supabase C(postgresql://postgres.<ref>:<password>@<host>:5432/postgres).
      - The discrete O(login_host), O(login_port), O(login_user), O(login_password), O(login_db) and O(ssl_mode)
        override the matching parts of it.
      - If not set, the environment variables E(SUPABASE_DB_URL) then E(WORKBENCH_PG_DSN) are used.
      - It usually carries a password, so it is never logged or returned.
    type: str
    aliases: [dsn]
  login_host:
    description: Host name or address of the database server (or a Unix socket directory).
    type: str
    aliases: [host]
  login_port:
    description: Port of the database server.
    type: int
    aliases: [port]
  login_user:
    description: The role to connect as. It must own the objects the module changes, or be a superuser.
    type: str
    aliases: [user]
  login_password:
    description: Password of O(login_user). Never logged or returned.
    type: str
    aliases: [password]
  login_db:
    description: Database to connect to.
    type: str
    aliases: [db, database]
  ssl_mode:
    description: libpq C(sslmode). Supabase requires at least V(require) from outside its network.
    type: str
    choices: [allow, disable, prefer, require, verify-ca, verify-full]
  connect_timeout:
    description: Seconds to wait for the connection.
    type: int
    default: 10
requirements:
  - psycopg2 (or psycopg2-binary) >= 2.8 on the host that runs the module (usually the controller)
notes:
  - "Set the connection once for all Supabase modules with
    C(module_defaults: {group/insightpulseai.workbench.supabase: {login_dsn: ...}})."
"""
