from ansible_collections.insightpulseai.workbench.plugins.module_utils import _postgres
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


def test_connection_kwargs_discrete_options_override_dsn():
    dsn, kwargs = _postgres.connection_kwargs(
        dict(login_dsn="postgresql://a@h/db", login_host="other", login_port=6543, login_user=None,
             login_password="pw", login_db=None, ssl_mode="require", connect_timeout=5)
    )
    assert dsn == "postgresql://a@h/db"
    assert kwargs == dict(application_name="insightpulseai.workbench", host="other", port=6543, password="pw",
                          sslmode="require", connect_timeout=5)
    assert _postgres.describe_target(dict(login_dsn="postgresql://a:pw@h:1/db", login_host="other")) == "a@other:1/db"
