"""The two seed workflows doing their business for real, through the automation logins and the webhook secret:
webhooks in, rows changed in PostgreSQL, Mattermost (a local receiver) notified; pipeline runs recorded. One
deployment for the module (conftest.py here); the deploy itself - plan, apply, converge - is in
../test_n8n_workflows_e2e.py."""

import pytest

from support.n8n_flows import HOOK_SECRET, THRESHOLD, add_expense, add_pipeline, expense, hook, job_run, log_table
from support.pg import execute, query


def test_expense_below_threshold_is_approved(deployed, workbench_db, receiver):
    eid = add_expense(workbench_db, "EXP-0001", 4999.99)
    status, body = hook(deployed + "/webhook/workbench/expense-approval", {"expense_id": eid})
    assert (status, body["status"], body["expense_id"]) == (200, "approved", eid)
    state = expense(workbench_db, eid)
    assert state[:3] == ("approved", "n8n:auto-approve", True)
    assert "below the approval threshold of PHP 5000" in state[3]
    assert receiver.records == []
    # a second call does not decide again
    status, body = hook(deployed + "/webhook/workbench/expense-approval", {"expense_id": eid})
    assert (status, body["status"]) == (409, "approved")


@pytest.mark.parametrize("amount", [THRESHOLD, 12500])
def test_expense_at_or_above_threshold_notifies_mattermost_and_stays_pending(deployed, workbench_db, receiver, amount):
    eid = add_expense(workbench_db, "EXP-%d" % amount, amount)
    status, body = hook(deployed + "/webhook/workbench/expense-approval", {"expense_id": eid})
    assert (status, body) == (202, {"expense_id": eid, "status": "pending", "notified": True})
    assert expense(workbench_db, eid) == ("pending", None, False, None)
    assert len(receiver.records) == 1
    message = receiver.records[0]
    assert message["path"] == "/hooks/" + HOOK_SECRET
    assert "EXP-%d" % amount in message["body"]["text"] and eid in message["body"]["text"]


def test_unknown_expense(deployed, workbench_db, receiver):
    status, body = hook(
        deployed + "/webhook/workbench/expense-approval", {"expense_id": "00000000-0000-4000-8000-000000000001"}
    )
    assert (status, body["status"]) == (404, "not_found")
    status, body = hook(deployed + "/webhook/workbench/expense-approval", {"expense_id": "not-an-id"})
    assert (status, body["status"]) == (400, "bad_request")
    assert receiver.records == []


def test_pipeline_runs_its_steps_in_order(deployed, workbench_db):
    log_table(workbench_db, "n int, seen_status text")
    add_pipeline(
        workbench_db,
        "e2e-ok",
        [
            # a step reads bronze and writes silver
            ("first", "insert into silver.e2e_log select 1, count(*)::text from bronze.expenses_raw", False),
            ("second", "insert into silver.e2e_log values (2, null);", False),
            ("read back", "select n from silver.e2e_log order by n", False),
        ],
    )
    status, body = hook(deployed + "/webhook/workbench/pipeline-run", {"pipeline": "e2e-ok", "triggered_by": "pytest"})
    assert (status, body["status"], body["steps_completed"]) == (200, "succeeded", 3)
    run = job_run(workbench_db, body["job_run_id"])
    assert run[:4] == ("succeeded", 3, 3, None)
    assert [s["step"] for s in run[4]] == ["first", "second", "read back"]
    assert run[5:] == (True, True, "pytest", True)
    assert [s["rows_affected"] for s in run[4]] == [1, 1, 2]
    assert query(workbench_db, "select n, seen_status from silver.e2e_log order by n") == [(1, "0"), (2, None)]


def test_a_failing_step_fails_the_run_with_the_error(deployed, workbench_db):
    log_table(workbench_db)
    pid = add_pipeline(
        workbench_db,
        "e2e-fail",
        [
            ("ok", "insert into silver.e2e_log values (1)", False),
            ("boom", "insert into silver.no_such_table values (1)", False),
            ("never", "insert into silver.e2e_log values (3)", False),
        ],
    )
    status, body = hook(deployed + "/webhook/workbench/pipeline-run", {"pipeline_id": pid})
    assert status == 500 and body["status"] == "failed"
    assert body["error"] == 'step 2 (boom) failed: [42P01] relation "silver.no_such_table" does not exist'
    run = job_run(workbench_db, body["job_run_id"])
    assert run[:4] == ("failed", 3, 1, body["error"])
    assert [(s["step"], s["status"]) for s in run[4]] == [("ok", "succeeded"), ("boom", "failed")]
    assert run[4][1]["sqlstate"] == "42P01"
    assert run[6] is True
    assert query(workbench_db, "select n from silver.e2e_log") == [(1,)]  # step 1 committed, step 3 never ran


def test_continue_on_error_and_step_timeout(deployed, workbench_db):
    log_table(workbench_db)
    pid = add_pipeline(
        workbench_db,
        "e2e-continue",
        [
            # the step tries to lift its own limit first: the timer was armed before it started
            ("tolerated", "select set_config('statement_timeout', '0', true); select pg_sleep(3)", True),
            ("after", "insert into silver.e2e_log values (2)", False),
        ],
    )
    execute(
        workbench_db,
        "update ip_workbench.pipeline_steps set timeout_seconds = 1 where pipeline_id = %s and step_order = 1",
        (pid,),
    )
    status, body = hook(deployed + "/webhook/workbench/pipeline-run", {"pipeline": "e2e-continue"})
    assert (status, body["status"]) == (200, "succeeded")
    run = job_run(workbench_db, body["job_run_id"])
    assert [(s["step"], s["status"]) for s in run[4]] == [("tolerated", "failed"), ("after", "succeeded")]
    assert "statement timeout" in run[4][0]["error"] and run[4][0]["sqlstate"] == "57014"
    assert query(workbench_db, "select n from silver.e2e_log") == [(2,)]


def test_unknown_or_disabled_pipeline(deployed, workbench_db):
    status, body = hook(deployed + "/webhook/workbench/pipeline-run", {"pipeline": "nope"})
    assert (status, body["status"]) == (404, "not_found")
    add_pipeline(workbench_db, "e2e-off", [("x", "select 1", False)])
    execute(workbench_db, "update ip_workbench.pipelines set enabled = false where name = 'e2e-off'")
    status, body = hook(deployed + "/webhook/workbench/pipeline-run", {"pipeline": "e2e-off"})
    assert (status, body["status"]) == (404, "disabled")
    assert query(workbench_db, "select count(*) from ip_workbench.job_runs") == [(0,)]
