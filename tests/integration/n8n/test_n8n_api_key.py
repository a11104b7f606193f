"""insightpulseai.workbench.n8n_api_key and the owner pre-seeding, against a real n8n 2.41.1.

The session's n8n (conftest ``n8n_server``) is started by the local_stack role with the N8N_INSTANCE_OWNER_* settings
(a bcrypt hash made by the bcrypt_hash filter) and its key is ensured by this module, as in production. Each key test
uses its own label so the local_stack key the other tests use is never touched. Independent reads go through
tests/support/n8n.py (plain urllib): the owner's own key list (GET /rest/api-keys with a login cookie) and the public
API with the returned key.
"""

from __future__ import annotations

import os
import uuid

import pytest

from n8n_tasks import module
from support import worker_port, worker_suffix
from support.ansible import ROOT
from support.cycle import check_apply_check_apply
from support.n8n import OWNER_EMAIL, TEST_BROKER_PORT, TEST_PORT, Api, ApiError, N8nServer, Rest


ATTACKER = {"email": "attacker@evil.test", "firstName": "A", "lastName": "B", "password": "Attack3rPassw0rd"}


def owner_rest(n8n_server):
    rest = n8n_server.rest()
    rest.login(OWNER_EMAIL, n8n_server.owner_password)
    return rest


def keys_of(n8n_server, label):
    return [k for k in owner_rest(n8n_server).api_keys() if k["label"] == label]


def key_state(n8n_server, label):
    """What the module manages of the labelled keys (n8n itself stamps lastUsedAt/updatedAt when a key is used,
    as the module does to test a stored key: a read, not a change)."""
    return [
        dict((f, k[f]) for f in ("id", "label", "scopes", "apiKey", "expiresAt")) for k in keys_of(n8n_server, label)
    ]


def key_works(n8n_server, key):
    try:
        Api(n8n_server.url, key).call("GET", "/workflows?limit=1")
        return True
    except ApiError as exc:
        assert exc.status in (401, 403), exc
        return False


@pytest.fixture
def label():
    return "it-" + uuid.uuid4().hex[:12]


@pytest.fixture
def args(n8n_server, label):
    return dict(url=n8n_server.url, owner_email=OWNER_EMAIL, owner_password=n8n_server.owner_password, label=label)


def run(args, check=False, diff=True, stored=None):
    result = module("n8n_api_key", dict(args, api_key=stored or ""), check=check, diff=diff)
    text = result.stdout + result.stderr
    assert args["owner_password"] not in text, "the output carries the owner's password"
    return result, result.task("m")


def test_the_owner_exists_from_the_first_start_and_cannot_be_claimed(n8n_server):
    """The pre-seeded instance: no setup screen, /rest/owner/setup refused, the owner logs in with the vault password."""
    rest = Rest(n8n_server.url)
    status, settings = rest.call("GET", "/settings")
    assert status == 200 and settings["data"]["userManagement"]["showSetupOnFirstLoad"] is False
    status, body = rest.call("POST", "/owner/setup", ATTACKER)
    assert status == 400 and "already setup" in body["message"], (status, body)
    assert (
        Rest(n8n_server.url).call(
            "POST", "/login", {"emailOrLdapLoginId": "attacker@evil.test", "password": "Attack3rPassw0rd"}
        )[0]
        == 401
    )
    # independent read: the owner is still ours, marked as managed by the environment
    me = owner_rest(n8n_server).call("GET", "/login")[1]["data"]
    assert me["email"] == OWNER_EMAIL and me["role"] == "global:owner" and me["isManagedByEnv"] is True


def test_without_the_preseeding_the_first_visitor_claims_the_owner(tmp_path):
    """The control: the same start without N8N_INSTANCE_OWNER_MANAGED_BY_ENV leaves the owner open to anyone who
    reaches /rest/owner/setup first - what the pre-seeding prevents. The role's key step then cannot log in."""
    server = N8nServer(
        os.path.join(ROOT, ".tmp", "it-n8n-unseeded" + worker_suffix()),
        port=worker_port(TEST_PORT) + 4,
        broker_port=worker_port(TEST_BROKER_PORT) + 4,
        env={"N8N_INSTANCE_OWNER_MANAGED_BY_ENV": "false"},
    )
    server.stop()
    try:
        result = server.converge(local_stack_no_log=False)  # to read the failure (this owner is throw-away)
        assert result.failed
        assert "Failed to log in to http://127.0.0.1:%d as %s" % (server.port, OWNER_EMAIL) in result.failure()["msg"]
        rest = server.rest()
        assert rest.call("GET", "/settings")[1]["data"]["userManagement"]["showSetupOnFirstLoad"] is True
        status, body = rest.call("POST", "/owner/setup", ATTACKER)
        assert status == 200 and body["data"]["email"] == "attacker@evil.test"
    finally:
        server.stop()


