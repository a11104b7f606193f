# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: desired-state planning for the smaller DigitalOcean resources - VPCs, cloud firewalls, the container
registry and projects. Not a public API.

Each ``plan_*`` function takes the desired state (a dict of module parameters, None meaning "leave alone") and the
current API object (or None), and returns a ``Plan``: what to send, what changes (``changes``: attribute ->
(current, desired)), and a one-line summary per change. Drift the API cannot fix in place raises ``DriftError``
naming attribute, current and desired value, before anything is written. No function here talks HTTP.
"""

from __future__ import annotations

import ipaddress
import json

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _runtime

PURPOSES = (
    "Just trying out DigitalOcean",
    "Class project / Educational purposes",
    "Website or blog",
    "Web Application",
    "Service or API",
    "Mobile Application",
    "Machine learning / AI / Data processing",
    "IoT",
    "Operational / Developer tooling",
)
ENVIRONMENTS = ("Development", "Staging", "Production")
RULE_TARGETS = ("addresses", "droplet_ids", "load_balancer_uids", "kubernetes_ids", "tags")
REGISTRY_TIERS = ("starter", "basic", "professional")


SpecError = _runtime.SpecError  # invalid desired state: raised before anything is written


class DriftError(_runtime.DriftError):
    """The resource differs in a way the API cannot change in place (raised while planning: nothing written).
    ``drifts`` lists each attribute with its current and desired value; the failed result carries it as ``drift``."""

    def __init__(self, what, drifts):
        self.drifts = drifts
        _runtime.DriftError.__init__(
            self,
            "%s cannot be brought to the desired state in place; nothing was changed: %s." % (what, "; ".join(drifts)),
            written=False,
            drift=list(drifts),
        )


class Plan(object):
    """``action`` is create | update | delete | none; ``body`` what to send; ``changes`` attr -> (current, desired)."""

    def __init__(self, action="none", body=None, changes=None, extra=None):
        self.action = action
        self.body = body
        self.changes = changes or {}
        self.extra = extra or {}

    @property
    def changed(self):
        """Whether there is anything to send."""
        return self.action != "none"

    def summary(self):
        """One line per change (``create``, ``delete``, or ``attr: current -> desired``): the run's actions."""
        if self.action == "create":
            return ["create"]
        if self.action == "delete":
            return ["delete"]
        return ["%s: %s -> %s" % (key, _show(old), _show(new)) for key, (old, new) in sorted(self.changes.items())]


def _show(value):
    if value is None:
        return "(none)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, sort_keys=True)
    return str(value)


# ---------------------------------------------------------------------------------------------------------
# VPC
# ---------------------------------------------------------------------------------------------------------


def normalize_ip_range(value):
    """``value`` as a normalised private IPv4 network (/16 to /28), or None; SpecError otherwise."""
    if value is None:
        return None
    try:
        network = ipaddress.ip_network(str(value), strict=True)
    except ValueError as exc:
        raise SpecError("ip_range %r is not a network in CIDR notation (%s)." % (value, exc))
    if network.version != 4 or not network.is_private:
        raise SpecError("ip_range %s is not a private IPv4 range (RFC 1918)." % value)
    if not 16 <= network.prefixlen <= 28:
        raise SpecError("ip_range %s must be between /16 and /28 (DigitalOcean's limits)." % value)
    return str(network)


def vpc_view(vpc):
    """What a module returns (and diffs) of an API VPC object; {} for none."""
    if not vpc:
        return {}
    return dict((k, vpc.get(k)) for k in ("id", "urn", "name", "region", "ip_range", "description", "default"))


