# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the input rules of the n8n_workflows role (run by the role_input_problems filter from its preflight).

The workflow files are read by the n8n_workflow module's own loader and their placeholders found by its own pattern
(module_utils._n8n_workflows), the tag limit is the module's, the connection strings go through the one DSN parser:
each rule is written once. No secret value reaches a message (passwords, keys, tokens, the Mattermost hook URL,
the secret placeholders' values and every connection string are named, never shown).
"""

from __future__ import annotations

import json
import os
import re

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _n8n_workflow_spec
from ansible_collections.insightpulseai.workbench.plugins.plugin_utils._inputs import (
    DURATION,
    HOSTNAME,
    IDENTIFIER,
    show,
)

SECRETS = (
    "n8n_workflows_api_key",
    "n8n_workflows_owner_password",
    "n8n_workflows_webhook_auth_token",
    "n8n_workflows_mattermost_webhook_url",
    "n8n_workflows_release_encryption_key",
    "n8n_workflows_release_redis_password",
    "n8n_workflows_postgres_dsn",
    "n8n_workflows_expense_postgres_dsn",
    "n8n_workflows_pipeline_postgres_dsn",
    "n8n_workflows_release_db_dsn",
    "n8n_workflows_secret_placeholders",
)
# The credentials the seed workflows use, each from its own least-privileged login (vars/main.yml builds them).
CREDENTIAL_DSNS = (
    "n8n_workflows_postgres_dsn",
    "n8n_workflows_expense_postgres_dsn",
    "n8n_workflows_pipeline_postgres_dsn",
)
EMAIL = re.compile(r"^[^@\s]+@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
HEADER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$")
# n8n's Postgres node takes lock timeouts as a Postgres interval the workflows put in SET lock_timeout
LOCK_TIMEOUT = re.compile(r"^[1-9][0-9]*(ms|s|min)$")
AMOUNT = re.compile(r"^[0-9]+(\.[0-9]+)?$")
HOOK_URL = re.compile(r"^https?://[^\s/?#]+([/?#]\S*)?$")
CHART_VERSION = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+([-+].*)?$")
IMAGE_TAG = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+([-.][A-Za-z0-9.]+)?$")
CHART_REPO = re.compile(r"^(oci|https?)://\S+$")
# a repository without its tag (the tag is n8n_workflows_image_tag)
REPOSITORY = re.compile(
    r"^([a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?/)?[a-z0-9]+([._-]+[a-z0-9]+)*(/[a-z0-9]+([._-]+[a-z0-9]+)*)*$"
)
TIMEZONE = re.compile(r"^(UTC|[A-Z][A-Za-z_-]+(/[A-Za-z0-9_+-]+){1,2})$")
REDIS_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$")
# placeholders the role fills itself (set_fact "Collect the placeholder values" in tasks/preflight.yml)
OWN_PLACEHOLDERS = ("EXPENSE_APPROVAL_THRESHOLD", "PIPELINE_LOCK_TIMEOUT")
OWN_SECRET_PLACEHOLDERS = {"MATTERMOST_WEBHOOK_URL": "n8n_workflows_mattermost_webhook_url"}


def check(i):
    """The rules of n8n_workflows' inputs."""
    release = i.flag("n8n_workflows_release_enabled")
    i.url(
        "n8n_workflows_url",
        expected="must be the base URL of the n8n instance (http:// or https://). Production: the AWX credential or "
        "group_vars; local profile: run `make local` first so .workbench/local.env holds N8N_URL",
    )
    if not release and not i.text("n8n_workflows_api_key"):
        i.fail(
            "n8n_workflows_api_key is empty. Set it from vault or the AWX credential (N8N_API_KEY); in the local "
            "profile `make local` writes it to .workbench/local.env"
        )
    if release:
        owner(i)
    for name in CREDENTIAL_DSNS:
        if i.text(name):
            i.dsn(name, password=False, uri=True, login=True)
    i.secret(
        "n8n_workflows_webhook_auth_token",
        32,
        "must be a secret of 32 or more characters (from vault; the value is not shown)",
    )
    i.pattern("n8n_workflows_webhook_auth_header", HEADER, "must be an HTTP header name (letters, digits and '-')")
    i.pattern(
        "n8n_workflows_pipeline_lock_timeout",
        LOCK_TIMEOUT,
        "must be a duration such as 500ms, 10s or 1min",
        value=str(i.get("n8n_workflows_pipeline_lock_timeout", "")),
    )
    i.integer("n8n_workflows_timeout", 1, what="a number of seconds")
    tag = i.get("n8n_workflows_management_tag", "")
    if not isinstance(tag, str) or not 1 <= len(tag) <= _n8n_workflow_spec.TAG_MAX_LENGTH:
        i.bad(
            "n8n_workflows_management_tag",
            "must be a tag name of 1 to %d characters (n8n's limit)" % _n8n_workflow_spec.TAG_MAX_LENGTH,
        )
    i.pattern(
        "n8n_workflows_expense_approval_threshold",
        AMOUNT,
        "must be an amount in PHP (a number, e.g. 5000)",
        value=str(i.get("n8n_workflows_expense_approval_threshold", "")),
    )
    if i.text("n8n_workflows_mattermost_webhook_url") and not HOOK_URL.match(
        i.text("n8n_workflows_mattermost_webhook_url")
    ):
        i.fail(
            "n8n_workflows_mattermost_webhook_url is not an http(s) URL such as "
            "https://mattermost.example.com/hooks/<key> (the value is not shown: it is a secret)"
        )
    credentials(i)
    names_ok = placeholder_names(i)
    texts = definitions(i)
    if names_ok and texts is not None:
        undefined_placeholders(i, texts)
    i.integer("n8n_workflows_wait_timeout", 0, what="a number of seconds")
    if release:
        cluster(i)


def owner(i):
    """The owner account pre-seeded into n8n (the role logs in as it to manage its API key)."""
    why = (
        "n8n_workflows_release_enabled is true: the owner is pre-seeded into n8n before it first starts (so nobody "
        "can claim the account) and the role logs in as the owner to manage its API key; set it from vault"
    )
    i.pattern("n8n_workflows_owner_email", EMAIL, "is not an e-mail address (%s)" % why)
    password = str(i.get("n8n_workflows_owner_password", ""))
    if not password:
        i.fail("n8n_workflows_owner_password is empty (%s)" % why)
    elif (
        not 8 <= len(password) <= 64 or not re.search("[0-9]", password) or not re.search("[A-Z]", password)
    ):  # n8n's own password rule
        i.fail(
            "n8n_workflows_owner_password (%d characters, not shown) must be 8 to 64 characters with at least one "
            "digit and one upper-case letter" % len(password)
        )
    label = str(i.get("n8n_workflows_api_key_label", ""))
    if not 1 <= len(label) <= 50:
        i.bad("n8n_workflows_api_key_label", "must be 1 to 50 characters")


def credentials(i):
    """Each extra credential is {name, type, data}: data is not needed to remove one."""
    for number, item in enumerate(i.get("n8n_workflows_credentials", []) or [], 1):
        label = "n8n_workflows_credentials: item %d" % number
        if isinstance(item, dict) and item.get("name") is not None:
            label += " (%s)" % item["name"]
        state = item.get("state", "present") if isinstance(item, dict) else None
        if not isinstance(item, dict) or not str(item.get("name") or "") or not str(item.get("type") or ""):
            i.fail(label + " needs a name and a type (each item is {name, type, data})")
        elif state not in ("present", "absent"):
            i.fail("%s: state=%s is not present or absent" % (label, show(state)))
        elif state == "present" and not isinstance(item.get("data"), dict):
            i.fail(label + " needs data (a mapping of the credential type's fields)")


def placeholder_names(i):
    """Placeholder names are what @@NAME@@ can match (the n8n_workflow module's own pattern)."""
    good = True
    for name in ("n8n_workflows_placeholders", "n8n_workflows_secret_placeholders"):
        mapping = i.get(name, {}) or {}
        if not isinstance(mapping, dict):
            good = i.bad(name, "must be a mapping of placeholder names to values")
            continue
        bad = [str(key) for key in mapping if not _n8n_workflow_spec.PLACEHOLDER_NAME.match(str(key))]
        if bad:
            good = i.fail(
                "%s has key(s) %s: placeholder names are upper-case letters, digits and '_' (the definitions use "
                "them as @@NAME@@), so these would never be replaced" % (name, ", ".join(show(k) for k in bad))
            )
    return good


def definitions(i):
    """Each definition names an absolute file that exists (read by the module's own loader), a definition, or a name
    to remove; returns the texts of the definitions to apply (None when one could not be read)."""
    items = i.get("n8n_workflows_definitions", []) or []
    if not isinstance(items, list):
        i.bad("n8n_workflows_definitions", "must be a list of {src} / {definition} / {name, state: absent} items")
        return None
    texts = []
    ok = True
    for number, item in enumerate(items, 1):
        where = "n8n_workflows_definitions: item %d" % number
        if not isinstance(item, dict):
            ok = i.fail(where + " is not a mapping")
            continue
        src = item.get("src")
        if src is not None and not os.path.isabs(str(src)):
            ok = i.fail(
                '%s: src=%s is not an absolute path (a path on the controller, e.g. "{{ playbook_dir }}/files/my.json")'
                % (where, show(src))
            )
            continue
        if src is None and item.get("definition") is None and not item.get("name"):
            ok = i.fail(where + " has no src, definition or name (name with state=absent removes a workflow)")
            continue
        if src is not None and not os.path.isfile(str(src)):
            ok = i.fail("%s: workflow file %s is not found on the controller" % (where, show(src)))
            continue
        if item.get("state", "present") != "present":
            continue
        try:
            definition = _n8n_workflow_spec.load_source(item)
        except _n8n_workflow_spec.InvalidWorkflow as exc:
            ok = i.fail("%s: %s" % (where, exc))
            continue
        if definition is not None:
            texts.append(json.dumps(definition))
    return texts if ok else None


def undefined_placeholders(i, texts):
    """Every @@NAME@@ the definitions use has a value."""
    known = set(OWN_PLACEHOLDERS) | set(i.get("n8n_workflows_placeholders", {}) or {})
    known |= set(i.get("n8n_workflows_secret_placeholders", {}) or {})
    known |= set(key for key, name in OWN_SECRET_PLACEHOLDERS.items() if i.text(name))
    used = []
    for text in texts:
        for name in _n8n_workflow_spec.PLACEHOLDER_RE.findall(text):
            if name not in known and name not in used:
                used.append(name)
    if used:
        hint = "".join(
            " (%s comes from %s)" % (key, name) for key, name in OWN_SECRET_PLACEHOLDERS.items() if key in used
        )
        i.fail(
            "The workflow definitions (n8n_workflows_definitions) use %s but no value is set%s"
            % (", ".join("@@%s@@" % name for name in used), hint)
        )


def cluster(i):
    """The release of n8n in the cluster."""
    for name in ("n8n_workflows_namespace", "n8n_workflows_ingress_namespace", "n8n_workflows_metrics_namespace"):
        i.dns_label(name, what="a Kubernetes namespace (a DNS label)")
    i.dns_label("n8n_workflows_release_name", 53, what="a helm release name")
    i.pattern(
        "n8n_workflows_hostname",
        HOSTNAME,
        "is not a fully qualified DNS name (lower case, e.g. n8n.example.org); the webhook and editor URLs are "
        "built from it",
    )
    i.pattern(
        "n8n_workflows_chart_version",
        CHART_VERSION,
        'must be an exact chart version such as 1.1.0 (no "latest")',
        value=str(i.get("n8n_workflows_chart_version", "")),
    )
    i.pattern(
        "n8n_workflows_image_tag",
        IMAGE_TAG,
        'must be an exact n8n version such as 2.41.1 (no "latest")',
        value=str(i.get("n8n_workflows_image_tag", "")),
    )
    i.dsn("n8n_workflows_release_db_dsn", uri=True, login=True)
    i.pattern(
        "n8n_workflows_release_db_schema", IDENTIFIER, "must be a lower-case Postgres identifier (letters, digits, '_')"
    )
    i.secret(
        "n8n_workflows_release_encryption_key",
        24,
        "must be at least 24 random characters (from vault); n8n encrypts the credentials it stores with it, and it "
        "must never change once set",
    )
    if i.flag("n8n_workflows_release_queue_mode"):
        host = i.text("n8n_workflows_release_redis_host")
        if host and not REDIS_HOST.match(host):
            i.bad("n8n_workflows_release_redis_host", "must be a host name (or empty for the chart's bundled Valkey)")
        i.port("n8n_workflows_release_redis_port")
    replicas(i)
    i.pattern("n8n_workflows_chart_repo", CHART_REPO, "must be an oci:// or http(s) chart repository reference")
    i.pattern(
        "n8n_workflows_image_repository",
        REPOSITORY,
        "must be an image repository (registry/path, lower case; the tag is n8n_workflows_image_tag)",
    )
    i.pattern("n8n_workflows_release_timezone", TIMEZONE, "must be a tz database name (Asia/Manila, UTC)")
    i.pattern(
        "n8n_workflows_helm_wait_timeout",
        DURATION,
        "must be a duration such as 10m or 300s",
        value=str(i.get("n8n_workflows_helm_wait_timeout", "")),
    )
    i.resources("n8n_workflows_release_resources")
    i.kubeconfig("n8n_workflows_kubeconfig")
    if i.helm("n8n_workflows_helm_binary"):
        i.local_chart(
            "n8n_workflows_chart_ref",
            "n8n",
            "n8n_workflows_chart_version",
            "n8n_workflows_helm_binary",
            i.text("n8n_workflows_chart_repo"),
        )


def replicas(i):
    """The workers: at least one, at most the autoscaler's maximum; a CPU target in percent."""
    if i.integer("n8n_workflows_release_worker_replicas", 1):
        least = int(str(i.get("n8n_workflows_release_worker_replicas")))
        i.integer(
            "n8n_workflows_release_worker_max_replicas",
            least,
            what="a number of workers (at least n8n_workflows_release_worker_replicas=%d)" % least,
        )
    i.integer("n8n_workflows_release_worker_concurrency", 1, what="a number of jobs per worker")
    i.integer("n8n_workflows_release_autoscaling_cpu_utilization", 1, 100, what="a percentage")
