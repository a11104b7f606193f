"""Amending applied migrations (the workbench:amends header) against a real PostgreSQL.

The production case: a database built with the migration files of PRE_RLS_MIGRATIONS_COMMIT (read from the
repository's history), whose RLS came from the supabase_rls step, meets today's 001..003, which enable RLS
themselves and declare the fingerprints of those earlier versions. Its ledger rows are amended (check -> apply ->
check -> apply: changed, changed, unchanged, unchanged) without running anything, and the whole stage converges on
it. Undeclared edits are still refused, and amendments follow the transaction rules of the rest of a run.
"""

import os
import shutil

import pytest
import yaml

from support.ansible import ROOT, run_playbook
from support.cycle import check_apply_check_apply
from support.pg import PRE_RLS_MIGRATIONS_COMMIT, execute, migrations_from_git, query, schema_stage

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _pg_migrations as mig

NEW_DIR = os.path.join(ROOT, "roles", "supabase_schema", "files", "migrations")
RLS_SCHEMAS = ["ip_workbench", "bronze", "silver", "gold"]
VERSIONS = ["001", "002", "003"]


def migrate(dsn, path, check=False, diff=False, **options):
    args = dict(path=path, login_dsn=dsn)
    args.update(options)
    task = {"name": "migrate", "insightpulseai.workbench.supabase_migration": args, "ignore_errors": True}
    return run_playbook(tasks=[task], check=check, diff=diff).task("migrate")


def ledger(dsn):
    return query(dsn, "select version, name, statements from supabase_migrations.schema_migrations order by version")


def database_state(dsn):
    """What the amendment must not touch: relations, RLS flags and every policy of the exposed schemas."""
    return dict(
        relations=query(
            dsn,
            """select n.nspname, c.relname, c.relkind, c.relrowsecurity from pg_class c
                                join pg_namespace n on n.oid = c.relnamespace
                                where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') order by 1, 2""",
        ),
        policies=query(
            dsn,
            """select schemaname, tablename, policyname, permissive, roles::text[], cmd, qual, with_check
                               from pg_policies order by 1, 2, 3""",
        ),
    )


@pytest.fixture(scope="module")
def amended_files(tmp_path_factory):
    """Today's versions of the files the old databases recorded (later migrations are not what is amended here)."""
    dest = tmp_path_factory.mktemp("amended") / "migrations"
    dest.mkdir()
    for name in os.listdir(NEW_DIR):
        if name.split("_", 1)[0] in VERSIONS:
            shutil.copy(os.path.join(NEW_DIR, name), str(dest / name))
    return str(dest)


@pytest.fixture(scope="module")
def old_files(tmp_path_factory):
    return migrations_from_git(PRE_RLS_MIGRATIONS_COMMIT, tmp_path_factory.mktemp("pre-rls") / "migrations")


@pytest.fixture
def old_db(pg_server, old_files):
    """A database the way production has it: the whole stage, run with the earlier migration files."""
    name = pg_server.create_database()
    dsn = pg_server.dsn_for(name)
    # Today's RLS spec grants to the roles 004 creates, and those files predate 004. Roles are cluster-wide: without
    # this the fixture worked only on a server where an earlier test had run 004. Create them as 004 does (NOLOGIN),
    # and leave the login-role phase out (it converges 004's logins).
    spec = yaml.safe_load(open(os.path.join(ROOT, "roles", "supabase_schema", "files", "rls_policies.yml")))
    for role in sorted(
        set(r for t in spec["tables"] for p in t.get("policies", []) for r in p["roles"]) - {"authenticated"}
    ):
        execute(
            dsn,
            "do $$ begin if not exists (select from pg_roles where rolname = '%s') then "
            "create role %s nologin noinherit nocreatedb nocreaterole nobypassrls noreplication; end if; end $$"
            % (role, role),
        )
    res = schema_stage(dsn, supabase_schema_migrations_dir=old_files, supabase_schema_login_roles_enabled=False)
    assert not res.failed, res.stdout[-3000:]
    yield dsn
    pg_server.drop_database(name)


def test_headers_declare_exactly_the_earlier_versions(old_files):
    """Each edited file names the fingerprint of its version at PRE_RLS_MIGRATIONS_COMMIT, and only that one."""
    old, dummy = mig.load_migrations(old_files)
    new, dummy = mig.load_migrations(NEW_DIR)
    new = [m for m in new if m.version in VERSIONS]
    assert [m.version for m in old] == [m.version for m in new] == VERSIONS
    for before, after in zip(old, new):
        assert after.amends == frozenset([mig.fingerprint_digest(before.statements)]), after.filename
        assert mig.fingerprint_digest(after.statements) != mig.fingerprint_digest(before.statements)
    # what changed in 001/002 is the ENABLE statements (and comments); 003 changed its comments only
    added = [len(after.statements) - len(before.statements) for before, after in zip(old, new)]
    assert added == [18, 6, 0]
    assert len(mig.rls_enabled_tables(new)) == 24 and mig.rls_enabled_tables(old) == []


