"""The vault_* variables the cluster stage's Secrets and App Platform apps read (roles/doks_cluster/defaults/main.yml),
for tests and benchmarks that converge it against the fakes with stand-in values."""

VAULT_KEYS = (
    "supabase_url supabase_anon_key supabase_service_role_key supabase_db_url anthropic_api_key openai_api_key "
    "gemini_api_key n8n_encryption_key neo4j_password "
    "langfuse_public_key langfuse_secret_key langfuse_nextauth_secret langfuse_salt odoo_url odoo_db "
    "odoo_username odoo_password mattermost_webhook_url litellm_master_key"
).split()
