# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the input rules of the do_network role (run by the role_input_problems filter from its preflight).

Firewall rules are checked by the do_firewall module's own normaliser (module_utils._do_resources.normalize_rule),
addresses by the ip_network test's parser: each rule is written once.
"""

from __future__ import annotations

import ipaddress
import os
import re

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _do_resources
from ansible_collections.insightpulseai.workbench.plugins.plugin_utils._inputs import show
from ansible_collections.insightpulseai.workbench.plugins.test.ip_network import network_of

SECRETS = ("do_network_api_token", "do_network_spaces_access_key", "do_network_spaces_secret_key")
TOKEN_ENV = ("DO_API_TOKEN", "DO_API_KEY", "DO_OAUTH_TOKEN", "DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN")
REGION = re.compile(r"^[a-z]{3}[0-9]$")
TAG = re.compile(r"^[A-Za-z0-9:_-]{1,255}$")
PORT_RANGE = re.compile(r"^[0-9]{1,5}(-[0-9]{1,5})?$")
BUCKET = re.compile(r"^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$")
REGISTRY = re.compile(r"^[a-z0-9][a-z0-9-]{0,61}[a-z0-9]$")
REPOSITORY = re.compile(r"^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$")


def _env(*names):
    return any(os.environ.get(name) for name in names)


def check(i):
    """The rules of do_network's inputs."""
    if not i.text("do_network_api_token") and not _env(*TOKEN_ENV):
        i.fail(
            "No DigitalOcean API token: set do_network_api_token from vault (inventories/production/group_vars/all/"
            "vault.yml) or an AWX credential, or export DO_API_TOKEN (for the sandbox: source .workbench/sandbox.env)"
        )
    if i.get("do_network_api_url", ""):
        i.url(
            "do_network_api_url",
            expected="must be an http:// or https:// URL (or empty, for DO_API_URL or the real API)",
        )
    i.url("do_network_spaces_endpoint_url", expected="must be an http:// or https:// URL")
    for name in ("do_network_region", "do_network_registry_region", "do_network_spaces_region"):
        i.pattern(name, REGION, "is not a DigitalOcean region slug such as fra1 or nyc3", value=str(i.get(name, "")))
    vpc_range(i)
    i.pattern("do_network_vpc_name", r"^[A-Za-z0-9.-]+$", "must be letters, digits, '-' and '.'")
    i.pattern(
        "do_network_firewall_name",
        r"^[A-Za-z0-9][A-Za-z0-9.-]+$",
        "must be letters, digits, '-' and '.', starting with a letter or digit",
    )
    for name, limit in (("do_network_project_name", 175), ("do_network_project_purpose", 255)):
        if not i.text(name) or len(str(i.get(name))) > limit:
            i.bad(name, "must not be empty and at most %d characters" % limit)
    firewall(i)
    i.pattern(
        "do_network_spaces_bucket",
        BUCKET,
        "is not a valid bucket name (3-63 characters: lower-case letters, digits and dashes, starting and ending with a letter or digit)",
    )
    spaces_keys(i)
    i.pattern("do_network_registry_name", REGISTRY, "must be lower-case letters, digits and dashes (at most 63)")
    bad = [r for r in i.get("do_network_registry_repositories", []) if not REPOSITORY.match(str(r))]
    if bad:
        i.bad(
            "do_network_registry_repositories",
            "has %s: a repository name is lower-case letters and digits, separated by '.', '_', '-' or '/'" % bad,
        )


def vpc_range(i):
    """A private (RFC 1918) IPv4 network between /16 and /28."""
    value = i.get("do_network_vpc_ip_range", "")
    net = network_of(value) if isinstance(value, str) and "/" in value else None
    private = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
    if not (net and net.version == 4 and any(net.subnet_of(p) for p in private) and 16 <= net.prefixlen <= 28):
        i.bad(
            "do_network_vpc_ip_range",
            "must be a private (RFC 1918) IPv4 network between /16 and /28, for example 10.10.0.0/16",
        )


