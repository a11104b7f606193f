"""Unit tests of plugins/module_utils/_pg_rls_spec.py (no server)."""

import pytest

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _pg_rls_spec


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
    assert _pg_rls_spec.quote_ident(name) == quoted


def test_refusal_does_not_echo_a_huge_expression():
    text = "true); DROP TABLE x; " + "x" * 100000
    msg = str(
        pytest.raises(
            _pg_rls_spec.SpecError,
            _pg_rls_spec.normalize_policy,
            dict(name="p", command="SELECT", using=text),
            "Table s.t",
        ).value
    )
    assert len(msg) < 400, msg
    late = "x = 1 and " * 10000 + ";"
    msg = str(
        pytest.raises(
            _pg_rls_spec.SpecError,
            _pg_rls_spec.normalize_policy,
            dict(name="p", command="SELECT", using=late),
            "Table s.t",
        ).value
    )
    assert "';' at character 100001" in msg and len(msg) < 400


def test_created_with_rls_names_are_checked():
    assert _pg_rls_spec.normalize_table_names(["a.b", "c.d"], "created_with_rls") == frozenset(["a.b", "c.d"])
    for bad in (["ab"], ["a.b.c"], ["a."], [3]):
        with pytest.raises(_pg_rls_spec.SpecError, match="is not a schema.table name"):
            _pg_rls_spec.normalize_table_names(bad, "created_with_rls")


def policy(**kw):
    raw = dict(name="p", command="SELECT", using="true")
    raw.update(kw)
    return _pg_rls_spec.normalize_policy(raw, "Table s.t")


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
    with pytest.raises(_pg_rls_spec.SpecError) as err:
        policy(**kw)
    assert message in str(err.value)


def test_absent_policy_needs_no_clauses():
    assert policy(state="absent", using=None)["state"] == "absent"


def test_normalize_spec_errors():
    with pytest.raises(_pg_rls_spec.SpecError, match="appears twice"):
        _pg_rls_spec.normalize_spec([dict(schema="s", table="t"), dict(schema="s", table="t")])
    with pytest.raises(_pg_rls_spec.SpecError, match="policy p is listed twice"):
        _pg_rls_spec.normalize_spec([dict(schema="s", table="t", policies=[dict(name="p", using="true")] * 2)])
    with pytest.raises(_pg_rls_spec.SpecError, match="unknown key"):
        _pg_rls_spec.normalize_spec([dict(schema="s", table="t", polices=[])])
    with pytest.raises(_pg_rls_spec.SpecError, match="must be a list"):
        _pg_rls_spec.normalize_spec({"tables": []})


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
    assert _pg_rls_spec.expression_problem(text) is None
    assert policy(using=text)["using"] == text