def plan_vpc(desired, current):
    """The Plan for a VPC: create, update (description, default) or none; DriftError for region/range/default drift."""
    ip_range = normalize_ip_range(desired.get("ip_range"))
    if current is None:
        if not desired.get("region"):
            raise SpecError("VPC %r does not exist and cannot be created without region." % desired["name"])
        body = dict(name=desired["name"], region=desired["region"])
        if ip_range:
            body["ip_range"] = ip_range
        if desired.get("description") is not None:
            body["description"] = desired["description"]
        return Plan("create", body, extra=dict(make_default=bool(desired.get("default"))))
    drifts = []
    if desired.get("region") and desired["region"] != current["region"]:
        drifts.append(
            "region is %s, desired %s (a VPC cannot move: create a new one)" % (current["region"], desired["region"])
        )
    if ip_range and ip_range != current["ip_range"]:
        drifts.append(
            "ip_range is %s, desired %s (a VPC's range cannot change: create a new one)"
            % (current["ip_range"], ip_range)
        )
    if desired.get("default") is False and current.get("default"):
        drifts.append(
            "default is true, desired false (a region's default VPC cannot be unset: make another VPC the default)"
        )
    if drifts:
        raise DriftError("VPC %r" % desired["name"], drifts)
    changes, body = {}, {}
    if desired.get("description") is not None and desired["description"] != (current.get("description") or ""):
        changes["description"] = (current.get("description") or "", desired["description"])
        body["description"] = desired["description"]
    if desired.get("default") and not current.get("default"):
        changes["default"] = (False, True)
        body["default"] = True
    return Plan("update" if changes else "none", body, changes)


def vpc_after(desired, current, plan, first_in_region=False):
    """What the VPC will look like (diff 'after' and check mode). The first VPC of a region becomes its default."""
    if plan.action == "create":
        view = dict(
            name=desired["name"],
            region=desired["region"],
            ip_range=plan.body.get("ip_range"),
            description=plan.body.get("description", ""),
            default=bool(desired.get("default")) or first_in_region,
        )
        return view
    view = vpc_view(current)
    for key, (_old, new) in plan.changes.items():
        view[key] = new
    return view


# ---------------------------------------------------------------------------------------------------------
# Firewall
# ---------------------------------------------------------------------------------------------------------


def normalize_rule(rule, side):
    """A rule in the form the API returns it: lower-case protocol, ports as a string ("0" = all ports, and always
    "0" for icmp), only non-empty targets, each sorted."""
    protocol = str(rule.get("protocol") or "").lower()
    if protocol not in ("tcp", "udp", "icmp"):
        raise SpecError("firewall rule protocol must be tcp, udp or icmp, got %r." % rule.get("protocol"))
    ports = rule.get("ports")
    ports = "0" if ports in (None, "", "all", 0) or protocol == "icmp" else str(ports)
    targets = rule.get(side) or {}
    unknown = sorted(set(targets) - set(RULE_TARGETS))
    if unknown:
        raise SpecError(
            "firewall rule %s has unknown key(s) %s; expected some of %s."
            % (side, ", ".join(unknown), ", ".join(RULE_TARGETS))
        )
    out = {}
    for key in RULE_TARGETS:
        values = targets.get(key)
        if values:
            if key == "droplet_ids":
                try:
                    values = [int(v) for v in values]
                except (TypeError, ValueError):
                    raise SpecError("firewall rule %s.droplet_ids must be integers, got %r." % (side, values))
            out[key] = sorted(set(values))
    if not out:
        raise SpecError(
            "firewall rule %s %s/%s has no %s: give addresses, tags, droplet_ids, load_balancer_uids or "
            "kubernetes_ids." % (side, protocol, ports, side)
        )
    return {"protocol": protocol, "ports": ports, side: out}


def normalize_rules(rules, side):
    """Rules normalised (see normalize_rule), deduplicated and sorted; None stays None (leave alone)."""
    if rules is None:
        return None
    unique = dict((json.dumps(r, sort_keys=True), r) for r in (normalize_rule(rule, side) for rule in rules))
    return [unique[k] for k in sorted(unique)]


def firewall_view(firewall):
    """What a module returns (and diffs) of an API firewall object, rules normalised; {} for none."""
    if not firewall:
        return {}
    return dict(
        id=firewall.get("id"),
        name=firewall.get("name"),
        status=firewall.get("status"),
        inbound_rules=normalize_rules(firewall.get("inbound_rules") or [], "sources"),
        outbound_rules=normalize_rules(firewall.get("outbound_rules") or [], "destinations"),
        tags=sorted(set(firewall.get("tags") or [])),
        droplet_ids=sorted(set(firewall.get("droplet_ids") or [])),
    )


