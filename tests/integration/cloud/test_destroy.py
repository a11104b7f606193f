"""playbooks/destroy.yml end to end against the fakes: the DigitalOcean API fake (wired to the Kubernetes API fake),
moto for Spaces, and real helm 3.19 with the Traefik stand-in chart.

The workbench is converged first with the real stage playbooks (network, cluster, ingress, gateway), in an account
whose fra1 already has its default VPC, as a real account does. Then: the teardown refuses without the cluster's name
and with another value, before any request to any API; --check reports the plan and deletes nothing (independent
reads of the fakes' stores, moto, and the controller's files); the teardown deletes what the converge made, in-cluster
objects first, keeps the region's default VPC and the Spaces bucket, and reports what --check announced; a second run
changes nothing; workbench_destroy_spaces_bucket=true empties and deletes the bucket. Two smaller workbenches (the
network stage only) show the VPC guards: a VPC that is its region's default is refused, and a VPC that still has a
member is retried, then refused, and deleted by a later run once the member is gone.
"""

from __future__ import annotations

import os

import pytest
import yaml

from cloud_support import DO_TOKEN, Writes, api, playbook
from fakes.charts import standin
from fakes.do_api import DOApiFake
from fakes.k8s_api import FakeKubeAPI
from fakes.s3 import ACCESS_KEY, MotoServer
from support.ansible import run_playbook
from support.helm import HELM
from support.vault import VAULT_KEYS, handoffs, secret_values

SPACES_SECRET = "spaces-secret-key-destroy-5d2"
BUCKET = "ai-workbench-data"
CLUSTER = "ai-workbench"
# The vault variables the cluster stage's secrets and apps need (none of them is asserted on here).
VAULT = dict(("vault_" + name, "destroy-test-vault_" + name) for name in VAULT_KEYS)
# bcrypt htpasswd entry for the Traefik dashboard (required by the ingress stage's preflight).
DASHBOARD_USERS = ["admin:$2b$05$Qm9uam91ciBsZXMgYW1pcuJpoTgg26fQpJKU3jd37jeXXJhT5NAn6"]
LITELLM_OBJECTS = [
    ("v1", "secrets", "litellm-gateway-env"),
    ("v1", "configmaps", "litellm-gateway-config"),
    ("apps/v1", "deployments", "litellm-gateway"),
    ("apps/v1", "deployments", "litellm-gateway-redis"),
    ("v1", "services", "litellm-gateway"),
    ("v1", "services", "litellm-gateway-redis"),
    ("networking.k8s.io/v1", "ingresses", "litellm-gateway"),
    ("autoscaling/v2", "horizontalpodautoscalers", "litellm-gateway"),
    ("policy/v1", "poddisruptionbudgets", "litellm-gateway"),
]


def _traefik_chart_available():
    """Whether the Traefik stand-in chart can be assembled (the chart contracts are present)."""
    try:
        standin.contract_files("traefik")
    except standin.ContractsMissing:
        return False
    return True


