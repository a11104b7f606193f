import os

import pytest
import yaml

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _pg_rls, _pg_rls_spec, _runtime


def table(policies=(), **kw):
    raw = dict(schema="s", table="t", policies=list(policies))
    raw.update(kw)
    return _pg_rls_spec.normalize_table(raw)


def current(policies=None, enabled=True, forced=False):
    return dict(rls_enabled=enabled, rls_forced=forced, policies=policies or {})


STORED = dict(command="SELECT", permissive=True, roles=("authenticated",), using="(a = 1)", with_check=None)


def test_plan_for_a_missing_table_creates_everything():
    statements, before, after = _pg_rls.plan_table(table([dict(name="p", command="SELECT", using="a = 1")]), None)
    assert statements == [
        "ALTER TABLE s.t ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY p ON s.t AS PERMISSIVE FOR SELECT TO authenticated USING (a = 1)",
    ]
    assert before == dict(rls_enabled=False, rls_forced=False, policies={})
    assert after["policies"]["p"]["using"] == "a = 1"


def test_plan_noop_when_deparsed_forms_match():
    desired = table([dict(name="p", command="SELECT", using="a=1")])
    statements = _pg_rls.plan_table(desired, current({"p": STORED}), {"p": ("(a = 1)", None)})[0]
    assert statements == []


def test_plan_alters_only_what_differs():
    desired = table([dict(name="p", command="SELECT", using="a=2", roles=["anon", "authenticated"])])
    statements, before, after = _pg_rls.plan_table(desired, current({"p": STORED}), {"p": ("(a = 2)", None)})
    assert statements == ["ALTER POLICY p ON s.t TO anon, authenticated USING (a=2)"]
    assert before["policies"]["p"]["using"] == "(a = 1)" and after["policies"]["p"]["using"] == "(a = 2)"


@pytest.mark.parametrize(
    "change",
    [dict(command="ALL"), dict(permissive=False)],
)
def test_plan_recreates_on_command_or_kind_change(change):
    raw = dict(name="p", command="SELECT", using="a=1")
    raw.update(change)
    statements = _pg_rls.plan_table(table([raw]), current({"p": STORED}), {"p": ("(a = 1)", None)})[0]
    assert statements[0] == "DROP POLICY p ON s.t"
    assert statements[1].startswith("CREATE POLICY p ON s.t AS")
    assert len(statements) == 2


def test_plan_recreates_when_a_clause_is_removed():
    stored = dict(STORED, command="ALL", with_check="(a = 1)")
    statements = _pg_rls.plan_table(
        table([dict(name="p", command="ALL", using="a=1")]), current({"p": stored}), {"p": ("(a = 1)", None)}
    )[0]
    assert statements[0] == "DROP POLICY p ON s.t"


def test_plan_purge_and_absent():
    stored = {"keep": STORED, "extra": STORED, "gone": STORED}
    desired = table([dict(name="keep", command="SELECT", using="x"), dict(name="gone", state="absent")], purge=True)
    statements, dummy, after = _pg_rls.plan_table(desired, current(stored), {"keep": ("(a = 1)", None)})
    assert statements == ["DROP POLICY gone ON s.t", "DROP POLICY extra ON s.t"]
    assert sorted(after["policies"]) == ["keep"]
    statements = _pg_rls.plan_table(
        table([dict(name="keep", command="SELECT", using="x")]), current(stored), {"keep": ("(a = 1)", None)}
    )[0]
    assert statements == []


def test_plan_rls_flags_none_means_leave_alone():
    desired = _pg_rls_spec.normalize_table(
        dict(schema="s", table="t", rls_enabled=None, rls_forced=None), default_rls_enabled=None
    )
    assert _pg_rls.plan_table(desired, current(enabled=False, forced=True))[0] == []
    desired = table(rls_enabled=True, rls_forced=True)
    assert _pg_rls.plan_table(desired, current(enabled=False))[0] == [
        "ALTER TABLE s.t ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE s.t FORCE ROW LEVEL SECURITY",
    ]


def test_sql_quotes_identifiers_and_keeps_public_bare():
    p = _pg_rls_spec.normalize_policy(
        dict(name="Select All", command="ALL", roles=["public", "Team"], using="true", with_check="true"), "x"
    )
    assert _pg_rls.create_policy_sql("my schema", "user", p) == (
        'CREATE POLICY "Select All" ON "my schema"."user" AS PERMISSIVE FOR ALL TO "Team", PUBLIC USING (true) WITH CHECK (true)'
    )


