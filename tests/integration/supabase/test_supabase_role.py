"""supabase_role against a real PostgreSQL: the automation logins, check -> apply -> check -> apply, password rotation,
an owned schema taken over from the owner, attribute drift, bad input refused before anything is written, and no
password in any output. Role names are unique per test (roles are cluster-wide, shared by the worker's databases)."""

import os
import secrets

import psycopg2
import pytest

from support.ansible import ROOT, run_playbook
from support.pg import execute, query


def unique(prefix):
    return "%s_%s" % (prefix, secrets.token_hex(4))


def role_task(dsn, roles, **extra):
    return [{"name": "roles", "insightpulseai.workbench.supabase_role": dict(login_dsn=dsn, roles=roles, **extra)}]


def run(dsn, roles, check=False, diff=True, verbosity=0):
    res = run_playbook(tasks=role_task(dsn, roles), check=check, diff=diff, verbosity=verbosity)
    return res, res.task("roles")


def login(dsn, user, password):
    """An independent login attempt: True when the server accepts the password."""
    base = psycopg2.extensions.parse_dsn(dsn)
    try:
        conn = psycopg2.connect(
            host=base["host"], port=base["port"], dbname=base["dbname"], user=user, password=password, connect_timeout=5
        )
    except psycopg2.OperationalError:
        return False
    conn.close()
    return True


def role_row(dsn, name):
    rows = query(
        dsn,
        """select rolcanlogin, rolinherit, rolconnlimit, rolsuper, rolbypassrls, rolcreaterole,
                                coalesce((select setconfig from pg_db_role_setting s where s.setrole = r.oid and s.setdatabase = 0), '{}')
                         from pg_roles r where rolname = %s""",
        (name,),
    )
    return rows[0] if rows else None


def test_login_role_check_apply_check_apply_then_rotate(db):
    name, password = unique("it_login"), secrets.token_urlsafe(24)
    spec = [
        {
            "name": name,
            "password": password,
            "connection_limit": 5,
            "settings": {"statement_timeout": "60s", "idle_in_transaction_session_timeout": "30s"},
        }
    ]

    res, plan = run(db, spec, check=True)
    assert not res.failed and plan["changed"], res.stdout[-3000:]
    assert plan["actions"][0] == "create role %s (login noinherit)" % name
    assert "set the password of %s" % name in plan["actions"]
    assert role_row(db, name) is None  # the plan wrote nothing

    res, applied = run(db, spec)
    assert not res.failed and applied["changed"], res.stdout[-3000:]
    assert applied["actions"] == plan["actions"]  # the apply did what the plan said
    # the plan only read (one statement per role lookup); the apply wrote one statement per action
    assert plan["requests"]["writes"] == 0 and plan["requests"]["reads"] > 0
    assert applied["requests"] == dict(reads=plan["requests"]["reads"], writes=len(applied["actions"]))

    for check in (True, False):
        res, again = run(db, spec, check=check)
        assert not res.failed and not again["changed"] and again["actions"] == [], again

    # independent reads: attributes, settings, and the password by logging in
    login_ok, inherit, limit, superuser, bypassrls, createrole, config = role_row(db, name)
    assert (login_ok, inherit, limit, superuser, bypassrls, createrole) == (True, False, 5, False, False, False)
    assert sorted(config) == ["idle_in_transaction_session_timeout=30s", "statement_timeout=60s"]
    assert login(db, name, password)
    stored = query(db, "select rolpassword from pg_authid where rolname = %s", (name,))[0][0]
    assert stored.startswith("SCRAM-SHA-256$")  # a verifier made on the controller, never the plain text

    # rotation: planned, applied, the old password refused, the new one accepted
    rotated = secrets.token_urlsafe(24)
    spec[0]["password"] = rotated
    res, plan = run(db, spec, check=True)
    assert plan["actions"] == ["set the password of %s" % name]
    assert login(db, name, password)  # check mode changed nothing
    res, applied = run(db, spec)
    assert applied["changed"] and not login(db, name, password) and login(db, name, rotated)
    res, again = run(db, spec)
    assert not again["changed"]

    # settings are exact when given: one removed is reset
    spec[0]["settings"] = {"statement_timeout": "60s"}
    res, applied = run(db, spec)
    assert applied["actions"] == ["alter role %s reset idle_in_transaction_session_timeout" % name]
    assert role_row(db, name)[6] == ["statement_timeout=60s"]


def test_dangerous_attributes_are_taken_away(db):
    name, password = unique("it_drift"), secrets.token_urlsafe(24)
    spec = [{"name": name, "password": password}]
    assert not run(db, spec)[0].failed
    execute(db, 'alter role "%s" bypassrls createrole inherit' % name)
    res, plan = run(db, spec, check=True)
    assert plan["actions"] == ["alter role %s noinherit nocreaterole nobypassrls" % name]
    res, applied = run(db, spec)
    assert applied["changed"]
    assert role_row(db, name)[1:6] == (False, -1, False, False, False)
    assert not run(db, spec)[1]["changed"]


