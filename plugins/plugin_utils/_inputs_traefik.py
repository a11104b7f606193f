# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the input rules of the traefik role (run by the role_input_problems filter from its preflight).

Addresses and networks are checked by the ip_network test's parser, names, quantities, ports and durations by the
shared checks of ``_inputs``; the helm binary and a local chart are asked directly (``helm version``, ``helm show
chart``: helm ignores ``--version`` for a local chart, so a chart of another version would install silently).
The dashboard's htpasswd entries are secret: a message names their users, never an entry or a hash.
"""

from __future__ import annotations

import re

from ansible_collections.insightpulseai.workbench.plugins.plugin_utils._inputs import HOSTNAME, QUANTITY, _as_int, show
from ansible_collections.insightpulseai.workbench.plugins.test.ip_network import network_of

SECRETS = ("traefik_dashboard_users",)
# The chart the role installs (vars/main.yml _traefik_chart_name).
CHART_NAME = "traefik"
CHART_VERSION = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+(?:[-+][0-9A-Za-z.-]+)?$")
RESOLVER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
SERVICE = re.compile(r"^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
SUBDOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
EMAIL = re.compile(r"^[^@\s]+@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
# Let's Encrypt refuses registrations with these e-mail domains.
ACME_FORBIDDEN_DOMAINS = ("example.com", "example.org", "example.net", "localhost")
# htpasswd entries Traefik's basicAuth accepts: bcrypt, Apache MD5 or SHA1; never a clear-text password.
HTPASSWD = re.compile(
    r"^[^:\s]+:(\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}|\$apr1\$[./A-Za-z0-9]{1,8}\$[./A-Za-z0-9]{22}"
    r"|\{SHA\}[A-Za-z0-9+/]{27}=)$"
)
CIPHER_SUITE = re.compile(r"^TLS_[A-Z0-9_]+$")
# The curves Traefik accepts (Go names and RFC names).
CURVES = (
    "X25519",
    "CurveP256",
    "CurveP384",
    "CurveP521",
    "X25519MLKEM768",
    "secp256r1",
    "secp384r1",
    "secp521r1",
    "x25519",
)
PROBE_KEYS = ("failureThreshold", "initialDelaySeconds", "periodSeconds", "successThreshold", "timeoutSeconds")
# (route, variable prefix, its enabling flag), in the order the role applies them.
APP_ROUTES = (
    ("n8n", "traefik_n8n", "traefik_n8n_route_enabled"),
    ("litellm", "traefik_litellm", "traefik_litellm_route_enabled"),
)


def check(i):
    """The rules of traefik's inputs."""
    if i.flag("traefik_acme_enabled"):
        acme_email(i)
    i.pattern("traefik_acme_resolver_name", RESOLVER, "must be letters, digits, '-' or '_'")
    i.dns_label("traefik_namespace")
    i.dns_label("traefik_release_name", 53, what="a helm release name")
    routes(i)
    if i.flag("traefik_n8n_route_enabled"):
        n8n_admin_ranges(i)
    if i.flag("traefik_proxy_protocol"):
        proxy_protocol(i)
    if i.flag("traefik_dashboard_enabled"):
        dashboard_users(i)
    replicas(i)
    i.pattern("traefik_chart_version", CHART_VERSION, "is not a chart version such as 41.3.0 (pin one)")
    i.url("traefik_chart_repo_url", expected="is not an http:// or https:// URL of a chart repository")
    i.duration("traefik_helm_wait_timeout")
    storage(i)
    tls(i)
    pod(i)
    i.kubeconfig("traefik_kubeconfig")
    if i.helm("traefik_helm_binary"):
        i.local_chart(
            "traefik_chart_ref",
            CHART_NAME,
            "traefik_chart_version",
            "traefik_helm_binary",
            i.text("traefik_chart_repo_url"),
        )


def acme_email(i):
    """A mailbox Let's Encrypt registers: an address, not of a domain it refuses."""
    value = i.get("traefik_acme_email", "")
    if (
        not isinstance(value, str)
        or not EMAIL.match(value)
        or value.rsplit("@", 1)[-1].lower() in ACME_FORBIDDEN_DOMAINS
    ):
        i.bad(
            "traefik_acme_email",
            "is not a usable e-mail address for the Let's Encrypt account (traefik_acme_enabled is true): give a real "
            "mailbox (domains %s are refused by Let's Encrypt), or set traefik_acme_enabled to false"
            % ", ".join(ACME_FORBIDDEN_DOMAINS),
        )


