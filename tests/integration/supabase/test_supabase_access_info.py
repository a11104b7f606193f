"""supabase_access_info against the workbench schema, with the data the collection ships (roles/verify/files).

The database is built as test_supabase_schema_access_matrix.py builds it (playbooks/site.yml --tags supabase_schema), but no
fixture rows are committed: the module inserts them itself, inside its one transaction that is always rolled
back. Its matrix is compared cell for cell with the independent test's expectations (access_matrix.yml), and
independent reads prove that nothing was left behind.
"""

import copy
import os

import psycopg2
import pytest
import yaml
from psycopg2 import sql

from support.ansible import ROOT, run_playbook

from ansible_collections.insightpulseai.workbench.plugins.module_utils._pg_migrations import split_statements

HERE = os.path.dirname(os.path.abspath(__file__))
VERIFY_FILE = os.path.join(ROOT, "roles", "verify", "files", "access_matrix.yml")
FIXTURES_FILE = os.path.join(ROOT, "roles", "verify", "files", "access_fixtures.sql")
VERIFY = yaml.safe_load(open(VERIFY_FILE))
MATRIX = yaml.safe_load(open(os.path.join(HERE, "access_matrix.yml")))
ROWS = yaml.safe_load(open(os.path.join(HERE, "access_matrix_rows.yml")))
OPERATIONS = ("select", "insert", "update", "delete")
TABLES = sorted(MATRIX["tables"])
CLOSED_PORT_DSN = "postgresql://nobody@127.0.0.1:1/none"  # nothing listens: any connection attempt fails


def independent_expectations():
    return {table: {op: sorted(MATRIX["tables"][table][op]) for op in OPERATIONS} for table in TABLES}


@pytest.fixture(scope="module")
def schema_db(pg_server):
    name = pg_server.create_database()
    dsn = pg_server.dsn_for(name)
    res = run_playbook(
        os.path.join(ROOT, "playbooks", "site.yml"),
        inventory=os.path.join(ROOT, "inventories", "local"),
        extra_vars=dict(supabase_schema_login_dsn=dsn),
        tags="supabase_schema",
    )
    assert not res.failed, res.stdout[-3000:]
    yield dsn
    pg_server.drop_database(name)


def access_task(name, dsn, **overrides):
    """A task as a verify playbook writes it: the shipped matrix file, read on the controller."""
    args = dict(
        login_dsn=dsn,
        identities="{{ access.identities }}",
        checks="{{ access.checks }}",
        expected="{{ access.expected }}",
        fixtures_file=FIXTURES_FILE,
    )
    args.update(overrides)
    return {
        "name": name,
        "vars": {"access": "{{ lookup('ansible.builtin.file', '%s') | from_yaml }}" % VERIFY_FILE},
        "insightpulseai.workbench.supabase_access_info": args,
        "ignore_errors": True,
    }


def database_state(dsn):
    """Independent read: per table its row count (or 'unpopulated' for a never-refreshed matview), and how many
    rows carry a key value of the access matrix's fixture rows."""
    state = {}
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            for check in VERIFY["checks"]:
                schema, name = check["table"].split(".")
                target = sql.Identifier(schema, name)
                cur.execute("select relispopulated from pg_class where oid = %s::regclass", (check["table"],))
                if not cur.fetchone()[0]:
                    state[check["table"]] = "unpopulated"
                    continue
                cur.execute(sql.SQL("select count(*) from {}").format(target))
                count = cur.fetchone()[0]
                keys = sorted(set(check["values"].values())) if "values" in check else [check["value"]]
                cur.execute(
                    sql.SQL("select count(*) from {} where {}::text = any(%s)").format(
                        target, sql.Identifier(check["key"])
                    ),
                    (keys,),
                )
                state[check["table"]] = (count, cur.fetchone()[0])
        conn.rollback()
    finally:
        conn.close()
    return state


