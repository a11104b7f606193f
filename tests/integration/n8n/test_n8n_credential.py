"""n8n_credential against a real n8n 2.41.1, with a real PostgreSQL behind the credential: n8n's own credential test
(POST /credentials/{id}/test) is the independent proof of what data was written, since n8n never returns it."""

import json
from urllib.parse import urlsplit

import pytest

from n8n_tasks import four_steps, module, result
from support.cycle import check_apply_check_apply
from support.pg import execute

NAME = "Workbench Postgres"
# A dedicated login for n8n (as production should have): Ansible masks every value of the no_log `data` wherever it
# appears in a result, so with user=postgres the credential type "postgres" would read "********".
USER, PASSWORD = "n8n_it", "n8n-it-Password-1"


@pytest.fixture(autouse=True)
def n8n_login(pg_server):
    execute(
        pg_server.dsn,
        """do $$ begin create role n8n_it login password 'n8n-it-Password-1';
                              exception when duplicate_object then null; end $$""",
    )


def pg_data(pg_server, password=None):
    u = urlsplit(pg_server.dsn)
    return dict(
        host=u.hostname,
        port=u.port,
        database="workbench",
        user=USER,
        password=PASSWORD if password is None else password,
        ssl="disable",
    )


def connects(n8n, name=NAME):
    (cred,) = [c for c in n8n.credentials() if c["name"] == name and c["type"] == "postgres"]
    return n8n.test_credential(cred["id"])["status"] == "OK"


def test_create_and_converge(n8n, conn, pg_server):
    results = four_steps("n8n_credential", dict(conn, name=NAME, type="postgres", data=pg_data(pg_server)))
    assert results[1]["operation"] == "create" and results[1]["data_written"]
    assert results[3]["operation"] == "none" and not results[3]["data_written"]
    assert results[3]["api_requests"] == {"requests": 1, "writes": 0}
    assert results[3]["requests"] == {"reads": 1, "writes": 0} and results[3]["actions"] == []
    assert results[1]["requests"] == {"reads": 2, "writes": 1}  # the list, the type's schema; the create
    assert results[0]["actions"] == results[1]["actions"] == ["create credential %r (type postgres)" % NAME]
    assert (
        results[1]["diff"]["after"]["data"]
        == "<write-only: fields database, host, password, port, ssl, user; values not shown>"
    )
    # independent reads
    creds = [c for c in n8n.credentials() if c["name"] == NAME]
    assert [(c["type"], c["id"]) for c in creds] == [("postgres", results[1]["credential"]["id"])]
    assert connects(n8n)


def test_update_data_on_create_keeps_and_always_writes(n8n, conn, pg_server):
    args = dict(conn, name=NAME, type="postgres")
    result("n8n_credential", dict(args, data=pg_data(pg_server, password="wrong-password")))
    assert not connects(n8n)
    # on_create (default): the corrected password is NOT written - n8n cannot tell us that it differs
    again = result("n8n_credential", dict(args, data=pg_data(pg_server)))
    assert not again["changed"] and not again["data_written"]
    assert not connects(n8n)
    # always: written (and reported) on every run, check mode included
    runs = check_apply_check_apply(
        lambda check: result(
            "n8n_credential", dict(args, data=pg_data(pg_server), update_data="always"), check=check, diff=True
        ),
        expect=(True, True, True, True),
        state=lambda: [c["id"] for c in n8n.credentials()],
    )
    assert [r["operation"] for r in runs] == ["update_data"] * 4
    assert [r["requests"]["writes"] for r in runs] == [0, 1, 0, 1]
    assert connects(n8n)
    assert len(n8n.credentials()) == 1


def test_removal(n8n, conn, pg_server):
    result("n8n_credential", dict(conn, name=NAME, type="postgres", data=pg_data(pg_server)))
    four_steps("n8n_credential", dict(conn, name=NAME, type="postgres", state="absent"))
    assert n8n.credentials() == []


def test_same_name_other_type_is_another_credential(n8n, conn, pg_server):
    n8n.create_credential(NAME, "httpHeaderAuth", {"name": "X-Token", "value": "t"})
    four_steps("n8n_credential", dict(conn, name=NAME, type="postgres", data=pg_data(pg_server)))
    assert sorted(c["type"] for c in n8n.credentials()) == ["httpHeaderAuth", "postgres"]


def test_bad_input_fails_before_writing(n8n, conn, pg_server):
    res = result("n8n_credential", dict(conn, name=NAME, type="postgresql", data=pg_data(pg_server)))
    assert res["failed"] and res["msg"].startswith("Credential type 'postgresql' is not known to the n8n instance")
    assert res["error_kind"] == "spec" and res["written"] is False
    data = dict(pg_data(pg_server), hostname="x")
    res = result("n8n_credential", dict(conn, name=NAME, type="postgres", data=data))
    assert res["failed"] and "data has field(s) hostname that a postgres credential does not have" in res["msg"]
    res = result(
        "n8n_credential",
        dict(conn, name=NAME, type="postgres", data=dict(pg_data(pg_server), ssl="verify-full")),
        check=True,
    )
    assert res["failed"] and "data.ssl must be one of allow, disable, require" in res["msg"]
    res = result("n8n_credential", dict(conn, name=NAME, type="postgres"))
    assert res["failed"] and "data is required to create it" in res["msg"]
    assert n8n.credentials() == []
    n8n.create_credential(NAME, "postgres", {"host": "a"})
    n8n.create_credential(NAME, "postgres", {"host": "b"})
    res = result(
        "n8n_credential", dict(conn, name=NAME, type="postgres", data=pg_data(pg_server), update_data="always")
    )
    assert res["failed"] and "2 credentials of type postgres are named 'Workbench Postgres'" in res["msg"]
    assert res["error_kind"] == "drift" and res["requests"] == {"reads": 1, "writes": 0}


def test_secrets_never_reach_the_output(n8n, conn, pg_server):
    data = pg_data(pg_server, password="zz-credential-secret-77")
    for args in (dict(data=data), dict(data=data, update_data="always")):
        out = module("n8n_credential", dict(conn, name=NAME, type="postgres", **args), diff=True, verbosity=3)
        assert out.rc == 0, out.stdout[-2000:]
        text = out.stdout + out.stderr
        assert "zz-credential-secret-77" not in text and conn["api_key"] not in text
    res = result("n8n_credential", dict(conn, name=NAME, type="nosuchtype", data=data))
    assert res["failed"] and "zz-credential-secret-77" not in json.dumps(res)