class World(object):
    """The fakes and moto, an inventory putting this controller in every cloud group, and how to run playbooks."""

    def __init__(self, tmp, k8s, do_fake, s3, stages):
        self.k8s, self.do, self.s3, self.tmp = k8s, do_fake, s3, tmp
        self.kubeconfig = os.path.join(tmp, "kube", CLUSTER + ".yaml")
        host = {
            "ansible_connection": "local",
            "ansible_python_interpreter": "{{ ansible_playbook_python }}",
            "do_network_spaces_endpoint_url": s3.endpoint_url,
            "do_network_spaces_access_key": ACCESS_KEY,
            "do_network_spaces_secret_key": SPACES_SECRET,
            "doks_cluster_kubeconfig_path": self.kubeconfig,
            "doks_cluster_poll_interval": 0.1,
            "doks_cluster_apps_poll_interval": 0.1,
            "traefik_helm_binary": HELM,
            "n8n_workflows_helm_binary": HELM,
            "traefik_acme_email": "ops@insightpulseai.net",
            "traefik_dashboard_users": DASHBOARD_USERS,
            "traefik_dashboard_hostname": "traefik.workbench.test",
            "traefik_n8n_hostname": "n8n.workbench.test",
            "traefik_n8n_admin_source_ranges": ["127.0.0.1/32"],
            "traefik_litellm_hostname": "llm.workbench.test",
            "litellm_gateway_k8s_kubeconfig": self.kubeconfig,
            "litellm_gateway_master_key": "sk-destroy-test-master",
            "litellm_gateway_redis_password": "destroy-test-redis",
            "litellm_gateway_provider_api_keys": {
                "ANTHROPIC_API_KEY": "a",
                "OPENAI_API_KEY": "o",
                "GEMINI_API_KEY": "g",
            },
        }
        host.update(handoffs(), doks_cluster_secret_values=secret_values(VAULT))
        self.chart = None
        if "ingress.yml" in stages:
            self.chart = standin.assemble("traefik", os.path.join(tmp, "chart"))
            host["traefik_chart_ref"] = self.chart
        groups = ("workbench_cloud", "workbench_cluster", "workbench_gateway")
        self.inventory = os.path.join(tmp, "inventory.yml")
        with open(self.inventory, "w") as handle:
            yaml.safe_dump(
                {"all": {"vars": host, "children": dict((g, {"hosts": {"localhost": None}}) for g in groups)}}, handle
            )
        self.converge_playbook = os.path.join(tmp, "converge.yml")
        with open(self.converge_playbook, "w") as handle:
            yaml.safe_dump([{"ansible.builtin.import_playbook": playbook(stage)} for stage in stages], handle)
        self.env = {
            "DO_API_URL": do_fake.base_url + "/v2",
            "DO_API_TOKEN": DO_TOKEN,
            "DIGITALOCEAN_TOKEN": "",
            "AWS_ACCESS_KEY_ID": "",
            "AWS_SECRET_ACCESS_KEY": "",
            "KUBECONFIG": "",
            "K8S_AUTH_KUBECONFIG": "",
            "LITELLM_MASTER_KEY": "",
        }
        for name in ("TMPDIR", "HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME"):
            path = os.path.join(tmp, name.lower())
            os.makedirs(path, exist_ok=True)
            self.env[name] = path

    def converge(self):
        return ok(run_playbook(playbook=self.converge_playbook, inventory=self.inventory, env=self.env, timeout=900))

    def destroy(self, confirm=CLUSTER, check=False, **extra_vars):
        if confirm is not None:
            extra_vars["workbench_destroy_confirm"] = confirm
        return run_playbook(
            playbook=playbook("destroy.yml"),
            inventory=self.inventory,
            check=check,
            diff=True,
            env=self.env,
            extra_vars=extra_vars or None,
            timeout=900,
        )

    def boto(self):
        return self.s3.client(SPACES_SECRET)

    def buckets(self):
        return self.s3.buckets(SPACES_SECRET)

    def vpcs(self):
        return sorted((v["name"], v["default"]) for v in self.do.snapshot()["vpcs"].values())


def ok(result):
    assert result.rc == 0, (result.failure() or {}).get("msg") or result.stderr[-3000:] or result.stdout[-3000:]
    return result


def messages(result, name):
    """The msg of every host result of the tasks named ``name`` (a report task runs once per role)."""
    return [t["result"].get("msg") for t in result.tasks if t["name"].endswith(" : " + name) or t["name"] == name]


def changed_tasks(result):
    return [t["name"] for t in result.tasks if t["result"].get("changed")]


def make_world(tmp, stages, default_vpc=True):
    """Start moto, the Kubernetes fake and the DO fake (fra1's default VPC created first, as in a real account)."""
    s3 = MotoServer(log_file=os.path.join(tmp, "moto.log")).start()
    k8s = FakeKubeAPI(token="destroy-test-kube-token-3e9a").start()
    ca = os.path.join(tmp, "k8s-ca.pem")
    with open(ca, "wb") as handle:
        handle.write(k8s.ca_pem)
    do_fake = DOApiFake(
        DO_TOKEN, provision_delay=0.4, kube_server=k8s.url, kube_token=k8s.token, kube_ca_file=ca
    ).start()
    if default_vpc:
        api(do_fake, "POST", "/v2/vpcs", {"name": "default-fra1", "region": "fra1", "ip_range": "10.114.0.0/20"})
    return World(tmp, k8s, do_fake, s3, stages)


