"""The do_network and doks_cluster roles end to end, through playbooks/network.yml and playbooks/cluster.yml, against
the DigitalOcean API fake (wired to the Kubernetes API fake) and moto for Spaces.

check -> apply -> check -> apply for the whole of both stages, with independent reads of the fakes' stores and
moto; a second converge changes nothing and writes nothing; changing node pool bounds is applied in place; changing
the region fails with the message before any write; no token or secret appears in -vvv output.
"""

from __future__ import annotations

import base64
import os
import stat

import pytest
import yaml

from cloud_support import DO_TOKEN, Writes, playbook
from fakes.do_api import DOApiFake
from fakes.k8s_api import FakeKubeAPI
from fakes.s3 import ACCESS_KEY, MotoServer
from support import k8s_security
from support.ansible import run_playbook
from support.cycle import check_apply_check_apply
from support.vault import handoffs, secret_values

SPACES_SECRET = "spaces-secret-key-Hq7Lw2"
# vault variables: every value that is a secret contains "SECRET" and must never be printed
VAULT = {
    "vault_supabase_url": "https://abc.supabase.co",
    "vault_supabase_anon_key": "anon-SECRET-a1",
    "vault_supabase_service_role_key": "service-role-SECRET-b2",
    "vault_supabase_db_url": "postgresql://postgres:pw-SECRET-c3@db.abc.supabase.co:5432/postgres",
    "vault_anthropic_api_key": "sk-ant-SECRET-d4",
    "vault_openai_api_key": "sk-openai-SECRET-e5",
    "vault_gemini_api_key": "gemini-SECRET-f6",
    "vault_n8n_encryption_key": "n8n-enc-SECRET-g7",
    "vault_neo4j_password": "neo4j-SECRET-i9",
    "vault_langfuse_public_key": "pk-lf-1",
    "vault_langfuse_secret_key": "sk-lf-SECRET-j10",
    "vault_langfuse_nextauth_secret": "nextauth-SECRET-k11",
    "vault_langfuse_salt": "salt-SECRET-l12",
    "vault_odoo_url": "https://odoo.example.com",
    "vault_odoo_db": "odoo",
    "vault_odoo_username": "bot",
    "vault_odoo_password": "odoo-SECRET-m13",
    "vault_mattermost_webhook_url": "https://mm.example.com/hooks/SECRET-n14",
    "vault_litellm_master_key": "sk-litellm-SECRET-o15",
}
SECRETS = [v for v in VAULT.values() if "SECRET" in v] + [SPACES_SECRET]
NAMESPACES = ["ai-workbench", "n8n", "litellm", "qdrant", "neo4j", "langfuse", "traefik", "monitoring"]


class World(object):
    """The fakes and moto, an inventory pointing the roles at them, and how to run the stages."""

    def __init__(self, tmp, k8s, do_fake, s3):
        self.k8s, self.do, self.s3, self.tmp = k8s, do_fake, s3, tmp
        self.kubeconfig = os.path.join(tmp, "kube", "ai-workbench.yaml")
        self.inventory = os.path.join(tmp, "inventory.yml")
        host = {
            "ansible_connection": "local",
            "ansible_python_interpreter": "{{ ansible_playbook_python }}",
            "do_network_spaces_endpoint_url": s3.endpoint_url,
            "do_network_spaces_access_key": ACCESS_KEY,
            "do_network_spaces_secret_key": SPACES_SECRET,
            "doks_cluster_kubeconfig_path": self.kubeconfig,
            "doks_cluster_poll_interval": 0.1,
            "doks_cluster_apps_poll_interval": 0.1,
        }
        host.update(handoffs(), doks_cluster_secret_values=secret_values(VAULT))
        with open(self.inventory, "w") as handle:
            yaml.safe_dump({"all": {"children": {"workbench_cloud": {"hosts": {"localhost": host}}}}}, handle)
        self.both = os.path.join(tmp, "both.yml")
        with open(self.both, "w") as handle:
            yaml.safe_dump(
                [
                    {"ansible.builtin.import_playbook": playbook("network.yml")},
                    {"ansible.builtin.import_playbook": playbook("cluster.yml")},
                ],
                handle,
            )
        tmpdir = os.path.join(tmp, "tmpdir")
        os.makedirs(tmpdir, exist_ok=True)
        self.env = {
            "DO_API_URL": do_fake.base_url + "/v2",
            "DO_API_TOKEN": DO_TOKEN,
            "TMPDIR": tmpdir,
            "DIGITALOCEAN_TOKEN": "",
            "AWS_ACCESS_KEY_ID": "",
            "AWS_SECRET_ACCESS_KEY": "",
            "KUBECONFIG": "",
            "K8S_AUTH_KUBECONFIG": "",
        }

    def run(self, which="both", check=False, extra_vars=None, verbosity=0):
        path = self.both if which == "both" else playbook(which)
        return run_playbook(
            playbook=path,
            inventory=self.inventory,
            check=check,
            diff=True,
            env=self.env,
            extra_vars=extra_vars,
            verbosity=verbosity,
            timeout=900,
        )

    def boto(self):
        return self.s3.client(SPACES_SECRET)

    def buckets(self):
        return self.s3.buckets(SPACES_SECRET)