def plan_firewall(desired, current):
    """The Plan for a firewall: create, update (a PUT of the whole firewall) or none."""
    want = dict(
        inbound_rules=normalize_rules(desired.get("inbound_rules"), "sources"),
        outbound_rules=normalize_rules(desired.get("outbound_rules"), "destinations"),
        tags=None if desired.get("tags") is None else sorted(set(desired["tags"])),
        droplet_ids=None if desired.get("droplet_ids") is None else sorted(set(desired["droplet_ids"])),
    )
    if current is None:
        if not want["inbound_rules"] and not want["outbound_rules"]:
            raise SpecError(
                "firewall %r does not exist and cannot be created without inbound_rules or outbound_rules."
                % desired["name"]
            )
        body = dict(name=desired["name"])
        body.update((k, v or []) for k, v in want.items())
        return Plan("create", body)
    have = firewall_view(current)
    changes = {}
    for key, value in want.items():
        if value is not None and value != have[key]:
            changes[key] = (have[key], value)
    if not changes:
        return Plan()
    # PUT replaces the whole firewall: send what is kept as well as what changes.
    body = dict(name=desired["name"])
    for key in want:
        body[key] = want[key] if want[key] is not None else have[key]
    return Plan("update", body, changes)


def firewall_after(desired, current, plan):
    """What the firewall will look like after the plan (diff 'after' and check mode), without its status."""
    if plan.action in ("create", "update"):
        view = dict(firewall_view(current)) if current else dict(name=desired["name"])
        for key in ("inbound_rules", "outbound_rules", "tags", "droplet_ids"):
            view[key] = plan.body[key]
        view.pop("status", None)
        return view
    view = firewall_view(current)
    view.pop("status", None)
    return view


# ---------------------------------------------------------------------------------------------------------
# Container registry
# ---------------------------------------------------------------------------------------------------------


def registry_view(registry):
    """What a module returns (and diffs) of the API registry object (with its subscription); {} for none."""
    if not registry:
        return {}
    subscription = registry.get("subscription") or {}
    tier = subscription.get("tier") or {}
    return dict(
        name=registry.get("name"),
        region=registry.get("region"),
        subscription_tier=tier.get("slug"),
        included_repositories=tier.get("included_repositories"),
        storage_usage_bytes=registry.get("storage_usage_bytes"),
    )


def plan_registry(desired, current):
    """Plan for the account's one registry; ``current`` is the API registry object (with its subscription) or None."""
    name = desired["name"]
    if current is None:
        if not desired.get("subscription_tier"):
            raise SpecError("registry %r does not exist and cannot be created without subscription_tier." % name)
        body = dict(name=name, subscription_tier_slug=desired["subscription_tier"])
        if desired.get("region"):
            body["region"] = desired["region"]
        return Plan("create", body)
    have = registry_view(current)
    drifts = []
    if have["name"] != name:
        drifts.append(
            "the account's registry is named %s, desired %s (an account has one registry and its name cannot "
            "change: set name to %s, or delete that registry first)" % (have["name"], name, have["name"])
        )
    if desired.get("region") and desired["region"] != have["region"]:
        drifts.append("region is %s, desired %s (a registry cannot move)" % (have["region"], desired["region"]))
    if drifts:
        raise DriftError("Container registry %r" % name, drifts)
    if desired.get("subscription_tier") and desired["subscription_tier"] != have["subscription_tier"]:
        return Plan(
            "update",
            dict(tier_slug=desired["subscription_tier"]),
            dict(subscription_tier=(have["subscription_tier"], desired["subscription_tier"])),
        )
    return Plan()


