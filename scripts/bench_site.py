"""Benchmark of the whole site (playbooks/site.yml, every stage) against the sandbox: wall time of the first
converge (the baseline) and of a no-op re-run, and the share of each run spent in each stage.

The sandbox, all on ephemeral or bench-only ports: the DigitalOcean API fake wired to the Kubernetes API fake, moto for
Spaces, real helm installing the Traefik and n8n stand-in charts, a real PostgreSQL (local_stack) for the database
stage, and a real n8n for the workflow import (the fake cluster runs no pods; see tests/fakes/README.md). Stage times
are the plays' own durations from the json callback; the rest of the wall time is ansible-playbook start-up.
Exit status 1 when the no-op re-run changed anything.

Usage: .venv/bin/python scripts/bench_site.py [--json PATH]
"""

import argparse
import base64
import datetime
import json
import os
import shutil
import sys
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, ".ansible", "collections"))

from fakes.charts import standin  # noqa: E402
from fakes.do_api import DOApiFake  # noqa: E402
from fakes.k8s_api import FakeKubeAPI  # noqa: E402
from fakes.s3 import ACCESS_KEY, SECRET_KEY, MotoServer  # noqa: E402
from support.ansible import run_playbook  # noqa: E402
from support.vault import VAULT_KEYS, handoffs  # noqa: E402
from support.helm import HELM  # noqa: E402
from support.n8n import OWNER_EMAIL, N8nServer, install as install_n8n  # noqa: E402
from support.pg import PgServer  # noqa: E402

TOKEN = "bench-site-token"
PG_PORT, N8N_PORT, N8N_BROKER_PORT = 25520, 25521, 25522
STAGES = [
    "DigitalOcean network",
    "DOKS cluster and App Platform apps",
    "Traefik ingress",
    "Supabase schema",
    "LLM gateway",
    "Workflow automation (n8n)",
]
HTPASSWD = "admin:$2b$05$Qm9uam91ciBsZXMgYW1pcuJpoTgg26fQpJKU3jd37jeXXJhT5NAn6"


def _timestamp(value):
    return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _seconds(duration):
    return (_timestamp(duration["end"]) - _timestamp(duration["start"])).total_seconds()


def converge(inventory, env):
    started = time.perf_counter()
    result = run_playbook(
        playbook=os.path.join(ROOT, "playbooks", "site.yml"), inventory=inventory, env=env, timeout=1800
    )
    wall = time.perf_counter() - started
    if result.rc != 0:
        raise SystemExit("site.yml failed: %s" % ((result.failure() or {}).get("msg") or result.stdout[-3000:]))
    stages = {}
    for play in result.data.get("plays", []):
        name = play["play"]["name"]
        stages[name] = stages.get(name, 0.0) + _seconds(play["play"]["duration"])
    return dict(
        seconds=round(wall, 2), changed=result.changed, stages=dict((k, round(v, 2)) for k, v in stages.items())
    )


