"""do_kubernetes_cluster against the DigitalOcean API fake, whose cluster credentials point at the Kubernetes API
fake: the seed's cluster created and reconciled in place, drift that cannot be fixed in place failing before any
write, bounded waiting, and a kubeconfig (0600) that works with kubernetes.core and is rewritten only when needed."""

from __future__ import annotations

import os
import stat

import yaml

from cloud_support import FAST, Writes, api, four_steps, run_module
from support.ansible import run_playbook

WORKERS = {
    "name": "workbench-workers",
    "size": "s-4vcpu-8gb",
    "count": 3,
    "auto_scale": True,
    "min_nodes": 3,
    "max_nodes": 6,
    "tags": ["ai-workbench"],
}


def seed(kubeconfig=None, **overrides):
    args = dict(
        FAST,
        name="ai-workbench",
        region="fra1",
        version="1.35",
        auto_upgrade=True,
        surge_upgrade=True,
        maintenance_policy={"start_time": "03:00", "day": "sunday"},
        tags=["ai-workbench"],
        node_pools=[dict(WORKERS)],
    )
    if kubeconfig:
        args["kubeconfig"] = kubeconfig
    args.update(overrides)
    return args


def vpc(fake, name="workbench-vpc", region="fra1", ip_range="10.10.0.0/16"):
    return api(fake, "POST", "/v2/vpcs", {"name": name, "region": region, "ip_range": ip_range})["vpc"]["id"]


def cluster(fake):
    (stored,) = fake.snapshot()["clusters"].values()
    return stored


def pools(fake):
    return {p["name"]: p for p in cluster(fake)["node_pools"]}


def test_seed_cluster_check_apply_check_apply(do_fake, env, k8s, kubeconfig_path):
    vpc_id = vpc(do_fake)
    args = seed(kubeconfig_path, vpc_uuid=vpc_id)
    results = four_steps(do_fake, "do_kubernetes_cluster", args, env, result_key="actions")
    assert results[1]["actions"] == [
        "create cluster ai-workbench in fra1 (version 1.35) with node pools workbench-workers (s-4vcpu-8gb x 3)"
    ]
    stored = cluster(do_fake)
    assert stored["region"] == "fra1" and stored["vpc_uuid"] == vpc_id and stored["version"].startswith("1.35.")
    assert stored["auto_upgrade"] is True and stored["surge_upgrade"] is True
    assert stored["maintenance_policy"]["start_time"] == "03:00" and stored["maintenance_policy"]["day"] == "sunday"
    assert stored["tags"] == ["ai-workbench"]
    (pool,) = stored["node_pools"]
    assert {k: pool[k] for k in ("name", "size", "count", "auto_scale", "min_nodes", "max_nodes", "tags")} == WORKERS
    # waited for running
    assert results[1]["cluster"]["status"] == "running" and results[1]["cluster"]["id"] == stored["id"]
    # the kubeconfig: written once, 0600, for this cluster, pointing at the Kubernetes fake
    assert results[1]["kubeconfig"]["written"] is True and results[3]["kubeconfig"]["written"] is False
    assert stat.S_IMODE(os.stat(kubeconfig_path).st_mode) == 0o600
    config = yaml.safe_load(open(kubeconfig_path))
    assert config["clusters"][0]["cluster"]["server"] == k8s.url
    assert config["users"][0]["user"]["token"] == k8s.token
    assert results[1]["kubeconfig"]["cluster_id"] == stored["id"]
    assert k8s.token not in str(results)  # never returned
    # a converged run reads once and downloads no credentials
    assert results[3]["api_requests"] == {"reads": 1, "writes": 0}
    assert results[3]["requests"] == {"reads": 1, "writes": 0}


def test_the_kubeconfig_works_with_kubernetes_core(do_fake, env, k8s, kubeconfig_path):
    run_module("do_kubernetes_cluster", seed(kubeconfig_path), env)
    result = run_playbook(
        tasks=[
            {
                "name": "namespaces",
                "kubernetes.core.k8s_info": {"kubeconfig": kubeconfig_path, "api_version": "v1", "kind": "Namespace"},
            }
        ],
        env=env,
    )
    assert result.rc == 0, result.failure()
    names = [n["metadata"]["name"] for n in result.task("namespaces")["resources"]]
    assert "kube-system" in names and "default" in names


