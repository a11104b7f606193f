"""supabase_rls / supabase_rls_policy against a real PostgreSQL (with the Supabase-compatible bootstrap)."""

import pytest

from support.ansible import run_playbook
from support.cycle import check_apply_check_apply
from support.pg import execute, query

OWN_ROWS = "user_id = (select auth.uid())"


@pytest.fixture
def notes(db):
    execute(db, "create schema app; create table app.notes (id serial primary key, user_id uuid, body text)")
    return db


def rls(dsn, tables, check=False, diff=False, **options):
    args = dict(login_dsn=dsn, tables=tables)
    args.update(options)
    return run_playbook(tasks=[{"name": "rls", "insightpulseai.workbench.supabase_rls": args}], check=check, diff=diff)


def policy(dsn, name):
    rows = query(
        dsn,
        """select cmd, permissive, roles::text[], qual, with_check from pg_policies
                         where schemaname = 'app' and tablename = 'notes' and policyname = %s""",
        (name,),
    )
    return rows[0] if rows else None


def policies(dsn):
    """The real row-level-security state of every table (flags and policies, as PostgreSQL reports them)."""
    return query(
        dsn,
        "select c.oid::regclass::text, c.relrowsecurity, c.relforcerowsecurity, p.polname, p.polcmd, p.polpermissive,"
        " pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid), p.polroles::text"
        " from pg_class c left join pg_policy p on p.polrelid = c.oid"
        " where c.relkind = 'r' and c.relnamespace::regnamespace::text not in ('pg_catalog', 'information_schema')"
        " order by 1, 4",
    )


def flags(dsn):
    return query(dsn, "select relrowsecurity, relforcerowsecurity from pg_class where oid = 'app.notes'::regclass")[0]


def four_steps(dsn, tables, **options):
    """check -> apply -> check -> apply: changed, changed, unchanged, unchanged. Returns the four results."""

    def run(check):
        r = rls(dsn, tables, check=check, diff=True, **options).task("rls")
        assert not r.get("failed", False), r
        return r

    results = check_apply_check_apply(
        run, state=lambda: policies(dsn), diff=lambda r: "diff" in r, explain=lambda rs: [r.get("queries") for r in rs]
    )
    assert results[0]["queries"] == results[1]["queries"]
    assert results[2]["queries"] == [] and results[3]["queries"] == []
    assert [r["actions"] for r in results] == [r["queries"] for r in results]  # queries: the deprecated alias
    # the apply sent what the plan sent, plus each planned statement (set_config, a read, and the guarded DO, a write)
    planned, applied = results[0]["requests"], results[1]["requests"]
    n = len(results[1]["actions"])
    assert applied == dict(reads=planned["reads"] + n, writes=planned["writes"] + n), (planned, applied)
    assert results[3]["requests"] == results[2]["requests"] and results[3]["requests"]["reads"] > 0
    return results


def spec(**policy_overrides):
    p = dict(name="notes_own", command="SELECT", roles=["authenticated"], using=OWN_ROWS)
    p.update(policy_overrides)
    return [dict(schema="app", table="notes", policies=[p])]


def test_create_policy_and_enable_rls(notes):
    before = flags(notes)
    results = four_steps(notes, spec())
    assert before == (False, False)
    assert results[1]["queries"] == [
        "ALTER TABLE app.notes ENABLE ROW LEVEL SECURITY",
        "CREATE POLICY notes_own ON app.notes AS PERMISSIVE FOR SELECT TO authenticated USING (%s)" % OWN_ROWS,
    ]
    # diff shows the deparsed expression PostgreSQL stores
    after = results[1]["diff"]["after"]["app.notes"]
    assert after["policies"]["notes_own"]["using"] == "(user_id = ( SELECT auth.uid() AS uid))"
    assert results[1]["diff"]["before"]["app.notes"] == {"rls_enabled": False, "rls_forced": False, "policies": {}}
    # independent read
    assert flags(notes) == (True, False)
    assert policy(notes, "notes_own") == (
        "SELECT",
        "PERMISSIVE",
        ["authenticated"],
        "(user_id = ( SELECT auth.uid() AS uid))",
        None,
    )


def test_expression_change_is_an_alter(notes):
    rls(notes, spec())
    results = four_steps(notes, spec(using="user_id = (select auth.uid()) and body is not null"))
    assert results[1]["queries"] == [
        "ALTER POLICY notes_own ON app.notes USING (user_id = (select auth.uid()) and body is not null)"
    ]
    assert policy(notes, "notes_own")[3] == "((user_id = ( SELECT auth.uid() AS uid)) AND (body IS NOT NULL))"


def test_roles_change_is_an_alter(notes):
    rls(notes, spec())
    results = four_steps(notes, spec(roles=["authenticated", "anon"]))
    assert results[1]["queries"] == ["ALTER POLICY notes_own ON app.notes TO anon, authenticated"]
    assert sorted(policy(notes, "notes_own")[2]) == ["anon", "authenticated"]


def test_command_or_kind_change_is_drop_and_create(notes):
    rls(notes, spec())
    results = four_steps(notes, spec(command="UPDATE", with_check=OWN_ROWS, permissive=False))
    assert results[1]["queries"] == [
        "DROP POLICY notes_own ON app.notes",
        "CREATE POLICY notes_own ON app.notes AS RESTRICTIVE FOR UPDATE TO authenticated USING (%s) WITH CHECK (%s)"
        % (OWN_ROWS, OWN_ROWS),
    ]
    assert policy(notes, "notes_own")[:2] == ("UPDATE", "RESTRICTIVE")


