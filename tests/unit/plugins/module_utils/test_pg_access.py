import json
import os

import psycopg2
import pytest
import yaml

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _pg_access, _pg_client, _runtime

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
IDENTITIES = _pg_access.normalize_identities(
    {
        "anon": {"db_role": "anon"},
        "alice": {"db_role": "authenticated", "claims": {"sub": "a", "role": "authenticated"}},
    }
)


def check(**kw):
    raw = dict(table="app.notes", key="id", value=7, insert={"body": "x"}, update={"body": "y"})
    raw.update(kw)
    return _pg_access.normalize_check(raw, IDENTITIES, 0)


# ---------------------------------------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, parts", [("a.b", ("a", "b")), ("Mixed.Case", ("Mixed", "Case"))])
def test_parse_table(name, parts):
    assert _pg_access.parse_table(name) == parts


@pytest.mark.parametrize("name", ["domains", "a.b.c", ".b", "a.", " . ", None, 3])
def test_parse_table_refuses_other_forms_naming_the_value(name):
    with pytest.raises(_pg_access.SpecError) as err:
        _pg_access.parse_table(name, "checks[0].table")
    assert str(err.value) == "checks[0].table %r is not in schema.name form (for example ip_workbench.domains)." % (
        name,
    )


def test_identities_default_claims_are_the_role():
    assert IDENTITIES == {
        "anon": {"db_role": "anon", "claims": {"role": "anon"}},
        "alice": {"db_role": "authenticated", "claims": {"sub": "a", "role": "authenticated"}},
    }


@pytest.mark.parametrize(
    "raw, message",
    [
        ({}, "identities must be a non-empty dict"),
        ({"x": "anon"}, "identities.x must be a dict with db_role"),
        ({"x": {}}, "identities.x.db_role must be a non-empty string, got None."),
        ({"x": {"db_role": "anon", "sub": "1"}}, "identities.x: unknown key(s) sub (allowed: db_role, claims)."),
        ({"x": {"db_role": "anon", "claims": "role=anon"}}, "identities.x.claims must be a dict"),
    ],
)
def test_identity_errors(raw, message):
    with pytest.raises(_pg_access.SpecError) as err:
        _pg_access.normalize_identities(raw)
    assert message in str(err.value)


def test_check_defaults_and_operation_order():
    c = check(operations=["delete", "select"])
    assert c["operations"] == ["select", "delete"]
    assert (c["schema"], c["name"], c["statements"]) == ("app", "notes", {})
    assert check()["operations"] == ["select", "insert", "update", "delete"]
    assert check(operations="update")["operations"] == ["update"]


@pytest.mark.parametrize(
    "kw, message",
    [
        (
            dict(operations=["select", "truncate"]),
            "checks[0] (app.notes): unknown operation 'truncate' (allowed: select, insert, update, delete).",
        ),
        (dict(operations=[]), "operations must be a non-empty list"),
        (dict(operations=["select", "select"]), "lists an operation twice"),
        (dict(table="notes"), "checks[0].table 'notes' is not in schema.name form"),
        (dict(colour="red"), "checks[0]: unknown key(s) colour"),
        (dict(statements={"merge": "select 1"}), "statements: unknown operation 'merge'"),
        (
            dict(operations=["select"], statements={"delete": "delete from t"}),
            "statements.delete is given but delete is not in operations.",
        ),
        (
            dict(statements={"select": "select 1; select 2"}),
            "statements.select must be exactly one SQL statement, got 2.",
        ),
        (dict(statements={"select": "-- hi\ncommit"}), "statements.select is a transaction-control statement (COMMIT)"),
        (
            dict(values={"anon": 1, "alice": 2}),
            "give value (one row for everybody) or values (a row per identity), not both.",
        ),
        (dict(owner_column="user_id"), "owner_column and owners go together."),
        (dict(key=None), "select/update/delete need key and value (or values), or a statement in statements."),
        (dict(value=None), "select/update/delete need key and value (or values)"),
        (dict(insert=None), "insert needs the column values of a new row in insert ({} for DEFAULT VALUES)"),
        (dict(insert={"payload": {"a": 1}}), "insert.payload must be a plain scalar (PostgreSQL casts the literal"),
        (dict(update={"tags": ["a"]}), "update.tags must be a plain scalar"),
        (dict(value={"id": 1}), "value must be a plain scalar"),
        (dict(value=None, values={"anon": 1}), "values has no value for identity alice."),
        (
            dict(value=None, values={"anon": 1, "alice": 2, "eve": 3}),
            "checks[0] (app.notes).values names identity eve, which is not defined in identities (defined: anon, alice).",
        ),
        (dict(owner_column="user_id", owners={"anon": "u"}), "owners has no value for identity alice."),
    ],
)
def test_check_errors_name_the_value(kw, message):
    with pytest.raises(_pg_access.SpecError) as err:
        check(**kw)
    assert message in str(err.value)


