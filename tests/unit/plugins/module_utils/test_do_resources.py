"""Planning logic of do_vpc, do_firewall, do_container_registry and do_project (module_utils/_do_resources.py)."""

import pytest

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _do_resources as res

VPC = dict(id="v1", urn="do:vpc:v1", name="wb", region="fra1", ip_range="10.10.0.0/16", description="d", default=False)


def vpc_desired(**kw):
    d = dict(name="wb", region="fra1", ip_range="10.10.0.0/16", description="d", default=None)
    d.update(kw)
    return d


def test_vpc_create_and_noop():
    plan = res.plan_vpc(vpc_desired(), None)
    assert plan.action == "create" and plan.body == dict(
        name="wb", region="fra1", ip_range="10.10.0.0/16", description="d"
    )
    assert res.plan_vpc(vpc_desired(), VPC).action == "none"
    assert res.plan_vpc(dict(name="wb"), VPC).action == "none"


def test_vpc_update_in_place():
    plan = res.plan_vpc(vpc_desired(description="new", default=True), VPC)
    assert plan.body == dict(description="new", default=True)
    assert plan.summary() == ["default: false -> true", "description: d -> new"]


def test_vpc_drift():
    with pytest.raises(res.DriftError) as info:
        res.plan_vpc(vpc_desired(region="ams3", ip_range="10.20.0.0/16", default=False), dict(VPC, default=True))
    assert len(info.value.drifts) == 3 and "region is fra1, desired ams3" in str(info.value)


@pytest.mark.parametrize(
    "ip_range, message",
    [
        ("10.10.0.0/15", "between /16 and /28"),
        ("8.8.8.0/24", "not a private"),
        ("10.10.0.1/16", "CIDR"),
        ("fd00::/64", "not a private IPv4"),
    ],
)
def test_vpc_range_validation(ip_range, message):
    with pytest.raises(res.SpecError, match=message):
        res.plan_vpc(vpc_desired(ip_range=ip_range), None)


def test_vpc_after_predicts_region_default():
    plan = res.plan_vpc(vpc_desired(), None)
    assert res.vpc_after(vpc_desired(), None, plan, first_in_region=True)["default"] is True
    assert res.vpc_after(vpc_desired(), None, plan, first_in_region=False)["default"] is False


# --- firewall ----------------------------------------------------------------------------------------------------

ANY = ["0.0.0.0/0", "::/0"]
STORED_FW = dict(
    id="f1",
    name="fw",
    status="succeeded",
    tags=["wb"],
    droplet_ids=[],
    inbound_rules=[dict(protocol="tcp", ports="443", sources=dict(addresses=ANY))],
    outbound_rules=[dict(protocol="icmp", ports="0", destinations=dict(addresses=ANY))],
)


def test_rule_normalisation():
    assert res.normalize_rule(
        dict(protocol="TCP", ports=443, sources=dict(addresses=list(reversed(ANY)), tags=[])), "sources"
    ) == dict(protocol="tcp", ports="443", sources=dict(addresses=ANY))
    assert res.normalize_rule(
        dict(protocol="udp", ports="all", destinations=dict(droplet_ids=["7", 3])), "destinations"
    ) == dict(protocol="udp", ports="0", destinations=dict(droplet_ids=[3, 7]))
    assert res.normalize_rule(dict(protocol="icmp", ports="8", sources=dict(tags=["x"])), "sources")["ports"] == "0"


@pytest.mark.parametrize(
    "rule, message",
    [
        (dict(protocol="sctp", ports="1", sources=dict(addresses=ANY)), "tcp, udp or icmp"),
        (dict(protocol="tcp", ports="1"), "has no sources"),
        (dict(protocol="tcp", ports="1", sources=dict(cidrs=ANY)), "unknown key"),
        (dict(protocol="tcp", ports="1", sources=dict(droplet_ids=["x"])), "must be integers"),
    ],
)
def test_bad_rules(rule, message):
    with pytest.raises(res.SpecError, match=message):
        res.normalize_rule(rule, "sources")


def test_firewall_noop_update_and_put_body():
    desired = dict(
        name="fw",
        tags=["wb"],
        droplet_ids=None,
        inbound_rules=STORED_FW["inbound_rules"],
        outbound_rules=[dict(protocol="icmp", destinations=dict(addresses=ANY))],
    )
    assert res.plan_firewall(desired, STORED_FW).action == "none"
    plan = res.plan_firewall(dict(desired, tags=["wb", "x"], outbound_rules=None), STORED_FW)
    assert plan.action == "update" and list(plan.changes) == ["tags"]
    assert plan.body["outbound_rules"] == STORED_FW["outbound_rules"] and plan.body["tags"] == ["wb", "x"]