def changed_items(result):
    """How many changes a run reported: each changed task, or each changed item of a loop."""
    total = 0
    for task in result.tasks:
        res = task["result"]
        if "results" in res:
            total += sum(1 for item in res["results"] if item.get("changed"))
        elif res.get("changed"):
            total += 1
    return total


def ok(result):
    assert result.rc == 0, (result.failure() or {}).get("msg") or result.stderr[-3000:] or result.stdout[-3000:]
    return result


@pytest.fixture
def world(tmp_path, moto_server):
    moto_server.reset()
    k8s = FakeKubeAPI(token="roles-test-kube-token-51c0e7").start()
    ca = tmp_path / "k8s-ca.pem"
    ca.write_bytes(k8s.ca_pem)
    do_fake = DOApiFake(
        DO_TOKEN, provision_delay=0.4, kube_server=k8s.url, kube_token=k8s.token, kube_ca_file=str(ca)
    ).start()
    yield World(str(tmp_path), k8s, do_fake, moto_server)
    do_fake.stop()
    k8s.stop()
    do_fake.assert_no_violations()


@pytest.fixture(scope="module")
def converged(tmp_path_factory):
    """One converged sandbox shared by the tests that start from a converged state."""
    tmp = tmp_path_factory.mktemp("converged")
    with MotoServer(log_file=str(tmp / "moto.log")) as s3:
        k8s = FakeKubeAPI(token="roles-test-kube-token-8a2f11").start()
        ca = tmp / "k8s-ca.pem"
        ca.write_bytes(k8s.ca_pem)
        do_fake = DOApiFake(
            DO_TOKEN, provision_delay=0.4, kube_server=k8s.url, kube_token=k8s.token, kube_ca_file=str(ca)
        ).start()
        world = World(str(tmp), k8s, do_fake, s3)
        ok(world.run())
        yield world
        do_fake.stop()
        k8s.stop()
        do_fake.assert_no_violations()


