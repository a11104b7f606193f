"""The ip_network / ip_network_all tests (the allow-list checks of the traefik role)."""

import pytest

from ansible_collections.insightpulseai.workbench.plugins.test.ip_network import ip_network
from ansible_collections.insightpulseai.workbench.plugins.test.ip_network_all import ip_network_all


@pytest.mark.parametrize(
    "value",
    ["203.0.113.7", "203.0.113.0/24", "10.0.0.1/8", "2001:db8::1", "2001:db8::/32", "::1/128", "0.0.0.0/0", "::/0"],
)
def test_addresses_and_networks(value):
    assert ip_network(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "office",
        "10.0.0.300",
        "203.0.113.0/33",
        "2001:db8::/129",
        " 10.0.0.1",
        "10.0.0.1 ",
        "10.0.0.0/8,10.1.0.0/16",
        None,
        10,
        ["10.0.0.1"],
    ],
)
def test_anything_else(value):
    assert not ip_network(value)


@pytest.mark.parametrize(
    "value, everyone",
    [
        ("0.0.0.0/0", True),
        ("::/0", True),
        ("10.0.0.0/0", True),
        ("0.0.0.0/1", False),
        ("::/1", False),
        ("203.0.113.7", False),
        ("junk", False),
    ],
)
def test_every_address(value, everyone):
    assert ip_network_all(value) is everyone
