# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the input rules of the awx_configure role (run by the role_input_problems filter from its preflight).

The shape of every definition is the argument spec's; these rules are what a spec cannot express: the definitions
refer to each other by name. Whether each credential's value is known is asked later, by the task that collects the
values (it is the only one that reads them, never logged).
"""

from __future__ import annotations

SECRETS = ()
# Nodes of the deploy workflow the role adds itself: a stage of that name would collide with them.
RESERVED = ("plan", "approval", "verify")


def _names(items):
    return [item.get("name") for item in items if isinstance(item, dict)]


def check(i):
    """Stage names are unique and not a workflow node's; every credential type a template names is defined."""
    names = _names(i.get("awx_configure_stages", []))
    if not names:
        i.fail("awx_configure_stages is empty: the deploy workflow runs one stage at least")
    for name in sorted(set(n for n in names if names.count(n) > 1), key=str):
        i.fail("awx_configure_stages names the stage %s more than once" % name)
    for name in names:
        if name in RESERVED:
            i.fail(
                "awx_configure_stages: the stage name %s is taken by a node of the deploy workflow (%s)"
                % (name, ", ".join(RESERVED))
            )
    types = _names(i.get("awx_configure_credential_types", []))
    owners = [
        ("awx_configure_stages (stage %s)" % stage.get("name"), stage.get("credentials", []))
        for stage in i.get("awx_configure_stages", [])
        if isinstance(stage, dict)
    ]
    for name in ("awx_configure_verify", "awx_configure_destroy"):
        owners.append((name, (i.get(name, {}) or {}).get("credentials", [])))
    for owner, credentials in owners:
        for credential in credentials or []:
            if credential not in types:
                i.fail(
                    "%s names the credential type %s, which awx_configure_credential_types does not define (it "
                    'defines %s)' % (owner, '"%s"' % credential, ", ".join(str(t) for t in types))
                )
