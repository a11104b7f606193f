"""The kubernetes target, rendered (litellm_gateway_k8s_render_dir) and validated strictly and offline against the
Kubernetes schemas with kubernetes-validate; the manifests' security and wiring read back from the files.

No API server can be had here (../shared/FIELD-NOTES.md "Kubernetes"); apply/idempotency against a cluster is for
the Kubernetes API fake (tests/fakes/k8s_api).
"""

import base64
import glob
import os
import shutil
import stat
import subprocess
import sys

import pytest
import yaml

import litellm_support as ls
from support.ansible import ROOT

KUBERNETES_VERSIONS = ("1.29.0", "1.33.0", "1.37.0")
SECRETS = dict(
    LITELLM_MASTER_KEY="sk-master-k8s-4c1e0f7d9a",
    ANTHROPIC_API_KEY="sk-ant-k8s-test-71d0b3",
    OPENAI_API_KEY="sk-openai-k8s-test-5e22aa",
    GEMINI_API_KEY="gemini-k8s-test-90b1c4",
)
REDIS_PASSWORD = "redis-k8s-test-3f9e81"
KUBERNETES_VALIDATE = os.path.join(os.path.dirname(sys.executable), "kubernetes-validate")


def render(name, env=None, verbosity=0, diff=False, **extra):
    out = os.path.join(ROOT, ".tmp", name)
    gw = ls.Gateway(
        name + "-state",
        env=dict(SECRETS, **(env or {})),
        extra_vars=dict(
            litellm_gateway_target="kubernetes",
            litellm_gateway_k8s_render_dir=out,
            litellm_gateway_redis_password=REDIS_PASSWORD,
        ),
    )
    res = gw.run(verbosity=verbosity, diff=diff, **extra)
    res.out_dir = out
    return res


def load(out_dir):
    """{(kind, name): object} of every rendered file."""
    objects = {}
    for path in sorted(glob.glob(os.path.join(out_dir, "*.yaml"))):
        with open(path) as f:
            obj = yaml.safe_load(f)
        objects[(obj["kind"], obj["metadata"]["name"])] = obj
    return objects


@pytest.fixture(scope="module")
def rendered():
    shutil.rmtree(os.path.join(ROOT, ".tmp", "it-litellm-k8s"), ignore_errors=True)
    res = render("it-litellm-k8s")
    assert not res.failed, res.stdout[-4000:]
    return res