def test_both_stages_check_apply_check_apply(world):
    do_empty, k8s_version = world.do.snapshot(), world.k8s.resource_version

    with Writes(world.do) as writes:
        first_check = ok(world.run(check=True))
    assert writes.seen == [] and world.do.snapshot() == do_empty
    assert world.k8s.resource_version == k8s_version and world.buckets() == []
    assert not os.path.exists(world.kubeconfig)

    first_apply = ok(world.run())
    # check mode announced exactly as many changes as the real run made
    assert changed_items(first_check) == changed_items(first_apply) == 11, (
        changed_items(first_check),
        changed_items(first_apply),
    )

    # --- independent reads -------------------------------------------------------------------------------------
    state = world.do.snapshot()
    (vpc,) = state["vpcs"].values()
    assert (vpc["name"], vpc["region"], vpc["ip_range"]) == ("ai-workbench-vpc", "fra1", "10.10.0.0/16")
    (firewall,) = state["firewalls"].values()
    assert firewall["tags"] == ["ai-workbench"]
    assert sorted(int(r["ports"]) for r in firewall["inbound_rules"]) == [80, 443]
    assert sorted(int(r["ports"]) for r in firewall["outbound_rules"]) == [443, 5432, 6333, 6543]
    assert state["registry"]["name"] == "ai-workbench-registry" and state["subscription"]["tier"] == "basic"
    (cluster,) = state["clusters"].values()
    assert cluster["vpc_uuid"] == vpc["id"] and cluster["region"] == "fra1"
    assert cluster["auto_upgrade"] and cluster["surge_upgrade"] and cluster["registry_enabled"]
    assert cluster["maintenance_policy"]["day"] == "sunday" and cluster["maintenance_policy"]["start_time"] == "03:00"
    (pool,) = cluster["node_pools"]
    assert (pool["size"], pool["count"], pool["auto_scale"], pool["min_nodes"], pool["max_nodes"], pool["tags"]) == (
        "s-4vcpu-8gb",
        3,
        True,
        3,
        6,
        ["ai-workbench"],
    )
    (project,) = [p for p in state["projects"].values() if p["name"] == "ai-workbench"]
    members = sorted(u for u, a in state["project_resources"].items() if a["project_id"] == project["id"])
    assert members == ["do:kubernetes:" + cluster["id"], "do:space:ai-workbench-data"]
    apps = {a["spec"]["name"]: a for a in state["apps"].values()}
    assert sorted(apps) == ["expense-api", "ocr-backend"]
    for app in apps.values():
        (service,) = app["spec"]["services"]
        assert service["instance_count"] == 2 and service["health_check"]["http_path"] == "/health"
        assert all(
            e["type"] == "SECRET"
            for e in service["envs"]
            if e["key"] in ("SUPABASE_SERVICE_ROLE_KEY", "DATABASE_URL", "ODOO_PASSWORD")
        )
        assert app["project_id"] == project["id"]
    assert world.buckets() == ["ai-workbench-data"]
    assert world.boto().get_bucket_versioning(Bucket="ai-workbench-data")["Status"] == "Enabled"
    for name in NAMESPACES:
        assert (
            world.k8s.get("v1", "namespaces", name)["metadata"]["labels"]["app.kubernetes.io/part-of"] == "ai-workbench"
        )
    secret = world.k8s.get("v1", "secrets", "llm-api-keys", "litellm")
    assert base64.b64decode(secret["data"]["ANTHROPIC_API_KEY"]).decode() == VAULT["vault_anthropic_api_key"]
    assert "kubectl.kubernetes.io/last-applied-configuration" not in (secret["metadata"].get("annotations") or {})
    assert len([s for ns in NAMESPACES for s in world.k8s.list("v1", "secrets", ns)]) == 7
    assert stat.S_IMODE(os.stat(world.kubeconfig).st_mode) == 0o600

    # --- converged: check and apply change nothing and write nothing ----------------------------------------------
    do_state, k8s_version = world.do.snapshot(), world.k8s.resource_version
    kubeconfig_mtime = os.stat(world.kubeconfig).st_mtime_ns
    for check in (True, False):
        with Writes(world.do) as writes:
            result = ok(world.run(check=check))
        assert result.changed == 0 and changed_items(result) == 0, [
            t["name"] for t in result.tasks if t["result"].get("changed")
        ]
        assert writes.seen == []
        assert world.do.snapshot() == do_state and world.k8s.resource_version == k8s_version
    assert os.stat(world.kubeconfig).st_mtime_ns == kubeconfig_mtime