def routes(i):
    """Each enabled route: a DNS name of its own; an app route's Service a namespace, a Service name and a port."""
    hostnames = []
    if i.flag("traefik_dashboard_enabled"):
        hostnames.append("traefik_dashboard_hostname")
    hostnames += ["%s_hostname" % prefix for dummy, prefix, enabled in APP_ROUTES if i.flag(enabled)]
    for name in hostnames:
        i.pattern(
            name,
            HOSTNAME,
            "is not a fully qualified DNS name (lower case, e.g. n8n.example.org); set it, or disable the route",
        )
    values = [str(i.get(name, "")) for name in hostnames]
    shared = []
    for value in sorted(set(values), key=values.index):
        owners = [name for name, other in zip(hostnames, values) if other == value]
        if len(owners) > 1:
            shared.append("%s share %s" % (" and ".join(owners), value))
    if shared:
        i.fail("Each route needs its own hostname; got %s (%s)" % (", ".join(values), "; ".join(shared)))
    for route, prefix, enabled in APP_ROUTES:
        if not i.flag(enabled):
            continue
        i.dns_label(prefix + "_namespace", what="the namespace of the %s route's Service" % route)
        i.pattern(
            prefix + "_service_name",
            SERVICE,
            "must be the name of the %s route's Service (a DNS label starting with a letter)" % route,
        )
        i.port(prefix + "_service_port")


def network_list_problems(networks, everyone_ok, everyone):
    """What is wrong with a list of IPv4/IPv6 addresses or CIDR networks, in words after the variable's name (the
    ip_network test's parser); ``everyone`` says why 0.0.0.0/0 or ::/0 is refused unless ``everyone_ok``."""
    if isinstance(networks, (str, dict)) or not isinstance(networks, (list, tuple)):
        return ["must be a list, got %s" % show(networks)]
    if not networks:
        return ["is empty"]
    problems = []
    bad = [n for n in networks if network_of(n) is None]
    if bad:
        problems.append("has %s, not an IPv4/IPv6 address or CIDR network" % ", ".join(show(n) for n in bad))
    every = [n for n in networks if network_of(n) is not None and network_of(n).prefixlen == 0]
    if every and not everyone_ok:
        problems.append("has %s, %s" % (", ".join(every), everyone))
    return problems


def n8n_admin_ranges(i):
    """n8n's editor, /rest and /api are reachable only from these networks: not none, not everybody (unless said)."""
    problems = network_list_problems(
        i.get("traefik_n8n_admin_source_ranges", []),
        i.flag("traefik_n8n_admin_allow_everyone"),
        "which allows every address",
    )
    if problems:
        i.fail(
            "traefik_n8n_admin_source_ranges %s. It lists the IPv4/IPv6 addresses or CIDR networks (e.g. "
            "203.0.113.0/24, 2001:db8::/48) that may reach n8n's editor, /rest and /api on %s - the operators' and "
            "the controller's (AWX, CI) addresses; the public reaches only /webhook/workbench/... and /healthz. "
            "0.0.0.0/0 or ::/0 needs traefik_n8n_admin_allow_everyone=true"
            % ("; ".join(problems), i.text("traefik_n8n_hostname"))
        )


def proxy_protocol(i):
    """PROXY protocol needs a load balancer to send the header, and peers to trust that are not everybody."""
    problems = []
    if i.get("traefik_service_type") != "LoadBalancer":
        problems.append("%s has no load balancer to send it" % i.show("traefik_service_type"))
    problems += [
        "traefik_proxy_protocol_trusted_ips " + p
        for p in network_list_problems(
            i.get("traefik_proxy_protocol_trusted_ips", []), False, "which trusts every address"
        )
    ]
    if problems:
        i.fail(
            "traefik_proxy_protocol is true, but %s. traefik_proxy_protocol_trusted_ips lists the networks the load "
            "balancer reaches Traefik from (the VPC, e.g. 10.10.0.0/16); a PROXY header from anyone else is ignored. "
            "Set traefik_proxy_protocol=false when no load balancer is in front of Traefik" % "; ".join(problems)
        )


def _user(index, entry):
    """The user name of an htpasswd entry (the part before ':'); an entry without one is named by its position, so
    that a bare password never reaches a message."""
    name = entry.split(":", 1)[0] if ":" in entry else ""
    return name or "(entry %d without a name)" % (index + 1)