def test_renders_one_file_per_object(rendered):
    files = sorted(os.path.basename(p) for p in glob.glob(os.path.join(rendered.out_dir, "*.yaml")))
    assert files == [
        "00-namespace.yaml",
        "01-secret.yaml",
        "02-configmap.yaml",
        "03-networkpolicy-redis.yaml",
        "04-networkpolicy-proxy.yaml",
        "05-redis-deployment.yaml",
        "06-redis-service.yaml",
        "07-deployment.yaml",
        "08-service.yaml",
        "09-ingress.yaml",
        "10-hpa.yaml",
        "11-pdb.yaml",
    ]
    assert stat.S_IMODE(os.stat(os.path.join(rendered.out_dir, "01-secret.yaml")).st_mode) == 0o600
    for path in glob.glob(os.path.join(rendered.out_dir, "*.yaml")):
        assert open(path).read().startswith("#\n# Ansible managed"), path


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_manifests_validate_strictly_offline(rendered, version):
    files = sorted(glob.glob(os.path.join(rendered.out_dir, "*.yaml")))
    proc = subprocess.run(
        [KUBERNETES_VALIDATE, "--strict", "-k", version] + files, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    passed = [line for line in proc.stdout.splitlines() if line.startswith("INFO") and " passed for resource " in line]
    assert len(passed) == len(files), proc.stdout  # every object was checked against a schema (none only warned)


def test_the_validator_is_strict(rendered, tmp_path):
    """Guard against a vacuous pass: the same check rejects a misspelt field in the rendered Deployment."""
    deployment = yaml.safe_load(open(os.path.join(rendered.out_dir, "07-deployment.yaml")))
    deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"]["readOnlyRootFileSystem"] = True
    bad = tmp_path / "deployment.yaml"
    bad.write_text(yaml.safe_dump(deployment))
    proc = subprocess.run(
        [KUBERNETES_VALIDATE, "--strict", "-k", "1.33.0", str(bad)], capture_output=True, text=True, check=False
    )
    assert proc.returncode != 0 and "readOnlyRootFileSystem" in proc.stdout, proc.stdout


def test_proxy_deployment(rendered):
    objs = load(rendered.out_dir)
    dep = objs[("Deployment", "litellm-gateway")]
    assert dep["metadata"]["namespace"] == "litellm"
    assert dep["spec"]["replicas"] == 3
    pod = dep["spec"]["template"]["spec"]
    (c,) = pod["containers"]
    assert c["resources"] == {
        "requests": {"cpu": "500m", "memory": "512Mi"},
        "limits": {"cpu": "2000m", "memory": "2Gi"},
    }
    assert c["livenessProbe"]["httpGet"]["path"] == "/health/liveliness"
    assert c["readinessProbe"]["httpGet"]["path"] == "/health/readiness"
    assert c["startupProbe"]["httpGet"]["path"] == "/health/liveliness"
    sc = c["securityContext"]
    assert sc["runAsNonRoot"] is True and sc["readOnlyRootFilesystem"] is True
    assert sc["allowPrivilegeEscalation"] is False and sc["privileged"] is False
    assert sc["capabilities"] == {"drop": ["ALL"]} and sc["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["securityContext"]["runAsNonRoot"] is True and pod["securityContext"]["runAsUser"] != 0
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert pod["automountServiceAccountToken"] is False
    mounts = {m["mountPath"]: m["name"] for m in c["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    for path in ("/tmp", "/.cache"):  # where LiteLLM writes, on an otherwise read-only root
        assert "emptyDir" in volumes[mounts[path]], path
    assert volumes[mounts["/etc/litellm"]]["configMap"]["name"] == "litellm-gateway-config"
    assert c["envFrom"] == [{"secretRef": {"name": "litellm-gateway-env"}}]
    env = {e["name"]: e.get("value") for e in c.get("env", [])}
    assert env["LITELLM_LOCAL_MODEL_COST_MAP"] == "True"
    for value in SECRETS.values():  # secrets only through the Secret
        assert value not in yaml.safe_dump(dep)
    ann = dep["spec"]["template"]["metadata"]["annotations"]
    assert len(ann["checksum/config"]) == 64 and len(ann["checksum/secret"]) == 64
    assert c["args"][:2] == ["--config", "/etc/litellm/config.yaml"]


def test_config_and_secret(rendered):
    objs = load(rendered.out_dir)
    config_text = objs[("ConfigMap", "litellm-gateway-config")]["data"]["config.yaml"]
    config = yaml.safe_load(config_text)
    assert [m["model_name"] for m in config["model_list"]] == list(ls.SEED_MODELS)
    claude = config["model_list"][0]["litellm_params"]
    assert claude["model"] == "anthropic/claude-sonnet-4-5-20250929"
    assert claude["api_key"] == "os.environ/ANTHROPIC_API_KEY" and "api_base" not in claude  # the real provider
    assert claude["input_cost_per_token"] == pytest.approx(3e-6) and claude["output_cost_per_token"] == pytest.approx(
        15e-6
    )
    gemini = config["model_list"][2]["litellm_params"]
    assert gemini["input_cost_per_token"] == pytest.approx(0.075e-6)
    assert config["router_settings"]["redis_host"] == "litellm-gateway-redis"
    assert config["router_settings"]["redis_port"] == 6379
    assert config["litellm_settings"]["cache_params"]["ttl"] == 3600
    assert config["litellm_settings"]["callbacks"] == ["prometheus"]
    assert "success_callback" not in config["litellm_settings"]  # no Langfuse keys given
    assert "database_url" not in config["general_settings"]
    for value in list(SECRETS.values()) + [REDIS_PASSWORD]:
        assert value not in config_text
    secret = objs[("Secret", "litellm-gateway-env")]
    data = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    assert data == dict(SECRETS, REDIS_PASSWORD=REDIS_PASSWORD)


def test_ingress_autoscaling_and_disruption_budget(rendered):
    objs = load(rendered.out_dir)
    ing = objs[("Ingress", "litellm-gateway")]
    assert ing["spec"]["ingressClassName"] == "traefik"
    assert ing["spec"]["rules"][0]["host"] == "litellm.insightpulseai.net"
    assert ing["spec"]["tls"] == [{"hosts": ["litellm.insightpulseai.net"]}]
    assert ing["metadata"]["annotations"]["traefik.ingress.kubernetes.io/router.entrypoints"] == "websecure"
    backend = ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "litellm-gateway", "port": {"name": "http"}}
    hpa = objs[("HorizontalPodAutoscaler", "litellm-gateway")]
    assert hpa["spec"]["scaleTargetRef"]["name"] == "litellm-gateway"
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (3, 6)
    pdb = objs[("PodDisruptionBudget", "litellm-gateway")]
    proxy_selector = objs[("Deployment", "litellm-gateway")]["spec"]["selector"]["matchLabels"]
    assert pdb["spec"]["selector"]["matchLabels"] == proxy_selector
    assert objs[("Service", "litellm-gateway")]["spec"]["selector"] == proxy_selector
    ns = objs[("Namespace", "litellm")]
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_redis_and_network_policies(rendered):
    objs = load(rendered.out_dir)
    redis = objs[("Deployment", "litellm-gateway-redis")]
    (c,) = redis["spec"]["template"]["spec"]["containers"]
    assert c["resources"]["requests"]["memory"] == "256Mi" and c["resources"]["limits"]["memory"] == "512Mi"
    assert c["securityContext"]["readOnlyRootFilesystem"] is True and c["securityContext"]["capabilities"] == {
        "drop": ["ALL"]
    }
    assert "$(REDIS_PASSWORD)" in c["args"]
    assert all(
        e["valueFrom"]["secretKeyRef"] == {"name": "litellm-gateway-env", "key": "REDIS_PASSWORD"} for e in c["env"]
    )
    redis_selector = redis["spec"]["selector"]["matchLabels"]
    assert objs[("Service", "litellm-gateway-redis")]["spec"]["selector"] == redis_selector
    proxy_selector = objs[("Deployment", "litellm-gateway")]["spec"]["selector"]["matchLabels"]
    assert proxy_selector != redis_selector

    proxy_np = objs[("NetworkPolicy", "litellm-gateway")]
    assert proxy_np["spec"]["podSelector"]["matchLabels"] == proxy_selector
    assert proxy_np["spec"]["policyTypes"] == ["Ingress"]
    (rule,) = proxy_np["spec"]["ingress"]
    namespaces = [
        p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
        for p in rule["from"]
        if "namespaceSelector" in p
    ]
    assert namespaces == ["traefik", "ai-workbench", "n8n", "monitoring"]
    assert {"podSelector": {}} in rule["from"]  # clients in the gateway's own namespace
    assert rule["ports"] == [{"protocol": "TCP", "port": 4000}]

    redis_np = objs[("NetworkPolicy", "litellm-gateway-redis")]
    assert redis_np["spec"]["podSelector"]["matchLabels"] == redis_selector
    (rule,) = redis_np["spec"]["ingress"]
    assert rule["from"] == [{"podSelector": {"matchLabels": proxy_selector}}]
    assert rule["ports"] == [{"protocol": "TCP", "port": 6379}]


def test_config_or_secret_changes_roll_the_pods_and_a_rerender_changes_nothing(rendered):
    base = load(rendered.out_dir)[("Deployment", "litellm-gateway")]["spec"]["template"]["metadata"]["annotations"]

    same = render("it-litellm-k8s")
    assert not same.failed and same.changed == 0

    ttl = render("it-litellm-k8s-ttl", litellm_gateway_cache_ttl=600)
    assert not ttl.failed, ttl.stdout[-3000:]
    ann = load(ttl.out_dir)[("Deployment", "litellm-gateway")]["spec"]["template"]["metadata"]["annotations"]
    assert ann["checksum/config"] != base["checksum/config"] and ann["checksum/secret"] == base["checksum/secret"]

    rotated = render("it-litellm-k8s-rotated", env=dict(OPENAI_API_KEY="sk-openai-rotated-0a1b2c"))
    assert not rotated.failed, rotated.stdout[-3000:]
    objs = load(rotated.out_dir)
    ann = objs[("Deployment", "litellm-gateway")]["spec"]["template"]["metadata"]["annotations"]
    assert ann["checksum/secret"] != base["checksum/secret"] and ann["checksum/config"] == base["checksum/config"]
    redis_ann = objs[("Deployment", "litellm-gateway-redis")]["spec"]["template"]["metadata"]["annotations"]
    assert redis_ann["checksum/secret"] == ann["checksum/secret"]


def test_database_and_langfuse_switch_on_per_user_limits_and_callbacks(tmp_path):
    res = render(
        "it-litellm-k8s-db",
        env=dict(LANGFUSE_PUBLIC_KEY="pk-lf-k8s-1", LANGFUSE_SECRET_KEY="sk-lf-k8s-1"),
        litellm_gateway_database_url="postgresql://litellm:db-secret-77@db.internal:5432/litellm",
    )
    assert not res.failed, res.stdout[-3000:]
    objs = load(res.out_dir)
    config_text = objs[("ConfigMap", "litellm-gateway-config")]["data"]["config.yaml"]
    config = yaml.safe_load(config_text)
    assert config["general_settings"]["database_url"] == "os.environ/DATABASE_URL"
    assert config["litellm_settings"]["default_internal_user_params"] == {"rpm_limit": 500, "tpm_limit": 10000}
    assert config["litellm_settings"]["success_callback"] == ["langfuse"]
    assert config["litellm_settings"]["failure_callback"] == ["langfuse"]
    assert "db-secret-77" not in config_text and "sk-lf-k8s-1" not in config_text
    data = {k: base64.b64decode(v).decode() for k, v in objs[("Secret", "litellm-gateway-env")]["data"].items()}
    assert data["DATABASE_URL"].endswith("@db.internal:5432/litellm")
    assert data["LANGFUSE_SECRET_KEY"] == "sk-lf-k8s-1" and data["LANGFUSE_HOST"] == "https://cloud.langfuse.com"


def test_secrets_stay_out_of_vvv_output():
    shutil.rmtree(os.path.join(ROOT, ".tmp", "it-litellm-k8s-vvv"), ignore_errors=True)  # so the Secret is written
    res = render("it-litellm-k8s-vvv", verbosity=3, diff=True)
    assert res.rc == 0, res.stdout[-3000:]
    assert "Render the Secret" in res.stdout
    for name, value in list(SECRETS.items()) + [("REDIS_PASSWORD", REDIS_PASSWORD)]:
        assert value not in res.stdout + res.stderr, name
        # base64 of the value (as in the Secret) neither
        assert base64.b64encode(value.encode()).decode() not in res.stdout + res.stderr, name


@pytest.mark.parametrize(
    "missing, named",
    [
        ("LITELLM_MASTER_KEY", "litellm_gateway_master_key (EMPTY)"),
        ("GEMINI_API_KEY", "(empty: GEMINI_API_KEY)"),
    ],
)
def test_missing_secrets_are_named_and_nothing_is_rendered(missing, named):
    out = os.path.join(ROOT, ".tmp", "it-litellm-k8s-missing")
    shutil.rmtree(out, ignore_errors=True)
    res = render("it-litellm-k8s-missing", env={missing: ""})
    assert res.failed
    assert named in res.failure()["msg"], res.failure()["msg"]
    assert not os.path.exists(out)
