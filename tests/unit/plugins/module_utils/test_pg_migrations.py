import re

import psycopg2
import pytest

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _pg_migrations as mig
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _runtime


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
        (
            "create function f() returns int as $$ select 1; $$ language sql; x",
            ["create function f() returns int as $$ select 1; $$ language sql", "x"],
        ),
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
    assert 0 <= mig.lock_key("x") < 2**63


@pytest.mark.parametrize(
    "text, expected",
    [
        # E'' strings take backslash escapes: \' does not end them
        ("select E'a\\';b'; x", ["select E'a\\';b'", "x"]),
        ("select e'\\\\'; x", ["select e'\\\\'", "x"]),
        # ... but only when the E stands alone: here it ends an identifier and the string is a standard one
        ("select type'a\\'; x", ["select type'a\\'", "x"]),
        ("select 'a\\'; x", ["select 'a\\'", "x"]),
        # a $ inside an identifier never starts a dollar quote; after a number or a $n parameter it does
        ("select a$b$; x", ["select a$b$", "x"]),
        ("select $1$t$;$t$; x", ["select $1$t$;$t$", "x"]),
        ("select $\U0001f600$;$\U0001f600$; x", ["select $\U0001f600$;$\U0001f600$", "x"]),
    ],
)
def test_split_statements_lexes_quotes_as_postgresql_does(text, expected):
    assert mig.split_statements(text) == expected


def test_sql_tokens_kinds_and_unclosed_quotes():
    text = "a -- c\n/* b */ 'x' \"y\" $$z$$ \\; 'open"
    kinds = [(kind, text[start:end], closed) for kind, start, end, closed in mig.sql_tokens(text)]
    assert kinds == [
        ("code", "a ", True),
        ("line_comment", "-- c\n", True),
        ("block_comment", "/* b */", True),
        ("code", " ", True),
        ("string", "'x'", True),
        ("code", " ", True),
        ("quoted_ident", '"y"', True),
        ("code", " ", True),
        ("dollar", "$$z$$", True),
        ("code", " ", True),
        ("backslash", "\\;", True),
        ("code", " ", True),
        ("string", "'open", False),
    ]


OLD = ["create table t (id int)"]
NEW = [
    "-- workbench:amends %s\ncreate table t (id int)" % mig.fingerprint_digest(OLD),
    "alter table s.t enable row level security",
]


def test_fingerprint_digest():
    assert mig.fingerprint_digest(["select  1"]) == mig.fingerprint_digest(["select 1"])
    assert mig.fingerprint_digest(["select 1"]).startswith("sha256:") and len(mig.fingerprint_digest(["x"])) == 71


def test_parse_amends_reads_the_header_only(tmp_path):
    digest = mig.fingerprint_digest(OLD)
    text = (
        "\n-- banner\n--   workbench:amends %s why it is safe\n-- workbench:amends %s\n\ncreate table t (id int);\n"
        % (digest, "sha256:" + "0" * 64)
    )
    assert mig.parse_amends(text, "001_a.sql") == [digest, "sha256:" + "0" * 64]
    assert mig.parse_amends("create table t (id int);", "001_a.sql") == []
    path = write(tmp_path, {"001_a.sql": text})
    assert mig.load_migrations(path)[0][0].amends == frozenset([digest, "sha256:" + "0" * 64])


@pytest.mark.parametrize(
    "text, message",
    [
        ("-- workbench:amends 27a2bd\nselect 1;", "001_a.sql line 1: a workbench:amends line must be"),
        ("-- workbench:amends sha256:%s\nselect 1;" % ("A" * 64), "line 1: a workbench:amends line must be"),
        ("-- workbench:amends md5:%s\nselect 1;" % ("a" * 32), "line 1: a workbench:amends line must be"),
        (
            "-- x\nselect 1;\n-- workbench:amends sha256:%s\n" % ("a" * 64),
            "001_a.sql line 3: workbench:amends is only read in the file's header",
        ),
    ],
)
def test_parse_amends_refuses_malformed_or_misplaced_lines(text, message):
    with pytest.raises(mig.MigrationError, match=re.escape(message)):
        mig.parse_amends(text, "001_a.sql")


def amended_file():
    return mig.Migration("1", "n1", "1_n1.sql", NEW, amends=mig.parse_amends(NEW[0], "1_n1.sql"))


def test_a_declared_amendment_is_applied_not_pending_and_not_refused():
    history = {"1": {"name": "old", "statements": OLD}}
    migrations = [amended_file(), m("2")]
    assert [p.version for p in mig.plan(migrations, history)] == ["2"]
    assert [a.version for a in mig.amendments(migrations, history)] == ["1"]
    # once the row holds the current statements, nothing is left to amend
    assert mig.amendments(migrations, {"1": {"name": "n1", "statements": NEW}}) == []
    # a fresh database runs the current file
    assert [p.version for p in mig.plan(migrations, {})] == ["1", "2"] and mig.amendments(migrations, {}) == []
    # rows written by `supabase migration repair` carry no statements: nothing to compare, nothing to amend
    assert mig.amendments(migrations, {"1": {"name": "n1", "statements": None}}) == []


def test_any_other_edit_is_still_refused_and_the_message_names_the_recorded_fingerprint():
    recorded = ["create table t (id bigint)"]
    with pytest.raises(mig.MigrationError) as err:
        mig.plan([amended_file()], {"1": {"name": "n1", "statements": recorded}})
    msg = str(err.value)
    assert "1_n1.sql were edited after they were applied" in msg
    assert "recorded fingerprint: 1_n1.sql %s" % mig.fingerprint_digest(recorded) in msg
    assert "-- workbench:amends <recorded fingerprint>" in msg and "supabase migration repair" in msg
    # without a header, the earlier version is refused too
    with pytest.raises(mig.MigrationError, match="were edited after they were applied"):
        mig.plan([m("1", sql=NEW[1])], {"1": {"statements": OLD}})


def test_rls_enabled_tables():
    statements = [
        "-- c\nALTER TABLE  ip_workbench.domains\n ENABLE ROW LEVEL SECURITY",
        'alter table if exists only "Odd"."t""x" enable /* c */ row level security',
        "alter table unqualified enable row level security",
        "alter table a.b enable row level security",
        "alter table a.b disable row level security",
        "select 'alter table c.d enable row level security'",
        "alter table e.f force row level security",
    ]
    assert mig.rls_enabled_tables([mig.Migration("1", "n", "1_n.sql", statements)]) == [
        "ip_workbench.domains",
        'Odd.t"x',
    ]


def test_each_error_is_one_of_the_runtime_kinds(tmp_path):
    with pytest.raises(mig.MigrationError) as err:  # the files: bad input, nothing written
        mig.load_migrations(write(tmp_path, {"001_a.sql": "select 1;", "001_b.sql": "select 2;"}))
    assert isinstance(err.value, _runtime.SpecError) and err.value.kind == "spec" and err.value.written is False
    with pytest.raises(mig.MigrationError) as err:  # the ledger disagrees with the files
        mig.plan([m("1")], {"1": {"statements": ["select 1"]}, "7": {"statements": []}})
    assert isinstance(err.value, _runtime.DriftError) and err.value.kind == "drift"

    class Refusing(object):
        def execute(self, statement, params=None):
            raise psycopg2.ProgrammingError("syntax error")

    with pytest.raises(mig.MigrationError) as err:  # the server refused a statement
        mig.apply_migration(Refusing(), m("1"), "supabase_migrations")
    assert isinstance(err.value, _runtime.ServiceError) and err.value.kind == "service"
    assert err.value.msg.startswith("Migration 1_n1.sql failed at statement 1 of 1: syntax error")