def firewall(i):
    """Tags, ports, addresses and the extra rules (these through the do_firewall module's normaliser)."""
    tags = i.get("do_network_firewall_tags", [])
    if not tags:
        i.bad(
            "do_network_firewall_tags", "is empty: the firewall would protect nothing; give the cluster's node pool tag"
        )
    elif [t for t in tags if not TAG.match(str(t))]:
        i.bad(
            "do_network_firewall_tags",
            "has %s: a tag is 1-255 letters, digits, ':', '-' or '_'" % [t for t in tags if not TAG.match(str(t))],
        )
    for side, addresses_name in (
        ("inbound", "do_network_firewall_inbound_sources"),
        ("outbound", "do_network_firewall_outbound_destinations"),
    ):
        ports_name = "do_network_firewall_%s_ports" % side
        ports = i.get(ports_name, [])
        for port in ports:
            text = str(port)
            bounds = [int(b) for b in text.split("-")] if PORT_RANGE.match(text) else []
            if not bounds or min(bounds) < 1 or max(bounds) > 65535 or bounds[0] > bounds[-1]:
                i.fail(
                    "%s has %s: a firewall port is a TCP port 1-65535 or a range such as 8000-9000" % (ports_name, text)
                )
        addresses = i.get(addresses_name, [])
        if not addresses and ports:
            i.fail("%s is empty: give at least one IP address or CIDR network while there are ports" % addresses_name)
        for address in addresses:
            if network_of(str(address)) is None:
                i.fail(
                    "%s has %s: the rules' addresses must be IPv4 or IPv6 addresses or CIDR networks (such as 0.0.0.0/0 or ::/0)"
                    % (addresses_name, show(address))
                )
    for name, side in (
        ("do_network_firewall_extra_inbound_rules", "sources"),
        ("do_network_firewall_extra_outbound_rules", "destinations"),
    ):
        for index, rule in enumerate(i.get(name, [])):
            ports = str(rule.get("ports", "")) if isinstance(rule, dict) else ""
            protocol = str(rule.get("protocol", "")).lower() if isinstance(rule, dict) else ""
            try:
                if not isinstance(rule, dict):
                    raise _do_resources.SpecError("a rule is a mapping")
                if protocol != "icmp" and not re.match(r"^(all|0|[1-9][0-9]{0,4}(-[1-9][0-9]{0,4})?)$", ports):
                    raise _do_resources.SpecError("ports must be a port, a range, 0 or all for tcp and udp")
                _do_resources.normalize_rule(rule, side)
            except _do_resources.SpecError as exc:
                i.fail(
                    "%s[%d]=%s: %s (each rule needs protocol tcp, udp or icmp, ports for tcp and udp, and {%s} with "
                    "addresses, tags, droplet_ids, load_balancer_uids or kubernetes_ids)"
                    % (name, index, show(rule), str(exc).rstrip("."), side)
                )


def spaces_keys(i):
    """Both Spaces keys or neither; with neither, keys or a profile in the environment (values never shown)."""
    access, secret = bool(i.text("do_network_spaces_access_key")), bool(i.text("do_network_spaces_secret_key"))
    if access != secret:
        i.fail(
            "Set both do_network_spaces_access_key and do_network_spaces_secret_key, or neither (%s is empty); the key "
            "values are not shown" % ("do_network_spaces_secret_key" if access else "do_network_spaces_access_key")
        )
    elif not access:
        env_keys = _env("AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "EC2_ACCESS_KEY") and _env(
            "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY", "EC2_SECRET_KEY"
        )
        credentials = os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or os.path.join(
            os.environ.get("HOME", ""), ".aws", "credentials"
        )
        if not (env_keys or _env("AWS_PROFILE", "AWS_DEFAULT_PROFILE") or os.path.isfile(credentials)):
            i.fail(
                "No Spaces keys: set do_network_spaces_access_key and do_network_spaces_secret_key from vault, or export "
                "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (for the sandbox: source .workbench/sandbox.env)"
            )
