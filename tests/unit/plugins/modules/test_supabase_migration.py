import psycopg2
import pytest

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _pg_client, _runtime
from ansible_collections.insightpulseai.workbench.plugins.modules import supabase_migration

from unit.module_harness import ModuleFail, run_module


def test_file_errors_fail_before_any_connection(monkeypatch, tmp_path):
    (tmp_path / "001_a.sql").write_text("select 1;")
    (tmp_path / "001_b.sql").write_text("select 2;")

    def no_connect(module):
        raise AssertionError("connected although the files are invalid")

    monkeypatch.setattr(supabase_migration, "connect", no_connect)
    out = run_module(monkeypatch, supabase_migration.main, dict(path=str(tmp_path), login_dsn="postgresql://x@h/db"))
    assert isinstance(out, ModuleFail)
    assert "share version 001" in out.result["msg"]


def test_connection_failure_names_target_not_secret(monkeypatch, tmp_path):
    (tmp_path / "001_a.sql").write_text("select 1;")
    out = run_module(
        monkeypatch,
        supabase_migration.main,
        dict(path=str(tmp_path), login_dsn="postgresql://admin:S3cretPw@127.0.0.1:1/app", connect_timeout=2),
    )
    assert isinstance(out, ModuleFail)
    assert out.result["msg"].startswith("Failed to connect to PostgreSQL at admin@127.0.0.1:1/app: ")
    assert "S3cretPw" not in str(out.result)
    assert out.result["error_kind"] == "service" and out.result["written"] is False
    assert out.result["requests"] == dict(reads=0, writes=0) and out.result["skipped_files"] == []


def test_connection_kwargs_discrete_options_override_dsn():
    dsn, kwargs = _pg_client.connection_kwargs(
        dict(
            login_dsn="postgresql://a@h/db",
            login_host="other",
            login_port=6543,
            login_user=None,
            login_password="pw",
            login_db=None,
            ssl_mode="require",
            connect_timeout=5,
        )
    )
    assert dsn == "postgresql://a@h/db"
    assert kwargs == dict(
        application_name="insightpulseai.workbench",
        host="other",
        port=6543,
        password="pw",
        sslmode="require",
        connect_timeout=5,
    )
    assert _pg_client.describe_target(dict(login_dsn="postgresql://a:pw@h:1/db", login_host="other")) == "a@other:1/db"


# ---------------------------------------------------------------------------------------------------------
# _pg_client: statements counted as reads and writes, one transaction per run
# ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement, read",
    [
        ("SELECT 1", True),
        ("  -- a comment\n/* and another */ select * from t", True),
        ("SHOW server_version", True),
        ("WITH x AS (SELECT 1) SELECT * FROM x", True),
        ("WITH x AS (DELETE FROM t RETURNING *) SELECT * FROM x", False),
        (b"select 1", True),
        ("INSERT INTO t VALUES (1)", False),
        ("SET LOCAL lock_timeout = '4s'", False),
        ("SAVEPOINT p", False),
        ("DO $$ BEGIN END $$", False),
        ("CREATE POLICY p ON t USING (true)", False),
        ("", False),
    ],
)
def test_a_statement_reads_only_when_it_starts_with_a_read(statement, read):
    assert _pg_client.is_read(statement) is read


class RawCursor(object):
    """Stands in for psycopg2's cursor: records what reaches it."""

    def __init__(self, fail_on=None):
        self.log = []
        self.fail_on = fail_on
        self.exited = False
        self.rowcount = 3

    def execute(self, query, vars=None):
        self.log.append((query, vars))
        if self.fail_on and self.fail_on in str(query):
            raise psycopg2.ProgrammingError("refused")

    def executemany(self, query, vars_list):
        self.log.append((query, list(vars_list)))

    def __exit__(self, *exc):
        self.exited = True
        return False


def test_the_counting_cursor_counts_what_it_sends_and_passes_everything_through():
    counter = _pg_client.StatementCounter()
    raw = RawCursor(fail_on="broken")
    with _pg_client.CountingCursor(raw, counter) as cur:
        cur.execute("SELECT %s", (1,))
        cur.execute(_pg_client.pgsql.SQL("ALTER ROLE {} NOLOGIN").format(_pg_client.pgsql.SQL("r")))
        cur.executemany("INSERT INTO t VALUES (%s)", iter([(1,), (2,)]))
        with pytest.raises(psycopg2.ProgrammingError):
            cur.execute("UPDATE broken SET x = 1")  # sent, so counted
        assert cur.rowcount == 3
    assert raw.exited
    assert raw.log[0] == ("SELECT %s", (1,)) and raw.log[2] == ("INSERT INTO t VALUES (%s)", [(1,), (2,)])
    assert counter.as_dict() == dict(reads=1, writes=4)


class TxConn(object):
    def __init__(self, fail_commit=False):
        self.events = []
        self.fail_commit = fail_commit

    def commit(self):
        self.events.append("commit")
        if self.fail_commit:
            raise psycopg2.OperationalError("server closed the connection")

    def rollback(self):
        self.events.append("rollback")

    def close(self):
        self.events.append("close")


@pytest.mark.parametrize("commit, events", [(True, ["commit", "close"]), (False, ["rollback", "close"])])
def test_the_transaction_commits_only_when_asked_at_its_end(commit, events):
    conn = TxConn()
    asked = []
    with _pg_client.transaction(conn, lambda: asked.append(True) or commit):
        assert conn.events == []
    assert asked == [True] and conn.events == events


def test_the_transaction_rolls_back_on_any_exception_and_a_failed_commit_is_a_service_error():
    conn = TxConn()
    with pytest.raises(KeyError):
        with _pg_client.transaction(conn, lambda: True):
            raise KeyError("bug")
    assert conn.events == ["rollback", "close"]
    conn = TxConn(fail_commit=True)
    with pytest.raises(_runtime.ServiceError, match="Failed to commit the transaction .*server closed the connection"):
        with _pg_client.transaction(conn, lambda: True):
            pass
    assert conn.events == ["commit", "rollback", "close"]


def test_a_connection_failure_is_a_service_error_that_wrote_nothing():
    module = type("M", (), dict(params=dict(login_dsn="postgresql://u:pw@127.0.0.1:1/db", connect_timeout=2)))()
    with pytest.raises(_runtime.ServiceError) as err:
        _pg_client.connect(module)
    assert err.value.written is False and err.value.msg.startswith(
        "Failed to connect to PostgreSQL at u@127.0.0.1:1/db: "
    )
