import os

import pytest
import yaml

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _pg_rls, _runtime


@pytest.mark.parametrize(
    "name, quoted",
    [
        ("notes", "notes"),
        ("user", '"user"'),
        ("Mixed", '"Mixed"'),
        ("with space", '"with space"'),
        ('q"uote', '"q""uote"'),
        ("_ok$1", "_ok$1"),
        ("1abc", '"1abc"'),
    ],
)
def test_quote_ident(name, quoted):
    assert _pg_rls.quote_ident(name) == quoted


def policy(**kw):
    raw = dict(name="p", command="SELECT", using="true")
    raw.update(kw)
    return _pg_rls.normalize_policy(raw, "Table s.t")


def test_normalize_defaults():
    p = policy()
    assert p == dict(
        name="p",
        state="present",
        command="SELECT",
        permissive=True,
        roles=("authenticated",),
        using="true",
        with_check=None,
    )
    assert policy(command="select", roles=["b", "a", "a", "PUBLIC"])["roles"] == ("a", "b", "public")


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(command="TRUNCATE"), "command 'TRUNCATE' is not one of ALL, SELECT, INSERT, UPDATE, DELETE"),
        (dict(command="INSERT", with_check="true"), "an INSERT policy takes only with_check"),
        (dict(command="DELETE", with_check="true"), "a DELETE policy takes only using"),
        (dict(using=None), "give using and/or with_check"),
        (dict(roles=[]), "roles must be a non-empty list"),
        (dict(roles=[""]), "role must be a non-empty string"),
        (dict(permissive="yes"), "permissive must be true or false, got 'yes'"),
        (dict(state="gone"), "state must be present or absent, got 'gone'"),
        (dict(name="__workbench_probe_1"), "reserved"),
        (dict(usign="x"), "unknown key(s) usign"),
        (dict(name="é" * 32), "63-byte identifier limit"),
    ],
)
def test_normalize_policy_errors_name_the_value(kw, message):
    with pytest.raises(_pg_rls.SpecError) as err:
        policy(**kw)
    assert message in str(err.value)


def test_absent_policy_needs_no_clauses():
    assert policy(state="absent", using=None)["state"] == "absent"


def test_normalize_spec_errors():
    with pytest.raises(_pg_rls.SpecError, match="appears twice"):
        _pg_rls.normalize_spec([dict(schema="s", table="t"), dict(schema="s", table="t")])
    with pytest.raises(_pg_rls.SpecError, match="policy p is listed twice"):
        _pg_rls.normalize_spec([dict(schema="s", table="t", policies=[dict(name="p", using="true")] * 2)])
    with pytest.raises(_pg_rls.SpecError, match="unknown key"):
        _pg_rls.normalize_spec([dict(schema="s", table="t", polices=[])])
    with pytest.raises(_pg_rls.SpecError, match="must be a list"):
        _pg_rls.normalize_spec({"tables": []})


def table(policies=(), **kw):
    raw = dict(schema="s", table="t", policies=list(policies))
    raw.update(kw)
    return _pg_rls.normalize_table(raw)


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
    desired = _pg_rls.normalize_table(
        dict(schema="s", table="t", rls_enabled=None, rls_forced=None), default_rls_enabled=None
    )
    assert _pg_rls.plan_table(desired, current(enabled=False, forced=True))[0] == []
    desired = table(rls_enabled=True, rls_forced=True)
    assert _pg_rls.plan_table(desired, current(enabled=False))[0] == [
        "ALTER TABLE s.t ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE s.t FORCE ROW LEVEL SECURITY",
    ]


def test_sql_quotes_identifiers_and_keeps_public_bare():
    p = _pg_rls.normalize_policy(
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
        assert _pg_rls.expression_problem(text, clause) is None, (schema, table, name, clause)
    assert len(_pg_rls.normalize_spec(spec["tables"])) == 24


@pytest.mark.parametrize(
    "text",
    [
        "(select auth.uid()) = user_id",
        "user_id = (select auth.uid()) and (status in ('a', 'b') or (select ip_workbench_private.is_admin()))",
        "body <> ';' and body <> '--' and body <> '/* x */' and body <> ')' and body <> '('",
        "body = 'it''s; (not) -- a comment'",
        "body = E'\\';)' and body = e'\\\\' and body = E'a''b;'",
        "\"we;ird)\" = 1 and \"a\"\"b(\" = 2",
        "body = $$; ) ( -- /*$$ and body = $tag$ $$ ; ) $tag$",
        "x$y$ = 1 and a$$b = 2",
        "body ~ '^\\d+$' and name = U&'d\\0061t;'",
        "tags @> '{read,suggest}'::text[] and (payload ->> 'k') = 'v'",
        "amount / 2 > 1 and amount - 1 > 0 and a * b > 0",
    ],
)
def test_expressions_are_accepted(text):
    assert _pg_rls.expression_problem(text) is None
    assert policy(using=text)["using"] == text


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
        problem = _pg_rls.expression_problem(text, clause)
        assert problem is not None and reason in problem, problem
        with pytest.raises(_pg_rls.SpecError) as err:
            _pg_rls.normalize_policy(dict(name="attack", command="ALL", **{clause: text}), "Table ip_workbench.domains")
        msg = str(err.value)
        assert msg.startswith(
            "Table ip_workbench.domains policy attack: %s is refused, nothing was sent to the server: " % clause
        )
        assert reason in msg
    assert "closes a parenthesis the expression never opened: it would end the WITH CHECK (...) written around it" in (
        _pg_rls.expression_problem("true) --", "with_check")
    )


def test_refusal_does_not_echo_a_huge_expression():
    text = "true); DROP TABLE x; " + "x" * 100000
    msg = str(
        pytest.raises(
            _pg_rls.SpecError, _pg_rls.normalize_policy, dict(name="p", command="SELECT", using=text), "Table s.t"
        ).value
    )
    assert len(msg) < 400, msg
    late = "x = 1 and " * 10000 + ";"
    msg = str(
        pytest.raises(
            _pg_rls.SpecError, _pg_rls.normalize_policy, dict(name="p", command="SELECT", using=late), "Table s.t"
        ).value
    )
    assert "';' at character 100001" in msg and len(msg) < 400


def test_created_with_rls_names_are_checked():
    assert _pg_rls.normalize_table_names(["a.b", "c.d"], "created_with_rls") == frozenset(["a.b", "c.d"])
    for bad in (["ab"], ["a.b.c"], ["a."], [3]):
        with pytest.raises(_pg_rls.SpecError, match="is not a schema.table name"):
            _pg_rls.normalize_table_names(bad, "created_with_rls")


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
    assert _pg_rls.SpecError is _runtime.SpecError