def test_firewall_create_needs_rules():
    with pytest.raises(res.SpecError, match="without inbound_rules or outbound_rules"):
        res.plan_firewall(dict(name="fw", tags=["wb"]), None)


# --- registry ----------------------------------------------------------------------------------------------------

REGISTRY = dict(
    name="reg",
    region="fra1",
    storage_usage_bytes=0,
    subscription=dict(tier=dict(slug="basic", included_repositories=5)),
)


def test_registry_plans():
    assert res.plan_registry(dict(name="reg", region="fra1", subscription_tier="basic"), None).body == dict(
        name="reg", subscription_tier_slug="basic", region="fra1"
    )
    assert res.plan_registry(dict(name="reg", region=None, subscription_tier="basic"), REGISTRY).action == "none"
    plan = res.plan_registry(dict(name="reg", region="fra1", subscription_tier="professional"), REGISTRY)
    assert plan.body == dict(tier_slug="professional") and plan.summary() == [
        "subscription_tier: basic -> professional"
    ]
    with pytest.raises(res.SpecError, match="without subscription_tier"):
        res.plan_registry(dict(name="reg", region=None, subscription_tier=None), None)


def test_registry_drift():
    with pytest.raises(res.DriftError) as info:
        res.plan_registry(dict(name="other", region="ams3", subscription_tier="basic"), REGISTRY)
    assert "registry is named reg, desired other" in str(info.value) and "region is fra1, desired ams3" in str(
        info.value
    )


def test_tier_options():
    options = dict(
        available_regions=["fra1"],
        subscription_tiers=[
            dict(slug="basic", included_repositories=5, eligible=True),
            dict(slug="starter", included_repositories=1, eligible=False, eligibility_reasons=["OverRepositoryLimit"]),
        ],
    )
    assert res.check_tier_option(options, "basic", "fra1")["included_repositories"] == 5
    with pytest.raises(res.SpecError, match="OverRepositoryLimit"):
        res.check_tier_option(options, "starter")
    with pytest.raises(res.SpecError, match="has no container registry"):
        res.check_tier_option(options, "basic", "tor1")
    with pytest.raises(res.SpecError, match="not offered"):
        res.check_tier_option(options, "gold")


def test_repository_report():
    assert res.repository_report(["a", "b"], ["b", "c"], 5) == (["a"], None)
    missing, over = res.repository_report(["a", "b"], ["c"], 2)
    assert missing == ["a", "b"] and "would hold 3 repositories (a, b, c) but its tier includes 2" in over
    assert res.repository_report(["a"] * 3, [], 0) == (["a"], None)  # 0 = unlimited


# --- project -----------------------------------------------------------------------------------------------------

PROJECT = dict(
    id="p1", name="wb", description="d", purpose="Other: AI stuff", environment="Production", is_default=False
)


def test_custom_purpose_is_stored_as_other():
    assert res.purpose_matches("AI stuff", "Other: AI stuff")
    assert res.purpose_matches("Web Application", "Web Application")
    assert not res.purpose_matches("Web Application", "Other: Web Application")
    assert (
        res.plan_project(dict(name="wb", purpose="AI stuff", description="d", environment="Production"), PROJECT).action
        == "none"
    )


def test_project_update_and_create():
    plan = res.plan_project(dict(name="wb", environment="Staging", is_default=True), PROJECT)
    assert plan.body == dict(environment="Staging", is_default=True)
    assert res.plan_project(dict(name="wb", purpose="Service or API", is_default=True), None).extra == dict(
        make_default=True
    )
    with pytest.raises(res.SpecError, match="without purpose"):
        res.plan_project(dict(name="wb"), None)
    with pytest.raises(res.SpecError, match="environment must be one of"):
        res.plan_project(dict(name="wb", environment="Prod"), PROJECT)
    with pytest.raises(res.DriftError, match="default project cannot be unset"):
        res.plan_project(dict(name="wb", is_default=False), dict(PROJECT, is_default=True))


def test_missing_resources():
    assert res.missing_resources(None, ["a"]) == []
    assert res.missing_resources(["do:space:b", "do:kubernetes:1"], ["do:space:b"]) == ["do:kubernetes:1"]
    with pytest.raises(res.SpecError, match="not a DigitalOcean URN"):
        res.missing_resources(["space:b"], [])
