"""The supabase_schema stage (playbooks/database.yml) on a fresh database: plan, apply, converge, verify."""

import os

import yaml

from support.ansible import ROOT, run_playbook
from support.pg import execute, query

EXPOSED = ("ip_workbench", "bronze", "silver", "gold")
TABLES_IP_WORKBENCH = {
    "domains",
    "tables",
    "table_metadata",
    "pipelines",
    "pipeline_steps",
    "jobs",
    "job_runs",
    "tests",
    "test_runs",
    "lineage_edges",
    "agents",
    "agent_bindings",
    "agent_runs",
    "llm_requests",
    "sql_snippets",
    "query_history",
    "cost_tracker",
    "activity_log",
}


def stage(dsn, check=False, diff=False, verbosity=0, tags="supabase_schema", **extra):
    extra_vars = dict(supabase_schema_login_dsn=dsn)
    extra_vars.update(extra)
    return run_playbook(
        os.path.join(ROOT, "playbooks", "site.yml"),
        inventory=os.path.join(ROOT, "inventories", "local"),
        check=check,
        diff=diff,
        extra_vars=extra_vars,
        tags=tags,
        verbosity=verbosity,
    )


def phase_tags():
    """The tags of the role's phases, read from its tasks/main.yml (every import but the preflight's)."""
    with open(os.path.join(ROOT, "roles", "supabase_schema", "tasks", "main.yml")) as f:
        tasks = yaml.safe_load(f)
    imports = [
        item
        for task in tasks
        for item in task.get("block", [task])
        if item.get("ansible.builtin.import_tasks") not in (None, "preflight.yml")
    ]
    return [tag for item in imports for tag in item["tags"] if tag != "supabase_schema"]


def ran(res):
    """The names of the tasks a run did not skip (without the role prefix)."""
    return [t["name"].split(" : ", 1)[-1] for t in res.tasks if not t["result"].get("skipped")]


def test_plan_apply_converge(db):
    plan = stage(db, check=True, diff=True)
    assert not plan.failed, plan.stdout[-3000:]
    migrations = plan.task("Apply pending migrations")
    assert [m["file"] for m in migrations["pending"]] == [
        "001_metadata_schema.sql",
        "002_medallion_schemas.sql",
        "003_access_control.sql",
        "004_automation_roles.sql",
    ]
    rls = plan.task("Bring row-level security to the spec")
    assert rls["changed"] and len(rls["queries"]) >= 30
    assert query(db, "select count(*) from pg_namespace where nspname = 'ip_workbench'") == [(0,)]  # plan wrote nothing

    apply = stage(db, diff=True)
    assert not apply.failed, apply.stdout[-3000:]
    assert apply.task("Apply pending migrations")["changed"]
    # the plan was honest: the real run executed exactly the planned statements
    assert apply.task("Bring row-level security to the spec")["queries"] == rls["queries"]
    assert apply.task("Converge the automation login roles")["changed"]
    assert apply.changed == 3

    again = stage(db, check=True, diff=True)
    assert not again.failed and again.changed == 0
    last = stage(db)
    assert not last.failed and last.changed == 0

    # Independent reads of what the stage built.
    tables = query(
        db,
        """select table_schema, table_name from information_schema.tables
                          where table_type = 'BASE TABLE' and table_schema = any(%s)""",
        (list(EXPOSED),),
    )
    assert {t for s, t in tables if s == "ip_workbench"} == TABLES_IP_WORKBENCH
    assert {(s, t) for s, t in tables if s != "ip_workbench"} == {
        ("bronze", "scout_transactions_raw"),
        ("bronze", "expenses_raw"),
        ("silver", "scout_transactions"),
        ("silver", "expenses"),
        ("gold", "finance_expenses"),
        ("gold", "scout_sales"),
    }
    matviews = query(db, "select schemaname, matviewname from pg_matviews where schemaname = 'platinum' order by 2")
    assert matviews == [("platinum", "monthly_expenses_by_agency"), ("platinum", "scout_sales_trends")]
    without_rls = query(
        db,
        """select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                               where n.nspname = any(%s) and c.relkind in ('r', 'p') and not c.relrowsecurity""",
        (list(EXPOSED),),
    )
    assert without_rls == []
    (policies,) = query(db, "select count(*) from pg_policies where schemaname = any(%s)", (list(EXPOSED),))[0]
    assert policies >= 30
    (indexes,) = query(
        db, "select count(*) from pg_indexes where schemaname = any(%s)", (list(EXPOSED) + ["platinum"],)
    )[0]
    assert indexes >= 60
    assert query(db, "select count(*) from ip_workbench.domains") == [(4,)]
    assert [v for (v,) in query(db, "select version from supabase_migrations.schema_migrations order by 1")] == [
        "001",
        "002",
        "003",
        "004",
    ]
    # helpers: SECURITY DEFINER, empty search_path, in a schema that is not exposed
    helpers = query(
        db,
        """select p.proname, p.prosecdef, p.proconfig from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                           where n.nspname = 'ip_workbench_private' order by 1""",
    )
    assert {h[0] for h in helpers} >= {"get_user_role", "is_admin", "is_engineer_or_admin", "is_service"}
    for name, secdef, config in helpers:
        if name not in ("get_user_role", "is_admin", "is_engineer_or_admin", "is_service"):
            continue
        assert secdef, name
        assert config == ['search_path=""'], (name, config)
    # every policy names its roles and never trusts user_metadata
    rows = query(
        db,
        "select policyname, roles::text[], coalesce(qual, '') || coalesce(with_check, '') from pg_policies where schemaname = any(%s)",
        (list(EXPOSED),),
    )
    for name, roles, text in rows:
        assert "public" not in roles, name
        assert "user_metadata" not in text, name


