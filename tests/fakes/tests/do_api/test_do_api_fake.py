"""The DigitalOcean API fake's own behaviour: auth, errors, pagination, async states, resources, persistence."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time

import pytest
import requests
import yaml

from do_sandbox import KUBE_SERVER, KUBE_TOKEN, PROVISION_DELAY, TOKEN, Api
from fakes.do_api import push_image
from support.ansible import ROOT

NOT_FOUND = {"id": "not_found", "message": "The resource you requested could not be found."}
POOL = {"name": "workers", "size": "s-2vcpu-4gb", "count": 2}


@pytest.fixture
def api(do_fake):
    return Api(do_fake)


def create_cluster(api, **overrides):
    body = dict(name="sandbox", region="fra1", version="latest", node_pools=[POOL])
    body.update(overrides)
    status, data = api.post("/v2/kubernetes/clusters", body)
    assert status == 201, data
    return data["kubernetes_cluster"]


def wait_for(predicate, timeout=5.0):
    deadline = time.time() + timeout
    while not predicate():
        assert time.time() < deadline, "condition not met within %.1fs" % timeout
        time.sleep(0.05)


# Authentication and error bodies.
@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_requests_without_the_token_get_401_as_do_answers(do_fake, token):
    status, body = Api(do_fake, token=token).get("/v2/account")
    assert (status, body) == (401, {"id": "unauthorized", "message": "Unable to authenticate you."})
    assert do_fake.snapshot()["vpcs"] == {}


def test_account(api):
    status, body = api.get("/v2/account")
    assert status == 200
    assert body["account"]["status"] == "active" and body["account"]["email_verified"] is True


def test_unknown_resource_and_unknown_path_get_404_not_found(api):
    assert api.get("/v2/vpcs/5a4981aa-9653-4bd1-bef5-d6bff52042e4") == (404, NOT_FOUND)
    assert api.get("/v2/no-such-thing") == (404, NOT_FOUND)


def test_a_body_that_is_not_json_gets_400_bad_request(do_fake, api):
    response = api.session.post(
        do_fake.base_url + "/v2/vpcs", data=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"id": "bad_request", "message": "error parsing request body"}


def test_business_rules_get_422_unprocessable_entity_naming_the_value(api):
    assert api.post("/v2/vpcs", {"name": "one", "region": "fra1", "ip_range": "10.20.0.0/20"})[0] == 201
    status, body = api.post("/v2/vpcs", {"name": "two", "region": "fra1", "ip_range": "10.20.8.0/24"})
    assert status == 422 and body["id"] == "unprocessable_entity"
    assert "10.20.8.0/24" in body["message"] and "overlaps" in body["message"]
    status, body = api.post("/v2/vpcs", {"name": "three", "region": "fra1", "ip_range": "8.8.8.0/24"})
    assert status == 422 and "RFC 1918" in body["message"]
    status, body = api.post("/v2/vpcs", {"name": "one", "region": "fra1"})
    assert status == 422 and "'one' already exists" in body["message"]


# Pagination.
def test_pagination_links_and_meta_as_do_pages(api):
    for i in range(5):
        assert api.post("/v2/vpcs", {"name": "vpc-%d" % i, "region": "ams3"})[0] == 201

    status, first = api.get("/v2/vpcs?per_page=2")
    assert status == 200 and first["meta"] == {"total": 5}
    assert [v["name"] for v in first["vpcs"]] == ["vpc-0", "vpc-1"]
    assert set(first["links"]["pages"]) == {"next", "last"}
    assert first["links"]["pages"]["last"].endswith("/v2/vpcs?page=3&per_page=2")

    # Following "next" links, as community.digitalocean and pydo do, reaches every item exactly once.
    names, url = [], api.base + "/v2/vpcs?per_page=2"
    while url:
        page = api.session.get(url).json()
        names += [v["name"] for v in page["vpcs"]]
        url = page["links"].get("pages", {}).get("next")
    assert names == ["vpc-%d" % i for i in range(5)]

    status, last = api.get("/v2/vpcs?per_page=2&page=3")
    assert set(last["links"]["pages"]) == {"first", "prev"} and len(last["vpcs"]) == 1
    status, single = api.get("/v2/vpcs")
    assert single["links"] == {} and len(single["vpcs"]) == 5
    status, clamped = api.get("/v2/vpcs?per_page=1000")
    assert status == 200 and len(clamped["vpcs"]) == 5
    assert api.get("/v2/vpcs?page=0")[0] == 400


# VPCs.
def test_first_vpc_of_a_region_is_its_default_and_cannot_be_deleted(api, do_fake):
    first = api.ok("POST", "/v2/vpcs", {"name": "first", "region": "lon1"})
    second = api.ok("POST", "/v2/vpcs", {"name": "second", "region": "lon1", "description": "two"})
    assert first["vpc"]["default"] is True and second["vpc"]["default"] is False
    assert api.call("DELETE", "/v2/vpcs/" + first["vpc"]["id"])[0] == 422

    status, body = api.call("PATCH", "/v2/vpcs/" + second["vpc"]["id"], {"default": True})
    assert status == 200 and body["vpc"]["default"] is True
    stored = do_fake.snapshot()["vpcs"]
    assert stored[first["vpc"]["id"]]["default"] is False
    assert api.call("DELETE", "/v2/vpcs/" + first["vpc"]["id"]) == (204, None)
    assert api.get("/v2/vpcs/" + first["vpc"]["id"]) == (404, NOT_FOUND)


# Kubernetes clusters.
def test_new_cluster_is_provisioning_then_running(api, do_fake):
    cluster = create_cluster(api, tags=["sandbox"])
    assert cluster["status"]["state"] == "provisioning"
    assert {n["status"]["state"] for n in cluster["node_pools"][0]["nodes"]} == {"provisioning"}
    # DO tags clusters and pools itself; the fake stores only the user's tags.
    assert cluster["tags"] == ["k8s", "k8s:" + cluster["id"], "sandbox"]
    assert set(cluster["node_pools"][0]["tags"]) == {"k8s", "k8s:" + cluster["id"], "k8s-worker"}
    assert do_fake.snapshot()["clusters"][cluster["id"]]["tags"] == ["sandbox"]
    # Without vpc_uuid a cluster lands in the region's default VPC, created on demand.
    vpc = do_fake.snapshot()["vpcs"][cluster["vpc_uuid"]]
    assert (vpc["region"], vpc["default"]) == ("fra1", True)

    started = time.time()
    wait_for(
        lambda: (
            api.get("/v2/kubernetes/clusters/" + cluster["id"])[1]["kubernetes_cluster"]["status"]["state"] == "running"
        )
    )
    assert time.time() - started >= PROVISION_DELAY * 0.5
    body = api.ok("GET", "/v2/kubernetes/clusters/" + cluster["id"])
    assert {n["status"]["state"] for n in body["kubernetes_cluster"]["node_pools"][0]["nodes"]} == {"running"}


def test_cluster_create_validation(api):
    status, body = api.post("/v2/kubernetes/clusters", dict(name="c", region="fra1", version="9.99", node_pools=[POOL]))
    assert status == 422 and "9.99" in body["message"]
    status, body = api.post(
        "/v2/kubernetes/clusters", dict(name="c", region="fra1", version="latest", node_pools=[dict(POOL, size="huge")])
    )
    assert status == 422 and "huge" in body["message"]
    vpc = api.ok("POST", "/v2/vpcs", {"name": "elsewhere", "region": "nyc1"})
    status, body = api.post(
        "/v2/kubernetes/clusters",
        dict(name="c", region="fra1", version="latest", node_pools=[POOL], vpc_uuid=vpc["vpc"]["id"]),
    )
    assert status == 422 and "fra1" in body["message"]


def test_version_resolution_upgrades_and_ha_default(api, do_fake):
    options = api.ok("GET", "/v2/kubernetes/options")
    newest, middle, oldest = [v["slug"] for v in options["options"]["versions"]]
    cluster = create_cluster(api, version=oldest.split("-")[0].rsplit(".", 1)[0])  # a minor version, e.g. "1.34"
    assert cluster["version"] == oldest and cluster["ha"] is False
    assert create_cluster(api, name="newer")["ha"] is True  # 1.36+: HA by default (spec)

    upgrades = api.ok("GET", "/v2/kubernetes/clusters/%s/upgrades" % cluster["id"])
    assert [v["slug"] for v in upgrades["available_upgrade_versions"]] == [newest, middle]
    assert api.post("/v2/kubernetes/clusters/%s/upgrade" % cluster["id"], {"version": oldest})[0] == 422
    do_fake.wait_idle()
    assert api.post("/v2/kubernetes/clusters/%s/upgrade" % cluster["id"], {"version": middle}) == (202, None)
    body = api.ok("GET", "/v2/kubernetes/clusters/" + cluster["id"])
    assert (body["kubernetes_cluster"]["version"], body["kubernetes_cluster"]["status"]["state"]) == (
        middle,
        "upgrading",
    )


def test_cluster_update_keeps_immutable_fields_and_ha_cannot_be_disabled(api):
    cluster = create_cluster(api)
    update = {
        "name": "renamed",
        "tags": ["k8s", "k8s:" + cluster["id"], "extra"],
        "auto_upgrade": True,
        "maintenance_policy": {"start_time": "03:00", "day": "sunday"},
    }
    status, body = api.call("PUT", "/v2/kubernetes/clusters/" + cluster["id"], update)
    assert status == 202
    updated = body["kubernetes_cluster"]
    assert (updated["name"], updated["auto_upgrade"], updated["region"]) == ("renamed", True, "fra1")
    assert updated["tags"] == ["k8s", "k8s:" + cluster["id"], "extra"]
    assert updated["maintenance_policy"] == {"start_time": "03:00", "day": "sunday", "duration": "4h0m0s"}
    status, body = api.call("PUT", "/v2/kubernetes/clusters/" + cluster["id"], {"name": "renamed", "ha": False})
    assert status == 422 and "cannot be disabled" in body["message"]


def test_node_pools_add_update_delete(api, do_fake):
    cluster = create_cluster(api)
    base = "/v2/kubernetes/clusters/%s/node_pools" % cluster["id"]
    status, body = api.post(
        base,
        {
            "name": "burst",
            "size": "s-4vcpu-8gb",
            "count": 1,
            "auto_scale": True,
            "min_nodes": 1,
            "max_nodes": 3,
            "labels": {"tier": "burst"},
        },
    )
    assert status == 201
    pool = body["node_pool"]
    assert (pool["count"], pool["min_nodes"], pool["max_nodes"], len(pool["nodes"])) == (1, 1, 3, 1)
    assert api.post(base, {"name": "burst", "size": "s-4vcpu-8gb", "count": 1})[0] == 422  # duplicate name

    status, body = api.call("PUT", "%s/%s" % (base, pool["id"]), {"name": "burst", "count": 3, "auto_scale": False})
    assert status == 202
    assert (body["node_pool"]["count"], len(body["node_pool"]["nodes"])) == (3, 3)
    assert (body["node_pool"]["min_nodes"], body["node_pool"]["max_nodes"]) == (0, 0)  # 0 without auto_scale (spec)
    assert body["node_pool"]["labels"] == {"tier": "burst"}  # left out of the update: kept
    assert api.call("PUT", "%s/%s" % (base, pool["id"]), {"name": "burst"})[0] == 422  # count is required

    node = body["node_pool"]["nodes"][0]
    assert api.call("DELETE", "%s/%s/nodes/%s" % (base, pool["id"], node["id"])) == (202, None)
    assert api.get("%s/%s" % (base, pool["id"]))[1]["node_pool"]["count"] == 2

    pools = api.ok("GET", base)
    assert [p["name"] for p in pools["node_pools"]] == ["workers", "burst"]
    assert api.call("DELETE", "%s/%s" % (base, pool["id"])) == (204, None)
    status, body = api.call("DELETE", "%s/%s" % (base, pools["node_pools"][0]["id"]))
    assert status == 422 and "at least one node pool" in body["message"]
    assert [p["name"] for p in do_fake.snapshot()["clusters"][cluster["id"]]["node_pools"]] == ["workers"]


def test_kubeconfig_points_at_the_kubernetes_api_given_at_start(api, tmp_path):
    cluster = create_cluster(api)
    response = api.session.get("%s/v2/kubernetes/clusters/%s/kubeconfig" % (api.base, cluster["id"]))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/yaml")
    config = yaml.safe_load(response.text)
    assert config["current-context"] == "do-fra1-sandbox"
    assert config["clusters"][0]["cluster"]["server"] == KUBE_SERVER
    assert config["users"][0]["user"]["token"] == KUBE_TOKEN

    # What kubernetes.core (through the kubernetes client) makes of it.
    from kubernetes import client, config as kube_config

    path = tmp_path / "kubeconfig"
    path.write_text(response.text)
    configuration = client.Configuration()
    kube_config.load_kube_config(config_file=str(path), client_configuration=configuration)
    assert configuration.host == KUBE_SERVER
    assert configuration.api_key == {"BearerToken": "Bearer " + KUBE_TOKEN}
    assert configuration.verify_ssl is False  # https without a CA: insecure-skip-tls-verify

    credentials = api.ok("GET", "/v2/kubernetes/clusters/%s/credentials" % cluster["id"])
    assert (credentials["server"], credentials["token"]) == (KUBE_SERVER, KUBE_TOKEN)
    assert api.get("/v2/kubernetes/clusters/5a4981aa-9653-4bd1-bef5-d6bff52042e4/kubeconfig") == (404, NOT_FOUND)


def test_kubeconfig_embeds_the_kube_ca(make_do_fake, tmp_path):
    ca = tmp_path / "ca.pem"
    ca.write_bytes(b"-----BEGIN CERTIFICATE-----\nsandbox\n-----END CERTIFICATE-----\n")
    fake = make_do_fake(kube_ca_file=str(ca))
    api = Api(fake)
    cluster = create_cluster(api)
    config = yaml.safe_load(api.session.get("%s/v2/kubernetes/clusters/%s/kubeconfig" % (api.base, cluster["id"])).text)
    entry = config["clusters"][0]["cluster"]
    assert base64.b64decode(entry["certificate-authority-data"]) == ca.read_bytes()
    assert "insecure-skip-tls-verify" not in entry


def test_deleting_a_cluster_frees_its_vpc(api, do_fake):
    api.ok("POST", "/v2/vpcs", {"name": "cluster-net", "region": "fra1"})  # the region's first VPC: not the cluster's
    second = api.ok("POST", "/v2/vpcs", {"name": "cluster-net-2", "region": "fra1"})
    cluster = create_cluster(api, vpc_uuid=second["vpc"]["id"])
    members = api.ok("GET", "/v2/vpcs/%s/members" % second["vpc"]["id"])
    assert [m["urn"] for m in members["members"]] == ["do:kubernetes:" + cluster["id"]]
    assert api.call("DELETE", "/v2/vpcs/" + second["vpc"]["id"])[0] == 422
    assert api.call("DELETE", "/v2/kubernetes/clusters/" + cluster["id"]) == (204, None)
    assert api.call("DELETE", "/v2/vpcs/" + second["vpc"]["id"]) == (204, None)
    assert do_fake.snapshot()["project_resources"] == {}


# Container registry.
def test_registry_subscription_repositories_and_cluster_integration(api, do_fake):
    assert api.get("/v2/registry")[0] == 404
    assert api.get("/v2/registry/subscription")[0] == 404
    status, body = api.post(
        "/v2/registry", {"name": "sandbox-reg", "subscription_tier_slug": "starter", "region": "fra1"}
    )
    assert status == 201 and body["registry"]["subscription"]["tier"]["slug"] == "starter"
    assert api.post("/v2/registry", {"name": "other", "subscription_tier_slug": "basic"})[0] == 409
    assert api.post("/v2/registry/validate-name", {"name": "sandbox-reg"})[0] == 409
    assert api.post("/v2/registry/validate-name", {"name": "free-name"}) == (204, None)

    status, body = api.post("/v2/registry/subscription", {"tier_slug": "basic"})
    assert status == 200 and body["subscription"]["tier"]["slug"] == "basic"

    with do_fake.store.lock:
        push_image(do_fake.store, "team/api", "v1", b"one")
        push_image(do_fake.store, "team/api", "v2", b"two")
    repos = api.ok("GET", "/v2/registry/sandbox-reg/repositoriesV2")
    assert [(r["name"], r["tag_count"], r["manifest_count"]) for r in repos["repositories"]] == [("team/api", 2, 2)]
    tags = api.ok("GET", "/v2/registry/sandbox-reg/repositories/team%2Fapi/tags")
    assert sorted(t["tag"] for t in tags["tags"]) == ["v1", "v2"]
    assert api.call("DELETE", "/v2/registry/sandbox-reg/repositories/team%2Fapi/tags/v1") == (204, None)
    assert api.get("/v2/registry/other-name/repositoriesV2") == (404, NOT_FOUND)

    credentials = api.ok("GET", "/v2/registry/docker-credentials?read_write=true")
    user, password = base64.b64decode(credentials["auths"]["registry.digitalocean.com"]["auth"]).decode().split(":")
    assert user == password and "read-write" in user

    cluster = create_cluster(api)
    assert api.post("/v2/kubernetes/registry", {"cluster_uuids": [cluster["id"]]}) == (204, None)
    assert api.get("/v2/kubernetes/clusters/" + cluster["id"])[1]["kubernetes_cluster"]["registry_enabled"] is True
    assert api.call("DELETE", "/v2/registry") == (204, None)
    assert do_fake.snapshot()["clusters"][cluster["id"]]["registry_enabled"] is False


# App Platform.
APP_SPEC = {
    "name": "web",
    "region": "fra",
    "services": [
        {
            "name": "api",
            "image": {"registry_type": "DOCR", "repository": "team/api", "tag": "v1"},
            "http_port": 8080,
            "instance_count": 1,
            "instance_size_slug": "apps-s-1vcpu-0.5gb",
        }
    ],
}


def test_app_deployments_build_then_become_active(api, do_fake):
    status, body = api.post("/v2/apps", {"spec": APP_SPEC})
    assert status == 200  # not 201: the spec documents 200 for app creation
    app = body["app"]
    assert app["in_progress_deployment"]["phase"] == "BUILDING" and "active_deployment" not in app
    do_fake.wait_idle()
    body = api.ok("GET", "/v2/apps/" + app["id"])
    assert body["app"]["active_deployment"]["phase"] == "ACTIVE"
    assert body["app"]["live_url"] == app["default_ingress"]

    spec = dict(APP_SPEC, services=[dict(APP_SPEC["services"][0], instance_count=2)])
    status, body = api.call("PUT", "/v2/apps/" + app["id"], {"spec": spec})
    assert status == 200 and body["app"]["spec"]["services"][0]["instance_count"] == 2
    do_fake.wait_idle()
    deployments = api.ok("GET", "/v2/apps/%s/deployments" % app["id"])
    assert [d["phase"] for d in deployments["deployments"]] == ["ACTIVE", "SUPERSEDED"]

    assert api.post("/v2/apps", {"spec": APP_SPEC})[0] == 422  # name already used
    assert api.call("DELETE", "/v2/apps/" + app["id"]) == (200, {"id": app["id"]})
    assert do_fake.snapshot()["apps"] == {}


# Projects.
def test_projects_and_resource_assignment(api, do_fake):
    cluster = create_cluster(api)
    urn = "do:kubernetes:" + cluster["id"]
    default = api.ok("GET", "/v2/projects/default")
    resources = api.ok("GET", "/v2/projects/default/resources")
    assert [r["urn"] for r in resources["resources"]] == [urn]  # new resources land in the default project

    status, body = api.post(
        "/v2/projects", {"name": "workbench", "purpose": "AI workbench", "environment": "Production"}
    )
    assert status == 201
    project = body["project"]
    assert api.post("/v2/projects", {"name": "no-purpose"})[0] == 422
    status, body = api.post(
        "/v2/projects/%s/resources" % project["id"],
        {"resources": [urn, "do:kubernetes:5a4981aa-9653-4bd1-bef5-d6bff52042e4"]},
    )
    assert status == 200
    assert [r["status"] for r in body["resources"]] == ["assigned", "not_found"]
    assert api.get("/v2/projects/default/resources")[1]["resources"] == []
    assert do_fake.snapshot()["project_resources"][urn]["project_id"] == project["id"]

    status, body = api.call("DELETE", "/v2/projects/" + project["id"])
    assert (status, body["id"]) == (412, "precondition_failed")
    status, body = api.call("PATCH", "/v2/projects/" + project["id"], {"is_default": True})
    assert status == 200 and body["project"]["is_default"] is True
    assert do_fake.snapshot()["projects"][default["project"]["id"]]["is_default"] is False
    assert api.call("PUT", "/v2/projects/" + project["id"], {"name": "only-a-name"})[0] == 422


# Firewalls.
def test_firewall_change_is_waiting_then_succeeded(api, do_fake):
    rule = {"protocol": "tcp", "ports": "443", "sources": {"addresses": ["0.0.0.0/0"], "droplet_ids": None}}
    status, body = api.post("/v2/firewalls", {"name": "web", "inbound_rules": [rule], "tags": ["k8s"]})
    assert status == 202 and body["firewall"]["status"] == "waiting"
    # A null target is stored as absent, as the real API returns only the targets that are set.
    assert body["firewall"]["inbound_rules"][0]["sources"] == {"addresses": ["0.0.0.0/0"]}
    do_fake.wait_idle()
    firewall_id = body["firewall"]["id"]
    assert api.get("/v2/firewalls/" + firewall_id)[1]["firewall"]["status"] == "succeeded"
    assert api.post("/v2/firewalls/%s/tags" % firewall_id, {"tags": ["web"]}) == (204, None)
    assert do_fake.snapshot()["firewalls"][firewall_id]["tags"] == ["k8s", "web"]


# Persistence, command line, TLS.
def test_state_file_survives_a_restart(make_do_fake, tmp_path):
    state = str(tmp_path / "state.json")
    fake = make_do_fake(state_file=state)
    assert Api(fake).post("/v2/vpcs", {"name": "kept", "region": "fra1"})[0] == 201
    fake.stop()
    again = make_do_fake(state_file=state)
    assert [v["name"] for v in Api(again).get("/v2/vpcs")[1]["vpcs"]] == ["kept"]


def test_command_line_serves_until_sigterm(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.do_api", "--port", "0", "--token", TOKEN, "--provision-delay", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        banner = proc.stdout.readline()
        assert banner.startswith("DigitalOcean API fake on http://127.0.0.1:"), banner
        url = banner.split()[4].rstrip(",")
        response = requests.get(url + "/v2/account", headers={"Authorization": "Bearer " + TOKEN}, timeout=5)
        assert response.status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


def test_https_with_a_self_signed_certificate(make_do_fake, tmp_path):
    fake = make_do_fake(tls_dir=str(tmp_path / "tls"))
    assert fake.base_url.startswith("https://127.0.0.1:")
    assert os.path.exists(fake.ca_file)
    response = requests.get(
        fake.base_url + "/v2/account", headers={"Authorization": "Bearer " + TOKEN}, verify=fake.ca_file, timeout=5
    )
    assert response.status_code == 200
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(fake.base_url + "/v2/account", timeout=5)
