"""do_container_registry against the DigitalOcean API fake: the seed's basic-tier registry, tier changes in place,
name/region drift failing before any write, and the declared repositories (which only an image push creates)."""

from __future__ import annotations

from cloud_support import Writes, four_steps, run_module
from fakes.do_api import push_image

SEED_REPOSITORIES = ["litellm-gateway", "ocr-backend", "expense-api", "agent-runtime", "workbench-ui"]
REGISTRY = {
    "name": "ai-workbench-registry",
    "region": "fra1",
    "subscription_tier": "basic",
    "repositories": SEED_REPOSITORIES,
}


def test_create_check_apply_check_apply(do_fake, env):
    results = four_steps(do_fake, "do_container_registry", REGISTRY, env, result_key="changes")
    state = do_fake.snapshot()
    assert state["registry"]["name"] == "ai-workbench-registry" and state["registry"]["region"] == "fra1"
    assert state["subscription"]["tier"] == "basic"
    assert results[1]["registry"]["included_repositories"] == 5
    # repositories exist only once an image is pushed: all five are reported missing, with a warning
    assert results[3]["missing_repositories"] == sorted(SEED_REPOSITORIES)
    assert any("has no image yet" in w for w in results[3].get("warnings", []))


def test_pushed_repositories_are_no_longer_missing(do_fake, env):
    run_module("do_container_registry", REGISTRY, env)
    push_image(do_fake.store, "litellm-gateway", "latest")
    push_image(do_fake.store, "ocr-backend", "1.0.0")
    result = run_module("do_container_registry", REGISTRY, env)
    assert result["changed"] is False
    assert result["repositories"] == ["litellm-gateway", "ocr-backend"]
    assert result["missing_repositories"] == ["agent-runtime", "expense-api", "workbench-ui"]


def test_missing_repositories_can_fail_the_run(do_fake, env):
    run_module("do_container_registry", REGISTRY, env)
    result = run_module(
        "do_container_registry", dict(REGISTRY, fail_on_missing_repositories=True), env, expect_failure=True
    )
    assert "has no image yet in agent-runtime, expense-api, litellm-gateway, ocr-backend, workbench-ui" in result["msg"]
    assert result["error_kind"] == "drift" and result["written"] is False and result["changed"] is False


def test_tier_change_is_made_in_place(do_fake, env):
    run_module("do_container_registry", dict(REGISTRY, subscription_tier="starter", repositories=None), env)
    with Writes(do_fake) as writes:
        results = four_steps(do_fake, "do_container_registry", REGISTRY, env)
    assert writes.seen == [("POST", "/v2/registry/subscription")]
    assert results[1]["changes"] == ["subscription_tier: starter -> basic"]
    assert do_fake.snapshot()["subscription"]["tier"] == "basic"


def test_more_repositories_than_the_tier_includes_fails_before_any_write(do_fake, env):
    with Writes(do_fake) as writes:
        result = run_module(
            "do_container_registry", dict(REGISTRY, subscription_tier="starter"), env, expect_failure=True
        )
    assert "would hold 5 repositories" in result["msg"] and "its tier includes 1" in result["msg"]
    assert writes.seen == []
    assert result["error_kind"] == "spec" and result["written"] is False
    assert do_fake.snapshot()["registry"] is None


def test_a_tier_the_account_cannot_use_fails_before_any_write(do_fake, env):
    run_module("do_container_registry", dict(REGISTRY, repositories=None), env)
    push_image(do_fake.store, "a", "1")
    push_image(do_fake.store, "b", "1")
    with Writes(do_fake) as writes:
        result = run_module(
            "do_container_registry",
            dict(REGISTRY, subscription_tier="starter", repositories=None),
            env,
            expect_failure=True,
        )
    assert "subscription tier starter cannot be used now: OverRepositoryLimit" in result["msg"]
    assert writes.seen == []


def test_name_and_region_drift_fail_before_any_write(do_fake, env):
    run_module("do_container_registry", REGISTRY, env)
    before = do_fake.snapshot()
    with Writes(do_fake) as writes:
        result = run_module(
            "do_container_registry", dict(REGISTRY, name="other-registry", region="ams3"), env, expect_failure=True
        )
    assert "the account's registry is named ai-workbench-registry, desired other-registry" in result["msg"]
    assert "region is fra1, desired ams3" in result["msg"]
    assert writes.seen == [] and do_fake.snapshot() == before


def test_absent(do_fake, env):
    run_module("do_container_registry", REGISTRY, env)
    results = four_steps(do_fake, "do_container_registry", {"name": "ai-workbench-registry", "state": "absent"}, env)
    assert results[1]["changes"] == ["delete"]
    assert do_fake.snapshot()["registry"] is None
