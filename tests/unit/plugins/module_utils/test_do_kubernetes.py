"""Planning logic of do_kubernetes_cluster (module_utils/_do_kubernetes.py), without a server."""

import datetime

import pytest

from ansible_collections.insightpulseai.workbench.plugins.module_utils import (
    _do_kubernetes,
    _do_kubernetes_spec,
    _runtime,
)

CID = "3b1ac4a6-0b8c-4b33-9d5c-9a0b3f7c2b11"
WORKERS = dict(name="workers", size="s-4vcpu-8gb", count=3, auto_scale=True, min_nodes=3, max_nodes=6, tags=["wb"])


def params(**overrides):
    p = dict(
        name="wb",
        region="fra1",
        version="1.35",
        vpc_uuid="vpc-1",
        tags=["wb"],
        ha=None,
        auto_upgrade=True,
        surge_upgrade=True,
        maintenance_policy=dict(start_time="03:00", day="sunday"),
        node_pools=[dict(WORKERS)],
        purge_node_pools=True,
        registry_enabled=None,
    )
    p.update(overrides)
    return p


def api_cluster(**overrides):
    cluster = dict(
        id=CID,
        name="wb",
        region="fra1",
        version="1.35.4-do.1",
        vpc_uuid="vpc-1",
        tags=["k8s", "k8s:" + CID, "wb"],
        ha=False,
        auto_upgrade=True,
        surge_upgrade=True,
        maintenance_policy=dict(start_time="03:00", duration="4h0m0s", day="sunday"),
        registry_enabled=False,
        endpoint="https://%s.k8s.ondigitalocean.com" % CID,
        status=dict(state="running"),
        node_pools=[
            dict(
                id="p1",
                name="workers",
                size="s-4vcpu-8gb",
                count=3,
                auto_scale=True,
                min_nodes=3,
                max_nodes=6,
                tags=["k8s", "k8s:" + CID, "k8s:worker", "wb"],
                labels=None,
                taints=[],
                nodes=[dict(id="n%d" % i, status=dict(state="running")) for i in range(3)],
            )
        ],
    )
    cluster.update(overrides)
    return cluster


def plan(p=None, cluster=None):
    return _do_kubernetes.plan(
        _do_kubernetes_spec.normalize_desired(p or params()), _do_kubernetes.normalize_current(cluster)
    )


def ops(actions):
    return [a["op"] for a in actions]


def test_converged_cluster_plans_nothing():
    assert plan(cluster=api_cluster()) == []


def test_auto_tags_are_not_user_tags():
    current = _do_kubernetes.normalize_current(api_cluster())
    assert current["tags"] == ["wb"] and current["node_pools"][0]["tags"] == ["wb"]


def test_create_needs_region_and_pools():
    with pytest.raises(_do_kubernetes_spec.SpecError, match="without region and node_pools"):
        plan(params(region=None, node_pools=None))
    actions = plan()
    assert ops(actions) == ["create"]
    body = actions[0]["body"]
    assert body["node_pools"] == [
        dict(name="workers", size="s-4vcpu-8gb", count=3, auto_scale=True, min_nodes=3, max_nodes=6, tags=["wb"])
    ]
    assert body["maintenance_policy"] == dict(start_time="03:00", day="sunday")
    assert body["vpc_uuid"] == "vpc-1" and body["version"] == "1.35" and "ha" not in body


def test_create_with_registry_integration():
    assert ops(plan(params(registry_enabled=True))) == ["create", "registry"]


@pytest.mark.parametrize(
    "change, drift",
    [
        (dict(region="ams3"), "region is fra1, desired ams3"),
        (dict(vpc_uuid="vpc-2"), "vpc_uuid is vpc-1, desired vpc-2"),
        (dict(version="1.34"), "version is 1.35.4-do.1, desired 1.34 (DOKS cannot downgrade)"),
        (dict(version="1.35.3"), "desired 1.35.3 (DOKS cannot downgrade)"),
        (dict(ha=False), None),
        (
            dict(node_pools=[dict(WORKERS, size="s-2vcpu-4gb")]),
            "node pool 'workers' size is s-4vcpu-8gb, desired s-2vcpu-4gb",
        ),
    ],
)
def test_drift_that_cannot_be_fixed_in_place(change, drift):
    if drift is None:  # ha false on a non-HA cluster is no drift
        assert plan(params(**change), api_cluster()) == []
        return
    with pytest.raises(_do_kubernetes.DriftError) as info:
        plan(params(**change), api_cluster())
    assert drift in str(info.value) and "nothing was changed" in str(info.value)