def test_a_secret_applied_client_side_loses_its_annotation(world):
    """A seed Secret once applied client-side (kubectl apply by hand, with older values) holds them in the
    last-applied-configuration annotation; the next converge of the cluster stage takes it over server-side and
    removes the annotation: check -> apply -> check -> apply, then the store read directly."""
    ok(world.run())
    old = {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {"name": "llm-api-keys", "namespace": "litellm"},
        "stringData": {"ANTHROPIC_API_KEY": "sk-ant-old-SECRET-z9", "OPENAI_API_KEY": VAULT["vault_openai_api_key"]},
    }
    k8s_security.client_side_apply(world.kubeconfig, [old], world.tmp)
    assert k8s_security.annotated_secrets(world.k8s.list("v1", "secrets")) == ["litellm/llm-api-keys"]
    remove = "Remove the client-side apply annotation from the secrets"
    rv = world.k8s.resource_version
    plan = ok(world.run("cluster.yml", check=True))
    assert plan.task(remove)["changed"] and len(plan.task(remove)["results"]) == 1  # only that one (items: no_log)
    assert world.k8s.resource_version == rv
    applied = ok(world.run("cluster.yml"))
    assert applied.task(remove)["changed"] and applied.task("Ensure the secrets")["changed"]
    rv = world.k8s.resource_version
    for check in (True, False):
        again = ok(world.run("cluster.yml", check=check))
        assert changed_items(again) == 0 and again.task(remove)["results"] == [], [
            t["name"] for t in again.tasks if t["result"].get("changed")
        ]
    assert world.k8s.resource_version == rv
    secret = world.k8s.get("v1", "secrets", "llm-api-keys", "litellm")
    assert "annotations" not in secret["metadata"]
    assert base64.b64decode(secret["data"]["ANTHROPIC_API_KEY"]).decode() == VAULT["vault_anthropic_api_key"]
    assert k8s_security.annotated_secrets(world.k8s.list("v1", "secrets")) == []
    assert not [s for s in SECRETS + ["sk-ant-old-SECRET-z9"] if s in plan.stdout + applied.stdout]


def test_facts_for_later_stages(converged):
    stage = {"name": "insightpulseai.workbench.doks_cluster", "tasks_from": "main"}
    result = ok(
        run_playbook(
            tasks=[
                {"name": "stage", "ansible.builtin.include_role": stage},
                {
                    "name": "show",
                    "ansible.builtin.debug": {"msg": "{{ doks_cluster_kubeconfig }} {{ doks_cluster_id }}"},
                },
            ],
            inventory=converged.inventory,
            env=converged.env,
        )
    )
    (cluster,) = converged.do.snapshot()["clusters"].values()
    assert result.task("show")["msg"] == "%s %s" % (converged.kubeconfig, cluster["id"])


@pytest.mark.parametrize("writer", ["this stage", "another manager"])
def test_retired_n8n_basic_auth_keys_are_removed_once(converged, writer):
    """A cluster an earlier version converged holds N8N_BASIC_AUTH_* in n8n/n8n-secrets, applied by this stage's field
    manager (the apply that no longer carries them removes them), or written by someone else (patched away).
    check -> apply -> check -> apply: the keys go (reported), the rest of the Secret stays."""
    k8s = converged.k8s
    retired = {"N8N_BASIC_AUTH_USER": "admin", "N8N_BASIC_AUTH_PASSWORD": "n8n-pw-SECRET-h8"}
    data = dict((k, base64.b64encode(v.encode()).decode()) for k, v in retired.items())
    rt = k8s._type("v1", "secrets")
    if writer == "this stage":
        data["N8N_ENCRYPTION_KEY"] = base64.b64encode(VAULT["vault_n8n_encryption_key"].encode()).decode()
        k8s.cluster.patch(
            rt,
            "n8n",
            "n8n-secrets",
            "application/apply-patch+yaml",
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "n8n-secrets", "namespace": "n8n"},
                "data": data,
            },
            field_manager="insightpulseai.workbench",
            force=True,
        )
    else:
        k8s.cluster.patch(
            rt, "n8n", "n8n-secrets", "application/merge-patch+json", {"data": data}, field_manager="kubectl-edit"
        )
    runs = check_apply_check_apply(
        lambda check: ok(converged.run(which="cluster.yml", check=check)),
        state=lambda: k8s.resource_version,  # the plan removes nothing
        changed=changed_items,
        explain=lambda runs: [changed_items(r) for r in runs],
    )
    assert [changed_items(r) for r in runs] == [1, 1, 0, 0], [changed_items(r) for r in runs]
    for run, verb in ((runs[0], "would remove"), (runs[1], "removed")):
        (report,) = [r["msg"] for r in run.task("Report the retired keys removed")["results"]]
        assert report.startswith(
            verb + " the retired key(s) N8N_BASIC_AUTH_USER, N8N_BASIC_AUTH_PASSWORD from Secret n8n/n8n-secrets"
        ), report
    assert runs[2].task("Report the retired keys removed")["results"] == []
    data = k8s.get("v1", "secrets", "n8n-secrets", "n8n")["data"]
    assert sorted(data) == ["N8N_ENCRYPTION_KEY"]
    assert base64.b64decode(data["N8N_ENCRYPTION_KEY"]).decode() == VAULT["vault_n8n_encryption_key"]
    assert retired["N8N_BASIC_AUTH_PASSWORD"] not in "".join(r.stdout for r in runs)


