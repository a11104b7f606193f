"""community.digitalocean 1.27.0's VPC and firewall modules, run by real ansible-playbook against the DO fake.

Each case follows check -> apply -> check -> apply and reads the fake's stored state directly (not through the
API) to confirm what happened. Where the upstream module misbehaves, the test asserts what it really does;
tests/fakes/README.md ("Upstream quirks") explains each case.
"""

from __future__ import annotations

from support.ansible import run_playbook

VPC = {"name": "workbench-vpc", "region": "fra1", "description": "AI workbench", "ip_range": "10.30.0.0/20"}
FIREWALL = {
    "name": "workbench-fw",
    "tags": ["k8s:workbench"],
    "droplet_ids": [],
    "inbound_rules": [
        {"protocol": "tcp", "ports": "443", "sources": {"addresses": ["0.0.0.0/0", "::/0"]}},
        {"protocol": "tcp", "ports": "80", "sources": {"addresses": ["0.0.0.0/0", "::/0"]}},
    ],
    "outbound_rules": [
        {"protocol": "tcp", "ports": "1-65535", "destinations": {"addresses": ["0.0.0.0/0", "::/0"]}},
        {"protocol": "udp", "ports": "53", "destinations": {"addresses": ["0.0.0.0/0", "::/0"]}},
    ],
}


def run_module(module, args, check=False):
    result = run_playbook(tasks=[{"name": "under test", "community.digitalocean." + module: args}], check=check)
    assert result.rc == 0, result.stdout + result.stderr
    return result.task("under test")


class Writes(object):
    """The state-changing requests the fake received while the block ran."""

    def __init__(self, fake):
        self.fake = fake

    def __enter__(self):
        self.start = len(self.fake.requests)
        self.seen = []
        return self

    def __exit__(self, *exc):
        self.seen[:] = [(method, path) for method, path, _status in self.fake.requests[self.start :] if method != "GET"]


def test_vpc_check_apply_check_apply(do_fake, do_module_args):
    args = dict(do_module_args, **VPC)
    empty = do_fake.snapshot()

    with Writes(do_fake) as writes:
        first_check = run_module("digital_ocean_vpc", args, check=True)
    assert first_check["changed"] is True
    assert writes.seen == [] and do_fake.snapshot() == empty

    assert run_module("digital_ocean_vpc", args)["changed"] is True
    created = do_fake.snapshot()
    (vpc,) = created["vpcs"].values()
    assert {k: vpc[k] for k in VPC} == VPC

    # Upstream quirk: in check mode the module exits with changed=True before it even looks the VPC up.
    with Writes(do_fake) as writes:
        second_check = run_module("digital_ocean_vpc", args, check=True)
    assert second_check["changed"] is True
    assert writes.seen == [] and do_fake.snapshot() == created

    # Unchanged, but the module sends a PUT anyway (it always updates an existing VPC); the state stays the same.
    with Writes(do_fake) as writes:
        second_apply = run_module("digital_ocean_vpc", args)
    assert second_apply["changed"] is False
    assert writes.seen == [("PUT", "/v2/vpcs/" + vpc["id"])]
    assert do_fake.snapshot() == created


def test_vpc_update_is_reported_unchanged(do_fake, do_module_args):
    """Upstream quirk: a changed description is written, yet the module reports changed=False."""
    args = dict(do_module_args, **VPC)
    run_module("digital_ocean_vpc", args)
    result = run_module("digital_ocean_vpc", dict(args, description="renamed purpose"))
    assert result["changed"] is False
    (vpc,) = do_fake.snapshot()["vpcs"].values()
    assert vpc["description"] == "renamed purpose"


def test_firewall_check_apply_check_apply(do_fake, do_module_args):
    args = dict(do_module_args, **FIREWALL)
    empty = do_fake.snapshot()

    # Upstream quirk: the module does not declare check mode support, so Ansible skips it under --check.
    with Writes(do_fake) as writes:
        first_check = run_module("digital_ocean_firewall", args, check=True)
    assert first_check.get("skipped") is True and first_check["changed"] is False
    assert "does not support check mode" in first_check["msg"]
    assert writes.seen == [] and do_fake.snapshot() == empty

    assert run_module("digital_ocean_firewall", args)["changed"] is True
    created = do_fake.snapshot()
    (firewall,) = created["firewalls"].values()
    assert firewall["name"] == FIREWALL["name"] and firewall["tags"] == FIREWALL["tags"]
    assert firewall["inbound_rules"] == FIREWALL["inbound_rules"]
    assert firewall["outbound_rules"] == FIREWALL["outbound_rules"]

    with Writes(do_fake) as writes:
        second_check = run_module("digital_ocean_firewall", args, check=True)
    assert second_check.get("skipped") is True
    assert writes.seen == [] and do_fake.snapshot() == created

    with Writes(do_fake) as writes:
        second_apply = run_module("digital_ocean_firewall", args)
    assert second_apply["changed"] is False
    assert writes.seen == [] and do_fake.snapshot() == created


def test_firewall_rule_change_and_removal(do_fake, do_module_args):
    args = dict(do_module_args, **FIREWALL)
    run_module("digital_ocean_firewall", args)
    (firewall_id,) = do_fake.snapshot()["firewalls"]

    ssh = {"protocol": "tcp", "ports": "22", "sources": {"addresses": ["192.0.2.0/24"]}}
    changed = dict(args, inbound_rules=FIREWALL["inbound_rules"] + [ssh])
    with Writes(do_fake) as writes:
        assert run_module("digital_ocean_firewall", changed)["changed"] is True
    assert writes.seen == [("PUT", "/v2/firewalls/" + firewall_id)]
    assert do_fake.snapshot()["firewalls"][firewall_id]["inbound_rules"][-1] == ssh

    assert run_module("digital_ocean_firewall", dict(changed, state="absent"))["changed"] is True
    assert do_fake.snapshot()["firewalls"] == {}
    assert run_module("digital_ocean_firewall", dict(changed, state="absent"))["changed"] is False
