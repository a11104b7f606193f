"""supabase_migration against a real PostgreSQL: the four-step idempotency cycle, failures, drift, concurrency."""

import os
import subprocess
import sys

import pytest

from support.ansible import ROOT, base_env, run_playbook
from support.pg import execute, query

FILES = {
    "001_create_things.sql": """
        -- a comment; with a semicolon
        create schema app;
        create table app.things (id serial primary key, label text not null);
        create function app.label_of(i int) returns text language sql as $$ select label from app.things where id = i; $$;
    """,
    "002_seed_things.sql": "insert into app.things(label) values ('a;b'), ($tag$x;y$tag$);",
}


def write(dirpath, files):
    os.makedirs(dirpath, exist_ok=True)
    for name, text in files.items():
        with open(os.path.join(dirpath, name), "w") as f:
            f.write(text)
    return str(dirpath)


def migrate(dsn, path, check=False, diff=False, **options):
    args = dict(path=path, login_dsn=dsn)
    args.update(options)
    return run_playbook(
        tasks=[dict(name="migrate", **{"insightpulseai.workbench.supabase_migration": args}, register="r")],
        check=check,
        diff=diff,
    )


def ledger(dsn):
    return query(dsn, "select version, name, statements from supabase_migrations.schema_migrations order by version")


def schema_exists(dsn, name):
    return bool(query(dsn, "select 1 from pg_namespace where nspname = %s", (name,)))


def test_check_apply_check_apply(db, tmp_path):
    path = write(tmp_path / "m", FILES)

    first = migrate(db, path, check=True, diff=True)
    assert not first.failed, first.stdout
    r = first.task("migrate")
    assert r["changed"] is True
    assert [m["version"] for m in r["pending"]] == ["001", "002"]
    assert r["applied"] == []
    assert r["diff"]["after"]["applied"] == ["001", "002"]
    assert r["actions"] == ["apply 001_create_things.sql", "apply 002_seed_things.sql"]
    assert r["requests"] == dict(reads=1, writes=0)  # the ledger's columns: none yet, so nothing more to read
    # check mode wrote nothing, not even the ledger
    assert not schema_exists(db, "supabase_migrations")
    assert not schema_exists(db, "app")

    second = migrate(db, path, diff=True)
    r = second.task("migrate")
    assert r["changed"] is True
    assert [m["file"] for m in r["applied"]] == ["001_create_things.sql", "002_seed_things.sql"]
    assert r["diff"]["before"]["applied"] == [] and r["diff"]["after"]["applied"] == ["001", "002"]
    assert r["actions"] == ["apply 001_create_things.sql", "apply 002_seed_things.sql"]
    # writes: the lock's SET and RESET, the ledger's 5 statements, the files' 3 + 1 and their 2 ledger rows;
    # reads: the first look at the ledger, pg_advisory_lock, the ledger read again under the lock (2), the unlock
    assert r["requests"] == dict(reads=1 + 1 + 2 + 1, writes=2 + 5 + 4 + 2), r["requests"]

    third = migrate(db, path, check=True, diff=True)
    r = third.task("migrate")
    assert r["changed"] is False and r["pending"] == [] and "diff" not in r
    assert r["actions"] == [] and r["requests"] == dict(reads=2, writes=0)

    fourth = migrate(db, path)
    r = fourth.task("migrate")
    assert r["changed"] is False and r["applied"] == []

    # independent read: the objects and the ledger as the Supabase CLI writes it
    assert query(db, "select label from app.things order by id") == [("a;b",), ("x;y",)]
    rows = ledger(db)
    assert [(row[0], row[1]) for row in rows] == [("001", "create_things"), ("002", "seed_things")]
    assert rows[0][2][0].startswith("-- a comment; with a semicolon\n")
    assert rows[0][2][0].endswith("create schema app")
    assert len(rows[0][2]) == 3 and rows[1][2] == ["insert into app.things(label) values ('a;b'), ($tag$x;y$tag$)"]
    columns = query(
        db,
        """select column_name, data_type from information_schema.columns
                           where table_schema = 'supabase_migrations' and table_name = 'schema_migrations'
                           order by ordinal_position""",
    )
    assert columns == [("version", "text"), ("statements", "ARRAY"), ("name", "text")]


def test_new_file_is_applied_alone(db, tmp_path):
    path = write(tmp_path / "m", FILES)
    assert migrate(db, path).task("migrate")["changed"]
    write(tmp_path / "m", {"003_more.sql": "alter table app.things add column note text;"})
    r = migrate(db, path, check=True).task("migrate")
    assert r["changed"] and [m["version"] for m in r["pending"]] == ["003"]
    r = migrate(db, path).task("migrate")
    assert [m["version"] for m in r["applied"]] == ["003"]
    assert query(db, "select count(*) from app.things where note is null") == [(2,)]