def test_region_change_fails_before_any_write(converged):
    (cluster,) = converged.do.snapshot()["clusters"].values()
    before = converged.do.snapshot()
    with Writes(converged.do) as writes:
        result = converged.run(
            "cluster.yml", extra_vars={"doks_cluster_region": "ams3", "doks_cluster_vpc_id": cluster["vpc_uuid"]}
        )
    assert result.rc != 0
    assert result.failure()["msg"] == (
        "Cluster 'ai-workbench' cannot be brought to the desired state in place; nothing was changed: region is fra1, "
        "desired ams3 (the region cannot change in place: create a new cluster)."
    )
    assert writes.seen == [] and converged.do.snapshot() == before
    # Through the network stage, the VPC is the first to refuse
    with Writes(converged.do) as writes:
        result = converged.run(extra_vars={"do_network_region": "ams3"})
    assert "region is fra1, desired ams3 (a VPC cannot move: create a new one)" in result.failure()["msg"]
    assert writes.seen == []


def test_pool_bounds_change_in_place(converged):
    (cluster,) = converged.do.snapshot()["clusters"].values()
    (pool,) = cluster["node_pools"]
    pools = [
        {
            "name": "workbench-workers",
            "size": "s-4vcpu-8gb",
            "count": 3,
            "auto_scale": True,
            "min_nodes": 3,
            "max_nodes": 8,
            "tags": ["ai-workbench"],
        }
    ]
    check = ok(converged.run("cluster.yml", check=True, extra_vars={"doks_cluster_node_pools": pools}))
    assert check.task("Ensure the cluster")["actions"] == ["update node pool workbench-workers: max_nodes 6 -> 8"]
    with Writes(converged.do) as writes:
        result = ok(converged.run("cluster.yml", extra_vars={"doks_cluster_node_pools": pools}))
    assert [t["name"].split(" : ")[-1] for t in result.tasks if t["result"].get("changed")] == ["Ensure the cluster"]
    assert writes.seen == [("PUT", "/v2/kubernetes/clusters/%s/node_pools/%s" % (cluster["id"], pool["id"]))]
    (after,) = converged.do.snapshot()["clusters"].values()
    assert after["id"] == cluster["id"] and after["node_pools"][0]["id"] == pool["id"]
    assert after["node_pools"][0]["max_nodes"] == 8
    again = ok(converged.run("cluster.yml", extra_vars={"doks_cluster_node_pools": pools}))
    assert again.changed == 0


def test_no_token_or_secret_in_verbose_output(world):
    outputs = []
    for check in (False, True):
        result = world.run(check=check, verbosity=3)
        assert result.rc == 0, result.stdout[-3000:]
        outputs.append(result.stdout + result.stderr)
    text = "\n".join(outputs)
    assert "insightpulseai.workbench.do_kubernetes_cluster" in text or "Ensure the cluster" in text  # it is -vvv output
    leaks = [
        name
        for name, value in [("DO token", DO_TOKEN), ("Kubernetes token", world.k8s.token)]
        + [("secret", s) for s in SECRETS]
        + [("base64 of a secret", base64.b64encode(s.encode()).decode()) for s in SECRETS]
        if value in text
    ]
    assert leaks == []