def test_check_apply_check_apply(n8n_server, args, label):
    plan, first = run(args, check=True)
    assert first["changed"] and first["created"] and first["operation"] == "create" and first["api_key"] == ""
    assert first["diff"]["after"]["label"] == label and "<new key" in first["diff"]["after"]["key"]
    assert first["actions"] == ["create API key %r" % label]
    assert first["requests"] == {"reads": 2, "writes": 1}  # the login; the key list and the scopes
    assert keys_of(n8n_server, label) == []  # the plan created nothing

    dummy, applied = run(args)
    key = applied["api_key"]
    assert applied["changed"] and applied["created"] and key.count(".") == 2  # a JWT
    assert key not in str(applied["diff"]) and key not in str(applied["key"])
    assert applied["key"]["label"] == label and applied["api_requests"]["writes"] == 2  # login + create
    assert applied["requests"] == {"reads": 2, "writes": 2} and applied["actions"] == first["actions"]

    for check in (True, False):
        dummy, again = run(args, check=check, stored=key)
        assert not again["changed"] and not again["created"] and again["operation"] == "none", again
        assert again["stored_key_accepted"] and again["api_key"] == "" and "diff" not in again
        assert again["api_requests"]["writes"] == 1  # the login only
        assert again["actions"] == [] and again["requests"] == {"reads": 3, "writes": 1}  # + the stored key's check

    # independent reads: exactly one key of the label, with every scope an owner's key may have, and it works
    found = keys_of(n8n_server, label)
    assert len(found) == 1 and found[0]["id"] == applied["key"]["id"]
    scopes = owner_rest(n8n_server).call("GET", "/api-keys/scopes")[1]["data"]
    assert sorted(found[0]["scopes"]) == sorted(scopes) and found[0]["expiresAt"] is None
    assert key_works(n8n_server, key)


def test_a_lost_copy_replaces_the_key(n8n_server, args, label):
    dummy, first = run(args)
    old = first["api_key"]
    for check in (True, False):
        dummy, replaced = run(args, check=check, stored="eyJ.not-the-key.any")
        assert replaced["changed"] and replaced["created"] and replaced["operation"] == "replace"
        assert not replaced["stored_key_accepted"]
        assert replaced["actions"] == [
            "delete API key %r (id %s)" % (label, first["key"]["id"]),
            "create API key %r" % label,
        ]
        if check:
            assert keys_of(n8n_server, label)[0]["id"] == first["key"]["id"] and key_works(n8n_server, old)
    new = replaced["api_key"]
    found = keys_of(n8n_server, label)
    assert [k["id"] for k in found] == [replaced["key"]["id"]] and found[0]["id"] != first["key"]["id"]
    assert key_works(n8n_server, new) and not key_works(n8n_server, old)
    assert not run(args, stored=new)[1]["changed"]


def test_scopes_are_set_in_place(n8n_server, args, label):
    dummy, first = run(dict(args, scopes=["workflow:read"]))
    key = first["api_key"]
    assert keys_of(n8n_server, label)[0]["scopes"] == ["workflow:read"]
    results = check_apply_check_apply(
        lambda check: run(args, check=check, stored=key)[1], state=lambda: key_state(n8n_server, label)
    )
    assert results[1]["operation"] == "update" and results[1]["changes"] == ["scopes"] and not results[1]["created"]
    assert results[1]["actions"] == ["set the scopes of API key %r" % label]
    found = keys_of(n8n_server, label)
    assert len(found) == 1 and found[0]["id"] == first["key"]["id"] and len(found[0]["scopes"]) > 1
    assert key_works(n8n_server, key)  # the same key


def test_absent_deletes_the_labelled_key(n8n_server, args, label):
    dummy, first = run(args)
    gone = dict(args, state="absent")
    results = check_apply_check_apply(
        lambda check: run(gone, check=check)[1], state=lambda: key_state(n8n_server, label)
    )
    assert results[1]["operation"] == "delete" and results[1]["key"] == {}
    assert results[1]["actions"] == ["delete API key %r (id %s)" % (label, first["key"]["id"])]
    assert keys_of(n8n_server, label) == [] and not key_works(n8n_server, first["api_key"])


def test_a_wrong_password_fails_before_anything_is_written(n8n_server, args, label):
    before = owner_rest(n8n_server).api_keys()
    result, failed = run(dict(args, owner_password="Wr0ngPassword-it"))
    assert result.failed and "Wr0ngPassword-it" not in result.stdout + result.stderr
    assert failed["msg"].startswith("Failed to log in to %s as %s" % (n8n_server.url, OWNER_EMAIL)), failed["msg"]
    assert failed["error_kind"] == "service" and failed["written"] is False and failed["status"] == 401
    assert failed["requests"] == {"reads": 0, "writes": 1} and failed["api_key"] == ""
    assert owner_rest(n8n_server).api_keys() == before


def test_a_scope_the_owner_cannot_have_is_refused(n8n_server, args, label):
    result, failed = run(dict(args, scopes=["workflow:read", "everything:forever"]))
    assert result.failed and "everything:forever" in failed["msg"] and "Invalid scopes" in failed["msg"]
    assert failed["error_kind"] == "spec" and failed["written"] is False
    assert keys_of(n8n_server, label) == []