def test_pool_bounds_change_in_place(do_fake, env, kubeconfig_path):
    run_module("do_kubernetes_cluster", seed(kubeconfig_path), env)
    cluster_id, pool_id = cluster(do_fake)["id"], pools(do_fake)["workbench-workers"]["id"]
    args = seed(kubeconfig_path)
    args["node_pools"][0].update(count=4, min_nodes=4, max_nodes=8)
    with Writes(do_fake) as writes:
        results = four_steps(do_fake, "do_kubernetes_cluster", args, env, result_key="actions")
    assert writes.seen == [("PUT", "/v2/kubernetes/clusters/%s/node_pools/%s" % (cluster_id, pool_id))]
    assert results[1]["actions"] == [
        "update node pool workbench-workers: count 3 -> 4, max_nodes 6 -> 8, min_nodes 3 -> 4"
    ]
    pool = pools(do_fake)["workbench-workers"]
    assert (pool["id"], pool["min_nodes"], pool["max_nodes"], pool["count"]) == (pool_id, 4, 8, 4)
    assert cluster(do_fake)["id"] == cluster_id
    before, after = results[1]["diff"]["before"]["node_pools"][0], results[1]["diff"]["after"]["node_pools"][0]
    assert (before["max_nodes"], after["max_nodes"]) == (6, 8)


def test_autoscaler_count_is_left_to_the_autoscaler(do_fake, env):
    run_module("do_kubernetes_cluster", seed(), env)
    with do_fake.store.lock:  # the autoscaler grew the pool
        (stored,) = do_fake.store.data["clusters"].values()
        stored["node_pools"][0]["count"] = 5
    with Writes(do_fake) as writes:
        assert run_module("do_kubernetes_cluster", seed(), env)["changed"] is False
    assert writes.seen == []


def test_a_fixed_pool_count_is_reconciled(do_fake, env):
    fixed = dict(name="system", size="s-2vcpu-4gb", count=2)
    run_module("do_kubernetes_cluster", seed(node_pools=[fixed]), env)
    results = four_steps(do_fake, "do_kubernetes_cluster", seed(node_pools=[dict(fixed, count=3)]), env)
    assert results[1]["actions"] == ["update node pool system: count 2 -> 3"]
    assert pools(do_fake)["system"]["count"] == 3 and len(pools(do_fake)["system"]["nodes"]) == 3


def test_replacing_a_pool_adds_before_it_removes(do_fake, env):
    run_module("do_kubernetes_cluster", seed(), env)
    cluster_id, old_id = cluster(do_fake)["id"], pools(do_fake)["workbench-workers"]["id"]
    bigger = dict(WORKERS, name="workbench-workers-g", size="g-2vcpu-8gb")
    with Writes(do_fake) as writes:
        results = four_steps(do_fake, "do_kubernetes_cluster", seed(node_pools=[bigger]), env)
    assert writes.seen == [
        ("POST", "/v2/kubernetes/clusters/%s/node_pools" % cluster_id),
        ("DELETE", "/v2/kubernetes/clusters/%s/node_pools/%s" % (cluster_id, old_id)),
    ]
    assert results[1]["actions"] == [
        "add node pool workbench-workers-g (g-2vcpu-8gb x 3, autoscale 3-6)",
        "remove node pool workbench-workers (s-4vcpu-8gb x 3)",
    ]
    assert list(pools(do_fake)) == ["workbench-workers-g"]


def test_unlisted_pools_stay_without_purge(do_fake, env):
    run_module("do_kubernetes_cluster", seed(), env)
    extra = dict(name="gpu", size="c-4", count=1)
    run_module("do_kubernetes_cluster", seed(node_pools=[dict(WORKERS), extra]), env)
    result = run_module("do_kubernetes_cluster", seed(purge_node_pools=False), env)
    assert result["changed"] is False and sorted(pools(do_fake)) == ["gpu", "workbench-workers"]


def test_cluster_settings_change_in_place(do_fake, env):
    run_module("do_kubernetes_cluster", seed(), env)
    cluster_id = cluster(do_fake)["id"]
    changed = seed(
        auto_upgrade=False,
        surge_upgrade=False,
        maintenance_policy={"start_time": "1:30", "day": "monday"},
        tags=["ai-workbench", "prod"],
    )
    with Writes(do_fake) as writes:
        results = four_steps(do_fake, "do_kubernetes_cluster", changed, env)
    assert writes.seen == [("PUT", "/v2/kubernetes/clusters/" + cluster_id)]
    assert results[1]["actions"] == [
        "update cluster: auto_upgrade true -> false, maintenance_policy {day: sunday, start_time: 03:00} -> "
        "{day: monday, start_time: 01:30}, surge_upgrade true -> false, tags [ai-workbench] -> [ai-workbench, prod]"
    ]
    stored = cluster(do_fake)
    assert (stored["auto_upgrade"], stored["surge_upgrade"], stored["tags"]) == (False, False, ["ai-workbench", "prod"])
    assert stored["maintenance_policy"]["start_time"] == "01:30" and stored["maintenance_policy"]["day"] == "monday"


