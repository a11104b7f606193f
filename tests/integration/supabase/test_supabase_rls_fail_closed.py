"""Row-level security fails closed: the migrations alone, without the supabase_rls step, deny every signed-in user.

The database gets the collection's migration files through supabase_migration and nothing else (the RLS step
failed, or was skipped with --tags). supabase_access_info then asks the shipped access matrix (roles/verify/files) as
PostgREST would: every cell of anon and of the four application roles is denied, while service_role (BYPASSRLS)
still reaches the same fixture rows, which shows the cells ask about rows that are really there. The files as they
were before RLS moved into them are the witness that this test can fail: the same run on them leaves every table
open to every signed-in role.
"""

import os

import pytest
import yaml

from support.ansible import ROOT, run_playbook
from support.pg import PRE_RLS_MIGRATIONS_COMMIT, migrations_from_git, query

VERIFY_FILE = os.path.join(ROOT, "roles", "verify", "files", "access_matrix.yml")
FIXTURES_FILE = os.path.join(ROOT, "roles", "verify", "files", "access_fixtures.sql")
VERIFY = yaml.safe_load(open(VERIFY_FILE))
RLS_SCHEMAS = ["ip_workbench", "bronze", "silver", "gold"]
SIGNED_IN = ("viewer", "engineer", "admin", "service")
OPERATIONS = ("select", "insert", "update", "delete")


def migrated_only(pg_server, path):
    """A fresh database with the migrations of ``path`` applied by supabase_migration, and nothing else."""
    name = pg_server.create_database()
    dsn = pg_server.dsn_for(name)
    res = run_playbook(
        tasks=[
            {
                "name": "migrate",
                "insightpulseai.workbench.supabase_migration": {"path": path, "login_dsn": dsn},
                "register": "r",
            }
        ]
    )
    assert not res.failed, res.stdout[-3000:]
    assert [m["version"] for m in res.task("migrate")["applied"]] == sorted(
        f.split("_", 1)[0] for f in os.listdir(path) if f.endswith(".sql")
    )
    return name, dsn


def access_matrix(dsn, expected):
    task = {
        "name": "matrix",
        "insightpulseai.workbench.supabase_access_info": dict(
            login_dsn=dsn,
            identities=VERIFY["identities"],
            checks=VERIFY["checks"],
            expected=expected,
            fixtures_file=FIXTURES_FILE,
        ),
        "ignore_errors": True,
    }
    return run_playbook(tasks=[task]).task("matrix")


def only_service_role():
    """The shipped expectations with every identity but service_role removed: what RLS without policies leaves."""
    return {
        table: {op: [i for i in allowed if i == "service_role"] for op, allowed in ops.items()}
        for table, ops in VERIFY["expected"].items()
    }


@pytest.fixture
def new_files_db(pg_server):
    name, dsn = migrated_only(pg_server, os.path.join(ROOT, "roles", "supabase_schema", "files", "migrations"))
    yield dsn
    pg_server.drop_database(name)


def test_migrations_alone_deny_every_signed_in_identity(new_files_db):
    dsn = new_files_db
    expected = only_service_role()
    assert any(expected[t][op] for t in expected for op in OPERATIONS)  # service_role really is allowed somewhere
    result = access_matrix(dsn, expected)
    assert not result.get("failed"), result.get("msg")
    assert result["cells"] == 624
    assert result["mismatches"] == []
    assert result["matrix"] == dict((t, dict((op, sorted(v)) for op, v in ops.items())) for t, ops in expected.items())
    for table, ops in result["matrix"].items():
        for op, allowed in ops.items():
            assert not set(allowed) & set(SIGNED_IN + ("anon",)), (table, op, allowed)

    # Independent reads: every table of the four exposed schemas has RLS on, there is no policy at all, and
    # `authenticated` does hold the grants of 003: the denials come from RLS, not from a missing privilege.
    tables = query(
        dsn,
        """select n.nspname, c.relname, c.relrowsecurity from pg_class c
                           join pg_namespace n on n.oid = c.relnamespace
                           where n.nspname = any(%s) and c.relkind in ('r', 'p') order by 1, 2""",
        (RLS_SCHEMAS,),
    )
    assert len(tables) == 24
    assert [(s, t) for s, t, enabled in tables if not enabled] == []
    assert query(dsn, "select count(*) from pg_policies where schemaname = any(%s)", (RLS_SCHEMAS,)) == [(0,)]
    privileges = query(
        dsn,
        """select bool_and(has_table_privilege('authenticated', c.oid, 'SELECT, INSERT, UPDATE, DELETE'))
                               from pg_class c join pg_namespace n on n.oid = c.relnamespace
                               where n.nspname = any(%s) and c.relkind in ('r', 'p')""",
        (RLS_SCHEMAS,),
    )
    assert privileges == [(True,)]
    # the module rolled its fixtures back
    assert query(dsn, "select count(*) from ip_workbench.sql_snippets") == [(0,)]


def test_the_files_before_this_change_left_every_table_open(pg_server, tmp_path):
    """The witness: the same question on the migration files of PRE_RLS_MIGRATIONS_COMMIT gets allowed cells."""
    old = migrations_from_git(PRE_RLS_MIGRATIONS_COMMIT, tmp_path / "old")
    name, dsn = migrated_only(pg_server, old)
    try:
        result = access_matrix(dsn, only_service_role())
        assert result.get("failed") is True and result["mismatches"]
        rls_tables = [t for t in result["matrix"] if t.split(".")[0] in RLS_SCHEMAS]
        assert len(rls_tables) == 24
        for table in rls_tables:
            for op in OPERATIONS:
                assert set(SIGNED_IN) <= set(result["matrix"][table][op]), (table, op, result["matrix"][table][op])
        assert query(
            dsn,
            """select count(*) from pg_class c join pg_namespace n on n.oid = c.relnamespace
                             where n.nspname = any(%s) and c.relkind = 'r' and c.relrowsecurity""",
            (RLS_SCHEMAS,),
        ) == [(0,)]
    finally:
        pg_server.drop_database(name)