def check_tier_option(options, tier, region=None):
    """Fail (SpecError) unless ``GET /v2/registry/options`` says ``tier`` (and ``region``) can be used now."""
    tiers = dict((t.get("slug"), t) for t in options.get("subscription_tiers") or [])
    if tier not in tiers:
        raise SpecError("subscription tier %r is not offered; tiers: %s" % (tier, ", ".join(sorted(tiers))))
    if tiers[tier].get("eligible") is False:
        raise SpecError(
            "subscription tier %s cannot be used now: %s"
            % (tier, ", ".join(tiers[tier].get("eligibility_reasons") or ["not eligible"]))
        )
    regions = options.get("available_regions") or []
    if region and regions and region not in regions:
        raise SpecError("region %s has no container registry; available: %s" % (region, ", ".join(regions)))
    return tiers[tier]


def repository_report(expected, existing, included):
    """(missing, over_limit message or None) for the repositories a registry should hold.

    Repositories come into being when an image is pushed; the API cannot create them. ``included`` is the tier's
    number of repositories (0 = unlimited)."""
    expected = sorted(set(expected or []))
    existing = sorted(set(existing or []))
    missing = [r for r in expected if r not in existing]
    total = len(set(expected) | set(existing))
    over = None
    if included and total > included:
        over = "the registry would hold %d repositories (%s) but its tier includes %d" % (
            total,
            ", ".join(sorted(set(expected) | set(existing))),
            included,
        )
    return missing, over


# ---------------------------------------------------------------------------------------------------------
# Project
# ---------------------------------------------------------------------------------------------------------


def purpose_matches(desired, current):
    """DigitalOcean stores a purpose outside its list as "Other: <purpose>"."""
    return desired == current or (desired not in PURPOSES and current == "Other: " + desired)


def project_view(project, resources=None):
    """What a module returns (and diffs) of an API project, with its resource URNs when given; {} for none."""
    if not project:
        return {}
    view = dict((k, project.get(k)) for k in ("id", "name", "description", "purpose", "environment", "is_default"))
    if resources is not None:
        view["resources"] = sorted(resources)
    return view


def plan_project(desired, current):
    """The Plan for a project's own settings: create, update or none; DriftError for unsetting the default."""
    name = desired["name"]
    if desired.get("environment") is not None and desired["environment"] not in ENVIRONMENTS:
        raise SpecError("environment must be one of %s, got %r." % (", ".join(ENVIRONMENTS), desired["environment"]))
    if current is None:
        if not desired.get("purpose"):
            raise SpecError("project %r does not exist and cannot be created without purpose." % name)
        body = dict(name=name, purpose=desired["purpose"])
        for key in ("description", "environment"):
            if desired.get(key) is not None:
                body[key] = desired[key]
        return Plan("create", body, extra=dict(make_default=bool(desired.get("is_default"))))
    if desired.get("is_default") is False and current.get("is_default"):
        raise DriftError(
            "Project %r" % name,
            [
                "is_default is true, desired false (the default project cannot be unset: "
                "make another project the default)"
            ],
        )
    changes, body = {}, {}
    for key in ("description", "environment"):
        if desired.get(key) is not None and desired[key] != (current.get(key) or ""):
            changes[key] = (current.get(key), desired[key])
            body[key] = desired[key]
    if desired.get("purpose") is not None and not purpose_matches(desired["purpose"], current.get("purpose")):
        changes["purpose"] = (current.get("purpose"), desired["purpose"])
        body["purpose"] = desired["purpose"]
    if desired.get("is_default") and not current.get("is_default"):
        changes["is_default"] = (False, True)
        body["is_default"] = True
    return Plan("update" if changes else "none", body, changes)


def missing_resources(desired_urns, current_urns):
    """The desired URNs not yet in the project, sorted; SpecError for one that is not a DigitalOcean URN."""
    if desired_urns is None:
        return []
    for urn in desired_urns:
        if len(str(urn).split(":", 2)) != 3 or not str(urn).startswith("do:"):
            raise SpecError(
                "resource %r is not a DigitalOcean URN (do:<type>:<id>, for example do:kubernetes:<uuid> "
                "or do:space:<bucket>)." % urn
            )
    have = set(current_urns or [])
    return sorted(set(u for u in desired_urns if u not in have))
