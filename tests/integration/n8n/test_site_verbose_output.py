"""The -vvv output of a whole local converge (database and workflows stages), scanned for every secret value the run
used. Beside deployed/test_n8n_workflows_attacks.py, which shares one deployment over its module; this one converges a site of its own."""

import os

from support.ansible import ROOT, run_playbook


def test_a_verbose_local_converge_shows_no_secret(n8n_server, n8n, db, receiver, tmp_path):
    """site.yml on the local inventory at -vvv (database and workflows stages: the gateway's keys are scanned by the
    LiteLLM tests), plan then apply then re-apply: no password, token or key the run used appears in its output."""
    env_file = tmp_path / "local.env"
    extra = dict(
        supabase_schema_login_dsn=db,
        workbench_local_pg_dsn=db,
        workbench_secrets_dir=str(tmp_path / "secrets"),
        workbench_local_env_file=str(env_file),
        n8n_workflows_url=n8n_server.url,
        n8n_workflows_api_key=n8n_server.api_key,
        n8n_workflows_mattermost_webhook_url="%s/hooks/vvv-hook-secret-%s" % (receiver.url, "Qx7Zp"),
    )
    outputs = []
    for check in (True, False, False):
        res = run_playbook(
            os.path.join(ROOT, "playbooks", "site.yml"),
            inventory=os.path.join(ROOT, "inventories", "local"),
            tags="supabase_schema,n8n_workflows",
            extra_vars=extra,
            verbosity=3,
            check=check,
        )
        assert res.rc == 0, (res.stdout[-3000:], res.stderr[-2000:])
        outputs.append(res.stdout + res.stderr)
    used = [db.split("//", 1)[1].split("@", 1)[0].split(":", 1)[1], n8n_server.api_key, "vvv-hook-secret-Qx7Zp"]
    used += [
        p.read_text().split()[0] for p in sorted((tmp_path / "secrets").iterdir()) if not p.name.endswith("lockfile")
    ]
    assert len(used) == 3 + 5  # owner, API key, hook; four database logins and the webhook token
    env = dict(line.split("=", 1) for line in env_file.read_text().splitlines() if "=" in line)
    assert env["N8N_WEBHOOK_AUTH_TOKEN"] in used and env["N8N_WEBHOOK_URL"] == n8n_server.url + "/webhook"
    for text in outputs:
        leaked = [i for i, value in enumerate(used) if value in text]
        assert leaked == [], "secret(s) number %s of %d appear in the -vvv output" % (leaked, len(used))
