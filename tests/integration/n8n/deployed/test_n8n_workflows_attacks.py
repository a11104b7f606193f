"""Attacks on the deployed workbench, against the real n8n and PostgreSQL: the webhooks without (or with a wrong)
secret, pipeline steps that try to leave their role, and an engineer who edits a step to escalate. Every attack must
fail, and an independent read must show that nothing changed, nothing was half-applied and no execution started."""

import psycopg2
import pytest

from support.automation import WEBHOOK_HEADER, WEBHOOK_TOKEN
from support.n8n import post_json
from support.n8n_flows import add_expense, add_pipeline, expense, hook, job_run, log_table
from support.pg import as_user, execute, query


EXPENSE_HOOK = "/webhook/workbench/expense-approval"
PIPELINE_HOOK = "/webhook/workbench/pipeline-run"


def executions(n8n):
    return len(n8n.executions())


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {WEBHOOK_HEADER: "wrong-" + WEBHOOK_TOKEN},
        {WEBHOOK_HEADER: WEBHOOK_TOKEN[:-1]},
        {"Authorization": "Bearer " + WEBHOOK_TOKEN},  # the right secret in the wrong header
        {WEBHOOK_HEADER.lower(): WEBHOOK_TOKEN.upper()},  # header names are case-insensitive, the secret is not
    ],
)
def test_webhooks_refuse_callers_without_the_secret(deployed, n8n, workbench_db, receiver, headers):
    eid = add_expense(workbench_db, "EXP-ATK", 100)
    pid = add_pipeline(workbench_db, "atk-noauth", [("x", "select 1", False)])
    before = executions(n8n)
    status, body = post_json(deployed + EXPENSE_HOOK, {"expense_id": eid}, headers=headers)
    assert status in (401, 403), (status, body)
    status, body = post_json(deployed + PIPELINE_HOOK, {"pipeline_id": pid}, headers=headers)
    assert status in (401, 403), (status, body)
    # independent reads: no execution started, nothing decided, nothing run, nobody notified
    assert executions(n8n) == before
    assert expense(workbench_db, eid) == ("pending", None, False, None)
    assert query(workbench_db, "select count(*) from ip_workbench.job_runs") == [(0,)]
    assert receiver.records == []
    # the same calls with the secret work, so the refusals above were the auth and nothing else
    assert hook(deployed + EXPENSE_HOOK, {"expense_id": eid})[0] == 200
    assert hook(deployed + PIPELINE_HOOK, {"pipeline_id": pid})[0] == 200


@pytest.mark.parametrize(
    "body",
    [
        {"expense_id": "1 or 1=1"},
        {"expense_id": "00000000-0000-4000-8000-00000000000"},
        {"expense_id": ["00000000-0000-4000-8000-000000000001"]},
        {"expense_id": 42},
        {},
        [],
    ],
)
def test_expense_webhook_validates_before_any_query(deployed, n8n, workbench_db, body):
    eid = add_expense(workbench_db, "EXP-VAL", 100)
    status, out = hook(deployed + EXPENSE_HOOK, body)
    assert (status, out["status"]) == (400, "bad_request"), (status, out)
    assert expense(workbench_db, eid) == ("pending", None, False, None)


@pytest.mark.parametrize(
    "body",
    [
        {"pipeline_id": "x' or '1'='1"},
        {"pipeline": "a'; drop table silver.expenses; --"},
        {"pipeline_id": "00000000-0000-4000-8000-000000000001", "parameters": "not an object"},
        {"pipeline": "ok-name", "triggered_by": "x" * 201},
        {},
    ],
)
def test_pipeline_webhook_validates_before_any_query(deployed, workbench_db, body):
    status, out = hook(deployed + PIPELINE_HOOK, body)
    assert (status, out["status"]) == (400, "bad_request"), (status, out)
    assert query(workbench_db, "select count(*) from ip_workbench.job_runs") == [(0,)]
    assert query(workbench_db, "select to_regclass('silver.expenses') is not null") == [(True,)]


def snapshot(dsn):
    """What an escalating step would change: roles' attributes, functions and tables of the workbench schemas, rows."""
    return dict(
        roles=query(
            dsn,
            """select rolname, rolsuper, rolbypassrls, rolcreaterole, rolcanlogin from pg_roles
                            where rolname like 'workbench%%' or rolname in ('authenticated', 'anon', 'service_role')
                            order by 1""",
        ),
        functions=query(
            dsn,
            """select n.nspname, p.proname, p.prosecdef from pg_proc p join pg_namespace n on n.oid = p.pronamespace
                                where n.nspname not in ('pg_catalog', 'information_schema') order by 1, 2""",
        ),
        tables=query(
            dsn,
            """select schemaname, tablename, tableowner, rowsecurity from pg_tables
                             where schemaname not in ('pg_catalog', 'information_schema') order by 1, 2""",
        ),
        expenses=query(dsn, "select id, status, approved_by from silver.expenses order by id"),
        users=query(dsn, "select count(*) from auth.users"),
        policies=query(dsn, "select schemaname, tablename, policyname, qual from pg_policies order by 1, 2, 3"),
    )