def assert_untouched(dsn, before):
    after = database_state(dsn)
    assert after == before
    assert all(v == "unpopulated" or v[1] == 0 for v in after.values()), after


# ---------------------------------------------------------------------------------------------------------
# The shipped data is the independent test's data
# ---------------------------------------------------------------------------------------------------------


def test_shipped_matrix_is_the_independent_test_data():
    expected = {t: {op: ops[op] for op in OPERATIONS} for t, ops in MATRIX["tables"].items()}
    assert VERIFY["expected"] == expected
    # identities: the claims test_supabase_schema_access_matrix.become() builds
    identities = {}
    for name, spec in ROWS["identities"].items():
        if "sub" in spec:
            identities[name] = {
                "db_role": spec["db_role"],
                "claims": {"sub": spec["sub"], "role": "authenticated", "app_metadata": {"role": spec["app_role"]}},
            }
        else:
            identities[name] = {"db_role": spec["db_role"]}  # module default claims: {"role": db_role}
    assert VERIFY["identities"] == identities
    rows = {}
    for table, spec in ROWS["tables"].items():
        spec = dict(spec)
        spec.pop("own_rows_only", None)
        rows[table] = spec
    assert {c["table"]: {k: v for k, v in c.items() if k != "table"} for c in VERIFY["checks"]} == rows
    assert len(VERIFY["checks"]) == len(rows)


def test_shipped_fixtures_are_the_ones_the_independent_test_uses():
    ours = [
        s
        for s in split_statements(open(FIXTURES_FILE).read())
        if "\n".join(line for line in s.splitlines() if not line.lstrip().startswith("--")).strip()
    ]
    assert len(ours) == 31
    independent = open(os.path.join(HERE, "test_supabase_schema_access_matrix.py")).read()
    assert '"roles", "verify", "files", "access_fixtures.sql"' in independent


# ---------------------------------------------------------------------------------------------------------
# The verify role's database stage (playbooks/verify.yml), which runs the module with the shipped files
# ---------------------------------------------------------------------------------------------------------

VERIFY_PLAYBOOK = os.path.join(ROOT, "playbooks", "verify.yml")
LOCAL_INVENTORY = os.path.join(ROOT, "inventories", "local")


def test_verify_playbook_proves_the_database(schema_db):
    """--tags verify_database with the local inventory, which hands the role supabase_schema_login_dsn: the role
    finds its files (roles/verify/files) wherever the collection is, and the database is left as it was."""
    before = database_state(schema_db)
    res = run_playbook(
        VERIFY_PLAYBOOK,
        inventory=LOCAL_INVENTORY,
        extra_vars=dict(supabase_schema_login_dsn=schema_db),
        tags="verify_database",
    )
    assert not res.failed, res.stdout[-3000:]
    counts = res.task("Assert the table count and row-level security on every table")
    assert counts["msg"].startswith("26 tables, row-level security on every table, "), counts["msg"]
    matrix = res.task("Run the access matrix for the test users (rolled back)")
    assert matrix["changed"] is False
    assert matrix["cells"] == 624
    assert matrix["mismatches"] == []
    assert matrix["matrix"] == independent_expectations()
    # only the database stage ran: the other plays' tasks are tagged with their own stage
    ran = {t["name"].split(" : ", 1)[-1] for t in res.tasks}
    assert "Ask LiteLLM whether it is alive and ready" not in ran
    assert "Ask n8n whether it is up and ready" not in ran
    assert_untouched(schema_db, before)