def dashboard_users(i):
    """htpasswd entries with a supported hash, each user once (only user names reach the message)."""
    entries = i.get("traefik_dashboard_users", [])
    entries = [str(e) for e in entries] if isinstance(entries, (list, tuple)) else [str(entries)]
    names = [_user(n, e) for n, e in enumerate(entries)]
    bad = [name for name, entry in zip(names, entries) if not HTPASSWD.match(entry)]
    problems = []
    if not entries:
        problems.append("traefik_dashboard_users is empty.")
    if bad:
        problems.append(
            "Not an htpasswd entry with a supported hash (clear-text passwords are refused): user(s) %s."
            % ", ".join(bad)
        )
    repeated = [name for name in names if names.count(name) > 1]
    if repeated:
        problems.append("Repeated user names: %s." % ", ".join(repeated))
    if problems:
        i.fail(
            'traefik_dashboard_enabled is true, so traefik_dashboard_users needs htpasswd entries "name:hash" (bcrypt, '
            "$apr1$ or {SHA}; make one with `htpasswd -nbB admin 'password'`) from vault, with each name once. %s"
            % " ".join(problems)
        )


def replicas(i):
    """With autoscaling 1 <= min <= max and a CPU percentage; without it, at least one replica."""
    if not i.flag("traefik_autoscaling_enabled"):
        count = _as_int(i.get("traefik_replicas"))
        if count is None or count < 1:
            i.bad("traefik_replicas", "must be a replica count of at least 1 (autoscaling is off)")
        return
    low = i.integer("traefik_autoscaling_min_replicas", 1, what="a replica count")
    high = i.integer("traefik_autoscaling_max_replicas", 1, what="a replica count")
    least, most = _as_int(i.get("traefik_autoscaling_min_replicas")), _as_int(i.get("traefik_autoscaling_max_replicas"))
    if low and high and least > most:
        i.fail(
            "%s and %s need 1 <= min <= max"
            % (i.show("traefik_autoscaling_min_replicas"), i.show("traefik_autoscaling_max_replicas"))
        )
    i.integer("traefik_autoscaling_cpu_utilization", 1, 100, what="a percentage")


def storage(i):
    """The ingress class and the ACME volume's storage class: object names; its size a quantity."""
    expected = "must be a Kubernetes object name (a lower-case DNS subdomain)"
    i.pattern("traefik_ingress_class", SUBDOMAIN, expected)
    if i.get("traefik_acme_storage_class", ""):
        i.pattern("traefik_acme_storage_class", SUBDOMAIN, expected)
    size = i.get("traefik_acme_storage_size", "")
    i.pattern("traefik_acme_storage_size", QUANTITY, "must be a Kubernetes quantity such as 128Mi", value=str(size))


def tls(i):
    """Cipher suites by their Go names, curves Traefik knows, an HSTS max-age in seconds."""
    suites = [str(s) for s in i.get("traefik_tls_cipher_suites", []) if not CIPHER_SUITE.match(str(s))]
    if suites:
        i.fail(
            "traefik_tls_cipher_suites has %s: cipher suites are Go names (TLS_..., e.g. "
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)" % ", ".join(map(show, suites))
        )
    curves = [str(c) for c in i.get("traefik_tls_curve_preferences", []) if str(c) not in CURVES]
    if curves:
        i.fail(
            "traefik_tls_curve_preferences has %s: curves are among %s"
            % (", ".join(map(show, curves)), ", ".join(CURVES))
        )
    i.integer("traefik_hsts_max_age", 0, what="a number of seconds")


def pod(i):
    """Container resources (the shared check) and the probes' timings: whole numbers, at least 1 (a delay 0)."""
    i.resources("traefik_resources")
    for name in ("traefik_readiness_probe", "traefik_liveness_probe"):
        probe = i.get(name, {})
        if not isinstance(probe, dict):
            i.bad(name, "must be a mapping of %s" % ", ".join(PROBE_KEYS))
            continue
        unknown = sorted(str(k) for k in probe if k not in PROBE_KEYS)
        if unknown:
            i.bad(name, "has unknown key(s) %s: a probe's timings are %s" % (", ".join(unknown), ", ".join(PROBE_KEYS)))
        for key, value in probe.items():
            if key in PROBE_KEYS:
                least = 0 if key == "initialDelaySeconds" else 1
                what = "a whole number of seconds" if key.endswith("Seconds") else "a whole number"
                i.integer("%s.%s" % (name, key), least, value=value, what=what)