def test_statements_replace_what_they_cover():
    c = check(
        key=None,
        value=None,
        insert=None,
        update=None,
        operations=["select"],
        statements={"select": "select 1 from app.notes where user_id = auth.uid()"},
    )
    assert _pg_access.cell_statement(c, "select", "alice") == (
        "select 1 from app.notes where user_id = auth.uid()",
        None,
    )


def test_a_cell_is_checked_once():
    with pytest.raises(
        _pg_access.SpecError, match=r"update app.notes is checked twice \(checks\[0\] and checks\[1\]\)"
    ):
        _pg_access.normalize_checks(
            [
                dict(table="app.notes", operations=["update"], key="id", value=1),
                dict(table="app.notes", key="id", value=1, insert={}),
            ],
            IDENTITIES,
        )
    with pytest.raises(_pg_access.SpecError, match="checks must be a non-empty list"):
        _pg_access.normalize_checks([], IDENTITIES)


def test_expected_is_normalised_and_must_cover_exactly_the_checked_cells():
    checks = [check(operations=["select", "delete"])]
    assert _pg_access.normalize_expected({"app.notes": {"select": ["alice"], "delete": None}}, checks, IDENTITIES) == {
        ("app.notes", "select"): frozenset(["alice"]),
        ("app.notes", "delete"): frozenset(),
    }
    assert _pg_access.normalize_expected(None, checks, IDENTITIES) is None
    with pytest.raises(_pg_access.SpecError) as err:
        _pg_access.normalize_expected({"app.notes": {"select": []}}, checks, IDENTITIES)
    assert "expected says nothing about delete app.notes." in str(err.value)
    with pytest.raises(_pg_access.SpecError) as err:
        _pg_access.normalize_expected(
            {"app.notes": {"select": [], "delete": [], "update": []}, "app.other": {"select": []}}, checks, IDENTITIES
        )
    assert "expected covers cells no check runs: select app.other, update app.notes." in str(err.value)


@pytest.mark.parametrize(
    "expected, message",
    [
        ({"notes": {"select": []}}, "expected table 'notes' is not in schema.name form"),
        ({"app.notes": {"truncate": []}}, "expected.app.notes: unknown operation 'truncate'"),
        (
            {"app.notes": {"select": ["alice", "mallory"]}},
            "expected.app.notes.select names identity mallory, which is not defined in identities (defined: anon, alice).",
        ),
        ({"app.notes": {"select": "alice"}}, "expected.app.notes.select must be a list of identity names"),
        ({"app.notes": {"select": ["alice", "alice"]}}, "lists an identity twice"),
        ({"app.notes": ["select"]}, "expected.app.notes must be a dict of operation"),
    ],
)
def test_expected_errors_name_the_value(expected, message):
    with pytest.raises(_pg_access.SpecError) as err:
        _pg_access.normalize_expected(expected, [check(operations=["select"])], IDENTITIES)
    assert message in str(err.value)


# ---------------------------------------------------------------------------------------------------------
# statements
# ---------------------------------------------------------------------------------------------------------


def test_generated_statements():
    c = check()
    assert _pg_access.cell_statement(c, "select", "anon") == ("SELECT 1 FROM app.notes WHERE id = %s", [7])
    assert _pg_access.cell_statement(c, "insert", "anon") == ("INSERT INTO app.notes (body) VALUES (%s)", ["x"])
    assert _pg_access.cell_statement(c, "update", "anon") == ("UPDATE app.notes SET body = %s WHERE id = %s", ["y", 7])
    assert _pg_access.cell_statement(c, "delete", "anon") == ("DELETE FROM app.notes WHERE id = %s", [7])