def test_verify_playbook_refuses_a_bad_dsn_first(schema_db):
    """The stage's preflight names verify_dsn and hides its value, before any query."""
    secret = "verify-dsn-password-5e1"
    res = run_playbook(
        VERIFY_PLAYBOOK,
        inventory=LOCAL_INVENTORY,
        extra_vars=dict(verify_dsn="host=127.0.0.1 port=1 dbname=postgres user=postgres password=" + secret),
        tags="verify_database",
    )
    assert res.failed
    failure = res.failure()
    assert failure is not None, res.stdout[-3000:]
    assert "verify_dsn=<hidden, it holds a password> is invalid: expected a libpq URI" in str(failure), failure
    assert secret not in res.stdout + res.stderr
    ran = [t["name"].split(" : ", 1)[-1] for t in res.tasks]
    assert "Count the tables and the row-level security on them" not in ran, ran


# ---------------------------------------------------------------------------------------------------------
# The module on a live database
# ---------------------------------------------------------------------------------------------------------


def test_module_proves_the_matrix_and_leaves_nothing_behind(schema_db):
    before = database_state(schema_db)
    assert len(before) == 26
    results = [
        run_playbook(tasks=[access_task("verify", schema_db)], check=check).task("verify") for check in (False, True)
    ]
    for result in results:
        assert not result.get("failed"), result.get("msg")
        assert result["changed"] is False
        assert result["cells"] == 624
        assert result["mismatches"] == []
        assert result["tables"] == TABLES
        assert result["matrix"] == independent_expectations()
    assert_untouched(schema_db, before)


def test_mutated_expectation_fails_naming_the_cells(schema_db):
    before = database_state(schema_db)
    expected = copy.deepcopy(VERIFY["expected"])
    expected["ip_workbench.domains"]["update"].append("viewer")  # really denied
    expected["gold.scout_sales"]["select"].remove("viewer")  # really allowed
    expected["platinum.scout_sales_trends"]["insert"].append("service_role")  # really denied (matview)
    res = run_playbook(tasks=[access_task("verify", schema_db, expected=expected)])
    result = res.task("verify")
    assert result["failed"] is True
    assert result["msg"].startswith("The access matrix differs from expected in 3 of 624 cells: ")
    mismatches = result["mismatches"]
    assert len(mismatches) == 3
    assert mismatches[0].startswith("update ip_workbench.domains as viewer: expected allowed, got denied (")
    assert mismatches[1] == "select gold.scout_sales as viewer: expected denied, got allowed (saw 1 row)"
    assert mismatches[2].startswith(
        "insert platinum.scout_sales_trends as service_role: expected allowed, got denied (42"
    )
    for line in mismatches:
        assert line in result["msg"]
    # the matrix is still reported, and is still the true one
    assert result["matrix"] == independent_expectations()
    assert_untouched(schema_db, before)


def test_unexpected_errors_fail_naming_the_cell_and_sqlstate(schema_db, tmp_path):
    before = database_state(schema_db)
    bad_file = tmp_path / "bad.sql"
    bad_file.write_text("select 1;\n\n-- the second statement\ninsert into ip_workbench.nope values (1);\n")
    one_table = dict(
        identities={"anon": {"db_role": "anon"}, "service_role": {"db_role": "service_role"}},
        expected=None,
        fixtures_file=None,
    )
    res = run_playbook(
        tasks=[
            access_task(
                "division by zero",
                schema_db,
                checks=[
                    {
                        "table": "ip_workbench.domains",
                        "operations": ["select"],
                        "statements": {"select": "select 1 / 0"},
                    }
                ],
                **one_table,
            ),
            access_task(
                "bad fixture",
                schema_db,
                fixtures=["insert into ip_workbench.domains (id, name) values ('f9', 'x')"],
                checks=[
                    {
                        "table": "ip_workbench.domains",
                        "operations": ["select"],
                        "key": "id",
                        "value": "f0000000-0000-4000-8000-000000000001",
                    }
                ],
                **one_table,
            ),
            access_task(
                "missing table",
                schema_db,
                checks=[{"table": "ip_workbench.nope", "operations": ["select"], "key": "id", "value": 1}],
                **one_table,
            ),
            # the list runs after the file: this row is already there
            access_task(
                "conflicting fixture",
                schema_db,
                fixtures=[
                    "insert into ip_workbench.domains (id, name, display_name) values "
                    "('f0000000-0000-4000-8000-000000000001', 'dup', 'Dup')"
                ],
            ),
            access_task("bad fixtures file", schema_db, fixtures_file=str(bad_file)),
        ]
    )
    msg = res.task("division by zero")["msg"]
    assert msg == (
        "select ip_workbench.domains as anon failed with SQLSTATE 22012, which is not a permission denial: "
        "[22012] division by zero (statement: select 1 / 0). "
        "Nothing was changed: the transaction was rolled back."
    ), msg
    msg = res.task("bad fixture")["msg"]
    assert msg.startswith("Fixture fixtures[0] failed: [22P02] invalid input syntax for type uuid"), msg
    assert res.task("missing table")["msg"].startswith("Table(s) not found: ip_workbench.nope.")
    msg = res.task("conflicting fixture")["msg"]
    assert msg.startswith(
        'Fixture fixtures[0] failed: [23505] duplicate key value violates unique constraint "domains_pkey"'
    )
    msg = res.task("bad fixtures file")["msg"]
    assert msg.startswith(
        "Fixture bad.sql statement 2 (line 4) failed: [42P01] relation \"ip_workbench.nope\" does not "
        "exist (statement: insert into ip_workbench.nope values (1)). Nothing was changed"
    ), msg
    assert_untouched(schema_db, before)


