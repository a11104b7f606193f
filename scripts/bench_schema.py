"""Benchmark of the supabase_schema stage, every number against a baseline measured in the same run.

1. First apply of the migrations: the supabase_migration module (through ansible-playbook, as users run it)
   vs `psql --single-transaction -f` of the same files (the seed's way). Ratio.
2. The whole stage (migrations + RLS spec + verify) first run, and a no-op re-run.
3. An RLS-filtered `select count(*)` over 1,000,000 rows of a policy-guarded table (ip_workbench.job_runs) as an
   `authenticated` viewer (JWT claims) vs as service_role (BYPASSRLS). Ratio; goal < 1.5x. For contrast, the same
   query with the policy's helper call NOT wrapped in `(select ...)`, which Postgres evaluates per row.

Runs its own PostgreSQL (local_stack role, port 55440, state under .tmp/bench-pg) and stops it afterwards.
Usage: .venv/bin/python scripts/bench_schema.py [--rows N] [--repeat K]
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, ".ansible", "collections"))

import psycopg2  # noqa: E402

from support.ansible import run_playbook  # noqa: E402
from support.pg import PgServer  # noqa: E402

MIGRATIONS = os.path.join(ROOT, "roles", "supabase_schema", "files", "migrations")
VIEWER = '{"sub": "00000000-0000-4000-8000-000000000001", "role": "authenticated", "app_metadata": {"role": "viewer"}}'


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def psql_apply(dsn):
    for name in sorted(os.listdir(MIGRATIONS)):
        subprocess.run(
            ["psql", dsn, "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-f", os.path.join(MIGRATIONS, name)],
            check=True,
            capture_output=True,
        )


def module_apply(dsn):
    res = run_playbook(
        tasks=[
            {"name": "migrate", "insightpulseai.workbench.supabase_migration": {"path": MIGRATIONS, "login_dsn": dsn}}
        ]
    )
    assert not res.failed and res.task("migrate")["changed"], res.stdout[-2000:]


def engine_apply(dsn):
    """The module's own code path (module_utils), in process: what the module costs without Ansible's start-up."""
    from ansible_collections.insightpulseai.workbench.plugins.module_utils import _pg_migrations as mig

    migrations = mig.load_migrations(MIGRATIONS)[0]
    conn = psycopg2.connect(dsn)
    with conn.cursor() as cur:
        mig.ensure_ledger(cur, "supabase_migrations")
        conn.commit()
        for migration in mig.plan(migrations, mig.read_history(cur, "supabase_migrations")):
            mig.apply_migration(cur, migration, "supabase_migrations")
            conn.commit()
    conn.close()


def stage(dsn):
    res = run_playbook(
        os.path.join(ROOT, "playbooks", "site.yml"),
        inventory=os.path.join(ROOT, "inventories", "local"),
        extra_vars={"supabase_schema_login_dsn": dsn},
        tags="supabase_schema",
    )
    assert not res.failed, res.stdout[-2000:]
    return res.changed


def median_of(fn, repeat):
    return statistics.median(timed(fn)[0] for dummy in range(repeat))


def rls_select(dsn, rows, repeat):
    conn = psycopg2.connect(dsn)
    conn.autocommit = False
    cur = conn.cursor()
    cur.execute("insert into ip_workbench.domains(name, display_name) values ('bench', 'Bench') returning id")
    domain = cur.fetchone()[0]
    cur.execute("insert into ip_workbench.pipelines(name, domain_id) values ('bench', %s) returning id", (domain,))
    pipeline = cur.fetchone()[0]
    cur.execute(
        """insert into ip_workbench.job_runs(pipeline_id, status, triggered_by)
                   select %s, 'succeeded', 'bench' from generate_series(1, %s)""",
        (pipeline, rows),
    )
    conn.commit()
    cur.execute("analyze ip_workbench.job_runs")
    conn.commit()

    def as_role(role, claims=None):
        def run():
            cur.execute("set local role " + role)
            if claims:
                cur.execute("select set_config('request.jwt.claims', %s, true)", (claims,))
            cur.execute("select count(*) from ip_workbench.job_runs")
            n = cur.fetchone()[0]
            conn.rollback()
            return n

        return run

    assert as_role("service_role")() == rows
    assert as_role("authenticated", VIEWER)() == rows, "the viewer must see every run for a fair comparison"
    as_role("authenticated", VIEWER)()  # warm the cache
    service = median_of(as_role("service_role"), repeat)
    viewer = median_of(as_role("authenticated", VIEWER), repeat)

    # Contrast: the same policy with the helper call unwrapped (evaluated per row).
    cur.execute("""create policy bench_unwrapped on ip_workbench.job_runs for select to authenticated
                   using (ip_workbench_private.get_user_role() is not null)""")
    cur.execute("alter policy job_runs_select_members on ip_workbench.job_runs using (false)")
    unwrapped = median_of(as_role("authenticated", VIEWER), max(1, repeat // 2))
    conn.rollback()
    conn.close()
    return service, viewer, unwrapped


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", default=os.path.join(ROOT, ".tmp", "bench", "schema.json"))
    args = parser.parse_args()

    server = PgServer(os.path.join(ROOT, ".tmp", "bench-pg"), port=55440)
    server.stop()
    server.start()
    try:
        results = {}
        psql_s = statistics.median(
            timed(lambda: psql_apply(server.dsn_for(server.create_database())))[0] for dummy in range(3)
        )
        module_s = statistics.median(
            timed(lambda: module_apply(server.dsn_for(server.create_database())))[0] for dummy in range(3)
        )
        engine_s = statistics.median(
            timed(lambda: engine_apply(server.dsn_for(server.create_database())))[0] for dummy in range(3)
        )
        results["migrations_first_apply_s"] = {
            "psql -f": psql_s,
            "supabase_migration": module_s,
            "ratio": module_s / psql_s,
            "module_utils in process": engine_s,
            "engine ratio": engine_s / psql_s,
        }

        db = server.dsn_for(server.create_database())
        first_s, changed = timed(lambda: stage(db))
        noop_s, noop_changed = timed(lambda: stage(db))
        assert noop_changed == 0, "a no-op re-run must change nothing"
        results["stage_s"] = {
            "first_run": first_s,
            "changed_tasks": changed,
            "noop_rerun": noop_s,
            "noop_changed_tasks": noop_changed,
        }

        service, viewer, unwrapped = rls_select(db, args.rows, args.repeat)
        results["rls_select_%d_rows_s" % args.rows] = {
            "service_role (bypass)": service,
            "authenticated viewer": viewer,
            "ratio": viewer / service,
            "goal": "< 1.5",
            "unwrapped helper (contrast)": unwrapped,
            "unwrapped ratio": unwrapped / service,
        }
    finally:
        server.stop()

    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as f:
        json.dump(results, f, indent=2)
    print("supabase_schema benchmark (medians; ratios against baselines of the same run)")
    m = results["migrations_first_apply_s"]
    print(
        "  first apply of 3 migrations: psql -f %.2fs | supabase_migration via ansible-playbook %.2fs | ratio %.2fx"
        % (m["psql -f"], m["supabase_migration"], m["ratio"])
    )
    print(
        "    of which Ansible start-up is most: the same module_utils code in process %.2fs | ratio %.2fx"
        % (m["module_utils in process"], m["engine ratio"])
    )
    s = results["stage_s"]
    print(
        "  whole stage: first run %.2fs (%d changed) | no-op re-run %.2fs (%d changed)"
        % (s["first_run"], s["changed_tasks"], s["noop_rerun"], s["noop_changed_tasks"])
    )
    r = results["rls_select_%d_rows_s" % args.rows]
    print(
        "  select count(*) over %d rows: service_role %.3fs | authenticated viewer %.3fs | ratio %.2fx (goal < 1.5x)"
        % (args.rows, r["service_role (bypass)"], r["authenticated viewer"], r["ratio"])
    )
    print(
        "    contrast, helper not wrapped in (select ...): %.3fs, ratio %.2fx"
        % (r["unwrapped helper (contrast)"], r["unwrapped ratio"])
    )
    print("  written to %s" % os.path.relpath(args.json, ROOT))
    return 0 if r["ratio"] < 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
