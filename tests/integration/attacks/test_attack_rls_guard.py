"""Attack: the layers behind the expression check, each proven on its own against the real server.

1. Transaction control cannot run. The expression check is bypassed on purpose (the policy dicts are built by hand
   and handed straight to _pg_rls.converge, exactly what the modules call): the probe and the apply path send every
   statement through PL/pgSQL EXECUTE, which refuses COMMIT/ROLLBACK/SAVEPOINT/RELEASE, so a check-mode run ends in
   a rollback of everything, whatever the text holds.
2. The server reads quotes the way the check does. A database whose default is standard_conforming_strings = off
   reads '\\' as an escaped quote, so text the check (rightly, for the standard setting) sees as two strings is code
   there. The modules set standard_conforming_strings on for their transaction: the payload stays a (bad) string.
"""

import psycopg2
import psycopg2.extensions
import pytest

from support.ansible import run_playbook
from support.pg import catalog_snapshot, execute, query

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _pg_rls, _pg_rls_spec

DROP = "DROP TABLE ip_workbench.domains CASCADE"
TX_CONTROL = {
    "commit": "true); COMMIT; %s; --" % DROP,
    "end": "true); END; %s; --" % DROP,
    "leave-savepoint": "true); RELEASE SAVEPOINT workbench_rls_probe; COMMIT; --",
    "rollback-to": "true); ROLLBACK TO SAVEPOINT workbench_rls_probe; COMMIT AND CHAIN; --",
    "prepare": "true); PREPARE TRANSACTION 'attack'; --",
}


def bypassing_policy(payload):
    """A policy exactly as normalize_policy would return it, but with text it would refuse."""
    assert _pg_rls_spec.expression_problem(payload) is not None  # the first layer would have stopped it
    return dict(
        name="attack_guard",
        state="present",
        command="ALL",
        permissive=True,
        roles=("authenticated",),
        using=payload,
        with_check=None,
    )


def spec(payload):
    return [
        dict(
            schema="ip_workbench",
            table="domains",
            rls_enabled=True,
            rls_forced=None,
            purge=False,
            policies=[bypassing_policy(payload)],
        )
    ]


@pytest.mark.parametrize("check_mode", [True, False], ids=["check", "apply"])
@pytest.mark.parametrize("payload", TX_CONTROL.values(), ids=list(TX_CONTROL))
def test_transaction_control_never_runs_even_without_the_expression_check(workbench_db, payload, check_mode):
    before = catalog_snapshot(workbench_db)
    conn = psycopg2.connect(workbench_db)
    try:
        with conn.cursor() as cur:
            with pytest.raises(_pg_rls_spec.SpecError) as err:
                _pg_rls.converge(cur, spec(payload), check_mode=check_mode, allow_missing_tables=False)
            # still inside the caller's transaction, savepoint rolled back: the guard refused, nothing ended it
            assert conn.get_transaction_status() == psycopg2.extensions.TRANSACTION_STATUS_INTRANS
            cur.execute("select 1")
        conn.rollback()
    finally:
        conn.close()
    msg = str(err.value)
    assert msg.startswith("Policy attack_guard on ip_workbench.domains is not valid: "), msg
    assert "EXECUTE of transaction commands is not implemented" in msg, msg
    assert catalog_snapshot(workbench_db) == before
    assert query(workbench_db, "select count(*) from pg_prepared_xacts") == [(0,)]


def test_a_second_statement_in_check_mode_is_rolled_back_with_the_probe(workbench_db):
    """Without the expression check a second statement runs inside the probe's savepoint and would run again in
    apply mode (which is why the check refuses it before connecting); check mode still ends in a rollback and
    leaves nothing behind."""
    before = catalog_snapshot(workbench_db)
    payload = "true); %s; --" % DROP
    conn = psycopg2.connect(workbench_db)
    try:
        with conn.cursor() as cur:
            queries = _pg_rls.converge(cur, spec(payload), check_mode=True, allow_missing_tables=False)[0]
            assert any(payload in q for q in queries), queries
            cur.execute("select to_regclass('ip_workbench.domains') is not null")
            assert cur.fetchone() == (True,)  # the savepoint rolled the probe's DROP back
        conn.rollback()
    finally:
        conn.close()
    assert catalog_snapshot(workbench_db) == before