def test_bad_options_fail_before_any_sql(schema_db):
    """Nothing listens on the DSN: a message other than 'Failed to connect' proves validation came first."""
    checks = [{"table": "ip_workbench.domains", "operations": ["select"], "key": "id", "value": "x"}]
    identities = {"anon": {"db_role": "anon"}}
    cases = {
        "unknown operation in checks": dict(checks=[dict(checks[0], operations=["select", "truncate"])]),
        "unknown operation in expected": dict(expected={"ip_workbench.domains": {"select": [], "truncate": []}}),
        "table not in schema.name form": dict(checks=[dict(checks[0], table="domains")], expected=None),
        "undefined identity in expected": dict(expected={"ip_workbench.domains": {"select": ["anon", "mallory"]}}),
        "undefined identity in values": dict(
            checks=[dict(table="ip_workbench.domains", key="id", values={"anon": "x", "eve": "y"})], expected=None
        ),
        "transaction control in fixtures": dict(fixtures=["insert into t values (1); commit"], expected=None),
    }
    tasks = []
    for name, overrides in cases.items():
        args = dict(checks=checks, identities=identities, fixtures_file=None)
        args.update(overrides)
        tasks.append(access_task(name, CLOSED_PORT_DSN, **args))
    res = run_playbook(tasks=tasks)
    messages = {name: res.task(name)["msg"] for name in cases}
    for name, msg in messages.items():
        assert res.task(name)["failed"] is True, name
        assert "Failed to connect" not in msg, (name, msg)
    assert "truncate" in messages["unknown operation in checks"]
    assert "operations" in messages["unknown operation in checks"]
    assert messages["unknown operation in expected"].endswith(
        "expected.ip_workbench.domains: unknown operation 'truncate' (allowed: select, insert, update, delete)."
    )
    assert "checks[0].table 'domains' is not in schema.name form" in messages["table not in schema.name form"]
    assert (
        "expected.ip_workbench.domains.select names identity mallory, which is not defined in identities "
        "(defined: anon)."
    ) in messages["undefined identity in expected"]
    assert "values names identity eve, which is not defined in identities" in messages["undefined identity in values"]
    assert (
        "fixtures[0] statement 2 is a transaction-control statement (COMMIT)"
        in messages["transaction control in fixtures"]
    )
    for name in cases:
        if name != "unknown operation in checks":  # that one is Ansible's own argument check
            assert messages[name].startswith("Invalid access matrix options (nothing was run): "), messages[name]