def stop_world(world):
    world.do.stop()
    world.k8s.stop()
    world.s3.stop()
    world.do.assert_no_violations()


@pytest.fixture(scope="module")
def converged(tmp_path_factory):
    """One workbench converged with every cloud stage (ingress only when the Traefik chart contracts are there), with
    versioned objects in its bucket."""
    if not os.access(HELM, os.X_OK):
        pytest.fail("helm 3.19.0 is not installed: run scripts/install-helm.sh (make setup does)")
    stages = ["network.yml", "cluster.yml"] + (["ingress.yml"] if _traefik_chart_available() else []) + ["gateway.yml"]
    world = make_world(str(tmp_path_factory.mktemp("destroy")), stages)
    try:
        world.converge()
        s3 = world.boto()
        for body in (b"v1", b"v2"):
            s3.put_object(Bucket=BUCKET, Key="receipts/1.json", Body=body)
        s3.put_object(Bucket=BUCKET, Key="receipts/2.json", Body=b"x")
        yield world
    finally:
        stop_world(world)


def test_refuses_without_the_cluster_name_before_any_request(converged):
    world = converged
    state, k8s_version, kubeconfig = world.do.snapshot(), world.k8s.resource_version, open(world.kubeconfig).read()
    assert state["clusters"] and state["apps"] and state["firewalls"] and state["registry"]
    for confirm, check, given in (
        (None, False, "no confirmation was given"),
        ("ai-workbench-prod", False, 'the confirmation "ai-workbench-prod" is not the name'),
        (" ai-workbench", False, 'the confirmation " ai-workbench" is not the name'),
        (None, True, "no confirmation was given"),
    ):
        do_requests, k8s_requests = len(world.do.requests), len(world.k8s.requests)
        result = world.destroy(confirm=confirm, check=check)
        assert result.rc != 0
        failure = result.failure()
        assert failure["msg"].startswith("Refusing to tear down the AI Workbench: " + given), failure["msg"]
        assert failure["msg"].endswith(
            "To confirm, pass the cluster's name exactly: -e workbench_destroy_confirm=ai-workbench"
        )
        # the confirmation is the first task that runs, and the only one
        assert [t["name"] for t in result.tasks] == [
            "Fail unless the cluster's name was typed to confirm",  # the include_role of the confirmation
            "insightpulseai.workbench.doks_cluster : Fail unless the cluster's name was given to confirm the teardown",
        ]
        assert len(world.do.requests) == do_requests and len(world.k8s.requests) == k8s_requests
    assert world.do.snapshot() == state and world.k8s.resource_version == k8s_version
    assert open(world.kubeconfig).read() == kubeconfig and world.buckets() == [BUCKET]