def inventory_file(tmp, fake, s3, charts, pg_dsn, n8n):
    host = dict(
        ansible_connection="local",
        ansible_python_interpreter="{{ ansible_playbook_python }}",
        do_network_api_url=fake.base_url + "/v2",
        do_network_api_token=TOKEN,
        do_network_spaces_endpoint_url=s3.endpoint_url,
        do_network_spaces_access_key=ACCESS_KEY,
        do_network_spaces_secret_key=SECRET_KEY,
        doks_cluster_api_url=fake.base_url + "/v2",
        doks_cluster_api_token=TOKEN,
        doks_cluster_kubeconfig_path=os.path.join(tmp, "kubeconfig"),
        doks_cluster_poll_interval=0.1,
        doks_cluster_apps_poll_interval=0.1,
        traefik_chart_ref=charts["traefik"],
        traefik_helm_binary=HELM,
        traefik_acme_email="ops@insightpulseai.net",
        traefik_dashboard_users=[HTPASSWD],
        traefik_litellm_route_enabled=False,
        traefik_n8n_admin_source_ranges=["127.0.0.1/32"],
        supabase_schema_login_dsn=pg_dsn,
        litellm_gateway_master_key="sk-bench-site",
        litellm_gateway_redis_password="bench-redis",
        litellm_gateway_provider_api_keys=dict(
            ANTHROPIC_API_KEY="bench", OPENAI_API_KEY="bench", GEMINI_API_KEY="bench"
        ),
        n8n_workflows_release_enabled=True,
        n8n_workflows_chart_ref=charts["n8n"],
        n8n_workflows_helm_binary=HELM,
        n8n_workflows_release_db_dsn="postgresql://postgres:bench@db.workbench.test:5432/postgres",
        n8n_workflows_release_encryption_key=base64.b32encode(os.urandom(20)).decode(),
        n8n_workflows_url=n8n.url,
        n8n_workflows_api_key=n8n.api_key,
        n8n_workflows_owner_email=OWNER_EMAIL,
        n8n_workflows_owner_password=n8n.owner_password,
        n8n_workflows_postgres_dsn=pg_dsn,
        n8n_workflows_postgres_ssl="disable",
        n8n_workflows_mattermost_webhook_url="http://127.0.0.1:9/hooks/bench",
    )
    host.update(
        handoffs(), doks_cluster_secret_values=dict((k, base64.b32encode(os.urandom(10)).decode()) for k in VAULT_KEYS)
    )
    groups = ["workbench_cloud", "workbench_cluster", "workbench_database", "workbench_gateway", "workbench_workflows"]
    path = os.path.join(tmp, "inventory.yml")
    with open(path, "w") as handle:
        yaml.safe_dump(
            {
                "all": {
                    "hosts": {"localhost": host},
                    "children": dict((g, {"hosts": {"localhost": None}}) for g in groups),
                }
            },
            handle,
        )
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default=os.path.join(ROOT, ".tmp", "bench-site.json"))
    args = parser.parse_args()
    os.makedirs(os.path.join(ROOT, ".tmp"), exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="bench-site-", dir=os.path.join(ROOT, ".tmp"))
    os.chmod(tmp, 0o711)  # the local PostgreSQL runs as the postgres user
    charts = dict((name, standin.assemble(name, os.path.join(tmp, "charts"))) for name in ("traefik", "n8n"))
    install_n8n()
    pg = PgServer(os.path.join(tmp, "pg"), port=PG_PORT)
    n8n = N8nServer(os.path.join(tmp, "n8n"), port=N8N_PORT, broker_port=N8N_BROKER_PORT)
    k8s = fake = None
    try:
        pg.start()
        n8n.start()
        with MotoServer(log_file=os.path.join(tmp, "moto.log")) as s3:
            k8s = FakeKubeAPI(token="bench-site-kube-token").start()
            ca = os.path.join(tmp, "k8s-ca.pem")
            with open(ca, "wb") as handle:
                handle.write(k8s.ca_pem)
            fake = DOApiFake(
                TOKEN, provision_delay=0.3, kube_server=k8s.url, kube_token=k8s.token, kube_ca_file=ca
            ).start()
            inventory = inventory_file(tmp, fake, s3, charts, pg.dsn_for(pg.create_database()), n8n)
            env = {
                "TMPDIR": tmp,
                "DO_API_URL": "",
                "DO_API_TOKEN": "",
                "KUBECONFIG": "",
                "K8S_AUTH_KUBECONFIG": "",
                "HELM_CACHE_HOME": os.path.join(tmp, "helm-cache"),
                "HELM_CONFIG_HOME": os.path.join(tmp, "helm-config"),
                "HELM_DATA_HOME": os.path.join(tmp, "helm-data"),
            }
            runs = dict(first=converge(inventory, env), noop=converge(inventory, env))
    finally:
        for server in (fake, k8s):
            if server is not None:
                server.stop()
        n8n.stop()
        pg.stop()
    first, noop = runs["first"], runs["noop"]
    print("whole-site benchmark: playbooks/site.yml against the sandbox (wall time; stage = its play's duration)")
    print("  first converge (baseline): %6.1fs, %d changed tasks" % (first["seconds"], first["changed"]))
    print(
        "  no-op re-run:              %6.1fs, %d changed tasks | %.2fx the baseline"
        % (noop["seconds"], noop["changed"], noop["seconds"] / first["seconds"])
    )
    print("  %-40s %14s %14s" % ("stage", "first", "no-op"))
    for stage in STAGES + ["(ansible-playbook start-up and the rest)"]:
        if stage in first["stages"]:
            a, b = first["stages"][stage], noop["stages"].get(stage, 0.0)
        else:
            a = first["seconds"] - sum(first["stages"].values())
            b = noop["seconds"] - sum(noop["stages"].values())
        print(
            "  %-40s %6.1fs %5.1f%% %6.1fs %5.1f%%"
            % (stage, a, 100 * a / first["seconds"], b, 100 * b / noop["seconds"])
        )
    with open(args.json, "w") as handle:
        json.dump(runs, handle, indent=1)
    print("  written to %s" % os.path.relpath(args.json, ROOT))
    ok = noop["changed"] == 0
    print("  goal (the no-op re-run changes nothing): %s" % ("met" if ok else "NOT MET"))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
