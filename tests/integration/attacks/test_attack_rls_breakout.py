"""Attack: a policy expression that tries to break out of USING (...) / WITH CHECK (...).

supabase_rls and supabase_rls_policy paste using/with_check into the statement they send. Each payload below tries
to end the clause or the statement (to COMMIT from inside the check-mode savepoint, DROP a table, or smuggle a
clause in) through both modules, in both clauses, in check mode and in apply mode. Every task must fail with a
message naming the table, the policy, the clause and the reason before anything reaches the server, and an
independent read must show the database exactly as it was: the table, its policies, and no object added. The spec
sent to supabase_rls also holds a harmless new policy on another table, which must not be created either.
"""

import os

import pytest
import yaml

from support.ansible import ROOT, run_playbook
from support.pg import catalog_snapshot, query

TARGET = "ip_workbench.domains"
DROP = "DROP TABLE ip_workbench.domains CASCADE"

PAYLOADS = {
    "commit-drop": ("true); COMMIT; %s; --" % DROP, "')' at character 5"),
    "line-comment": ("true) --", "')' at character 5"),
    "drop-without-commit": ("true); %s" % DROP, "')' at character 5"),
    "clause-smuggling": ("true) WITH CHECK (true", "')' at character 5"),
    "unbalanced-close": ("true) OR (true", "')' at character 5"),
    "second-statement": ("true; COMMIT; %s" % DROP, "';' at character 5"),
    "block-comment": ("true /* ); COMMIT; %s; */" % DROP, "a comment at character 6"),
    "dollar-quoted": ("$$ $$); COMMIT; %s; ($$ $$" % DROP, "')' at character 6"),
    "dollar-unclosed": (
        "true $x$); COMMIT; %s; --" % DROP,
        "a dollar-quoted string that is never closed starts at character 6",
    ),
    "e-string-escape": ("E'\\' ' ); COMMIT; %s; -- '" % DROP, "')' at character 8"),
    "backslash": ("true \\; COMMIT; %s" % DROP, "a backslash outside a quoted string at character 6"),
}


def tasks_for(dsn, payload, check):
    """Four tasks: each module with the payload as using and as with_check."""
    tasks = []
    for clause in ("using", "with_check"):
        policy = dict(name="attack_breakout", command="ALL", using="true", with_check="true")
        policy[clause] = payload
        tasks.append(
            {
                "name": "supabase_rls %s" % clause,
                "insightpulseai.workbench.supabase_rls": dict(
                    login_dsn=dsn,
                    tables=[
                        dict(schema="ip_workbench", table="domains", policies=[policy]),
                        dict(
                            schema="ip_workbench",
                            table="agents",
                            policies=[dict(name="attack_canary", command="SELECT", using="true")],
                        ),
                    ],
                ),
                "check_mode": check,
                "ignore_errors": True,
            }
        )
        tasks.append(
            {
                "name": "supabase_rls_policy %s" % clause,
                "insightpulseai.workbench.supabase_rls_policy": dict(
                    login_dsn=dsn, schema="ip_workbench", table="domains", **policy
                ),
                "check_mode": check,
                "ignore_errors": True,
            }
        )
    return tasks


@pytest.mark.parametrize("mode", ["check", "apply"])
@pytest.mark.parametrize("payload, reason", PAYLOADS.values(), ids=list(PAYLOADS))
def test_breakout_is_refused_and_changes_nothing(workbench_db, payload, reason, mode):
    before = catalog_snapshot(workbench_db)
    spec = yaml.safe_load(open(os.path.join(ROOT, "roles", "supabase_schema", "files", "rls_policies.yml")))
    assert before["domains"] and len(before["policies"]) == sum(len(t["policies"]) for t in spec["tables"])

    res = run_playbook(tasks=tasks_for(workbench_db, payload, check=mode == "check"))
    for module in ("supabase_rls", "supabase_rls_policy"):
        for clause in ("using", "with_check"):
            r = res.task("%s %s" % (module, clause))
            assert r.get("failed") is True, (module, clause, r)
            msg = r["msg"]
            assert msg.startswith(
                "Table %s policy attack_breakout: %s is refused, nothing was sent to the server: " % (TARGET, clause)
            ), msg
            assert reason in msg, msg
            assert len(msg) < 400, msg
            assert not r.get("changed")

    after = catalog_snapshot(workbench_db)
    assert after == before
    assert query(workbench_db, "select to_regclass(%s) is not null", (TARGET,)) == [(True,)]
    assert query(
        workbench_db, "select count(*) from pg_policies where policyname in ('attack_breakout', 'attack_canary')"
    ) == [(0,)]