def test_empty_insert_and_update():
    c = check(insert={}, update={})
    assert _pg_access.cell_statement(c, "insert", "anon") == ("INSERT INTO app.notes DEFAULT VALUES", [])
    # without update values the key is set to itself: still needs the privilege and passes the policies
    assert _pg_access.cell_statement(c, "update", "anon") == ("UPDATE app.notes SET id = %s WHERE id = %s", [7, 7])
    assert _pg_access.cell_statement(check(update=None), "update", "anon")[1] == [7, 7]


def test_own_rows_use_the_identity_values():
    c = check(
        value=None, values={"anon": "r1", "alice": "r2"}, owner_column="user_id", owners={"anon": "u1", "alice": "u2"}
    )
    assert _pg_access.cell_statement(c, "select", "alice") == ("SELECT 1 FROM app.notes WHERE id = %s", ["r2"])
    assert _pg_access.cell_statement(c, "insert", "alice") == (
        "INSERT INTO app.notes (body, user_id) VALUES (%s, %s)",
        ["x", "u2"],
    )
    assert _pg_access.cell_statement(c, "delete", "anon") == ("DELETE FROM app.notes WHERE id = %s", ["r1"])


def test_identifiers_are_quoted_and_percent_escaped():
    c = _pg_access.normalize_check(
        dict(table="My Schema.user", key="select", value=1, insert={"100%": 1}), IDENTITIES, 0
    )
    assert _pg_access.cell_statement(c, "select", "anon") == (
        'SELECT 1 FROM "My Schema"."user" WHERE "select" = %s',
        [1],
    )
    assert _pg_access.cell_statement(c, "insert", "anon") == (
        'INSERT INTO "My Schema"."user" ("100%%") VALUES (%s)',
        [1],
    )


def test_become_statements_are_what_postgrest_runs():
    assert _pg_access.become_statements(IDENTITIES["alice"]) == [
        ("SET LOCAL ROLE authenticated", None),
        ("SELECT set_config('request.jwt.claims', %s, true)", ['{"role":"authenticated","sub":"a"}']),
    ]
    assert _pg_access.become_statements({"db_role": "Odd Role", "claims": {}})[0] == ('SET LOCAL ROLE "Odd Role"', None)


# ---------------------------------------------------------------------------------------------------------
# judging and comparing
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "op, rowcount, allowed, detail",
    [
        ("select", 1, True, "saw 1 row"),
        ("select", 0, False, "saw 0 rows"),
        ("select", 2, False, "saw 2 rows"),
        ("insert", 1, True, "inserted 1 row"),
        ("insert", 0, False, "inserted 0 rows"),
        ("update", 1, True, "affected 1 row"),
        ("update", 0, False, "affected 0 rows"),
        ("delete", 3, False, "affected 3 rows"),
    ],
)
def test_judge(op, rowcount, allowed, detail):
    assert _pg_access.judge(op, rowcount) == (allowed, detail)


@pytest.mark.parametrize(
    "op, relkind, code, denial",
    [
        ("select", "r", "42501", True),
        ("update", "r", "42501", True),
        ("insert", "m", "42809", True),
        ("delete", "m", "42809", True),
        ("select", "m", "42809", False),
        ("update", "r", "42809", False),
        ("insert", "r", "23505", False),
        ("select", "r", "22012", False),
    ],
)
def test_is_denial(op, relkind, code, denial):
    assert _pg_access.is_denial(op, relkind, code) is denial


RESULTS = [
    ("app.notes", "select", "anon", False, "42501 permission denied for table notes"),
    ("app.notes", "select", "alice", True, "saw 1 row"),
    ("app.notes", "delete", "anon", False, "affected 0 rows"),
    ("app.notes", "delete", "alice", False, "affected 0 rows"),
]


def test_matrix_lists_every_checked_operation():
    assert _pg_access.build_matrix(RESULTS) == {"app.notes": {"select": ["alice"], "delete": []}}