def test_region_change_fails_before_any_write(do_fake, env, kubeconfig_path):
    run_module("do_kubernetes_cluster", seed(kubeconfig_path), env)
    before = do_fake.snapshot()
    mtime = os.stat(kubeconfig_path).st_mtime_ns
    for check in (True, False):
        with Writes(do_fake) as writes:
            result = run_module(
                "do_kubernetes_cluster", seed(kubeconfig_path, region="ams3"), env, check=check, expect_failure=True
            )
        assert writes.seen == []
        assert result["msg"] == (
            "Cluster 'ai-workbench' cannot be brought to the desired state in place; nothing was changed: region is "
            "fra1, desired ams3 (the region cannot change in place: create a new cluster)."
        )
        assert result["drift"] == [
            "region is fra1, desired ams3 (the region cannot change in place: create a new cluster)"
        ]
        assert result["error_kind"] == "drift" and result["written"] is False
    assert do_fake.snapshot() == before and os.stat(kubeconfig_path).st_mtime_ns == mtime


def test_every_drift_is_named_at_once_and_nothing_is_written(do_fake, env):
    first, second = vpc(do_fake), vpc(do_fake, name="other", ip_range="10.20.0.0/16")
    run_module("do_kubernetes_cluster", seed(vpc_uuid=first), env)
    drifted = seed(vpc_uuid=second, version="1.34", auto_upgrade=False, node_pools=[dict(WORKERS, size="s-2vcpu-4gb")])
    with Writes(do_fake) as writes:
        result = run_module("do_kubernetes_cluster", drifted, env, expect_failure=True)
    assert writes.seen == []  # not even the auto_upgrade change that could be made
    assert "vpc_uuid is %s, desired %s" % (first, second) in result["msg"]
    assert "version is 1.35.4-do.1, desired 1.34 (DOKS cannot downgrade)" in result["msg"]
    assert "node pool 'workbench-workers' size is s-4vcpu-8gb, desired s-2vcpu-4gb" in result["msg"]
    assert len(result["drift"]) == 3


def test_version_upgrade_in_place(do_fake, env):
    run_module("do_kubernetes_cluster", seed(version="1.34"), env)
    cluster_id = cluster(do_fake)["id"]
    with Writes(do_fake) as writes:
        results = four_steps(do_fake, "do_kubernetes_cluster", seed(version="1.35"), env)
    assert writes.seen == [("POST", "/v2/kubernetes/clusters/%s/upgrade" % cluster_id)]
    assert results[1]["actions"] == ["upgrade from 1.34.7-do.2 to 1.35"]
    assert cluster(do_fake)["version"] == "1.35.4-do.1" and results[1]["cluster"]["status"] == "running"


def test_high_availability_can_be_enabled_but_not_disabled(do_fake, env):
    run_module("do_kubernetes_cluster", seed(ha=False), env)
    assert run_module("do_kubernetes_cluster", seed(ha=True), env)["actions"] == ["update cluster: ha false -> true"]
    result = run_module("do_kubernetes_cluster", seed(ha=False), env, expect_failure=True)
    assert "ha is true, desired false (high availability cannot be disabled once enabled)" in result["msg"]


def test_registry_integration(do_fake, env):
    api(do_fake, "POST", "/v2/registry", {"name": "ai-workbench-registry", "subscription_tier_slug": "basic"})
    results = four_steps(do_fake, "do_kubernetes_cluster", seed(registry_enabled=True), env)
    assert results[1]["actions"][-1] == "enable the container registry integration"
    assert cluster(do_fake)["registry_enabled"] is True
    result = run_module("do_kubernetes_cluster", seed(registry_enabled=False), env)
    assert result["actions"] == ["disable the container registry integration"]
    assert cluster(do_fake)["registry_enabled"] is False