def test_owned_schema_is_taken_over_with_everything_in_it(db):
    name, schema, password = unique("it_store"), unique("it_n8n"), secrets.token_urlsafe(24)
    migrate = run_playbook(
        tasks=[
            {
                "name": "migrate",
                "insightpulseai.workbench.supabase_migration": {
                    "path": os.path.join(ROOT, "roles", "supabase_schema", "files", "migrations"),
                    "login_dsn": db,
                    "transaction": "all",
                },
            }
        ]
    )
    assert not migrate.failed, migrate.stdout[-2000:]
    # what an earlier release left: n8n's schema and tables created by the owner
    execute(
        db,
        'create schema "%s"; create table "%s".workflow_entity (id serial primary key, name text); '
        'create view "%s".v as select 1 as x' % (schema, schema, schema),
    )
    spec = [{"name": name, "password": password, "owned_schemas": [schema]}]
    res, plan = run(db, spec, check=True)
    assert "alter schema %s owner to %s (was postgres)" % (schema, name) in plan["actions"]
    assert "alter table %s.workflow_entity owner to %s" % (schema, name) in plan["actions"]
    assert "alter table %s.v owner to %s" % (schema, name) in plan["actions"]
    assert not any("workflow_entity_id_seq" in a for a in plan["actions"])  # an owned sequence follows its table
    assert query(db, "select pg_get_userbyid(nspowner) from pg_namespace where nspname = %s", (schema,)) == [
        ("postgres",)
    ]

    res, applied = run(db, spec)
    assert not res.failed and applied["actions"] == plan["actions"], res.stdout[-3000:]
    assert not run(db, spec)[1]["changed"]
    owners = query(
        db,
        """select c.relname, pg_get_userbyid(c.relowner) from pg_class c join pg_namespace n on n.oid = c.relnamespace
                          where n.nspname = %s order by 1""",
        (schema,),
    )
    assert owners == [
        ("v", name),
        ("workflow_entity", name),
        ("workflow_entity_id_seq", name),
        ("workflow_entity_pkey", name),
    ]

    # what the login can do: everything in its schema, nothing elsewhere
    base = psycopg2.extensions.parse_dsn(db)
    conn = psycopg2.connect(host=base["host"], port=base["port"], dbname=base["dbname"], user=name, password=password)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute('create table "%s".execution_entity (id int)' % schema)
        for statement in (
            "create table silver.nope (id int)",
            "select * from ip_workbench.domains",
            "select * from auth.users",
            "create table public.nope (id int)",
        ):
            with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                cur.execute(statement)
    conn.close()
    assert query(db, "select count(*) from pg_class where relname = 'nope'") == [(0,)]


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"name": "postgres", "password": "x" * 20}, "roles[1].name='postgres' is a Supabase or PostgreSQL role"),
        ({"name": "authenticated"}, "roles[1].name='authenticated' is a Supabase or PostgreSQL role"),
        ({"name": "Bad-Name"}, "roles[1].name='Bad-Name' is not a role name"),
        (
            {"name": "it_short", "password": "short-pw-0815"},
            "the password must be a string of at least 16 characters (got 13 characters)",
        ),
        (
            {"name": "it_schema", "owned_schemas": ["silver"]},
            "owned_schemas has 'silver', a Supabase, PostgreSQL or workbench schema",
        ),
        (
            {"name": "it_setting", "settings": {"role": "postgres"}},
            "settings key 'role' is not a settable parameter name",
        ),
        ({"name": "it_limit", "connection_limit": -5}, "connection_limit=-5, expected -1"),
    ],
)
def test_bad_input_is_refused_before_anything_is_written(db, bad, message):
    before = query(db, "select count(*) from pg_roles")
    res, out = run(db, [{"name": unique("it_ok"), "password": secrets.token_urlsafe(24)}, bad])
    assert res.failed and message in out["msg"], out.get("msg")
    assert out["error_kind"] == "spec" and out["written"] is False and out["requests"] == dict(reads=0, writes=0)
    assert "short-pw-0815" not in res.stdout
    assert query(db, "select count(*) from pg_roles") == before  # not even the valid first role


def test_no_password_in_verbose_output_or_diff(db):
    name, password = unique("it_quiet"), "pw-" + secrets.token_hex(16)
    spec = [{"name": name, "password": password}]
    for check in (True, False, False):
        res = run_playbook(tasks=role_task(db, spec), check=check, diff=True, verbosity=3)
        assert not res.failed, res.stdout[-2000:]
        assert password not in res.stdout and password not in res.stderr
    res, out = run(db, spec, check=True, diff=True)  # the JSON callback's own output: the diff of a converged role
    assert password not in res.stdout
    assert out["diff"]["before"]["roles"][0]["password"] == "accepted"


def test_a_failure_half_way_applies_nothing(db):
    """The server refuses the second role's setting at apply time; the first role, applied before it in the same
    transaction, must not exist afterwards."""
    first, second = unique("it_first"), unique("it_second")
    spec = [
        {"name": first, "password": secrets.token_urlsafe(24)},
        {"name": second, "password": secrets.token_urlsafe(24), "settings": {"statement_timeout": "soon-ish"}},
    ]
    res, plan = run(db, spec, check=True)
    assert not res.failed and plan["changed"]  # the plan cannot know the server's verdict on a value
    res, out = run(db, spec)
    assert res.failed
    assert "Failed to alter role %s set statement_timeout = soon-ish (nothing was applied)" % second in out["msg"]
    assert out["error_kind"] == "service" and out["written"] is False and not out["changed"]
    assert role_row(db, first) is None and role_row(db, second) is None