def test_check_destroy_and_again(converged):
    world = converged
    before, k8s_version = world.do.snapshot(), world.k8s.resource_version
    (cluster,) = before["clusters"].values()
    kubeconfig_stat = os.stat(world.kubeconfig)

    # --- --check: the plan, and nothing deleted ------------------------------------------------------------------
    with Writes(world.do) as writes:
        plan = ok(world.destroy(check=True))
    assert writes.seen == [] and world.do.snapshot() == before
    assert world.k8s.resource_version == k8s_version
    assert os.stat(world.kubeconfig).st_mtime_ns == kubeconfig_stat.st_mtime_ns and world.buckets() == [BUCKET]
    assert plan.changed > 0
    planned = sorted(
        messages(plan, "Report the teardown of the cluster and the apps")
        + messages(plan, "Report the teardown of the network")
        + messages(plan, "Report the teardown of Traefik")
    )
    expected = [
        "would delete: App Platform app ocr-backend, App Platform app expense-api, cluster %s (%s), kubeconfig %s"
        % (CLUSTER, cluster["id"], world.kubeconfig),
        "would delete: cloud firewall ai-workbench-fw, container registry ai-workbench-registry, project ai-workbench, "
        "VPC ai-workbench-vpc; kept: Spaces bucket %s (it holds data; do_network_destroy_spaces_bucket=true, in "
        "playbooks/destroy.yml -e workbench_destroy_spaces_bucket=true, deletes it)" % BUCKET,
    ]
    if world.chart:
        expected.append(
            "would remove: Helm release traefik/traefik with its LoadBalancer Service (the DigitalOcean "
            "load balancer), PersistentVolumeClaim traefik/traefik (its DigitalOcean volume)"
        )
    else:  # without the chart contracts the ingress stage was not converged: the teardown finds no Traefik release
        expected.append("nothing to remove: the Traefik release and its claim are gone")
    assert planned == sorted(expected)
    project = plan.task("Delete the project (the bucket moves to the default project first)")
    assert project["changes"] == ["move do:space:%s to the default project" % BUCKET, "delete"]
    assert plan.task("Remove the objects")["changed"] is True  # the gateway's objects, dry-run

    # --- the teardown, from a controller without the kubeconfig (a fresh AWX job, say) ------------------------------
    os.unlink(world.kubeconfig)
    with Writes(world.do) as writes:
        done = ok(world.destroy())
    assert done.changed > 0
    assert "Make sure of a kubeconfig for the cluster" in [n.split(" : ")[-1] for n in changed_tasks(done)]
    # it reports what --check announced
    reported = sorted(
        messages(done, "Report the teardown of the cluster and the apps")
        + messages(done, "Report the teardown of the network")
        + messages(done, "Report the teardown of Traefik")
    )
    assert reported == sorted(
        m.replace("would delete: ", "deleted: ").replace("would remove: ", "removed: ") for m in expected
    )
    # in-cluster objects went before the cluster, the cluster before the VPC
    order = [(m, p) for m, p in writes.seen if m == "DELETE"]
    assert order[-1] == ("DELETE", "/v2/vpcs/" + cluster["vpc_uuid"])
    assert [p.split("/")[2] for _m, p in order] == [
        "apps",
        "apps",
        "kubernetes",
        "firewalls",
        "registry",
        "projects",
        "vpcs",
    ]
    assert ("POST", "/v2/projects/default/resources") in writes.seen

    # independent reads: DigitalOcean
    state = world.do.snapshot()
    assert state["clusters"] == {} and state["apps"] == {} and state["firewalls"] == {} and state["registry"] is None
    assert [p["name"] for p in state["projects"].values()] == ["first-project"]
    default_project = next(p for p in state["projects"].values() if p["is_default"])
    assert state["project_resources"]["do:space:" + BUCKET]["project_id"] == default_project["id"]
    assert world.vpcs() == [("default-fra1", True)]
    # the bucket and its data are kept
    assert world.buckets() == [BUCKET]
    versions = world.boto().list_object_versions(Bucket=BUCKET)["Versions"]
    assert sorted(v["Key"] for v in versions) == ["receipts/1.json", "receipts/1.json", "receipts/2.json"]
    # the controller: the kubeconfig this run wrote for the deleted cluster is removed
    assert not os.path.exists(world.kubeconfig)
    # the cluster: the gateway's objects, and Traefik's release, Service (load balancer) and kept claim are gone
    for api_version, plural, name in LITELLM_OBJECTS:
        assert world.k8s.get(api_version, plural, name, "litellm") is None, (plural, name)
    if world.chart:
        assert world.k8s.list("v1", "secrets", "traefik", label_selector="owner=helm,name=traefik") == []
        for api_version, plural in (("v1", "services"), ("apps/v1", "deployments"), ("v1", "persistentvolumeclaims")):
            assert world.k8s.get(api_version, plural, "traefik", "traefik") is None, plural

    # --- a second run changes nothing and writes nothing (the cluster is gone: the in-cluster part is skipped) -------
    k8s_version = world.k8s.resource_version
    with Writes(world.do) as writes:
        again = ok(world.destroy())
    assert again.changed == 0, changed_tasks(again)
    assert writes.seen == [] and world.k8s.resource_version == k8s_version
    assert messages(again, "Say that the in-cluster teardown is skipped (the cluster does not exist)") == [
        "Cluster ai-workbench does not exist: nothing in it to remove."
    ]

    # --- workbench_destroy_spaces_bucket=true: planned, then emptied and deleted; then nothing left to do ------------
    plan = ok(world.destroy(check=True, workbench_destroy_spaces_bucket=True))
    assert messages(plan, "Plan the Spaces bucket (check mode)") == [
        "would empty (every object version) and delete bucket " + BUCKET
    ]
    assert messages(plan, "Report the teardown of the network") == ["would delete: Spaces bucket " + BUCKET]
    assert world.buckets() == [BUCKET]
    gone = ok(world.destroy(workbench_destroy_spaces_bucket=True))
    assert [n.split(" : ")[-1] for n in changed_tasks(gone)] == ["Empty and delete the Spaces bucket"]
    assert world.buckets() == []
    last = ok(world.destroy(workbench_destroy_spaces_bucket=True))
    assert last.changed == 0, changed_tasks(last)