def test_disabling_ha_is_drift():
    with pytest.raises(_do_kubernetes.DriftError, match="cannot be disabled"):
        plan(params(ha=False), api_cluster(ha=True))


def test_all_drifts_are_reported_together():
    with pytest.raises(_do_kubernetes.DriftError) as info:
        plan(params(region="ams3", vpc_uuid="vpc-2", node_pools=[dict(WORKERS, size="c-4")]), api_cluster())
    assert len(info.value.drifts) == 3


@pytest.mark.parametrize(
    "version, expected",
    [
        ("1.35", "same"),
        ("1.35.4", "same"),
        ("1.35.4-do.1", "same"),
        ("1.35.4-do.2", "upgrade"),
        ("1.36", "upgrade"),
        ("1.35.5", "upgrade"),
        ("1.34", "downgrade"),
        ("latest", "same"),
        (None, "same"),
    ],
)
def test_version_compared_to_the_precision_given(version, expected):
    assert _do_kubernetes.version_drift("1.35.4-do.1", version) == expected


def test_bad_version_is_a_spec_error():
    with pytest.raises(_do_kubernetes_spec.SpecError, match="version must be"):
        _do_kubernetes_spec.normalize_desired(params(version="v1.35"))


def test_settings_are_one_update():
    actions = plan(
        params(auto_upgrade=False, tags=["wb", "prod"], ha=True, maintenance_policy=dict(start_time="4:00", day="any")),
        api_cluster(),
    )
    assert ops(actions) == ["update"]
    body = _do_kubernetes.update_body(_do_kubernetes.normalize_current(api_cluster()), actions)
    assert body == dict(
        name="wb",
        auto_upgrade=False,
        tags=["prod", "wb"],
        ha=True,
        maintenance_policy=dict(start_time="04:00", day="any"),
    )


def test_unset_settings_are_left_alone():
    p = params(
        tags=None,
        auto_upgrade=None,
        surge_upgrade=None,
        maintenance_policy=None,
        node_pools=None,
        version=None,
        vpc_uuid=None,
        region=None,
    )
    assert plan(p, api_cluster(tags=["k8s", "x"], auto_upgrade=False)) == []


def test_autoscaled_count_belongs_to_the_autoscaler():
    cluster = api_cluster()
    cluster["node_pools"][0]["count"] = 5
    assert plan(cluster=cluster) == []


def test_new_bounds_move_the_count_into_them():
    (action,) = plan(params(node_pools=[dict(WORKERS, count=4, min_nodes=4, max_nodes=8)]), api_cluster())
    assert action["op"] == "update_pool" and action["pool_id"] == "p1"
    assert action["body"] == dict(
        name="workers", count=4, auto_scale=True, min_nodes=4, max_nodes=8, tags=["wb"], labels={}, taints=[]
    )
    assert action["summary"] == "update node pool workers: count 3 -> 4, max_nodes 6 -> 8, min_nodes 3 -> 4"


def test_fixed_pool_count_is_reconciled_and_autoscale_can_be_turned_off():
    fixed = dict(name="workers", size="s-4vcpu-8gb", count=5)
    (action,) = plan(params(node_pools=[fixed]), api_cluster())
    assert action["body"]["auto_scale"] is False and action["body"]["count"] == 5
    assert action["body"]["min_nodes"] == 0 and action["body"]["max_nodes"] == 0


def test_pools_added_before_removed_and_purge_optional():
    new = dict(WORKERS, name="workers-2", size="c-4")
    actions = plan(params(node_pools=[new]), api_cluster())
    assert ops(actions) == ["create_pool", "delete_pool"]
    assert (
        plan(params(node_pools=[dict(WORKERS), new], purge_node_pools=False), api_cluster())[0]["op"] == "create_pool"
    )
    extra = api_cluster()
    extra["node_pools"].append(dict(extra["node_pools"][0], id="p2", name="gpu"))
    assert plan(params(purge_node_pools=False), extra) == []


def test_labels_and_taints_compare_normalised():
    pool = dict(WORKERS, labels={"tier": 1}, taints=[dict(key="gpu", effect="NoSchedule")])
    cluster = api_cluster()
    cluster["node_pools"][0].update(labels={"tier": "1"}, taints=[dict(key="gpu", value="", effect="NoSchedule")])
    assert plan(params(node_pools=[pool]), cluster) == []