@pytest.mark.parametrize("transaction", ["per_file", "all"])
def test_broken_migration_leaves_schema_and_ledger_unchanged(db, tmp_path, transaction):
    files = dict(FILES)
    files["003_broken.sql"] = """
        create table app.half_done (id int);
        insert into app.half_done values (1);
        select * from app.no_such_table;
        create table app.never (id int);
    """
    path = write(tmp_path / "m", {"001_create_things.sql": files["001_create_things.sql"]})
    assert migrate(db, path).task("migrate")["changed"]
    write(
        tmp_path / "m", {"002_seed_things.sql": files["002_seed_things.sql"], "003_broken.sql": files["003_broken.sql"]}
    )

    res = migrate(db, path, transaction=transaction)
    assert res.failed
    msg = res.task("migrate")["msg"]
    assert "003_broken.sql failed at statement 3 of 4 (line 4)" in msg
    assert "[42P01]" in msg and "no_such_table" in msg
    # independent read: nothing of the broken file, ledger without 003
    assert query(db, "select to_regclass('app.half_done')") == [(None,)]
    versions = [row[0] for row in ledger(db)]
    if transaction == "per_file":
        assert versions == ["001", "002"]  # 002 committed before 003 failed, as the Supabase CLI does
        assert "files committed before it in this run: 002_seed_things.sql" in msg
    else:
        assert versions == ["001"]  # all-or-nothing
        assert query(db, "select count(*) from app.things") == [(0,)]


def test_edited_migration_is_refused(db, tmp_path):
    path = write(tmp_path / "m", FILES)
    migrate(db, path)
    write(tmp_path / "m", {"002_seed_things.sql": "insert into app.things(label) values ('changed');"})
    res = migrate(db, path, check=True)
    assert res.failed
    msg = res.task("migrate")["msg"]
    assert "002_seed_things.sql were edited after they were applied" in msg
    assert "supabase migration repair" in msg
    # white space alone is not an edit
    write(
        tmp_path / "m",
        {"002_seed_things.sql": "insert into app.things(label)\n   values ('a;b'),\n ($tag$x;y$tag$);\n\n"},
    )
    assert not migrate(db, path).failed


def test_unknown_version_in_database_is_refused(db, tmp_path):
    path = write(tmp_path / "m", FILES)
    migrate(db, path)
    execute(
        db,
        "insert into supabase_migrations.schema_migrations(version, name, statements) values ('20990101000000', 'ghost', '{}')",
    )
    res = migrate(db, path)
    assert res.failed
    msg = res.task("migrate")["msg"]
    assert "20990101000000" in msg and "no such file" in msg
    assert "supabase migration repair --status reverted 20990101000000" in msg


def test_out_of_order_file_needs_opt_in(db, tmp_path):
    path = write(tmp_path / "m", {"002_seed_things.sql": "create table early_bird(id int);"})
    migrate(db, path)
    write(tmp_path / "m", {"001_late.sql": "create table late(id int);"})
    res = migrate(db, path)
    assert res.failed and "001_late.sql sort before the newest applied version 002" in res.task("migrate")["msg"]
    assert query(db, "select to_regclass('public.late')") == [(None,)]
    r = migrate(db, path, allow_out_of_order=True).task("migrate")
    assert [m["version"] for m in r["applied"]] == ["001"]


def test_duplicate_versions_fail_before_connecting(tmp_path):
    path = write(tmp_path / "m", {"001_a.sql": "select 1;", "001_b.sql": "select 2;"})
    # an unreachable server: the error must be about the files, found before any connection attempt
    res = migrate("postgresql://nobody@127.0.0.1:1/none", path)
    assert res.failed
    msg = res.task("migrate")["msg"]
    assert "001_a.sql and 001_b.sql share version 001" in msg


def test_badly_named_files_are_skipped_and_reported(db, tmp_path):
    path = write(tmp_path / "m", {"001_ok.sql": "create table ok(id int);", "README.md": "x", "notes.sql": "select 1;"})
    r = migrate(db, path).task("migrate")
    assert r["skipped_files"] == ["README.md", "notes.sql"]
    assert [m["version"] for m in r["applied"]] == ["001"]


def test_wrong_password_is_a_clear_error_without_the_secret(db, tmp_path):
    path = write(tmp_path / "m", FILES)
    secret = "Wr0ngSecretValue42"
    bad = db.replace(db.split("//", 1)[1].split("@", 1)[0], "postgres:" + secret)
    res = run_playbook(
        tasks=[{"name": "migrate", "insightpulseai.workbench.supabase_migration": {"path": path, "login_dsn": bad}}],
        verbosity=3,
    )
    assert res.rc != 0
    assert "Failed to connect to PostgreSQL at postgres@127.0.0.1" in res.stdout
    assert "password authentication failed" in res.stdout
    assert secret not in res.stdout and secret not in res.stderr


def test_concurrent_runs_apply_each_migration_once(db, tmp_path):
    files = {
        "001_slow.sql": "create table slow(id int); select pg_sleep(1.5);",
        "002_counter.sql": "create table counter(n int); insert into counter values (1);",
    }
    path = write(tmp_path / "m", files)
    play = tmp_path / "play.yml"
    play.write_text(
        "- hosts: localhost\n  gather_facts: false\n  tasks:\n"
        "    - name: migrate\n      insightpulseai.workbench.supabase_migration:\n"
        "        path: %s\n        login_dsn: '%s'\n" % (path, db)
    )
    cmd = [
        os.path.join(os.path.dirname(sys.executable), "ansible-playbook"),
        str(play),
        "-i",
        "localhost,",
        "-c",
        "local",
        "-e",
        "ansible_python_interpreter=" + sys.executable,
    ]
    procs = [
        subprocess.Popen(cmd, cwd=ROOT, env=base_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for dummy in range(2)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    # Both ran the module; exactly one applied the files (each CREATE TABLE would fail if run twice).
    changed = sorted('"changed": true' in out for out, err in outs)
    assert changed == [False, True]
    assert [row[0] for row in ledger(db)] == ["001", "002"]
    assert query(db, "select count(*) from counter") == [(1,)]
