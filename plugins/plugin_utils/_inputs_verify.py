# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the input rules of the verify role (run by the role_input_problems filter from its preflight).

The role has one entry point per stage (database, gateway, workflows, cluster), each run on its own inventory group,
whose hosts need only that stage's inputs: the filter's ``entry`` (``Inputs.entry``) says which stage is checked;
without one, every stage is. The DSN goes through the one DSN parser; URLs, names and numbers through the shared
checks of ``_inputs``. Every problem is one sentence ``<variable>=<shown> is invalid: expected <what>.``; the DSN and
the webhooks' token are secret and never shown.
"""

from __future__ import annotations

import os
import re

from ansible_collections.insightpulseai.workbench.plugins.plugin_utils._inputs import INVALID

SECRETS = ("verify_dsn", "verify_webhook_auth_token")
STAGES = ("database", "gateway", "workflows", "cluster")
DSN_EXPECTED = "a libpq URI that names a user, a host and a database, such as postgresql://user:pw@host:5432/db"
HEADER = re.compile(r"^[A-Za-z0-9-]+$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def check(i):
    """The rules of the stage ``i.entry`` (every stage when it is None), in the order they are reported."""
    for stage in STAGES:
        if i.entry in (None, stage):
            globals()[stage](i)


def url(i, name, expected):
    """An http(s):// URL with a host (the shared URL rule)."""
    return i.url(name, expected=INVALID % expected)


def database(i):
    """The DSN (a URI naming user, host and database) and the schemas to count."""
    if not i.text("verify_dsn"):
        i.invalid("verify_dsn", '"" (empty; the inventories hand it supabase_schema_login_dsn)', DSN_EXPECTED)
    else:
        i.dsn(
            "verify_dsn",
            owner_allowed=True,
            password=False,
            uri=True,
            login=True,
            problem="verify_dsn=<hidden, it holds a password> %s" % (INVALID % DSN_EXPECTED),
        )
    schemas = i.get("verify_schemas", [])
    if not isinstance(schemas, list) or not schemas or not all(isinstance(s, str) and s.strip() for s in schemas):
        i.bad("verify_schemas", INVALID % "a non-empty list of schema names")


def gateway(i):
    """The gateway's base URL."""
    url(i, "verify_litellm_url", "the gateway's http(s):// base URL (the inventories hand it workbench_litellm_url)")


def workflows(i):
    """n8n's URLs, the webhooks' auth header and token, and the probe's expense id."""
    url(i, "verify_n8n_url", "n8n's http(s):// base URL (the inventories hand it n8n_workflows_url)")
    url(i, "verify_webhook_url", "the webhooks' http(s):// base URL (default <verify_n8n_url>/webhook)")
    i.pattern("verify_webhook_auth_header", HEADER, INVALID % "an HTTP header name")
    if not i.text("verify_webhook_auth_token"):
        i.invalid(
            "verify_webhook_auth_token",
            '"" (empty)',
            "the webhooks' secret: set n8n_workflows_webhook_auth_token (vault: vault_n8n_webhook_auth_token), which "
            "the inventories hand over, or, in the local profile, run `make local` so .workbench/local.env holds "
            "N8N_WEBHOOK_AUTH_TOKEN",
        )
    i.pattern("verify_probe_expense_id", UUID, INVALID % "a UUID (lower-case) that no expense has")


def cluster(i):
    """The kubeconfig (empty: the client's default) and the certificates' minimum remaining days."""
    path = i.text("verify_kubeconfig")
    if path and not os.path.isfile(os.path.expanduser(path)):
        i.bad(
            "verify_kubeconfig",
            INVALID % "the path of an existing kubeconfig file, or empty (K8S_AUTH_KUBECONFIG, then ~/.kube/config)",
        )
    i.integer("verify_certificate_min_days", 0, expected=INVALID % "a number of days, 0 or more")