def test_old_database_ledger_is_amended(old_db, amended_files):
    dsn = old_db
    before_rows = ledger(dsn)
    old_digests = dict((v, mig.fingerprint_digest(s)) for v, n, s in before_rows)
    state = database_state(dsn)
    # RLS is already on in the old database: supabase_rls enabled it on every table
    assert [r for r in state["relations"] if r[0] in RLS_SCHEMAS and r[2] == "r" and not r[3]] == []
    spec = yaml.safe_load(open(os.path.join(ROOT, "roles", "supabase_schema", "files", "rls_policies.yml")))
    assert len(state["policies"]) == sum(len(t["policies"]) for t in spec["tables"])

    def run(check):
        r = migrate(dsn, amended_files, check=check, diff=True)
        assert not r.get("failed", False), r.get("msg")
        return r

    results = check_apply_check_apply(run, state=lambda: (ledger(dsn), database_state(dsn)))
    files = ["001_metadata_schema.sql", "002_medallion_schemas.sql", "003_access_control.sql"]
    assert [m["file"] for m in results[0]["amended"]] == files
    assert [m["file"] for m in results[1]["amended"]] == files
    assert results[2]["amended"] == [] and results[3]["amended"] == []
    for r in results:
        assert r["pending"] == [] and r["applied"] == [] and r["rls_enabled_tables"] == []
    new, dummy = mig.load_migrations(amended_files)
    new_digests = dict((m.version, mig.fingerprint_digest(m.statements)) for m in new)
    for r in results[:2]:
        assert r["diff"]["before"] == {"applied": VERSIONS, "amended": old_digests}
        assert r["diff"]["after"] == {"applied": VERSIONS, "amended": new_digests}
        warnings = " ".join(r.get("warnings", []))
        assert (
            "001_metadata_schema.sql: the database ran an earlier version of this file (fingerprint %s"
            % old_digests["001"]
            in warnings
        )
    assert "diff" not in results[2] and "diff" not in results[3]

    # Independent reads: the ledger rows hold today's files exactly, the rest of the database is untouched.
    rows = ledger(dsn)
    assert [(v, n) for v, n, s in rows] == [
        ("001", "metadata_schema"),
        ("002", "medallion_schemas"),
        ("003", "access_control"),
    ]
    assert [s for v, n, s in rows] == [m.statements for m in new]
    assert rows[0][2][0].startswith("-- workbench:amends %s" % old_digests["001"])
    assert database_state(dsn) == state

    # The whole stage, with every file of today, applies only what came later (004) and then converges with nothing
    # left to do (its verify step re-plans); the amended tables and their policies stay as they were.
    res = schema_stage(dsn)
    assert not res.failed, res.stdout[-3000:]
    assert [m["version"] for m in res.task("Apply pending migrations")["applied"]] == sorted(
        f.split("_", 1)[0] for f in os.listdir(NEW_DIR) if f.endswith(".sql") and f.split("_", 1)[0] not in VERSIONS
    )
    res = schema_stage(dsn)
    assert not res.failed and res.changed == 0, res.stdout[-3000:]
    after = database_state(dsn)
    assert after["relations"] == state["relations"]
    assert [p for p in after["policies"] if p in state["policies"]] == state["policies"]


def test_an_undeclared_or_wrongly_declared_edit_is_still_refused(old_db, tmp_path):
    dsn = old_db
    before_rows = ledger(dsn)
    recorded = mig.fingerprint_digest(before_rows[0][2])
    edited = tmp_path / "edited"
    edited.mkdir()
    for name in os.listdir(NEW_DIR):
        text = open(os.path.join(NEW_DIR, name)).read()
        if name.startswith("001_"):
            text = text.replace(recorded, "sha256:" + "0" * 64)
        (edited / name).write_text(text)
    for check in (True, False):
        r = migrate(dsn, str(edited), check=check)
        assert r["failed"] is True
        assert "001_metadata_schema.sql were edited after they were applied" in r["msg"]
        assert "recorded fingerprint: 001_metadata_schema.sql %s" % recorded in r["msg"]
        assert "002" not in r["msg"].split("were edited")[0]  # 002 and 003 are declared amendments, not edits
    assert ledger(dsn) == before_rows


@pytest.mark.parametrize("transaction", ["per_file", "all"])
def test_amendments_follow_the_run_s_transaction_rules(db, tmp_path, transaction):
    """An amendment is one file's work: per_file commits it on its own, all commits it with everything or nothing."""
    first = {"001_things.sql": "create table things (id int);\n"}
    path = tmp_path / "m"
    path.mkdir()
    for name, text in first.items():
        (path / name).write_text(text)
    assert migrate(db, str(path))["changed"] is True
    old_rows = ledger(db)
    digest = mig.fingerprint_digest(old_rows[0][2])
    (path / "001_things.sql").write_text(
        "-- workbench:amends %s\ncreate table things (id int);\ncomment on table things is 'amended';\n" % digest
    )
    (path / "002_broken.sql").write_text("create table half (id int);\nselect * from no_such_table;\n")

    r = migrate(db, str(path), transaction=transaction)
    assert r["failed"] is True and "002_broken.sql failed at statement 2 of 2" in r["msg"]
    kept = "001_things.sql (ledger amended)" if transaction == "per_file" else "none"
    assert "files committed before it in this run: %s." % kept in r["msg"]
    rows = ledger(db)
    assert query(db, "select to_regclass('public.half')") == [(None,)]
    assert [v for v, n, s in rows] == ["001"]
    # the amendment ran nothing in either case: the comment of the amended file was never executed
    assert query(db, "select obj_description('public.things'::regclass, 'pg_class')") == [(None,)]
    if transaction == "per_file":
        assert [m["file"] for m in r["amended"]] == ["001_things.sql"]
        assert rows[0][2] == [
            "-- workbench:amends %s\ncreate table things (id int)" % digest,
            "comment on table things is 'amended'",
        ]
    else:
        assert r["amended"] == []
        assert rows == old_rows

    # without the broken file the run completes; a second plan has nothing left to do
    (path / "002_broken.sql").unlink()
    r = migrate(db, str(path))
    assert not r.get("failed") and r["changed"] is (transaction == "all")
    assert migrate(db, str(path), check=True)["changed"] is False
    assert ledger(db)[0][2][1] == "comment on table things is 'amended'"
