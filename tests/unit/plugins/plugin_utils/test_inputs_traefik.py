"""The input rules of traefik (plugin_utils._inputs_traefik), through the role_input_problems filter.

helm is a stand-in script (tmp_path): ``version --short`` answers HELM_VERSION, ``show chart`` prints a chart's
metadata, so no real helm is needed.
"""

from __future__ import annotations

import stat

import pytest

from ansible_collections.insightpulseai.workbench.plugins.filter.role_input_problems import role_input_problems

HASH = "$2b$05$Qm9uam91ciBsZXMgYW1pcuJpoTgg26fQpJKU3jd37jeXXJhT5NAn6"
USERS = ["admin:" + HASH]
CLEAR = "hunter2-s3cr3t"
HELM_SCRIPT = """#!/bin/sh
case "$1" in
  version) echo "${FAKE_HELM_VERSION:-v3.19.0+g3d8990f}" ;;
  show) [ -z "$FAKE_SHOW_FAILS" ] || { echo "Error: Chart.yaml file is missing" >&2; exit 1; }
        printf 'apiVersion: v2\\nname: %s\\nversion: %s\\n' "${FAKE_CHART_NAME:-traefik}" "${FAKE_CHART_VERSION:-41.3.0}" ;;
  *) exit 1 ;;
esac
"""