# ---------------------------------------------------------------------------------------------------------
# Policy expressions stay expressions (expression_problem, applied by normalize_policy before any connection)
# ---------------------------------------------------------------------------------------------------------

SPEC_FILE = os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "..", "roles", "supabase_schema", "files", "rls_policies.yml"
)


def shipped_clauses():
    with open(SPEC_FILE) as f:
        spec = yaml.safe_load(f)
    return [
        (t["schema"], t["table"], p["name"], clause, p[clause])
        for t in spec["tables"]
        for p in t["policies"]
        for clause in ("using", "with_check")
        if p.get(clause)
    ]


def test_every_shipped_policy_is_accepted():
    spec = yaml.safe_load(open(SPEC_FILE))
    assert sum(len(t["policies"]) for t in spec["tables"]) == 104
    clauses = shipped_clauses()
    assert len(clauses) == 152
    for schema, table, name, clause, text in clauses:
        assert _pg_rls_spec.expression_problem(text, clause) is None, (schema, table, name, clause)
    assert len(_pg_rls_spec.normalize_spec(spec["tables"])) == 24


BREAKOUTS = [
    ("true); COMMIT; DROP TABLE ip_workbench.domains; --", "')' at character 5"),
    ("true) --", "')' at character 5"),
    ("true); DROP TABLE ip_workbench.domains", "')' at character 5"),
    ("true) OR (true", "')' at character 5"),
    ("(true))", "')' at character 7"),
    (")(", "')' at character 1"),
    ("true; DROP TABLE ip_workbench.domains", "';' at character 5"),
    ("true -- ) ; DROP TABLE x", "a comment at character 6"),
    ("true /* ); DROP TABLE x; */", "a comment at character 6"),
    ("true /* unclosed", "a comment at character 6"),
    ("$$ $$); DROP TABLE ip_workbench.domains; ($$ $$", "')' at character 6"),
    (
        "true $$); DROP TABLE ip_workbench.domains; --",
        "a dollar-quoted string that is never closed starts at character 6",
    ),
    ("$a$ x $b$); DROP TABLE x; --", "a dollar-quoted string that is never closed starts at character 1"),
    ("E'\\' ' ); DROP TABLE ip_workbench.domains; -- '", "')' at character 8"),
    ("e'\\'); DROP TABLE x; --", "a quoted string that is never closed starts at character 2"),
    ("'it''s); DROP TABLE x; --", "a quoted string that is never closed starts at character 1"),
    ("\"x); DROP TABLE y; --", "a quoted identifier that is never closed starts at character 1"),
    ("true \\; DROP TABLE x", "a backslash outside a quoted string at character 6"),
    ("(true", "1 '(' is never closed"),
    ("((true)", "1 '(' is never closed"),
    ("true\x00); DROP TABLE x", "NUL character"),
]


@pytest.mark.parametrize("text, reason", BREAKOUTS, ids=[b[0][:30] for b in BREAKOUTS])
def test_breakouts_are_refused_naming_table_policy_clause_and_reason(text, reason):
    for clause in ("using", "with_check"):
        problem = _pg_rls_spec.expression_problem(text, clause)
        assert problem is not None and reason in problem, problem
        with pytest.raises(_pg_rls_spec.SpecError) as err:
            _pg_rls_spec.normalize_policy(
                dict(name="attack", command="ALL", **{clause: text}), "Table ip_workbench.domains"
            )
        msg = str(err.value)
        assert msg.startswith(
            "Table ip_workbench.domains policy attack: %s is refused, nothing was sent to the server: " % clause
        )
        assert reason in msg
    assert "closes a parenthesis the expression never opened: it would end the WITH CHECK (...) written around it" in (
        _pg_rls_spec.expression_problem("true) --", "with_check")
    )


def test_a_refused_statement_is_a_service_error_naming_it_and_nothing_after_it_runs():
    class Cursor(object):
        def __init__(self):
            self.sent = []

        def execute(self, statement, params=None):
            self.sent.append(params[1] if params else statement)
            if statement.startswith("DO") and "DROP" in self.sent[-2]:
                raise Exception("[42704] policy does not exist")

    cur = Cursor()
    statements = ["ALTER TABLE s.t ENABLE ROW LEVEL SECURITY", "DROP POLICY p ON s.t", "DROP POLICY q ON s.t"]
    with pytest.raises(_runtime.ServiceError) as err:
        _pg_rls.execute(cur, statements)
    assert err.value.msg == "Failed at `DROP POLICY p ON s.t`: [42704] policy does not exist"
    assert "DROP POLICY q ON s.t" not in cur.sent
    assert _pg_rls_spec.SpecError is _runtime.SpecError
