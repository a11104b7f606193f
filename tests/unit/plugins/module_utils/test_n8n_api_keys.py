"""The API-key planner (pure) and the client's /rest session (a scripted opener instead of a server)."""

import io
import json

import pytest
from ansible.module_utils.six.moves.urllib.error import HTTPError

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _n8n_api_keys as keys
from ansible_collections.insightpulseai.workbench.plugins.module_utils._n8n_client import N8nApiError, N8nClient

STORED = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.sig-ABCD"
ALL = ("workflow:read", "workflow:list", "credential:create")


def listed(key_id, raw, scopes=ALL, label="insightpulseai.workbench"):
    return {"id": key_id, "label": label, "apiKey": "******" + raw[-4:], "scopes": list(scopes)}


@pytest.mark.parametrize(
    "state, keys_, works, scopes, expect",
    [
        # nothing yet: create
        ("present", [], False, ALL, dict(action="create", delete=[], update=None, reuse=False)),
        # the stored copy is the labelled key and n8n accepts it: nothing to do
        ("present", [listed("k1", STORED)], True, ALL, dict(action="none", delete=[], update=None, reuse=True)),
        # same scopes in another order: nothing
        (
            "present",
            [listed("k1", STORED, tuple(reversed(ALL)))],
            True,
            ALL,
            dict(action="none", delete=[], update=None, reuse=True),
        ),
        # n8n refuses the stored copy (revoked, another instance): the labelled key is renewed
        (
            "present",
            [listed("k1", STORED)],
            False,
            ALL,
            dict(action="replace", delete=["k1"], update=None, reuse=False),
        ),
        # a working key that is not the labelled one (another label's): ours is renewed
        (
            "present",
            [listed("k1", "xxxxWXYZ")],
            True,
            ALL,
            dict(action="replace", delete=["k1"], update=None, reuse=False),
        ),
        # scopes differ: set in place
        (
            "present",
            [listed("k1", STORED, ["workflow:read"])],
            True,
            ALL,
            dict(action="update", delete=[], update="k1", reuse=True),
        ),
        ("absent", [listed("k1", STORED)], True, ALL, dict(action="delete", delete=["k1"], update=None, reuse=False)),
        ("absent", [], False, ALL, dict(action="none", delete=[], update=None, reuse=False)),
    ],
)
def test_plan(state, keys_, works, scopes, expect):
    step = keys.plan(state, keys_, STORED, works, scopes)
    assert dict((k, step[k]) for k in expect) == expect
    assert bool(step["changes"]) == (step["action"] != "none")


def test_no_stored_copy_is_never_taken_for_a_listed_key():
    assert not keys.is_stored_copy("", listed("k1", STORED))
    assert not keys.is_stored_copy("ABCD", {"apiKey": "******ABCD"})  # too short to be a key
    assert keys.plan("present", [listed("k1", STORED)], "", False, ALL)["action"] == "replace"


def test_labelled_is_exact():
    found = keys.labelled(
        [listed("a", STORED, label="insightpulseai.workbench local_stack"), listed("b", STORED)],
        "insightpulseai.workbench",
    )
    assert [k["id"] for k in found] == ["b"]


def test_scopes_outside_the_role_are_named():
    with pytest.raises(keys.ApiKeyError, match="everything:forever") as err:
        keys.check_scopes(["workflow:read", "everything:forever"], ALL)
    assert err.value.kind == "spec" and err.value.written is False
    keys.check_scopes(["workflow:read"], ALL)


def test_summary_never_carries_the_key():
    shown = keys.summary(dict(listed("k1", STORED), rawApiKey=STORED, createdAt="t"))
    assert shown == {"id": "k1", "label": "insightpulseai.workbench", "createdAt": "t", "scopes": sorted(ALL)}


class Resp(object):
    def __init__(self, body, cookies=(), status=200):
        self._body = json.dumps(body).encode() if body is not None else b""
        self.status = status
        self.headers = _Headers([("Set-Cookie", c) for c in cookies])

    def read(self):
        return self._body

    def getcode(self):
        return self.status


class _Headers(object):
    def __init__(self, items):
        self.items = items

    def get_all(self, name):
        return [v for k, v in self.items if k.lower() == name.lower()] or None


class Script(object):
    def __init__(self, *answers):
        self.answers = list(answers)
        self.seen = []

    def __call__(self, url, method=None, headers=None, data=None, **kw):
        self.seen.append(dict(url=url, method=method, headers=dict(headers), data=data))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_login_keeps_the_session_and_sends_it_with_the_browser_id():
    script = Script(
        Resp({"data": {"id": "u1"}}, cookies=["other=1; Path=/", "n8n-auth=SESSION.jwt; Path=/; HttpOnly"]),
        Resp({"data": {"items": [listed("k1", STORED)], "counts": {}}}),
    )
    c = N8nClient("http://127.0.0.1:5678", None, opener=script, sleep=lambda s: None)
    assert c.login("owner@example.com", "Pw-SECRET-1")["id"] == "u1"
    assert c.list_api_keys("insightpulseai.workbench")[0]["id"] == "k1"
    login, listing = script.seen
    assert login["url"] == "http://127.0.0.1:5678/rest/login" and "X-N8N-API-KEY" not in login["headers"]
    assert json.loads(login["data"]) == {"emailOrLdapLoginId": "owner@example.com", "password": "Pw-SECRET-1"}
    assert listing["headers"]["Cookie"] == "n8n-auth=SESSION.jwt"
    assert listing["headers"]["browser-id"] == login["headers"]["browser-id"]
    assert listing["url"] == (
        "http://127.0.0.1:5678/rest/api-keys?label=insightpulseai.workbench&ownership=mine&take=250"
    )
    assert c.requests == [("POST", "/rest/login"), ("GET", "/rest/api-keys")]
    assert not c.wrote  # a login is a POST, but writes no state


def test_a_refused_login_is_not_retried_and_names_no_password():
    error = HTTPError("http://x", 401, "Unauthorized", {}, io.BytesIO(b'{"message": "Wrong username or password."}'))
    script = Script(error)
    c = N8nClient("http://127.0.0.1:5678", None, opener=script, sleep=lambda s: None)
    with pytest.raises(N8nApiError) as exc:
        c.login("owner@example.com", "Pw-SECRET-1")
    assert len(script.seen) == 1 and "Pw-SECRET-1" not in str(exc.value)
    assert str(exc.value) == (
        "POST /rest/login: HTTP 401 Wrong username or password. (the login was refused or its session expired)"
    )


def test_a_login_without_a_cookie_fails():
    c = N8nClient("http://127.0.0.1:5678", None, opener=Script(Resp({"data": {}})), sleep=lambda s: None)
    with pytest.raises(N8nApiError, match="without a session cookie"):
        c.login("owner@example.com", "pw")


@pytest.mark.parametrize("status, works", [(200, True), (401, False), (403, True)])
def test_api_key_works(status, works):
    answer = Resp({"data": []}) if status == 200 else HTTPError("http://x", status, "r", {}, io.BytesIO(b"{}"))
    script = Script(answer)
    c = N8nClient("http://127.0.0.1:5678", "own-key", opener=script, sleep=lambda s: None)
    assert c.api_key_works("candidate") is works
    assert script.seen[0]["headers"]["X-N8N-API-KEY"] == "candidate"
