# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the input rules of the doks_cluster role (run by the role_input_problems filter from its preflight).

The version, the maintenance window and the node pools are checked by the do_kubernetes_cluster module's own
normalisers (module_utils._do_kubernetes): each rule is written once. No secret value reaches a message: secrets and apps
are named by namespace, name and key only.
"""

from __future__ import annotations

import os
import re

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _do_kubernetes_spec
from ansible_collections.insightpulseai.workbench.plugins.plugin_utils._inputs import DNS_LABEL, show
from ansible_collections.insightpulseai.workbench.plugins.plugin_utils._inputs_do_network import TAG, TOKEN_ENV

SECRETS = ("doks_cluster_api_token",)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SUBDOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
SIZE = re.compile(r"^[a-z0-9][a-z0-9-]*[a-z0-9]$")
DATA_KEY = re.compile(r"^[-._A-Za-z0-9]+$")
APP_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")


def check(i):
    """The rules of doks_cluster's inputs."""
    if not i.text("doks_cluster_api_token") and not any(os.environ.get(n) for n in TOKEN_ENV):
        i.fail(
            "No DigitalOcean API token: set doks_cluster_api_token from vault (inventories/production/group_vars/all/"
            "vault.yml) or an AWX credential, or export DO_API_TOKEN (for the sandbox: source .workbench/sandbox.env)"
        )
    if i.get("doks_cluster_api_url", ""):
        i.url(
            "doks_cluster_api_url",
            expected="must be an http:// or https:// URL (or empty for DO_API_URL or the real API)",
        )
    i.dns_label("doks_cluster_name")
    i.pattern("doks_cluster_region", r"^[a-z]{3}[0-9]$", "is not a DigitalOcean region slug such as fra1")
    if i.text("doks_cluster_vpc_id"):
        i.pattern("doks_cluster_vpc_id", UUID, "is not a VPC id (a UUID)")
    elif not re.match(r"^[A-Za-z0-9.-]+$", i.text("doks_cluster_vpc_name")):
        i.bad(
            "doks_cluster_vpc_name", "must name the VPC, as doks_cluster_vpc_id is empty (letters, digits, '-' and '.')"
        )
    version = str(i.get("doks_cluster_version", ""))
    try:
        if not version:
            raise _do_kubernetes_spec.SpecError("empty")
        _do_kubernetes_spec.parse_version(version)
    except _do_kubernetes_spec.SpecError:
        i.bad(
            "doks_cluster_version",
            "must be latest, a minor version (1.35), a patch version (1.35.4) or a DOKS slug (1.35.4-do.1)",
        )
    maintenance(i)
    bad_tags = [str(t) for t in i.get("doks_cluster_tags", []) if not TAG.match(str(t))]
    if bad_tags:
        i.fail("doks_cluster_tags has %s: a tag is 1-255 letters, digits, ':', '-' or '_'" % show(bad_tags))
    node_pools(i)
    bad = [str(n) for n in i.get("doks_cluster_namespaces", []) if not DNS_LABEL.match(str(n))]
    if bad:
        i.fail(
            "doks_cluster_namespaces has %s: a Kubernetes namespace name is a DNS-1123 label (lower-case letters, "
            "digits and '-', at most 63)" % show(bad)
        )
    secrets(i)
    apps(i)
    for name, least in (
        ("doks_cluster_wait_timeout", 1),
        ("doks_cluster_poll_interval", None),
        ("doks_cluster_apps_wait_timeout", 1),
        ("doks_cluster_apps_poll_interval", None),
    ):
        if least is None:
            i.number(name, 0, exclusive_minimum=True)
        else:
            i.number(name, least)
    i.number("doks_cluster_kubeconfig_expiry_seconds", 0)
    i.number("doks_cluster_kubeconfig_renew_before", 0)
    path = os.path.expanduser(i.text("doks_cluster_kubeconfig_path"))
    if not os.path.isabs(path):
        i.bad(
            "doks_cluster_kubeconfig_path",
            "must be absolute (or start with ~): a relative path would be resolved against whatever directory the "
            "module runs in",
        )


def maintenance(i):
    """start_time (HH:MM, UTC) and day, nothing else: through the module's normaliser."""
    policy = i.get("doks_cluster_maintenance_policy", {})
    try:
        if set(policy) - {"start_time", "day"}:
            raise _do_kubernetes_spec.SpecError("unknown keys")
        _do_kubernetes_spec.normalize_maintenance(policy)
    except (_do_kubernetes_spec.SpecError, TypeError, AttributeError):
        i.bad(
            "doks_cluster_maintenance_policy",
            "must have start_time (HH:MM, UTC) and day (%s), and nothing else" % ", ".join(_do_kubernetes_spec.DAYS),
        )