def test_waiting_is_bounded(make_do_fake, env):
    slow = make_do_fake(provision_delay=30)
    slow_env = dict(env, DO_API_URL=slow.base_url + "/v2")
    result = run_module("do_kubernetes_cluster", seed(wait_timeout=1, poll_interval=0.2), slow_env, expect_failure=True)
    assert "is still provisioning after 1s (wait_timeout)" in result["msg"]
    assert result["cluster"]["status"] == "provisioning"
    # the cluster had been requested: the failure says something was written
    assert result["error_kind"] == "service" and result["written"] is True and result["changed"] is True
    # the next run does not create a second cluster; without waiting it reports no change
    assert run_module("do_kubernetes_cluster", seed(wait=False), slow_env)["changed"] is False
    assert len(slow.snapshot()["clusters"]) == 1


def test_kubeconfig_is_renewed_before_expiry(do_fake, env, kubeconfig_path):
    run_module("do_kubernetes_cluster", seed(kubeconfig_path), env)
    config = yaml.safe_load(open(kubeconfig_path))
    config["users"][0]["user"]["extensions"][0]["extension"]["expires_at"] = "2020-01-01T00:00:00Z"
    config["users"][0]["user"]["token"] = "an-old-token"
    with open(kubeconfig_path, "w") as handle:
        yaml.safe_dump(config, handle)
    os.chmod(kubeconfig_path, 0o600)
    results = four_steps(do_fake, "do_kubernetes_cluster", seed(kubeconfig_path), env)
    assert results[0]["kubeconfig"]["reason"].startswith("credentials expire at 2020-01-01T00:00:00Z")
    assert results[1]["actions"] == []  # only the kubeconfig changed
    assert results[1]["kubeconfig"]["written"] is True and results[1]["requests"] == {"reads": 2, "writes": 0}
    renewed = yaml.safe_load(open(kubeconfig_path))
    assert renewed["users"][0]["user"]["token"] != "an-old-token"
    assert renewed["users"][0]["user"]["extensions"][0]["extension"]["expires_at"] == "2099-01-01T00:00:00Z"


def test_kubeconfig_mode_and_foreign_files_are_fixed(do_fake, env, kubeconfig_path):
    run_module("do_kubernetes_cluster", seed(kubeconfig_path), env)
    os.chmod(kubeconfig_path, 0o644)
    result = run_module("do_kubernetes_cluster", seed(kubeconfig_path), env)
    assert result["changed"] is True and result["kubeconfig"]["reason"] == "mode is 0644, expected 0600"
    assert stat.S_IMODE(os.stat(kubeconfig_path).st_mode) == 0o600
    # a kubeconfig written by another tool (no record of the cluster and expiry) is replaced
    config = yaml.safe_load(open(kubeconfig_path))
    del config["users"][0]["user"]["extensions"]
    with open(kubeconfig_path, "w") as handle:
        yaml.safe_dump(config, handle)
    os.chmod(kubeconfig_path, 0o600)
    check = run_module("do_kubernetes_cluster", seed(kubeconfig_path), env, check=True)
    assert check["changed"] is True and "extensions" not in yaml.safe_load(open(kubeconfig_path))["users"][0]["user"]
    assert run_module("do_kubernetes_cluster", seed(kubeconfig_path), env)["kubeconfig"]["written"] is True
    assert run_module("do_kubernetes_cluster", seed(kubeconfig_path), env)["changed"] is False


def test_invalid_pools_fail_before_any_request_writes(do_fake, env):
    bad = seed(node_pools=[dict(WORKERS, count=9)])
    with Writes(do_fake) as writes:
        result = run_module("do_kubernetes_cluster", bad, env, expect_failure=True)
    assert "count 9 must be between min_nodes 3 and max_nodes 6" in result["msg"]
    assert writes.seen == []


def test_absent(do_fake, env):
    cluster_id = run_module("do_kubernetes_cluster", seed(), env)["cluster"]["id"]
    results = four_steps(do_fake, "do_kubernetes_cluster", {"name": "ai-workbench", "state": "absent"}, env)
    assert results[0]["actions"] == results[1]["actions"] == ["delete cluster ai-workbench (%s)" % cluster_id]
    assert do_fake.snapshot()["clusters"] == {}


def test_info(do_fake, env):
    run_module("do_kubernetes_cluster", seed(), env)
    result = run_module("do_kubernetes_cluster_info", {"name": "ai-workbench"}, env)
    (info,) = result["clusters"]
    assert info["name"] == "ai-workbench" and info["node_pools"][0]["max_nodes"] == 6 and result["changed"] is False
    assert run_module("do_kubernetes_cluster_info", {"name": "nope"}, env)["clusters"] == []
    assert result["api_requests"] == {"reads": 1, "writes": 0}
