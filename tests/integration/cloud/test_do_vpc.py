"""do_vpc against the DigitalOcean API fake: an honest check mode (unlike community.digitalocean.digital_ocean_vpc
1.27.0, which reports a change in check mode on every run and PUTs on every apply), in-place updates, and drift that
cannot be fixed in place failing before any write."""

from __future__ import annotations

from cloud_support import Writes, four_steps, run_module

VPC = {"name": "workbench-vpc", "region": "fra1", "ip_range": "10.10.0.0/16", "description": "AI workbench"}


def stored_vpcs(fake):
    return {v["name"]: v for v in fake.snapshot()["vpcs"].values()}


def test_create_check_apply_check_apply(do_fake, env):
    results = four_steps(do_fake, "do_vpc", VPC, env, result_key="changes")
    assert results[0]["changes"] == ["create"] and "id" not in results[0]["vpc"]
    vpc = stored_vpcs(do_fake)["workbench-vpc"]
    assert {k: vpc[k] for k in VPC} == VPC
    assert results[1]["vpc"]["id"] == vpc["id"] and results[3]["vpc"]["id"] == vpc["id"]
    assert results[1]["diff"] == {"before": {}, "after": dict(VPC, default=True)}
    # the second apply only read
    assert results[3]["api_requests"] == {"reads": 1, "writes": 0}
    # the common result shape: actions (changes is its deprecated alias) and the real request counts
    assert results[1]["actions"] == results[1]["changes"] and results[1]["requests"] == {"reads": 1, "writes": 1}
    assert results[3]["requests"] == {"reads": 1, "writes": 0} and results[3]["actions"] == []


def test_description_is_updated_in_place(do_fake, env):
    run_module("do_vpc", VPC, env)
    (vpc_id,) = [v["id"] for v in do_fake.snapshot()["vpcs"].values()]
    with Writes(do_fake) as writes:
        results = four_steps(do_fake, "do_vpc", dict(VPC, description="renamed purpose"), env)
    assert ("PATCH", "/v2/vpcs/" + vpc_id) in writes.seen and len(writes.seen) == 1
    assert results[1]["changes"] == ["description: AI workbench -> renamed purpose"]
    assert results[1]["diff"]["before"]["description"] == "AI workbench"
    assert results[1]["diff"]["after"]["description"] == "renamed purpose"
    assert stored_vpcs(do_fake)["workbench-vpc"]["description"] == "renamed purpose"


def test_region_and_range_drift_fail_before_any_write(do_fake, env):
    run_module("do_vpc", VPC, env)
    before = do_fake.snapshot()
    for check in (True, False):
        with Writes(do_fake) as writes:
            result = run_module(
                "do_vpc", dict(VPC, region="ams3", ip_range="10.20.0.0/16"), env, check=check, expect_failure=True
            )
        assert writes.seen == []
        assert "region is fra1, desired ams3" in result["msg"]
        assert "ip_range is 10.10.0.0/16, desired 10.20.0.0/16" in result["msg"]
        assert "nothing was changed" in result["msg"]
        assert result["error_kind"] == "drift" and result["written"] is False
    assert do_fake.snapshot() == before


def test_leaving_options_unset_leaves_them_alone(do_fake, env):
    run_module("do_vpc", VPC, env)
    with Writes(do_fake) as writes:
        result = run_module("do_vpc", {"name": "workbench-vpc"}, env)
    assert result["changed"] is False and writes.seen == []
    assert result["vpc"]["ip_range"] == "10.10.0.0/16"


def test_invalid_range_is_rejected_before_any_request_writes(do_fake, env):
    with Writes(do_fake) as writes:
        result = run_module("do_vpc", dict(VPC, ip_range="8.8.0.0/16"), env, expect_failure=True)
    assert "8.8.0.0/16 is not a private IPv4 range" in result["msg"]
    assert writes.seen == []


def test_the_default_vpc_is_never_deleted(do_fake, env):
    run_module("do_vpc", VPC, env)  # the first VPC of a region becomes its default
    with Writes(do_fake) as writes:
        result = run_module("do_vpc", {"name": "workbench-vpc", "state": "absent"}, env, expect_failure=True)
    assert "is the default VPC of fra1" in result["msg"]
    assert writes.seen == []


def test_absent_check_apply_check_apply(do_fake, env):
    run_module("do_vpc", dict(VPC, name="first", ip_range="10.30.0.0/16"), env)  # the region's default
    run_module("do_vpc", VPC, env)
    results = four_steps(do_fake, "do_vpc", {"name": "workbench-vpc", "state": "absent"}, env)
    assert results[1]["changes"] == ["delete"]
    assert list(stored_vpcs(do_fake)) == ["first"]


def test_duplicate_names_fail(do_fake, env):
    for ip_range in ("10.40.0.0/16", "10.41.0.0/16"):
        do_fake.store.data["vpcs"]["id-" + ip_range] = dict(
            id="3f0e1f3a-0000-4000-8000-00000000000%d" % int(ip_range[4]),
            urn="do:vpc:x",
            name="twin",
            region="fra1",
            ip_range=ip_range,
            description="",
            default=False,
            created_at="2026-01-01T00:00:00Z",
        )
    result = run_module("do_vpc", {"name": "twin", "region": "fra1"}, env, expect_failure=True)
    assert "2 VPCs are named 'twin'" in result["msg"]
