import pytest

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _migrations as mig


@pytest.mark.parametrize(
    "text, expected",
    [
        ("select 1; select 2;", ["select 1", "select 2"]),
        ("select 1", ["select 1"]),
        (";;  ; \n", []),
        ("select ';'; select 2", ["select ';'", "select 2"]),
        ("select 'it''s; fine'; x", ["select 'it''s; fine'", "x"]),
        ('create table "a;b" (id int); x', ['create table "a;b" (id int)', "x"]),
        ("-- c; c\nselect 1; x", ["-- c; c\nselect 1", "x"]),
        ("/* a; /* nested; */ still; */ select 1; x", ["/* a; /* nested; */ still; */ select 1", "x"]),
        ("create function f() returns int as $$ select 1; $$ language sql; x", ["create function f() returns int as $$ select 1; $$ language sql", "x"]),
        ("do $body$ begin perform 1; end $body$; x", ["do $body$ begin perform 1; end $body$", "x"]),
        ("select $$a$b;$$; x", ["select $$a$b;$$", "x"]),
        ("prepare p as select $1; x", ["prepare p as select $1", "x"]),
        ("select 1 as a$b; x", ["select 1 as a$b", "x"]),
        ("select 1 \\; select 2; x", ["select 1 \\; select 2", "x"]),
        ("select 1;\n-- trailing comment\n", ["select 1", "-- trailing comment"]),
    ],
)
def test_split_statements_like_the_supabase_cli(text, expected):
    assert mig.split_statements(text) == expected


def test_statement_lines():
    text = "-- header\nselect 1;\n\ncreate table t(\n id int);\nselect 2;"
    statements = mig.split_statements(text)
    assert mig.statement_lines(text, statements) == [1, 4, 6]


def test_fingerprint_ignores_white_space_only():
    assert mig.fingerprint(["select  1", "select\n2"]) == mig.fingerprint(["select 1", " select 2 "])
    assert mig.fingerprint(["select 1"]) != mig.fingerprint(["select 2"])


def write(tmp_path, files):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    return str(tmp_path)


def test_load_sorts_numerically_and_skips_other_files(tmp_path):
    path = write(tmp_path, {"10_b.sql": "select 10;", "9_a.sql": "select 9;", "README.md": "x", "x.sql": "select;"})
    migrations, skipped = mig.load_migrations(path)
    assert [m.version for m in migrations] == ["9", "10"]
    assert [m.name for m in migrations] == ["a", "b"]
    assert skipped == ["README.md", "x.sql"]


def test_load_refuses_duplicate_versions(tmp_path):
    path = write(tmp_path, {"001_a.sql": "select 1;", "001_b.sql": "select 2;"})
    with pytest.raises(mig.MigrationError, match="001_a.sql and 001_b.sql share version 001"):
        mig.load_migrations(path)


def test_load_refuses_empty_files_and_missing_dirs(tmp_path):
    with pytest.raises(mig.MigrationError, match="contains no SQL statement"):
        mig.load_migrations(write(tmp_path, {"001_a.sql": "  ;\n"}))
    with pytest.raises(mig.MigrationError, match="does not exist"):
        mig.load_migrations(str(tmp_path / "nope"))


def test_load_refuses_non_utf8(tmp_path):
    (tmp_path / "001_a.sql").write_bytes(b"select '\xff';")
    with pytest.raises(mig.MigrationError, match="not valid UTF-8"):
        mig.load_migrations(str(tmp_path))


def m(version, sql="select %s"):
    statements = [sql % version] if "%s" in sql else [sql]
    return mig.Migration(version, "n" + version, "%s_n%s.sql" % (version, version), statements)


def test_plan_pending_in_order():
    pending = mig.plan([m("1"), m("2"), m("3")], {"1": {"name": "n1", "statements": ["select 1"]}})
    assert [p.version for p in pending] == ["2", "3"]


def test_plan_everything_pending_on_an_empty_database():
    assert [p.version for p in mig.plan([m("1"), m("2")], {})] == ["1", "2"]


def test_plan_refuses_unknown_versions():
    with pytest.raises(mig.MigrationError, match=r"records migration version\(s\) 5, 7 but no such file") as err:
        mig.plan([m("1")], {"1": {"statements": ["select 1"]}, "7": {"statements": []}, "5": {"statements": None}})
    assert "repair --status reverted 5 7" in str(err.value)


def test_plan_refuses_edited_files_but_accepts_rows_without_statements():
    with pytest.raises(mig.MigrationError, match=r"1_n1.sql were edited after they were applied"):
        mig.plan([m("1")], {"1": {"statements": ["select 'other'"]}})
    assert mig.plan([m("1")], {"1": {"statements": None}}) == []


def test_plan_out_of_order():
    history = {"2": {"statements": ["select 2"]}}
    with pytest.raises(mig.MigrationError, match="1_n1.sql sort before the newest applied version 2"):
        mig.plan([m("1"), m("2")], history)
    assert [p.version for p in mig.plan([m("1"), m("2")], history, allow_out_of_order=True)] == ["1"]


def test_lock_key_is_stable_and_per_ledger():
    assert mig.lock_key("supabase_migrations") == mig.lock_key("supabase_migrations")
    assert mig.lock_key("supabase_migrations") != mig.lock_key("other")
    assert 0 <= mig.lock_key("x") < 2 ** 63