def test_drift_is_detected_and_repaired(db):
    assert not stage(db).failed
    spec = yaml.safe_load(open(os.path.join(ROOT, "roles", "supabase_schema", "files", "rls_policies.yml")))
    first = spec["tables"][0]
    victim = first["policies"][0]["name"]
    execute(db, 'drop policy "%s" on %s.%s' % (victim, first["schema"], first["table"]))
    execute(db, "alter table ip_workbench.agents disable row level security")
    execute(db, "create policy sneaky on ip_workbench.agents for select to anon using (true)")

    plan = stage(db, check=True, diff=True)
    queries = plan.task("Bring row-level security to the spec")["queries"]
    assert "ALTER TABLE ip_workbench.agents ENABLE ROW LEVEL SECURITY" in queries
    assert "DROP POLICY sneaky ON ip_workbench.agents" in queries
    assert any(q.startswith("CREATE POLICY %s ON %s.%s" % (victim, first["schema"], first["table"])) for q in queries)
    assert plan.changed == 1

    fix = stage(db)
    assert not fix.failed and fix.changed == 1
    assert query(db, "select count(*) from pg_policies where policyname = 'sneaky'") == [(0,)]
    assert stage(db, check=True).changed == 0


def test_missing_dsn_is_a_clear_error():
    res = stage("")
    assert res.failed
    assert "supabase_schema_login_dsn is empty" in res.failure()["msg"]


def test_malformed_dsn_is_named_without_its_value():
    res = stage("not a dsn with secret hunter2")
    assert res.failed
    msg = res.failure()["msg"]
    assert "supabase_schema_login_dsn is not a libpq connection string" in msg
    assert "hunter2" not in res.stdout


def test_secrets_stay_out_of_verbose_output(db):
    password = db.split("//", 1)[1].split("@", 1)[0].split(":", 1)[1]
    res = stage(db, verbosity=3)
    assert res.rc == 0, res.stdout[-3000:]
    assert password not in res.stdout and password not in res.stderr


def test_each_phase_runs_alone_by_its_tag_after_the_preflight(db):
    tags = phase_tags()
    assert tags == ["supabase_schema_migrate", "supabase_schema_roles", "supabase_schema_rls", "supabase_schema_verify"]
    # a bad input is refused under every phase's tag alone: the preflight runs with each
    for tag in tags:
        res = stage("", tags=tag)
        assert res.failed and "supabase_schema_login_dsn is empty" in res.failure()["msg"], tag

    # The phases one by one on a fresh database: each does its own part only, then changes nothing. (The login
    # roles are cluster-wide, so an earlier test on this server may have converged them already: the roles phase is
    # read from its own task, the database-local effects from the database.)
    migrate = stage(db, tags="supabase_schema_migrate")
    assert not migrate.failed and migrate.task("Apply pending migrations")["changed"], migrate.stdout[-3000:]
    assert "Converge the automation login roles" not in ran(migrate)
    assert "Bring row-level security to the spec" not in ran(migrate)
    assert query(db, "select count(*) from pg_policies where schemaname = 'ip_workbench'")[0][0] == 0
    roles = stage(db, tags="supabase_schema_roles")
    assert not roles.failed, roles.stdout[-3000:]
    assert "Converge the automation login roles" in ran(roles) and "Apply pending migrations" not in ran(roles)
    assert query(db, "select rolcanlogin from pg_roles where rolname = 'workbench_automation'") == [(True,)]
    rls = stage(db, tags="supabase_schema_rls")
    assert not rls.failed and rls.changed == 1, rls.stdout[-3000:]
    assert query(db, "select count(*) from pg_policies where schemaname = 'ip_workbench'")[0][0] > 0
    verify = stage(db, tags="supabase_schema_verify")
    assert not verify.failed and verify.changed == 0, verify.stdout[-3000:]
    assert verify.task("Re-plan row-level security")["queries"] == []
    for tag in tags:
        again = stage(db, tags=tag)
        assert not again.failed and again.changed == 0, tag