@pytest.fixture
def good(tmp_path):
    """Valid variables: the role's defaults with what the inventory must give (kubeconfig, helm, e-mail, users)."""
    helm = tmp_path / "helm"
    helm.write_text(HELM_SCRIPT)
    helm.chmod(helm.stat().st_mode | stat.S_IEXEC)
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\n")
    return dict(
        traefik_kubeconfig=str(kubeconfig),
        traefik_helm_binary=str(helm),
        traefik_namespace="traefik",
        traefik_release_name="traefik",
        traefik_chart_repo_url="https://traefik.github.io/charts",
        traefik_chart_version="41.3.0",
        traefik_chart_ref="",
        traefik_helm_wait_timeout="5m",
        traefik_autoscaling_enabled=True,
        traefik_autoscaling_min_replicas=2,
        traefik_autoscaling_max_replicas=5,
        traefik_autoscaling_cpu_utilization=80,
        traefik_replicas=2,
        traefik_resources={"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "512Mi"}},
        traefik_readiness_probe={"failureThreshold": 1, "initialDelaySeconds": 0, "periodSeconds": 10},
        traefik_liveness_probe={"timeoutSeconds": 2},
        traefik_service_type="LoadBalancer",
        traefik_proxy_protocol=True,
        traefik_proxy_protocol_trusted_ips=["10.10.0.0/16"],
        traefik_ingress_class="traefik",
        traefik_acme_enabled=True,
        traefik_acme_email="ops@insightpulseai.net",
        traefik_acme_resolver_name="letsencrypt",
        traefik_acme_storage_size="128Mi",
        traefik_acme_storage_class="",
        traefik_tls_cipher_suites=["TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"],
        traefik_tls_curve_preferences=["X25519", "CurveP256"],
        traefik_hsts_max_age=31536000,
        traefik_dashboard_enabled=True,
        traefik_dashboard_hostname="traefik.insightpulseai.net",
        traefik_dashboard_users=USERS,
        traefik_n8n_route_enabled=True,
        traefik_n8n_hostname="n8n.insightpulseai.net",
        traefik_n8n_admin_source_ranges=["203.0.113.0/24", "2001:db8::/48"],
        traefik_n8n_admin_allow_everyone=False,
        traefik_n8n_namespace="n8n",
        traefik_n8n_service_name="n8n",
        traefik_n8n_service_port=5678,
        traefik_litellm_route_enabled=True,
        traefik_litellm_hostname="litellm.insightpulseai.net",
        traefik_litellm_namespace="litellm",
        traefik_litellm_service_name="litellm-gateway",
        traefik_litellm_service_port="4000",
    )


@pytest.fixture
def problems(good):
    """The problems of the valid variables with ``changes``; no htpasswd hash or clear-text password in any."""

    def found(check_mode=False, **changes):
        result = role_input_problems(dict(good, **changes), "traefik", check_mode)
        assert all(HASH not in p and CLEAR not in p for p in result), result
        return result

    return found


def test_the_valid_set_passes(problems):
    assert problems() == []


def test_what_is_disabled_is_not_checked(problems):
    assert (
        problems(
            traefik_acme_enabled=False,
            traefik_acme_email="",
            traefik_dashboard_enabled=False,
            traefik_dashboard_users=[],
            traefik_dashboard_hostname="",
            traefik_n8n_route_enabled=False,
            traefik_n8n_admin_source_ranges=[],
            traefik_n8n_hostname="",
            traefik_litellm_route_enabled=False,
            traefik_litellm_service_name="",
            traefik_proxy_protocol=False,
            traefik_service_type="NodePort",
            traefik_autoscaling_enabled=False,
            traefik_autoscaling_max_replicas=0,
        )
        == []
    )


@pytest.mark.parametrize(
    "changes, expected",
    [
        (dict(traefik_acme_email=""), 'traefik_acme_email="" is not a usable e-mail address'),
        (dict(traefik_acme_email="ops@"), 'traefik_acme_email="ops@" is not a usable'),
        (dict(traefik_acme_email="me@Example.com"), "domains example.com, example.org"),
        (dict(traefik_acme_resolver_name="lets encrypt"), 'traefik_acme_resolver_name="lets encrypt" must be letters'),
        (dict(traefik_namespace="Traefik"), 'traefik_namespace="Traefik" must be a DNS label'),
        (dict(traefik_release_name="t" * 54), "must be a helm release name"),
        (dict(traefik_n8n_hostname="N8N_host"), 'traefik_n8n_hostname="N8N_host" is not a fully qualified DNS name'),
        (dict(traefik_dashboard_hostname="dashboard"), 'traefik_dashboard_hostname="dashboard" is not a fully'),
        (
            dict(traefik_n8n_hostname="litellm.insightpulseai.net"),
            "Each route needs its own hostname; got traefik.insightpulseai.net, litellm.insightpulseai.net, "
            "litellm.insightpulseai.net (traefik_n8n_hostname and traefik_litellm_hostname share "
            "litellm.insightpulseai.net)",
        ),
        (dict(traefik_n8n_namespace="N8N"), 'traefik_n8n_namespace="N8N" must be the namespace'),
        (dict(traefik_litellm_service_name="litellm_gw"), 'traefik_litellm_service_name="litellm_gw" must be the name'),
        (dict(traefik_n8n_service_port=0), "traefik_n8n_service_port=0 must be a TCP port"),
        (dict(traefik_litellm_service_port=70000), "traefik_litellm_service_port=70000 must be a TCP port"),
        (dict(traefik_n8n_admin_source_ranges=[]), "traefik_n8n_admin_source_ranges is empty. It lists"),
        (
            dict(traefik_n8n_admin_source_ranges=["203.0.113.0/24", "office", "10.0.0.300"]),
            'traefik_n8n_admin_source_ranges has "office", "10.0.0.300", not an IPv4/IPv6 address or CIDR network',
        ),
        (dict(traefik_n8n_admin_source_ranges=["::/0"]), "has ::/0, which allows every address"),
        (dict(traefik_n8n_admin_source_ranges="10.0.0.0/8"), 'must be a list, got "10.0.0.0/8"'),
        (dict(traefik_service_type="NodePort"), 'traefik_service_type="NodePort" has no load balancer to send it'),
        (dict(traefik_proxy_protocol_trusted_ips=[]), "traefik_proxy_protocol_trusted_ips is empty"),
        (dict(traefik_proxy_protocol_trusted_ips=["0.0.0.0/0"]), "has 0.0.0.0/0, which trusts every address"),
        (dict(traefik_dashboard_users=[]), "traefik_dashboard_users is empty."),
        (dict(traefik_dashboard_users=USERS + ["root:" + CLEAR]), "refused): user(s) root."),
        (dict(traefik_dashboard_users=[CLEAR]), "user(s) (entry 1 without a name)."),
        (dict(traefik_dashboard_users=USERS + USERS), "Repeated user names: admin, admin."),
        (dict(traefik_autoscaling_min_replicas=0), "traefik_autoscaling_min_replicas=0 must be a replica count"),
        (
            dict(traefik_autoscaling_min_replicas=6),
            "traefik_autoscaling_min_replicas=6 and traefik_autoscaling_max_replicas=5 need 1 <= min <= max",
        ),
        (dict(traefik_autoscaling_cpu_utilization=101), "traefik_autoscaling_cpu_utilization=101 must be a percentage"),
        (dict(traefik_autoscaling_enabled=False, traefik_replicas=0), "traefik_replicas=0 must be a replica count"),
        (dict(traefik_chart_version="latest"), 'traefik_chart_version="latest" is not a chart version such as'),
        (dict(traefik_chart_repo_url="traefik.github.io/charts"), 'traefik_chart_repo_url="traefik.github.io/charts"'),
        (dict(traefik_helm_wait_timeout="5 minutes"), 'traefik_helm_wait_timeout="5 minutes" must be a duration'),
        (dict(traefik_ingress_class="Traefik Class"), 'traefik_ingress_class="Traefik Class" must be a Kubernetes'),
        (dict(traefik_acme_storage_class="Fast_SSD"), 'traefik_acme_storage_class="Fast_SSD" must be a Kubernetes'),
        (dict(traefik_acme_storage_size="128 MB"), 'traefik_acme_storage_size="128 MB" must be a Kubernetes quantity'),
        (
            dict(traefik_tls_cipher_suites=["TLS_AES_128_GCM_SHA256", "AES128-GCM-SHA256"]),
            'traefik_tls_cipher_suites has "AES128-GCM-SHA256": cipher suites are Go names',
        ),
        (dict(traefik_tls_curve_preferences=["X25519", "P-256"]), 'traefik_tls_curve_preferences has "P-256"'),
        (dict(traefik_hsts_max_age=-1), "traefik_hsts_max_age=-1 must be a number of seconds"),
        (dict(traefik_resources={"requests": {"cpu": "a lot"}}), 'has requests.cpu="a lot", not a Kubernetes quantity'),
        (dict(traefik_resources={"request": {"cpu": "1"}}), "traefik_resources="),
        (dict(traefik_readiness_probe={"periodSeconds": 0}), "traefik_readiness_probe.periodSeconds=0 must be a whole"),
        (dict(traefik_liveness_probe={"timeoutSeconds": "2s"}), 'traefik_liveness_probe.timeoutSeconds="2s" must be'),
        (dict(traefik_liveness_probe={"initialDelaySeconds": -1}), "traefik_liveness_probe.initialDelaySeconds=-1"),
        (dict(traefik_liveness_probe={"timeout": 2}), "traefik_liveness_probe=" + '{"timeout": 2} has unknown key(s)'),
        (
            dict(traefik_kubeconfig="/nonexistent/kubeconfig"),
            "traefik_kubeconfig=/nonexistent/kubeconfig is not a file",
        ),
        (dict(traefik_helm_binary="/nonexistent/helm"), "traefik_helm_binary=/nonexistent/helm does not run"),
        (dict(traefik_helm_binary=""), 'traefik_helm_binary="" must be the helm 3 binary'),
        (
            dict(traefik_chart_ref="/nonexistent/traefik"),
            "traefik_chart_ref=/nonexistent/traefik does not exist on the controller",
        ),
    ],
)
def test_a_bad_input_is_named_with_its_value(problems, changes, expected):
    found = problems(**changes)
    assert len(found) == 1 and expected in found[0], found


def test_helm_must_be_helm_3(problems, monkeypatch):
    monkeypatch.setenv("FAKE_HELM_VERSION", "v4.0.0+g1")
    found = problems()
    assert len(found) == 1 and "is v4.0.0+g1. kubernetes.core.helm needs helm 3" in found[0], found


def test_a_local_chart_must_be_traefik_at_the_pinned_version(problems, tmp_path, monkeypatch):
    chart = tmp_path / "traefik-chart"
    chart.mkdir()
    assert problems(traefik_chart_ref=str(chart)) == []
    monkeypatch.setenv("FAKE_CHART_VERSION", "41.2.0")
    found = problems(traefik_chart_ref=str(chart))
    assert found == [
        "traefik_chart_ref=%s is chart traefik 41.2.0, but traefik_chart_version pins traefik 41.3.0." % chart
    ]
    monkeypatch.setenv("FAKE_SHOW_FAILS", "1")
    found = problems(traefik_chart_ref=str(chart))
    assert found == [
        "traefik_chart_ref=%s is not a chart helm can read (helm show chart: Error: Chart.yaml file is missing)."
        % chart
    ]
    # a remote reference is helm's to fetch: not looked for on the controller
    assert problems(traefik_chart_ref="oci://ghcr.io/traefik/helm/traefik") == []


def test_check_mode_lets_the_kubeconfig_be_written_by_an_earlier_stage(problems, tmp_path):
    missing = str(tmp_path / "not-yet" / "kubeconfig")
    assert problems(check_mode=True, traefik_kubeconfig=missing) == []
    assert problems(traefik_kubeconfig="") == []


def test_every_problem_is_reported_at_once(problems):
    found = problems(traefik_namespace="X", traefik_hsts_max_age=-5, traefik_dashboard_users=[])
    assert len(found) == 3, found


def test_the_users_hashes_are_never_shown(problems):
    """Every dashboard problem at once: only user names reach the message."""
    found = problems(traefik_dashboard_users=["root:" + CLEAR, CLEAR, USERS[0], USERS[0]])
    assert len(found) == 1 and "user(s) root, (entry 2 without a name)." in found[0], found
    assert "$2b$" not in found[0]
