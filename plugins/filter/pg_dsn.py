# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Filters over PostgreSQL connection strings, through the collection's one parser (module_utils._pg_dsn)."""

from __future__ import annotations

from ansible.errors import AnsibleFilterError

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _pg_dsn


def _wrap(func):
    def run(*args):
        try:
            return func(*args)
        except _pg_dsn.DsnError as exc:
            raise AnsibleFilterError(str(exc))

    run.__doc__ = func.__doc__
    return run


class FilterModule(object):
    """pg_dsn_parts, pg_login_dsn, pg_dsn_is_owner."""

    def filters(self):
        return {
            "pg_dsn_parts": _wrap(_pg_dsn.parts),
            "pg_login_dsn": _wrap(_pg_dsn.with_login),
            "pg_dsn_is_owner": _wrap(_pg_dsn.is_owner_login),
        }