def test_compare_lists_every_mismatching_cell():
    expected = {("app.notes", "select"): frozenset(["anon", "alice"]), ("app.notes", "delete"): frozenset(["alice"])}
    assert _pg_access.compare(RESULTS, expected) == [
        "select app.notes as anon: expected allowed, got denied (42501 permission denied for table notes)",
        "delete app.notes as alice: expected allowed, got denied (affected 0 rows)",
    ]
    expected = {("app.notes", "select"): frozenset(), ("app.notes", "delete"): frozenset()}
    assert _pg_access.compare(RESULTS, expected) == [
        "select app.notes as alice: expected denied, got allowed (saw 1 row)"
    ]
    assert _pg_access.compare(RESULTS, None) == []


# ---------------------------------------------------------------------------------------------------------
# fixtures
# ---------------------------------------------------------------------------------------------------------


def test_fixtures_file_first_then_list_with_locations():
    text = "-- header\ninsert into a values (1);\n\n/* two */\ninsert into b values ('x;y');\n"
    assert _pg_access.load_fixtures(["select 1", "select 2; select 3"], text, "f.sql") == [
        ("f.sql statement 1 (line 2)", "-- header\ninsert into a values (1)"),
        ("f.sql statement 2 (line 5)", "/* two */\ninsert into b values ('x;y')"),
        ("fixtures[0]", "select 1"),
        ("fixtures[1] statement 1", "select 2"),
        ("fixtures[1] statement 2", "select 3"),
    ]
    assert _pg_access.load_fixtures([], None) == []


@pytest.mark.parametrize(
    "statement",
    [
        "commit",
        "COMMIT AND CHAIN",
        "begin",
        "start transaction read only",
        "end",
        "rollback",
        "abort",
        "savepoint s",
        "release s",
        "prepare transaction 'x'",
        "-- note\n  Commit",
    ],
)
def test_fixtures_refuse_transaction_control(statement):
    with pytest.raises(_pg_access.SpecError, match="is a transaction-control statement"):
        _pg_access.load_fixtures(["insert into t values (1); " + statement])


@pytest.mark.parametrize(
    "statement",
    [
        "select * from commits",
        "update ends set x = 1",
        "prepare q as select 1",
        "do $$ begin perform 1; end $$",
        "insert into t (release) values (1)",
    ],
)
def test_fixtures_allow_ordinary_statements(statement):
    assert len(_pg_access.load_fixtures([statement])) == 1


# ---------------------------------------------------------------------------------------------------------
# verify() against a scripted connection: the exact PostgREST-like sequence and the rollback
# ---------------------------------------------------------------------------------------------------------


class PgError(Exception):
    def __init__(self, pgcode, message):
        super().__init__(message)
        self.pgcode = pgcode
        self.diag = type("Diag", (), dict(message_primary=message, message_detail=None, message_hint=None))()


class FakeCursor(object):
    def __init__(self, conn):
        self.conn = conn
        self.rowcount = -1
        self.rows = []

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute(self, statement, params=None):
        self.conn.log.append((statement, params))
        if "pg_catalog.pg_class" in statement:
            self.rows = [("app", "notes", self.conn.relkind)]
            return
        if "pg_catalog.pg_roles" in statement:
            self.rows = [(r,) for r in params[0] if r in self.conn.roles]
            return
        outcomes = [v for k, v in self.conn.outcomes.items() if statement.startswith(k)]
        outcome = outcomes[0] if outcomes else -1
        if isinstance(outcome, Exception):
            raise outcome
        self.rowcount = outcome

    def fetchall(self):
        return self.rows


class FakeConn(object):
    def __init__(self, outcomes=None, relkind="r", roles=("anon", "authenticated")):
        self.log = []
        self.outcomes = outcomes or {}
        self.relkind = relkind
        self.roles = roles
        self.rollbacks = 0

    def cursor(self):
        return FakeCursor(self)

    def rollback(self):
        self.rollbacks += 1

    def commit(self):  # pragma: no cover - must never happen
        raise AssertionError("verify() committed")