def test_removing_a_clause_is_drop_and_create(notes):
    rls(notes, spec(command="ALL", with_check=OWN_ROWS))
    results = four_steps(notes, spec(command="ALL"))
    assert results[1]["queries"][0] == "DROP POLICY notes_own ON app.notes"
    assert policy(notes, "notes_own")[4] is None


def test_purge_removes_undeclared_policies_only_when_asked(notes):
    rls(notes, spec())
    execute(notes, "create policy handmade on app.notes for select to authenticated using (true)")
    assert rls(notes, spec()).task("rls")["changed"] is False  # not purged by default
    assert policy(notes, "handmade") is not None
    results = four_steps(notes, spec(), purge=True)
    assert results[1]["queries"] == ["DROP POLICY handmade ON app.notes"]
    assert policy(notes, "handmade") is None and policy(notes, "notes_own") is not None


def test_policy_state_absent(notes):
    rls(notes, spec())
    results = four_steps(notes, [dict(schema="app", table="notes", policies=[dict(name="notes_own", state="absent")])])
    assert results[1]["queries"] == ["DROP POLICY notes_own ON app.notes"]
    assert policy(notes, "notes_own") is None


def test_force_and_disable_rls(notes):
    rls(notes, spec())
    four_steps(notes, [dict(schema="app", table="notes", rls_forced=True, policies=spec()[0]["policies"])])
    assert flags(notes) == (True, True)
    results = four_steps(notes, [dict(schema="app", table="notes", rls_enabled=False, rls_forced=False)])
    assert results[1]["queries"] == [
        "ALTER TABLE app.notes DISABLE ROW LEVEL SECURITY",
        "ALTER TABLE app.notes NO FORCE ROW LEVEL SECURITY",
    ]
    assert flags(notes) == (False, False)


def test_invalid_expression_fails_and_changes_nothing(notes):
    rls(notes, spec())
    tables = spec()
    tables[0]["policies"].append(dict(name="broken", command="SELECT", using="no_such_column = 1"))
    tables[0]["policies"][0]["using"] = "true"  # would be an ALTER, must not happen
    res = rls(notes, tables)
    assert res.failed
    msg = res.task("rls")["msg"]
    assert "Policy broken on app.notes is not valid" in msg and "no_such_column" in msg
    assert policy(notes, "notes_own")[3] == "(user_id = ( SELECT auth.uid() AS uid))"
    assert policy(notes, "broken") is None


def test_unknown_role_is_named(notes):
    res = rls(notes, spec(roles=["no_such_role"]))
    assert res.failed and 'role "no_such_role" does not exist' in res.task("rls")["msg"]
    assert flags(notes) == (False, False)


@pytest.mark.parametrize(
    "override, message",
    [
        (dict(command="INSERT", using="true", with_check=None), "an INSERT policy takes only with_check"),
        (dict(command="SELECT", with_check="true"), "a SELECT policy takes only using"),
        (dict(using=None), "give using and/or with_check"),
        (dict(name="x" * 64), "longer than PostgreSQL's 63-byte identifier limit"),
    ],
)
def test_bad_spec_is_refused_before_connecting(override, message):
    tables = spec(**override)
    res = rls("postgresql://nobody@127.0.0.1:1/none", tables)
    assert res.failed and message in res.task("rls")["msg"]


def test_unsupported_key_is_named(notes):
    tables = spec()
    tables[0]["policies"][0]["usign"] = "true"
    res = rls(notes, tables)
    assert res.failed and "usign" in res.task("rls")["msg"]


def test_exposed_schema_must_be_covered(notes):
    execute(notes, "create table app.secrets (id int)")
    res = rls(notes, spec(), exposed_schemas=["app"])
    assert res.failed
    msg = res.task("rls")["msg"]
    assert "does not cover app.secrets" in msg
    assert flags(notes) == (False, False)  # nothing applied


def test_missing_table_is_planned_in_check_mode_and_refused_otherwise(db):
    tables = [dict(schema="later", table="t", policies=[dict(name="p", command="SELECT", using="true")])]
    res = rls(db, tables, check=True)
    r = res.task("rls")
    assert r["changed"] is True and "do not exist yet" in " ".join(r.get("warnings", []))
    assert r["queries"][0] == "ALTER TABLE later.t ENABLE ROW LEVEL SECURITY"
    res = rls(db, tables)
    assert res.failed and "later.t do not exist; apply the migrations" in res.task("rls")["msg"]


def single(dsn, check=False, **args):
    base = dict(
        login_dsn=dsn, schema="app", table="notes", name="notes_insert_own", command="INSERT", with_check=OWN_ROWS
    )
    base.update(args)
    return run_playbook(
        tasks=[{"name": "p", "insightpulseai.workbench.supabase_rls_policy": base}], check=check, diff=True
    ).task("p")


def test_single_policy_module(notes):
    check_apply_check_apply(lambda check: single(notes, check=check, rls_enabled=True), state=lambda: policies(notes))
    assert policy(notes, "notes_insert_own")[0] == "INSERT"
    assert flags(notes) == (True, False)
    # leaves other policies and the RLS flags alone when not given
    execute(notes, "create policy other on app.notes for select to authenticated using (true)")
    assert single(notes)["changed"] is False
    check_apply_check_apply(lambda check: single(notes, check=check, state="absent"), state=lambda: policies(notes))
    assert policy(notes, "notes_insert_own") is None and policy(notes, "other") is not None
    assert flags(notes) == (True, False)
