"""The input rules of doks_cluster (plugin_utils._inputs_doks_cluster), through the role_input_problems filter."""

from __future__ import annotations

import pytest

from ansible_collections.insightpulseai.workbench.plugins.filter.role_input_problems import role_input_problems

TOKEN = "dop_v1_unit-secret-token"
VALUE = "unit-secret-value-42"
GOOD = dict(
    doks_cluster_api_token=TOKEN,
    doks_cluster_api_url="",
    doks_cluster_name="ai-workbench",
    doks_cluster_region="fra1",
    doks_cluster_vpc_id="",
    doks_cluster_vpc_name="ai-workbench-vpc",
    doks_cluster_version="1.35",
    doks_cluster_maintenance_policy={"start_time": "03:00", "day": "sunday"},
    doks_cluster_tags=["ai-workbench"],
    doks_cluster_node_pools=[
        {"name": "workers", "size": "s-4vcpu-8gb", "count": 3, "auto_scale": True, "min_nodes": 2, "max_nodes": 5}
    ],
    doks_cluster_namespaces=["ai-workbench", "litellm"],
    doks_cluster_secrets=[{"name": "llm-api-keys", "namespace": "litellm", "data": {"OPENAI_API_KEY": VALUE}}],
    doks_cluster_apps=[{"spec": {"name": "expense-api", "region": "fra"}, "secrets": {"ODOO_PASSWORD": VALUE}}],
    doks_cluster_apps_region="fra",
    doks_cluster_wait_timeout=1800,
    doks_cluster_poll_interval=10,
    doks_cluster_apps_wait_timeout=900,
    doks_cluster_apps_poll_interval=5,
    doks_cluster_kubeconfig_expiry_seconds=0,
    doks_cluster_kubeconfig_renew_before=3600,
    doks_cluster_kubeconfig_path="~/.kube/ai-workbench.yaml",
)


def problems(**changes):
    found = role_input_problems(dict(GOOD, **changes), "doks_cluster")
    assert all(TOKEN not in p and VALUE not in p for p in found), found
    return found


def test_the_seed_values_pass():
    assert problems() == []


@pytest.mark.parametrize(
    "changes, expected",
    [
        (dict(doks_cluster_name="AI Workbench"), 'doks_cluster_name="AI Workbench" must be a DNS label'),
        (dict(doks_cluster_vpc_id="vpc-123"), 'doks_cluster_vpc_id="vpc-123" is not a VPC id'),
        (dict(doks_cluster_version="v1.35"), 'doks_cluster_version="v1.35" must be latest'),
        (dict(doks_cluster_maintenance_policy={"start_time": "25:00"}), '"25:00"'),
        (dict(doks_cluster_maintenance_policy={"day": "someday"}), '"someday"'),
        (dict(doks_cluster_node_pools=[]), "doks_cluster_node_pools is empty"),
        (dict(doks_cluster_node_pools=[{"name": "w", "size": "s-1", "count": 0}]), "count=0"),
        (
            dict(
                doks_cluster_node_pools=[
                    {"name": "w", "size": "s-1", "auto_scale": True, "min_nodes": 5, "max_nodes": 3}
                ]
            ),
            "min_nodes=5",
        ),
        (dict(doks_cluster_node_pools=[{"name": "w", "size": "s-1", "count": "three"}]), "count=three"),
        (
            dict(
                doks_cluster_node_pools=[
                    {"name": "w", "size": "s-1", "count": 1},
                    {"name": "w", "size": "s-2", "count": 1},
                ]
            ),
            "['w', 'w']",
        ),
        (
            dict(doks_cluster_secrets=[{"name": "k", "namespace": "nowhere", "data": {"K": VALUE}}]),
            "nowhere/k are for namespaces not in doks_cluster_namespaces",
        ),
        (
            dict(doks_cluster_secrets=[{"name": "k", "namespace": "litellm", "data": {"OPENAI_API_KEY": ""}}]),
            "no value for secret litellm/k OPENAI_API_KEY",
        ),
        (dict(doks_cluster_apps=[{"spec": {"name": "OCR Backend"}, "secrets": {"T": VALUE}}]), "[0] OCR Backend"),
        (dict(doks_cluster_poll_interval=0), "doks_cluster_poll_interval=0 must be a number above 0"),
        (dict(doks_cluster_kubeconfig_renew_before=-60), "doks_cluster_kubeconfig_renew_before=-60"),
        (
            dict(doks_cluster_kubeconfig_path="kube/config"),
            'doks_cluster_kubeconfig_path="kube/config" must be absolute',
        ),
    ],
)
def test_a_bad_input_is_named_with_its_value(changes, expected):
    found = problems(**changes)
    assert len(found) == 1 and expected in found[0], found
