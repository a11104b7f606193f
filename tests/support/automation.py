"""The automation logins of 004_automation_roles.sql and the webhooks' shared secret, as the tests set them: one
password per role for the whole run (roles are cluster-wide), and what the inventories build from them."""

import secrets

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _pg_dsn

LOGINS = dict(
    (name, "it-%s-%s" % (name, secrets.token_hex(12)))
    for name in ("workbench_automation", "workbench_expense_approver", "workbench_pipeline", "workbench_n8n")
)
# The webhooks' header auth, with the role's default header name.
WEBHOOK_HEADER = "X-Workbench-Webhook-Token"
WEBHOOK_TOKEN = "it-webhook-" + secrets.token_hex(20)
WEBHOOK_AUTH = {WEBHOOK_HEADER: WEBHOOK_TOKEN}


def logins_task(owner_dsn):
    """A supabase_role task that sets every login's password (after the migrations created the roles)."""
    return {
        "name": "logins",
        "insightpulseai.workbench.supabase_role": {
            "login_dsn": owner_dsn,
            "roles": [{"name": name, "password": pw} for name, pw in LOGINS.items()],
        },
    }


def login_dsn(owner_dsn, role):
    """The owner's DSN, logged in as one of the automation roles (what the inventories build with pg_login_dsn)."""
    return _pg_dsn.with_login(owner_dsn, role, LOGINS[role])


def workflow_db_vars(owner_dsn):
    """The n8n_workflows role's database credentials and webhook auth, as the inventories set them."""
    return dict(
        n8n_workflows_postgres_dsn=login_dsn(owner_dsn, "workbench_automation"),
        n8n_workflows_expense_postgres_dsn=login_dsn(owner_dsn, "workbench_expense_approver"),
        n8n_workflows_pipeline_postgres_dsn=login_dsn(owner_dsn, "workbench_pipeline"),
        n8n_workflows_postgres_ssl="disable",
        n8n_workflows_webhook_auth_token=WEBHOOK_TOKEN,
    )
