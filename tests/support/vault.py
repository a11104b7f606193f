"""The cluster stage's secret values and the production inventory's hand-offs between stages, for tests and
benchmarks that converge stages against the fakes with stand-in values."""

import os

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PRODUCTION_VARS = os.path.join(ROOT, "inventories", "production", "group_vars", "all", "main.yml")

# The keys of doks_cluster_secret_values the role's defaults read (roles/doks_cluster/defaults/main.yml); the
# production inventory maps vault_<key> onto each.
VAULT_KEYS = (
    "supabase_url supabase_anon_key supabase_service_role_key supabase_db_url anthropic_api_key openai_api_key "
    "gemini_api_key n8n_encryption_key neo4j_password "
    "langfuse_public_key langfuse_secret_key langfuse_nextauth_secret langfuse_salt odoo_url odoo_db "
    "odoo_username odoo_password mattermost_webhook_url litellm_master_key"
).split()
# What one stage's facts give the next: each role reads only its own variables, so the inventory hands them over.
HANDOFF_VARS = (
    "doks_cluster_region",
    "doks_cluster_vpc_id",
    "traefik_kubeconfig",
    "litellm_gateway_k8s_kubeconfig",
    "n8n_workflows_kubeconfig",
    "traefik_proxy_protocol_trusted_ips",
)


def handoffs():
    """The hand-offs between stages exactly as inventories/production writes them (so a test runs what ships)."""
    with open(PRODUCTION_VARS, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return dict((name, data[name]) for name in HANDOFF_VARS)


def secret_values(vault):
    """doks_cluster_secret_values from a mapping of vault_<key> (or <key>) to stand-in values."""
    return dict((name[len("vault_") :] if name.startswith("vault_") else name, value) for name, value in vault.items())
