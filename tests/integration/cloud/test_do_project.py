"""do_project against the DigitalOcean API fake (community.digitalocean's project module takes no baseurl, so it
cannot be tested offline): the project, its settings, and resource assignment."""

from __future__ import annotations

from cloud_support import Writes, four_steps, run_module

PROJECT = {
    "name": "ai-workbench",
    "purpose": "Machine learning / AI / Data processing",
    "environment": "Production",
    "description": "InsightPulseAI multi-agent AI Workbench",
    "resources": ["do:space:ai-workbench-data"],
}


def stored(fake, name="ai-workbench"):
    state = fake.snapshot()
    (project,) = [p for p in state["projects"].values() if p["name"] == name]
    urns = sorted(urn for urn, a in state["project_resources"].items() if a["project_id"] == project["id"])
    return project, urns


def test_create_and_assign_check_apply_check_apply(do_fake, env):
    results = four_steps(do_fake, "do_project", PROJECT, env, result_key="changes")
    assert results[1]["changes"] == ["create", "assign do:space:ai-workbench-data"]
    project, urns = stored(do_fake)
    assert {k: project[k] for k in ("purpose", "environment", "description", "is_default")} == {
        "purpose": PROJECT["purpose"],
        "environment": "Production",
        "description": PROJECT["description"],
        "is_default": False,
    }
    assert urns == ["do:space:ai-workbench-data"]
    assert results[3]["project"]["resources"] == ["do:space:ai-workbench-data"]
    assert results[3]["api_requests"] == {"reads": 2, "writes": 0}
    assert results[1]["actions"] == results[1]["changes"] and results[3]["requests"] == {"reads": 2, "writes": 0}


def test_assigning_a_cluster_later_leaves_the_rest_alone(do_fake, env):
    run_module("do_project", PROJECT, env)
    cluster_id = run_module(
        "do_kubernetes_cluster",
        {
            "name": "c1",
            "region": "fra1",
            "node_pools": [{"name": "p", "size": "s-2vcpu-4gb", "count": 1}],
            "wait": False,
        },
        env,
    )["cluster"]["id"]
    urn = "do:kubernetes:" + cluster_id
    assert (
        do_fake.snapshot()["project_resources"][urn]["project_id"] != stored(do_fake)[0]["id"]
    )  # in the default project
    with Writes(do_fake) as writes:
        results = four_steps(do_fake, "do_project", {"name": "ai-workbench", "resources": [urn]}, env)
    assert results[1]["changes"] == ["assign " + urn]
    assert writes.seen == [("POST", "/v2/projects/%s/resources" % stored(do_fake)[0]["id"])]
    assert stored(do_fake)[1] == sorted([urn, "do:space:ai-workbench-data"])


def test_settings_change_is_a_patch(do_fake, env):
    run_module("do_project", PROJECT, env)
    with Writes(do_fake) as writes:
        results = four_steps(do_fake, "do_project", dict(PROJECT, environment="Staging"), env)
    assert results[1]["changes"] == ["environment: Production -> Staging"]
    assert writes.seen == [("PATCH", "/v2/projects/" + stored(do_fake)[0]["id"])]


def test_a_resource_digitalocean_does_not_know_fails(do_fake, env):
    run_module("do_project", PROJECT, env)
    result = run_module(
        "do_project",
        {"name": "ai-workbench", "resources": ["do:kubernetes:6d0a6e8c-0000-4000-8000-000000000000"]},
        env,
        expect_failure=True,
    )
    assert "did not assign do:kubernetes:6d0a6e8c-0000-4000-8000-000000000000 (not_found)" in result["msg"]


def test_creating_without_purpose_fails_before_any_write(do_fake, env):
    with Writes(do_fake) as writes:
        result = run_module("do_project", {"name": "new"}, env, expect_failure=True)
    assert "cannot be created without purpose" in result["msg"] and writes.seen == []


def test_absent(do_fake, env):
    run_module("do_project", dict(PROJECT, resources=None), env)
    results = four_steps(do_fake, "do_project", {"name": "ai-workbench", "state": "absent"}, env)
    assert results[1]["changes"] == ["delete"]
    assert [p["name"] for p in do_fake.snapshot()["projects"].values()] == ["first-project"]


def test_absent_moves_the_listed_resources_to_the_default_project(do_fake, env):
    run_module("do_project", PROJECT, env)
    project_id = stored(do_fake)[0]["id"]
    args = {
        "name": "ai-workbench",
        "state": "absent",
        "resources": ["do:space:ai-workbench-data", "do:space:elsewhere"],
    }
    with Writes(do_fake) as writes:
        results = four_steps(do_fake, "do_project", args, env, result_key="changes")
    # the bucket leaves with the project's deletion; a URN that was not in the project is skipped
    assert results[1]["changes"] == ["move do:space:ai-workbench-data to the default project", "delete"]
    assert writes.seen == [("POST", "/v2/projects/default/resources"), ("DELETE", "/v2/projects/" + project_id)]
    state = do_fake.snapshot()
    (default,) = state["projects"].values()
    assert (
        default["is_default"]
        and state["project_resources"]["do:space:ai-workbench-data"]["project_id"] == default["id"]
    )


def test_absent_with_a_resource_left_fails_with_digitaloceans_reason(do_fake, env):
    run_module("do_project", PROJECT, env)
    before = do_fake.snapshot()
    result = run_module("do_project", {"name": "ai-workbench", "state": "absent"}, env, expect_failure=True)
    assert result["msg"].startswith("Failed to delete project 'ai-workbench' (")
    assert "412" in result["msg"] and "cannot delete a project with resources" in result["msg"]
    assert result["error_kind"] == "service" and result["written"] is False and result["actions"] == ["delete"]
    assert do_fake.snapshot() == before


def test_absent_refuses_the_default_project(do_fake, env):
    for check in (True, False):
        with Writes(do_fake) as writes:
            result = run_module(
                "do_project", {"name": "first-project", "state": "absent"}, env, check=check, expect_failure=True
            )
        assert "'first-project'" in result["msg"] and "is the account's default project" in result["msg"]
        assert writes.seen == []
