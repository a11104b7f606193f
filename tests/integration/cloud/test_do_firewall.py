"""do_firewall against the DigitalOcean API fake: check mode that reports what a real run would do (the firewall
module of community.digitalocean 1.27.0 is skipped under --check), order-insensitive rule comparison, in-place
updates."""

from __future__ import annotations

from cloud_support import Writes, four_steps, run_module

ANYWHERE = ["0.0.0.0/0", "::/0"]
FIREWALL = {
    "name": "workbench-fw",
    "tags": ["ai-workbench"],
    "inbound_rules": [
        {"protocol": "tcp", "ports": str(port), "sources": {"addresses": ANYWHERE}} for port in (80, 443)
    ],
    "outbound_rules": [
        {"protocol": "tcp", "ports": str(port), "destinations": {"addresses": ANYWHERE}}
        for port in (443, 5432, 6543, 6333)
    ],
}


def stored(fake):
    (firewall,) = fake.snapshot()["firewalls"].values()
    return firewall


def test_the_seed_firewall_check_apply_check_apply(do_fake, env):
    results = four_steps(do_fake, "do_firewall", FIREWALL, env, result_key="changes")
    firewall = stored(do_fake)
    assert firewall["name"] == "workbench-fw" and firewall["tags"] == ["ai-workbench"]
    assert sorted(r["ports"] for r in firewall["inbound_rules"]) == ["443", "80"]
    assert sorted(r["ports"] for r in firewall["outbound_rules"]) == ["443", "5432", "6333", "6543"]
    assert all(r["destinations"] == {"addresses": ANYWHERE} for r in firewall["outbound_rules"])
    assert results[1]["firewall"]["id"] == firewall["id"]
    assert results[3]["api_requests"] == {"reads": 1, "writes": 0}
    assert results[1]["actions"] == results[1]["changes"] == ["create"] and results[1]["requests"] == {
        "reads": 1,
        "writes": 1,
    }
    assert results[3]["requests"] == {"reads": 1, "writes": 0}


def test_rule_and_target_order_does_not_matter(do_fake, env):
    run_module("do_firewall", FIREWALL, env)
    shuffled = dict(
        FIREWALL,
        inbound_rules=[
            {"protocol": "TCP", "ports": 443, "sources": {"addresses": list(reversed(ANYWHERE))}},
            {"protocol": "tcp", "ports": "80", "sources": {"addresses": ANYWHERE, "tags": []}},
        ],
        outbound_rules=list(reversed(FIREWALL["outbound_rules"])),
    )
    with Writes(do_fake) as writes:
        assert run_module("do_firewall", shuffled, env)["changed"] is False
    assert writes.seen == []


def test_a_rule_change_is_one_put(do_fake, env):
    run_module("do_firewall", FIREWALL, env)
    firewall_id = stored(do_fake)["id"]
    dns = {"protocol": "udp", "ports": "53", "destinations": {"addresses": ANYWHERE}}
    changed = dict(FIREWALL, outbound_rules=FIREWALL["outbound_rules"] + [dns])
    with Writes(do_fake) as writes:
        results = four_steps(do_fake, "do_firewall", changed, env)
    assert writes.seen == [("PUT", "/v2/firewalls/" + firewall_id)]
    assert results[1]["changes"][0].startswith("outbound_rules: ")
    assert dns in stored(do_fake)["outbound_rules"]
    # unchanged parts are kept by the PUT
    assert stored(do_fake)["tags"] == ["ai-workbench"] and len(stored(do_fake)["inbound_rules"]) == 2


def test_unset_options_are_left_alone(do_fake, env):
    run_module("do_firewall", FIREWALL, env)
    result = run_module("do_firewall", {"name": "workbench-fw", "tags": ["ai-workbench", "extra"]}, env)
    assert result["changes"] == ['tags: ["ai-workbench"] -> ["ai-workbench", "extra"]']
    firewall = stored(do_fake)
    assert firewall["tags"] == ["ai-workbench", "extra"] and len(firewall["outbound_rules"]) == 4


def test_a_rule_without_targets_is_rejected_before_any_write(do_fake, env):
    with Writes(do_fake) as writes:
        result = run_module(
            "do_firewall", dict(FIREWALL, inbound_rules=[{"protocol": "tcp", "ports": "22"}]), env, expect_failure=True
        )
    assert "has no sources" in result["msg"]
    assert writes.seen == []


def test_absent(do_fake, env):
    run_module("do_firewall", FIREWALL, env)
    results = four_steps(do_fake, "do_firewall", {"name": "workbench-fw", "state": "absent"}, env)
    assert results[1]["changes"] == ["delete"]
    assert do_fake.snapshot()["firewalls"] == {}
