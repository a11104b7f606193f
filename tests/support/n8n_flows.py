"""The seed workflows' business, as the tests drive it: authorised webhook calls, and the rows they act on."""

from support.automation import WEBHOOK_AUTH
from support.n8n import post_json
from support.pg import execute, query

# The stand-in Mattermost's hook path and the approval threshold the workflow tests deploy with.
HOOK_SECRET = "it-hook-key-Zq81"
THRESHOLD = 5000


def hook(url, body, headers=None, **kwargs):
    """Call a webhook as an authorised caller does (the shared secret in its header, unless ``headers`` replace it)."""
    return post_json(url, body, headers=WEBHOOK_AUTH if headers is None else headers, **kwargs)


def add_expense(dsn, number, amount):
    return query(
        dsn,
        """insert into silver.expenses (expense_number, agency, employee_email, expense_date, category, amount)
                         values (%s, 'DOH', 'juan@example.ph', '2026-01-05', 'travel', %s) returning id::text""",
        (number, amount),
    )[0][0]


def expense(dsn, expense_id):
    return query(
        dsn,
        "select status, approved_by, approved_at is not null, approval_note from silver.expenses where id = %s",
        (expense_id,),
    )[0]


def add_pipeline(dsn, name, steps):
    pid = query(
        dsn,
        """insert into ip_workbench.pipelines (name, domain_id)
                        select %s, id from ip_workbench.domains order by name limit 1 returning id::text""",
        (name,),
    )[0][0]
    for order, (step_name, sql, continue_on_error) in enumerate(steps, 1):
        execute(
            dsn,
            """insert into ip_workbench.pipeline_steps (pipeline_id, step_order, name, sql, continue_on_error)
                        values (%s, %s, %s, %s, %s)""",
            (pid, order, step_name, sql, continue_on_error),
        )
    return pid


def job_run(dsn, run_id):
    return query(
        dsn,
        """select status, steps_total, steps_completed, error, step_results, started_at is not null,
                                finished_at is not null, triggered_by, external_run_id is not null
                         from ip_workbench.job_runs where id = %s""",
        (run_id,),
    )[0]


def log_table(dsn, columns="n int"):
    """silver.e2e_log, granted to the step runner as a migration grants a medallion table."""
    execute(
        dsn,
        "create table silver.e2e_log (%s); grant select, insert on silver.e2e_log to workbench_pipeline_runner"
        % columns,
    )