@pytest.fixture
def network_world(tmp_path, request):
    """A workbench with the network stage only; fra1's default VPC exists first unless the test says otherwise."""
    world = make_world(str(tmp_path), ["network.yml"], default_vpc=getattr(request, "param", True))
    try:
        world.converge()
        yield world
    finally:
        stop_world(world)


@pytest.mark.parametrize("network_world", [False], indirect=True)
def test_the_regions_default_vpc_is_never_deleted(network_world):
    world = network_world
    assert world.vpcs() == [("ai-workbench-vpc", True)]  # the first VPC of fra1 became its default
    with Writes(world.do) as writes:
        result = world.destroy()
    assert result.rc != 0
    failure = result.failure()
    assert (
        failure["msg"].startswith("VPC ai-workbench-vpc (")
        and "is the default VPC of fra1, which DigitalOcean never deletes (and the teardown never touches)"
        in failure["msg"]
    ), failure["msg"]
    assert [p.split("/")[2] for m, p in writes.seen if m == "DELETE"] == ["firewalls", "registry", "projects"]
    assert world.vpcs() == [("ai-workbench-vpc", True)]
    assert "Delete the VPC (once the deleted cluster's nodes have left it)" not in [
        t["name"].split(" : ")[-1] for t in result.tasks
    ]


def test_a_vpc_with_members_is_retried_then_deleted_by_a_later_run(network_world):
    world = network_world
    vpc = next(v for v in world.do.snapshot()["vpcs"].values() if v["name"] == "ai-workbench-vpc")
    other = api(
        world.do,
        "POST",
        "/v2/kubernetes/clusters",
        {
            "name": "someone-elses",
            "region": "fra1",
            "version": "latest",
            "vpc_uuid": vpc["id"],
            "node_pools": [{"name": "pool", "size": "s-2vcpu-4gb", "count": 1}],
        },
    )["kubernetes_cluster"]
    result = world.destroy(do_network_destroy_vpc_retries=2, do_network_destroy_vpc_delay=0)
    assert result.rc != 0
    failure = result.failure()
    # retried (the attempts retries=2 makes: 2 on ansible-core 2.19, 3 on older cores), then refused
    assert failure["attempts"] > 1 and "still has members" in failure["msg"], failure
    assert ("ai-workbench-vpc", False) in world.vpcs()
    assert other["id"] in world.do.snapshot()["clusters"]  # a cluster the teardown does not own is never touched

    api(world.do, "DELETE", "/v2/kubernetes/clusters/" + other["id"])
    done = ok(world.destroy())
    assert [n.split(" : ")[-1] for n in changed_tasks(done)] == [
        "Delete the VPC (once the deleted cluster's nodes have left it)"
    ]
    assert world.vpcs() == [("default-fra1", True)]
    assert ok(world.destroy()).changed == 0