def spec(operations=("select",), expected=None):
    return _pg_access.normalize(
        {"anon": {"db_role": "anon"}, "alice": {"db_role": "authenticated", "claims": {"sub": "a"}}},
        [dict(table="app.notes", operations=list(operations), key="id", value=7, insert={"body": "x"})],
        expected,
    )


def test_verify_runs_each_cell_like_postgrest_and_always_rolls_back():
    conn = FakeConn({"SELECT 1": 1, "INSERT": PgError("42501", "permission denied for table notes")})
    result = _pg_access.verify(
        conn, spec(("select", "insert")), [("fixtures[0]", "insert into app.notes values (7)")], 10
    )
    assert conn.rollbacks == 1
    statements = [s for s, p in conn.log]
    assert statements[:2] == ["SET LOCAL lock_timeout = %s", "insert into app.notes values (7)"]
    assert conn.log[0][1] == ("10s",)
    first_cell = conn.log[4:11]
    assert first_cell == [
        ("SAVEPOINT workbench_access_cell", None),
        ("SET LOCAL ROLE anon", None),
        ("SELECT set_config('request.jwt.claims', %s, true)", ['{"role":"anon"}']),
        ("SELECT 1 FROM app.notes WHERE id = %s", [7]),
        ("ROLLBACK TO SAVEPOINT workbench_access_cell", None),
        ("RELEASE SAVEPOINT workbench_access_cell", None),
        ("RESET ROLE", None),
    ]
    assert statements.count("SAVEPOINT workbench_access_cell") == 4
    assert statements.count("RESET ROLE") == 4
    assert result == dict(
        matrix={"app.notes": {"select": ["alice", "anon"], "insert": []}}, cells=4, mismatches=[], tables=["app.notes"]
    )


def test_verify_reports_mismatches():
    conn = FakeConn({"SELECT 1": 0})
    result = _pg_access.verify(conn, spec(expected={"app.notes": {"select": ["alice"]}}), [])
    assert result["mismatches"] == ["select app.notes as alice: expected allowed, got denied (saw 0 rows)"]
    assert conn.log[0][0] != "SET LOCAL lock_timeout = %s"  # lock_timeout 0 / None: wait forever


def test_verify_matview_writes_refused_with_42809_are_denials():
    conn = FakeConn({"INSERT": PgError("42809", 'cannot change materialized view "m"')}, relkind="m")
    result = _pg_access.verify(conn, spec(("insert",)), [])
    assert result["matrix"] == {"app.notes": {"insert": []}}


@pytest.mark.parametrize(
    "outcomes, fixtures, message",
    [
        (
            {"SELECT 1": PgError("22012", "division by zero")},
            [],
            "select app.notes as anon failed with SQLSTATE 22012, which is not a permission denial: [22012] division by zero "
            "(statement: SELECT 1 FROM app.notes WHERE id = %s).",
        ),
        (
            {"SELECT 1": PgError("42809", "wrong object type")},
            [],
            "select app.notes as anon failed with SQLSTATE 42809",
        ),
        (
            {"SET LOCAL ROLE": PgError("42501", "permission denied to set role \"anon\"")},
            [],
            'Cannot act as identity anon (database role anon) for select app.notes as anon: [42501] permission denied to set role "anon".',
        ),
        (
            {"insert": PgError("23505", "duplicate key value")},
            [("f.sql statement 3 (line 9)", "insert into app.notes values (7)")],
            "Fixture f.sql statement 3 (line 9) failed: [23505] duplicate key value (statement: insert into app.notes values (7)).",
        ),
    ],
)
def test_verify_fails_on_anything_but_a_denial_and_still_rolls_back(outcomes, fixtures, message):
    conn = FakeConn(outcomes)
    with pytest.raises(_pg_access.CellError) as err:
        _pg_access.verify(conn, spec(), fixtures)
    assert str(err.value).startswith(message)
    assert conn.rollbacks == 1
    if not fixtures:  # the failing cell's savepoint was rolled back before giving up
        assert conn.log[-3:] == [
            ("ROLLBACK TO SAVEPOINT workbench_access_cell", None),
            ("RELEASE SAVEPOINT workbench_access_cell", None),
            ("RESET ROLE", None),
        ]