def _pool_text(pool):
    return "pool %s (size=%s, count=%s, auto_scale=%s, min_nodes=%s, max_nodes=%s, tags=%s)" % (
        pool.get("name", "(no name)"),
        pool.get("size", ""),
        pool.get("count", ""),
        pool.get("auto_scale", False),
        pool.get("min_nodes", ""),
        pool.get("max_nodes", ""),
        show(pool.get("tags", [])),
    )


def node_pools(i):
    """At least one pool, each valid by the module's normaliser and the API's name rules; unique names."""
    pools = i.get("doks_cluster_node_pools", [])
    if not pools:
        i.fail("doks_cluster_node_pools is empty: a cluster needs at least one node pool")
        return
    bad = []
    for pool in pools:
        try:
            if not DNS_LABEL.match(str(pool.get("name", ""))) or not SIZE.match(str(pool.get("size", ""))):
                raise _do_kubernetes_spec.SpecError("name or size")
            if [t for t in pool.get("tags") or [] if not TAG.match(str(t))]:
                raise _do_kubernetes_spec.SpecError("tags")
            _do_kubernetes_spec.normalize_pool(pool)
        except (_do_kubernetes_spec.SpecError, TypeError, ValueError):
            bad.append(_pool_text(pool))
    if bad:
        i.fail(
            "doks_cluster_node_pools: %s. Each pool needs a DNS-label name, a size slug (such as s-4vcpu-8gb), tags that "
            "are tag names, and either count >= 1 or auto_scale with 0 <= min_nodes <= count <= max_nodes, "
            "max_nodes >= 1" % "; ".join(bad)
        )
        return
    names = [p.get("name", "") for p in pools]
    if len(set(names)) != len(names):
        i.fail("doks_cluster_node_pools: node pool names must be unique; got %s" % names)


def secrets(i):
    """Each secret named, in a namespace the stage creates, with data keys Kubernetes takes and no empty value."""
    namespaces = i.get("doks_cluster_namespaces", [])
    bad, stray, missing = [], [], []
    for index, secret in enumerate(i.get("doks_cluster_secrets", [])):
        if not isinstance(secret, dict):
            bad.append("[%d] (not a mapping)" % index)
            continue
        data = secret.get("data")
        if (
            not SUBDOMAIN.match(str(secret.get("name", "")))
            or not str(secret.get("namespace", ""))
            or not isinstance(data, dict)
            or [k for k in data if not DATA_KEY.match(str(k))]
        ):
            bad.append("[%d] %s" % (index, secret.get("name", "(no name)")))
            continue
        if secret.get("namespace") not in namespaces:
            stray.append("%s/%s" % (secret.get("namespace"), secret.get("name")))
        missing.extend("secret %s/%s %s" % (secret["namespace"], secret["name"], k) for k, v in data.items() if not v)
    if bad:
        i.fail(
            "doks_cluster_secrets: %s must each have a name (a DNS-1123 subdomain), a namespace and a data mapping with "
            "keys of letters, digits, '-', '_' or '.'" % ", ".join(bad)
        )
    elif stray:
        i.fail(
            "doks_cluster_secrets: secret(s) %s are for namespaces not in doks_cluster_namespaces (%s)"
            % (", ".join(stray), ", ".join(namespaces))
        )
    for app in i.get("doks_cluster_apps", []):
        if isinstance(app, dict) and isinstance(app.get("secrets"), dict) and isinstance(app.get("spec"), dict):
            missing.extend("app %s %s" % (app["spec"].get("name"), k) for k, v in app["secrets"].items() if not v)
    if missing and not bad:
        i.fail(
            "doks_cluster_secrets / doks_cluster_apps: no value for %s: set them in doks_cluster_secret_values (the "
            "production inventory maps vault_<name> onto it; see inventories/production/group_vars/all/"
            "vault.yml.example)" % ", ".join(missing)
        )


def apps(i):
    """The App Platform region and each app's spec name and secrets mapping."""
    if not i.pattern(
        "doks_cluster_apps_region", r"^[a-z]{3}$", "is not an App Platform region slug such as fra or nyc"
    ):
        return
    bad = []
    for index, app in enumerate(i.get("doks_cluster_apps", [])):
        spec = app.get("spec") if isinstance(app, dict) else None
        if not isinstance(spec, dict):
            bad.append("[%d] (no spec)" % index)
        elif not APP_NAME.match(str(spec.get("name", ""))) or not isinstance(app.get("secrets", {}), dict):
            bad.append("[%d] %s" % (index, spec.get("name", "(no name)")))
    if bad:
        i.fail(
            "doks_cluster_apps: %s must each have a spec with a name (2-32 lower-case letters, digits and '-', starting "
            "with a letter) and secrets as a mapping" % ", ".join(bad)
        )