ESCALATIONS = [
    ("drop a table", "drop table silver.expenses"),
    ("read auth.users", "insert into silver.e2e_log select 1 from auth.users"),
    ("alter a role", "alter role workbench_pipeline_runner bypassrls"),
    ("make anon powerful", "alter role anon superuser"),
    (
        "security definer function",
        "create function silver.pwn() returns void language sql security definer as 'select 1'",
    ),
    ("copy to program", "copy silver.expenses to program 'id > /tmp/pwned'"),
    ("set role postgres", "set role postgres; drop table silver.expenses"),
    ("set_config role", "select set_config('role', 'postgres', true)"),
    ("back to the login, then read", "reset role; select * from ip_workbench.pipeline_steps"),
    (
        "the bookkeeping role",
        "select set_config('role', 'workbench_automation', true); update ip_workbench.job_runs set status = 'succeeded'",
    ),
    ("the private helpers", "select ip_workbench_private.get_user_role()"),
    ("the migration ledger", "delete from supabase_migrations.schema_migrations"),
    ("approve an expense", "update silver.expenses set status = 'approved', approved_by = 'pwn', approved_at = now()"),
]


@pytest.mark.parametrize("label, sql", ESCALATIONS, ids=[e[0] for e in ESCALATIONS])
def test_a_step_cannot_leave_its_role(deployed, workbench_db, label, sql):
    log_table(workbench_db)
    add_expense(workbench_db, "EXP-STEP", 100)
    execute(
        workbench_db, "revoke update on silver.expenses from workbench_pipeline_runner"
    )  # a read-only grant for this table
    before = snapshot(workbench_db)
    # the step first writes something it may write, then attacks: the whole step must roll back
    pid = add_pipeline(workbench_db, "atk-step", [("attack", "insert into silver.e2e_log values (1); " + sql, False)])
    status, body = hook(deployed + PIPELINE_HOOK, {"pipeline_id": pid})
    assert (status, body["status"]) == (500, "failed"), (label, status, body)
    run = job_run(workbench_db, body["job_run_id"])
    assert run[0] == "failed" and run[2] == 0
    (step,) = run[4]
    assert (step["status"], step["sqlstate"]) == ("failed", "42501"), (label, step)
    assert body["error"].startswith("step 1 (attack) failed: [42501] ")
    # independent reads: nothing it attempted persists
    assert query(workbench_db, "select count(*) from silver.e2e_log") == [(0,)]
    assert snapshot(workbench_db) == before


def test_an_engineer_who_edits_a_step_to_escalate_gets_nothing(deployed, workbench_db):
    """Engineers may write pipeline_steps.sql (rls_policies.yml): what they write runs as the step runner only."""
    log_table(workbench_db)
    pid = add_pipeline(workbench_db, "atk-engineer", [("transform", "insert into silver.e2e_log values (1)", False)])
    before = snapshot(workbench_db)
    engineer = (
        '{"sub": "00000000-0000-4000-8000-0000000000e1", "role": "authenticated", "app_metadata": {"role": "engineer"}}'
    )
    # as PostgREST runs the engineer's request: allowed, engineers edit steps
    assert (
        as_user(
            workbench_db,
            engineer,
            """update ip_workbench.pipeline_steps
                                              set sql = 'alter role authenticated bypassrls; insert into silver.e2e_log values (2)'
                                              where pipeline_id = %s""",
            (pid,),
        )
        == 1
    )
    # but cannot forge a run's outcome
    with pytest.raises(psycopg2.errors.InsufficientPrivilege):
        as_user(
            workbench_db,
            engineer,
            "insert into ip_workbench.job_runs (pipeline_id, status) values (%s, 'succeeded')",
            (pid,),
        )
    status, body = hook(deployed + PIPELINE_HOOK, {"pipeline_id": pid})
    assert (status, body["status"]) == (500, "failed")
    assert job_run(workbench_db, body["job_run_id"])[4][0]["sqlstate"] == "42501"
    assert query(workbench_db, "select count(*) from silver.e2e_log") == [(0,)]
    assert snapshot(workbench_db) == before
    assert query(workbench_db, "select count(*) from ip_workbench.job_runs") == [(1,)]  # only the failed run


def test_n8n_connects_as_its_own_roles_never_the_owner(deployed, workbench_db):
    """Run both workflows once, then read who connected: pg_stat_activity keeps n8n's pooled connections open."""
    eid = add_expense(workbench_db, "EXP-WHO", 100)
    assert hook(deployed + EXPENSE_HOOK, {"expense_id": eid})[0] == 200
    pid = add_pipeline(workbench_db, "who", [("noop", "select 1", False)])
    assert hook(deployed + PIPELINE_HOOK, {"pipeline_id": pid})[0] == 200
    dbname = workbench_db.rsplit("/", 1)[1]
    users = {
        u
        for (u,) in query(
            workbench_db,
            "select distinct usename from pg_stat_activity where datname = %s and pid <> pg_backend_pid()",
            (dbname,),
        )
    }
    assert users and users <= {"workbench_automation", "workbench_expense_approver", "workbench_pipeline"}, users