def test_verify_db_errors_outside_a_cell_name_the_progress_and_a_broken_rollback_is_not_hidden():
    class Broken(FakeConn):
        def rollback(self):
            self.rollbacks += 1
            raise psycopg2.InterfaceError("connection already closed")

    conn = Broken({"RELEASE": PgError("08006", "server closed the connection unexpectedly")})
    with pytest.raises(_pg_access.CellError) as err:
        _pg_access.verify(conn, spec(), [])
    assert (
        str(err.value)
        == "Failed to run the access matrix after 0 cell(s): [08006] server closed the connection unexpectedly."
    )
    assert conn.rollbacks == 1


def test_verify_lets_programming_errors_through_after_rolling_back():
    conn = FakeConn({"SELECT 1": KeyError("bug")})
    with pytest.raises(_pg_access.CellError):  # an error without SQLSTATE in a cell is still that cell's failure
        _pg_access.verify(conn, spec(), [])
    conn = FakeConn({"SAVEPOINT": KeyError("bug")})
    with pytest.raises(KeyError):
        _pg_access.verify(conn, spec(), [])
    assert conn.rollbacks == 1


def test_verify_names_missing_tables_and_roles():
    conn = FakeConn()
    bad = _pg_access.normalize(
        {"x": {"db_role": "ghost"}}, [dict(table="app.notes", operations=["select"], key="id", value=1)]
    )
    with pytest.raises(_pg_access.CellError, match=r"Database role\(s\) not found: ghost \(used by identities x\)."):
        _pg_access.verify(conn, bad, [])
    missing = _pg_access.normalize(
        {"x": {"db_role": "anon"}}, [dict(table="app.gone", operations=["select"], key="id", value=1)]
    )
    with pytest.raises(_pg_access.CellError, match=r"Table\(s\) not found: app.gone."):
        _pg_access.verify(FakeConn(), missing, [])


# ---------------------------------------------------------------------------------------------------------
# the data the collection ships
# ---------------------------------------------------------------------------------------------------------


def test_shipped_access_matrix_is_valid_and_has_624_cells():
    data = yaml.safe_load(open(os.path.join(ROOT, "roles", "verify", "files", "access_matrix.yml")))
    assert sorted(data) == ["checks", "expected", "identities"]
    shipped = _pg_access.normalize(data["identities"], data["checks"], data["expected"])
    assert len(_pg_access.cells(shipped["checks"], shipped["identities"])) == 624
    assert len(shipped["checks"]) == 26
    assert json.loads(_pg_access.claims_json(shipped["identities"]["viewer"])) == {
        "app_metadata": {"role": "viewer"},
        "role": "authenticated",
        "sub": "00000000-0000-4000-8000-000000000001",
    }
    fixtures = _pg_access.load_fixtures(
        None,
        open(os.path.join(ROOT, "roles", "verify", "files", "access_fixtures.sql")).read(),
        "access_fixtures.sql",
    )
    assert len(fixtures) == 31


def test_verify_counts_every_statement_it_sends_as_a_read_or_a_write():
    conn = FakeConn({"SELECT 1": 1, "INSERT": PgError("42501", "permission denied for table notes")})
    counter = _pg_client.StatementCounter()
    _pg_access.verify(
        conn, spec(("select", "insert")), [("fixtures[0]", "insert into app.notes values (7)")], 10, counter=counter
    )
    # lock_timeout and the fixture (2 writes), the two preflight reads, then per cell SAVEPOINT, SET LOCAL ROLE,
    # ROLLBACK TO, RELEASE, RESET ROLE (5 writes), set_config (a read) and the statement (select: read, insert: write)
    assert counter.as_dict() == dict(reads=2 + 2 * 2 + 2 * 1, writes=2 + 2 * 5 + 2 * 6)
    assert counter.reads + counter.writes == len(conn.log)


def test_errors_are_runtime_kinds_that_wrote_nothing():
    assert _pg_access.SpecError is _runtime.SpecError
    err = _pg_access.CellError("select app.notes as anon failed")
    assert isinstance(err, _runtime.ServiceError) and err.kind == "service" and err.written is False
