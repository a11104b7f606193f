import pytest

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _pg_access
from ansible_collections.insightpulseai.workbench.plugins.modules import supabase_access_info

from unit.module_harness import ModuleFail, run_module

IDENTITIES = {"anon": {"db_role": "anon"}, "alice": {"db_role": "authenticated", "claims": {"sub": "a"}}}
CHECKS = [{"table": "app.notes", "operations": ["select"], "key": "id", "value": 1}]


class Conn(object):
    closed = False
    rolled_back = False

    def cursor(self):
        raise AssertionError("the session itself runs no statement")

    def rollback(self):
        self.rolled_back = True

    def commit(self):
        raise AssertionError("an _info module never commits")

    def close(self):
        self.closed = True


@pytest.fixture
def no_connect(monkeypatch):
    def connect(module):
        raise AssertionError("connected although the options are invalid")

    monkeypatch.setattr(supabase_access_info, "connect", connect)


def args(**kw):
    a = dict(login_dsn="postgresql://x@h/db", identities=IDENTITIES, checks=CHECKS)
    a.update(kw)
    return a


@pytest.mark.parametrize(
    "kw, message",
    [
        (dict(checks=[dict(CHECKS[0], operations=["select", "merge"])]), "merge"),
        (dict(checks=[dict(CHECKS[0], table="notes")]), "checks[0].table 'notes' is not in schema.name form"),
        (dict(expected={"app.notes": {"select": ["bob"]}}), "names identity bob, which is not defined in identities"),
        (dict(checks=[dict(CHECKS[0], values={"anon": 1, "alice": 2})]), "mutually exclusive: value|values"),
        (
            dict(fixtures=["insert into t values (1); rollback"]),
            "fixtures[0] statement 2 is a transaction-control statement (ROLLBACK)",
        ),
        (dict(fixtures_file="/nonexistent/fixtures.sql"), "Cannot read fixtures_file /nonexistent/fixtures.sql"),
    ],
)
def test_invalid_options_fail_before_connecting(monkeypatch, no_connect, kw, message):
    out = run_module(monkeypatch, supabase_access_info.main, args(**kw))
    assert isinstance(out, ModuleFail)
    assert message in out.result["msg"]


def test_success_reports_the_matrix_and_never_changes(monkeypatch, tmp_path):
    conn = Conn()
    seen = []
    result = dict(matrix={"app.notes": {"select": ["alice"]}}, cells=2, mismatches=[], tables=["app.notes"])
    monkeypatch.setattr(supabase_access_info, "connect", lambda module: conn)
    monkeypatch.setattr(
        _pg_access,
        "verify",
        lambda c, spec, fixtures, lock_timeout=None, counter=None: seen.append((fixtures, lock_timeout)) or result,
    )
    fixtures_file = tmp_path / "f.sql"
    fixtures_file.write_text("insert into app.notes values (1);\n")
    out = run_module(
        monkeypatch,
        supabase_access_info.main,
        args(fixtures_file=str(fixtures_file), fixtures=["select 1"]),
        check_mode=True,
    )
    assert not isinstance(out, ModuleFail)
    assert out.result == dict(result, changed=False, actions=[], requests=dict(reads=0, writes=0))
    assert seen == [
        ([("f.sql statement 1 (line 1)", "insert into app.notes values (1)"), ("fixtures[0]", "select 1")], 10)
    ]
    assert conn.closed


def test_mismatches_fail_with_every_cell_and_the_result(monkeypatch):
    conn = Conn()
    lines = [
        "select app.notes as anon: expected allowed, got denied (saw 0 rows)",
        "select app.notes as alice: expected denied, got allowed (saw 1 row)",
    ]
    result = dict(matrix={"app.notes": {"select": ["alice"]}}, cells=2, mismatches=lines, tables=["app.notes"])
    monkeypatch.setattr(supabase_access_info, "connect", lambda module: conn)
    monkeypatch.setattr(_pg_access, "verify", lambda *a, **kw: result)
    out = run_module(monkeypatch, supabase_access_info.main, args(expected={"app.notes": {"select": ["anon"]}}))
    assert isinstance(out, ModuleFail)
    assert out.result["msg"] == "The access matrix differs from expected in 2 of 2 cells: " + "; ".join(lines)
    assert out.result["mismatches"] == lines and out.result["matrix"] == result["matrix"]
    assert out.result["error_kind"] == "drift" and out.result["written"] is False and out.result["actions"] == []
    assert conn.rolled_back and conn.closed


def test_cell_errors_say_nothing_was_changed(monkeypatch):
    conn = Conn()

    def verify(*a, **kw):
        raise _pg_access.CellError(
            "select app.notes as anon failed with SQLSTATE 22012, which is not a permission denial: x."
        )

    monkeypatch.setattr(supabase_access_info, "connect", lambda module: conn)
    monkeypatch.setattr(_pg_access, "verify", verify)
    out = run_module(monkeypatch, supabase_access_info.main, args())
    assert isinstance(out, ModuleFail)
    assert out.result["msg"].endswith("x. Nothing was changed: the transaction was rolled back.")
    assert out.result["error_kind"] == "service" and out.result["written"] is False
    assert conn.rolled_back and conn.closed
