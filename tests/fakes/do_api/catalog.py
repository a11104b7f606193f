"""Static catalogues the fake answers with: regions, DOKS versions and sizes, registry tiers.

A plausible subset of what the real API lists; requests naming anything else are rejected with 422.
"""

from __future__ import annotations

REGIONS = {
    "ams3": "Amsterdam 3",
    "blr1": "Bangalore 1",
    "fra1": "Frankfurt 1",
    "lon1": "London 1",
    "nyc1": "New York 1",
    "nyc3": "New York 3",
    "sfo3": "San Francisco 3",
    "sgp1": "Singapore 1",
    "syd1": "Sydney 1",
    "tor1": "Toronto 1",
}

# Newest first; "latest" and a minor version ("1.35") resolve to the first match, as the real API does.
_FEATURES = ["cluster-autoscaler", "docr-integration", "ha-control-plane", "token-authentication"]
K8S_VERSIONS = [
    {"slug": "1.36.1-do.0", "kubernetes_version": "1.36.1", "supported_features": _FEATURES},
    {"slug": "1.35.4-do.1", "kubernetes_version": "1.35.4", "supported_features": _FEATURES},
    {"slug": "1.34.7-do.2", "kubernetes_version": "1.34.7", "supported_features": _FEATURES},
]

K8S_SIZES = {
    "s-1vcpu-2gb": "s-1vcpu-2gb",
    "s-2vcpu-2gb": "s-2vcpu-2gb",
    "s-2vcpu-4gb": "s-2vcpu-4gb",
    "s-4vcpu-8gb": "s-4vcpu-8gb",
    "g-2vcpu-8gb": "g-2vcpu-8gb",
    "c-4": "c-4",
}

REGISTRY_REGIONS = ["nyc3", "sfo3", "ams3", "sgp1", "fra1"]

REGISTRY_TIERS = {
    "starter": {
        "name": "Starter",
        "slug": "starter",
        "included_repositories": 1,
        "included_storage_bytes": 524288000,
        "allow_storage_overage": False,
        "included_bandwidth_bytes": 524288000,
        "monthly_price_in_cents": 0,
        "storage_overage_price_in_cents": 0,
    },
    "basic": {
        "name": "Basic",
        "slug": "basic",
        "included_repositories": 5,
        "included_storage_bytes": 5368709120,
        "allow_storage_overage": True,
        "included_bandwidth_bytes": 5368709120,
        "monthly_price_in_cents": 500,
        "storage_overage_price_in_cents": 2,
    },
    "professional": {
        "name": "Professional",
        "slug": "professional",
        "included_repositories": 0,
        "included_storage_bytes": 107374182400,
        "allow_storage_overage": True,
        "included_bandwidth_bytes": 107374182400,
        "monthly_price_in_cents": 2000,
        "storage_overage_price_in_cents": 2,
    },
}

# App Platform regions (spec.region) and the data centre each maps to.
APP_REGIONS = {
    "ams": "ams3",
    "atl": "atl1",
    "blr": "blr1",
    "fra": "fra1",
    "lon": "lon1",
    "nyc": "nyc3",
    "sfo": "sfo3",
    "sgp": "sgp1",
    "syd": "syd1",
    "tor": "tor1",
}