@pytest.fixture
def sloppy_db(db):
    """A small copy of the target whose database default is standard_conforming_strings = off."""
    name = db.rsplit("/", 1)[1]
    execute(
        db,
        """create schema ip_workbench;
                   create table ip_workbench.domains (id int primary key);
                   create table ip_workbench.agents (id int primary key);
                   insert into ip_workbench.domains values (1), (2);
                   alter table ip_workbench.domains enable row level security;
                   create policy domains_read on ip_workbench.domains for select to authenticated using (true)""",
    )
    execute(db, 'alter database "%s" set standard_conforming_strings = off' % name)
    return db


# Read with standard_conforming_strings on (the check, and the modules' transaction): the strings '\', ' = ' and
# ' ); DROP ...; -- ' around an identifier y, so no ';' outside quotes, and a syntax error for the server.
# Read with it off (this database's default): the string '\' = ' compared with 'y', then ); DROP ...; -- ')
PAYLOAD = "'\\' = ' = 'y' ); %s; -- '" % DROP


def test_payload_is_live_under_the_database_setting(sloppy_db):
    """The witness: sent as is on a connection with the database's setting, the payload drops the table."""
    assert _pg_rls_spec.expression_problem(PAYLOAD) is None  # two well-formed standard strings to the check
    conn = psycopg2.connect(sloppy_db)
    try:
        with conn.cursor() as cur:
            cur.execute("show standard_conforming_strings")
            assert cur.fetchone() == ("off",)
            cur.execute(
                _pg_rls.create_policy_sql(
                    "ip_workbench",
                    "domains",
                    dict(
                        name="witness",
                        command="SELECT",
                        permissive=True,
                        roles=("authenticated",),
                        using=PAYLOAD,
                        with_check=None,
                    ),
                )
            )
            cur.execute("select to_regclass('ip_workbench.domains')")
            assert cur.fetchone() == (None,)
    finally:
        conn.rollback()
        conn.close()
    assert query(sloppy_db, "select to_regclass('ip_workbench.domains') is not null") == [(True,)]


def test_modules_read_quotes_as_the_check_does(sloppy_db):
    before = catalog_snapshot(sloppy_db)
    tasks = []
    for check in (True, False):
        for clause in ("using", "with_check"):
            policy = dict(name="attack_scs", command="ALL", using="true", with_check="true")
            policy[clause] = PAYLOAD
            tasks.append(
                {
                    "name": "supabase_rls %s %s" % (clause, check),
                    "check_mode": check,
                    "ignore_errors": True,
                    "insightpulseai.workbench.supabase_rls": dict(
                        login_dsn=sloppy_db, tables=[dict(schema="ip_workbench", table="domains", policies=[policy])]
                    ),
                }
            )
            tasks.append(
                {
                    "name": "supabase_rls_policy %s %s" % (clause, check),
                    "check_mode": check,
                    "ignore_errors": True,
                    "insightpulseai.workbench.supabase_rls_policy": dict(
                        login_dsn=sloppy_db, schema="ip_workbench", table="domains", **policy
                    ),
                }
            )
    res = run_playbook(tasks=tasks)
    for task in tasks:
        r = res.task(task["name"])
        assert r.get("failed") is True, (task["name"], r)
        # PostgreSQL, reading quotes as the check does, sees one malformed expression: a syntax error
        assert r["msg"].startswith("Policy attack_scs on ip_workbench.domains is not valid: [42601] syntax error"), r[
            "msg"
        ]
    assert catalog_snapshot(sloppy_db) == before
    assert query(sloppy_db, "select count(*) from ip_workbench.domains") == [(2,)]
