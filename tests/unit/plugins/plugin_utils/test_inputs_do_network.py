"""The input rules of do_network (plugin_utils._inputs_do_network), through the role_input_problems filter."""

from __future__ import annotations

import pytest

from ansible_collections.insightpulseai.workbench.plugins.filter.role_input_problems import role_input_problems

TOKEN = "dop_v1_unit-secret-token"
SECRET = "unit-spaces-secret-key"
GOOD = dict(
    do_network_api_token=TOKEN,
    do_network_api_url="http://127.0.0.1:9/v2",
    do_network_spaces_endpoint_url="https://fra1.digitaloceanspaces.com",
    do_network_region="fra1",
    do_network_registry_region="fra1",
    do_network_spaces_region="fra1",
    do_network_vpc_name="ai-workbench-vpc",
    do_network_vpc_ip_range="10.10.0.0/16",
    do_network_firewall_name="ai-workbench-fw",
    do_network_project_name="AI Workbench",
    do_network_project_purpose="Service or API",
    do_network_firewall_tags=["k8s:worker"],
    do_network_firewall_inbound_ports=[80, 443, "30000-32767"],
    do_network_firewall_inbound_sources=["0.0.0.0/0", "::/0"],
    do_network_firewall_outbound_ports=[],
    do_network_firewall_outbound_destinations=[],
    do_network_firewall_extra_inbound_rules=[{"protocol": "icmp", "sources": {"addresses": ["10.0.0.0/8"]}}],
    do_network_firewall_extra_outbound_rules=[],
    do_network_spaces_bucket="ai-workbench-artifacts",
    do_network_spaces_access_key="unit-access-key",
    do_network_spaces_secret_key=SECRET,
    do_network_registry_name="ai-workbench",
    do_network_registry_repositories=["ocr-backend", "team/expense-api"],
)


def problems(**changes):
    values = dict(GOOD, **changes)
    found = role_input_problems(values, "do_network")
    assert all(TOKEN not in p and SECRET not in p for p in found)
    return found


def test_the_seed_values_pass():
    assert problems() == []


@pytest.mark.parametrize(
    "changes, expected",
    [
        (
            dict(do_network_api_url="api.digitalocean.com/v2"),
            'do_network_api_url="api.digitalocean.com/v2" must be an http',
        ),
        (dict(do_network_region="frankfurt"), 'do_network_region="frankfurt" is not a DigitalOcean region slug'),
        (dict(do_network_vpc_ip_range="8.8.0.0/16"), 'do_network_vpc_ip_range="8.8.0.0/16" must be a private'),
        (dict(do_network_vpc_ip_range="10.0.0.0/8"), 'do_network_vpc_ip_range="10.0.0.0/8" must be a private'),
        (dict(do_network_vpc_name="my vpc"), 'do_network_vpc_name="my vpc" must be letters'),
        (dict(do_network_firewall_tags=[]), "do_network_firewall_tags=[] is empty"),
        (dict(do_network_firewall_inbound_ports=[70000]), "do_network_firewall_inbound_ports has 70000"),
        (dict(do_network_firewall_inbound_ports=["9000-8000"]), "do_network_firewall_inbound_ports has 9000-8000"),
        (
            dict(do_network_firewall_inbound_sources=["everywhere"]),
            'do_network_firewall_inbound_sources has "everywhere"',
        ),
        (dict(do_network_firewall_inbound_sources=[]), "do_network_firewall_inbound_sources is empty"),
        (
            dict(
                do_network_firewall_extra_inbound_rules=[{"protocol": "gre", "sources": {"addresses": ["10.0.0.0/8"]}}]
            ),
            "do_network_firewall_extra_inbound_rules[0]=",
        ),
        (
            dict(
                do_network_firewall_extra_outbound_rules=[
                    {"protocol": "tcp", "ports": "443", "destinations": {"hosts": ["x"]}}
                ]
            ),
            "unknown key(s) hosts",
        ),
        (dict(do_network_spaces_bucket="AI_bucket"), 'do_network_spaces_bucket="AI_bucket" is not a valid bucket name'),
        (
            dict(do_network_spaces_secret_key=""),
            "Set both do_network_spaces_access_key and do_network_spaces_secret_key",
        ),
        (dict(do_network_registry_repositories=["Bad Repo"]), "do_network_registry_repositories=["),
    ],
)
def test_a_bad_input_is_named_with_its_value(changes, expected):
    found = problems(**changes)
    assert len(found) == 1 and expected in found[0], found


def test_no_token_anywhere(monkeypatch):
    for name in ("DO_API_TOKEN", "DO_API_KEY", "DO_OAUTH_TOKEN", "DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    assert problems(do_network_api_token="")[0].startswith("No DigitalOcean API token")
    monkeypatch.setenv("DO_API_TOKEN", "from-env")
    assert problems(do_network_api_token="") == []


def test_every_problem_is_reported_at_once():
    found = problems(do_network_region="x", do_network_spaces_bucket="-", do_network_firewall_tags=[])
    assert len(found) == 3