@pytest.mark.parametrize(
    "pool, message",
    [
        (dict(WORKERS, count=7), "count 7 must be between min_nodes 3 and max_nodes 6"),
        (dict(WORKERS, min_nodes=5, max_nodes=4), "need 0 <= min_nodes <= max_nodes"),
        (dict(WORKERS, max_nodes=None), "auto_scale needs min_nodes and max_nodes"),
        (dict(name="p", size="x"), "needs count >= 1"),
        (dict(name="p", count=1), "size is required"),
        (dict(WORKERS, taints=[dict(key="a", effect="Sometimes")]), "a taint needs a key and an effect"),
    ],
)
def test_invalid_pools(pool, message):
    with pytest.raises(_do_kubernetes_spec.SpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        _do_kubernetes_spec.normalize_desired(params(node_pools=[pool]))


def test_duplicate_and_empty_pools():
    with pytest.raises(_do_kubernetes_spec.SpecError, match="workers appear more than once"):
        _do_kubernetes_spec.normalize_desired(params(node_pools=[dict(WORKERS), dict(WORKERS)]))
    with pytest.raises(_do_kubernetes_spec.SpecError, match="at least one pool"):
        _do_kubernetes_spec.normalize_desired(params(node_pools=[]))


def test_predicted_after_view():
    desired = _do_kubernetes_spec.normalize_desired(
        params(node_pools=[dict(WORKERS, count=4, min_nodes=4, max_nodes=8)])
    )
    view = _do_kubernetes.predicted(desired, _do_kubernetes.normalize_current(api_cluster()))
    (pool,) = view["node_pools"]
    assert (pool["count"], pool["min_nodes"], pool["max_nodes"]) == (4, 4, 8) and "id" not in pool


# --- waiting ----------------------------------------------------------------------------------------------------


class Client(object):
    def __init__(self, states):
        self.states = list(states)

    def get(self, path):
        state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
        return dict(kubernetes_cluster=dict(name="wb", status=dict(state=state, message="m")))


def test_wait_running_polls_until_running():
    slept = []
    cluster = _do_kubernetes.wait_running(
        Client(["provisioning", "provisioning", "running"]), CID, 60, 5, sleep=slept.append
    )
    assert cluster["status"]["state"] == "running" and slept == [5, 5]


def test_wait_running_is_bounded():
    now = [0.0]

    def sleep(seconds):
        now[0] += seconds

    with pytest.raises(_do_kubernetes.WaitTimeout, match="still provisioning after 12s") as info:
        _do_kubernetes.wait_running(Client(["provisioning"]), CID, 12, 5, sleep=sleep, clock=lambda: now[0])
    assert now[0] == 10
    assert isinstance(info.value, _runtime.ServiceError) and info.value.written is True


def test_wait_running_says_whether_the_run_had_written():
    with pytest.raises(_do_kubernetes.WaitTimeout) as info:
        _do_kubernetes.wait_running(Client(["provisioning"]), CID, 0, 5, sleep=lambda s: None, written=False)
    assert info.value.written is False


def test_wait_running_fails_on_error_state():
    # raised after the cluster was requested: a service error that says something was written, not a SpecError
    with pytest.raises(_runtime.ServiceError, match="reports state error") as info:
        _do_kubernetes.wait_running(Client(["error"]), CID, 60, 5, sleep=lambda s: None)
    assert info.value.kind == "service" and info.value.written is True


# --- kubeconfig --------------------------------------------------------------------------------------------------

CREDS = dict(
    server="https://k8s.example:443",
    certificate_authority_data="Q0E=",
    token="tok-SECRET",
    expires_at="2026-06-08T10:00:00Z",
)
CLUSTER = dict(id=CID, name="wb", region="fra1", endpoint="https://k8s.example:443")
NOW = datetime.datetime(2026, 6, 1, tzinfo=datetime.timezone.utc)


def test_kubeconfig_shape_and_summary_without_secrets():
    config = _do_kubernetes.build_kubeconfig(CLUSTER, CREDS)
    assert config["current-context"] == "do-fra1-wb"
    assert config["users"][0] == dict(
        name="do-fra1-wb-admin",
        user=dict(
            token="tok-SECRET",
            extensions=[
                dict(
                    name=_do_kubernetes.KUBECONFIG_EXTENSION,
                    extension=dict(cluster_id=CID, expires_at="2026-06-08T10:00:00Z"),
                )
            ],
        ),
    )
    summary = _do_kubernetes.kubeconfig_summary(config)
    assert "tok-SECRET" not in str(summary) and summary["auth"] == "token" and summary["cluster_id"] == CID


def test_client_certificate_credentials():
    config = _do_kubernetes.build_kubeconfig(
        CLUSTER, dict(server="s", client_certificate_data="Y2VydA==", client_key_data="a2V5")
    )
    assert _do_kubernetes.kubeconfig_summary(config)["auth"] == "client-certificate"


@pytest.mark.parametrize(
    "mutate, reason",
    [
        (None, None),
        (lambda c: c.clear(), "written for another cluster"),
        (lambda c: c["users"][0]["user"]["extensions"][0]["extension"].update(cluster_id="other"), "another cluster"),
        (lambda c: c["clusters"][0]["cluster"].update(server="https://old"), "server is https://old"),
        (lambda c: c["users"][0]["user"].pop("token"), "has no credentials"),
        (
            lambda c: c["users"][0]["user"]["extensions"][0]["extension"].update(expires_at="2026-06-01T12:00:00Z"),
            "credentials expire at 2026-06-01T12:00:00Z",
        ),
        (lambda c: c["users"][0]["user"]["extensions"][0]["extension"].update(expires_at="soon"), "unreadable"),
    ],
)
def test_kubeconfig_status(mutate, reason):
    config = _do_kubernetes.build_kubeconfig(CLUSTER, CREDS)
    if mutate:
        mutate(config)
    status = _do_kubernetes.kubeconfig_status(config, CLUSTER, 86400, now=NOW)
    assert status is None if reason is None else reason in status


def test_missing_or_foreign_kubeconfig():
    assert _do_kubernetes.kubeconfig_status(None, CLUSTER, 0) == "missing"
    assert _do_kubernetes.kubeconfig_status("garbage", CLUSTER, 0) == "not a kubeconfig"


# --- applying ----------------------------------------------------------------------------------------------------


class Recorder(object):
    def __init__(self):
        self.calls = []

    def post(self, path, body=None):
        self.calls.append(("POST", path))
        return dict(kubernetes_cluster=dict(id="new-id"))

    def put(self, path, body):
        self.calls.append(("PUT", path))

    def delete(self, path, body=None):
        self.calls.append(("DELETE", path))

    def get(self, path, params=None):
        self.calls.append(("GET", path))
        return dict(available_upgrade_versions=[dict(slug="1.36.1-do.0")])


def test_apply_order_keeps_a_pool_and_upgrades_last():
    new_pool = dict(WORKERS, name="workers-2", size="c-4")
    desired = params(node_pools=[new_pool], version="1.36", auto_upgrade=False, registry_enabled=True)
    current = _do_kubernetes.normalize_current(api_cluster())
    actions = _do_kubernetes.plan(_do_kubernetes_spec.normalize_desired(desired), current)
    assert [a["op"] for a in actions] == ["update", "create_pool", "delete_pool", "registry", "upgrade"]
    client = Recorder()
    _do_kubernetes.apply(client, current, actions)
    assert client.calls == [
        ("PUT", "kubernetes/clusters/%s" % CID),
        ("POST", "kubernetes/clusters/%s/node_pools" % CID),
        ("DELETE", "kubernetes/clusters/%s/node_pools/p1" % CID),
        ("POST", "kubernetes/registry"),
        ("GET", "kubernetes/clusters/%s/upgrades" % CID),
        ("POST", "kubernetes/clusters/%s/upgrade" % CID),
    ]


def test_apply_create_waits_before_the_registry_integration():
    client = Recorder()
    waited = []
    actions = _do_kubernetes.plan(_do_kubernetes_spec.normalize_desired(params(registry_enabled=True)), None)
    assert (
        _do_kubernetes.apply(client, None, actions, after_create=lambda cid: waited.append((cid, len(client.calls))))
        == "new-id"
    )
    assert waited == [("new-id", 1)] and client.calls == [
        ("POST", "kubernetes/clusters"),
        ("POST", "kubernetes/registry"),
    ]


def test_unavailable_upgrade_names_what_is_available():
    # found while applying (earlier steps may have been written): drift, not a SpecError
    with pytest.raises(
        _runtime.DriftError, match="1.37 is not an available upgrade of this cluster; available: 1.36.1-do.0"
    ) as info:
        _do_kubernetes.resolve_upgrade(Recorder(), CID, "1.37")
    assert info.value.written is True and "nothing was changed" not in info.value.msg


def test_an_unavailable_upgrade_after_other_steps_says_they_were_written():
    desired = _do_kubernetes_spec.normalize_desired(params(version="1.37", auto_upgrade=False))
    current = _do_kubernetes.normalize_current(api_cluster())
    actions = _do_kubernetes.plan(desired, current)
    assert [a["op"] for a in actions] == ["update", "upgrade"]
    client, done = Recorder(), []
    with pytest.raises(_runtime.DriftError) as info:
        _do_kubernetes.apply(client, current, actions, done=done)
    assert info.value.written is True and done == [actions[0]["summary"]]
    with pytest.raises(_runtime.DriftError) as info:
        _do_kubernetes.apply(Recorder(), current, actions[1:])
    assert info.value.written is False
