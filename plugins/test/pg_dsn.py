# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: pg_dsn
short_description: Whether a value is a PostgreSQL connection string libpq can read
version_added: 0.1.0
description:
  - >-
    True when libpq (through psycopg2, the collection's one parser, the same the modules and the
    P(insightpulseai.workbench.pg_dsn_parts#filter) filter use) reads the value as a connection string, a URI
    (V(postgresql://user:password@host:5432/db?sslmode=require)) or key=value pairs (V(host=db user=app dbname=app)).
  - The value itself never appears in an error, since it may hold a password.
seealso:
  - plugin: insightpulseai.workbench.pg_dsn_parts
    plugin_type: filter
options:
  _input:
    description: The value to test.
    type: raw
    required: true
  uri:
    description: Only the URI form (C(postgresql://) or C(postgres://)), for clients that take nothing else.
    type: bool
    default: false
  login:
    description: The string must name a user, a host and a database.
    type: bool
    default: false
author:
  - InsightPulseAI platform team (@insightpulseai)
"""

EXAMPLES = r"""
- name: Refuse a database URL a client cannot use
  ansible.builtin.assert:
    that: litellm_gateway_database_url is insightpulseai.workbench.pg_dsn(uri=true, login=true)
"""

RETURN = r"""
_value:
  description: Whether the value is such a connection string.
  type: bool
"""

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _pg_dsn


def pg_dsn(value, uri=False, login=False):
    """A libpq connection string; with ``uri`` a postgresql:// URI only; with ``login`` naming user, host and database."""
    if not isinstance(value, str):
        return False
    try:
        parts = _pg_dsn.parts(value)
    except _pg_dsn.DsnError:
        return False
    if uri and not value.strip().lower().startswith(("postgresql://", "postgres://")):
        return False
    if login and not all(parts.get(key) for key in ("user", "host", "dbname")):
        return False
    return True


class TestModule(object):
    """pg_dsn."""

    def tests(self):
        """The tests of this plugin."""
        return {"pg_dsn": pg_dsn}
