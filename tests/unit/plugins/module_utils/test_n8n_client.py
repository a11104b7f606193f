"""The n8n API client: pagination, retries, errors (a scripted opener instead of a server)."""

import io
import json
import socket

import pytest
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _n8n_workflows as wfl
from ansible_collections.insightpulseai.workbench.plugins.module_utils._n8n_client import (
    N8nApiError,
    N8nClient,
    n8n_argument_spec,
    request_counts,
    reword,
)
from ansible_collections.insightpulseai.workbench.plugins.module_utils._runtime import ServiceError, SpecError

from unit.module_harness import run_module

KEY = "n8n_api_SUPERSECRET"


class Resp(object):
    def __init__(self, body, status=200):
        self._body = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.status = status

    def read(self):
        return self._body

    def getcode(self):
        return self.status


def http_error(code, body=None, headers=None):
    raw = json.dumps(body).encode() if isinstance(body, dict) else (body or b"")
    return HTTPError("http://x", code, "Reason %d" % code, headers or {}, io.BytesIO(raw))


class Script(object):
    """Answers requests in order; records (method, url, headers, data)."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.seen = []

    def __call__(self, url, method=None, headers=None, data=None, **kw):
        self.seen.append(dict(url=url, method=method, headers=headers, data=data, kw=kw))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def client(script, **kw):
    sleeps = []
    c = N8nClient("http://127.0.0.1:5678/", KEY, opener=script, sleep=sleeps.append, jitter=False, **kw)
    return c, sleeps


def test_url_normalisation_and_headers():
    script = Script(Resp({"data": []}))
    c, dummy = client(script)
    c.get("/workflows", {"limit": 1, "cursor": None})
    call = script.seen[0]
    assert call["url"] == "http://127.0.0.1:5678/api/v1/workflows?limit=1"
    assert call["headers"]["X-N8N-API-KEY"] == KEY
    assert call["kw"]["timeout"] == 30 and call["kw"]["validate_certs"] is True
    assert N8nClient("https://n8n.example.com/api/v1/", KEY).base_url == "https://n8n.example.com"
    with pytest.raises(ValueError):
        N8nClient("n8n.example.com", KEY)


def test_pagination_follows_next_cursor():
    script = Script(
        Resp({"data": [1, 2], "nextCursor": "c1"}),
        Resp({"data": [3], "nextCursor": "c2"}),
        Resp({"data": [], "nextCursor": None}),
    )
    c, dummy = client(script)
    assert c.paginate("/workflows", {"excludePinnedData": "true"}) == [1, 2, 3]
    assert [s["url"].split("?")[1] for s in script.seen] == [
        "excludePinnedData=true&limit=250",
        "cursor=c1",
        "cursor=c2",
    ]
    assert c.stats() == {"requests": 3, "writes": 0}


def test_a_repeated_cursor_ends_the_loop():
    c, dummy = client(Script(Resp({"data": [1], "nextCursor": "same"}), Resp({"data": [2], "nextCursor": "same"})))
    assert c.paginate("/tags") == [1, 2]


def test_get_is_retried_with_backoff_on_429_and_5xx_honouring_retry_after():
    script = Script(
        http_error(429, {"message": "slow down"}, {"Retry-After": "3"}),
        http_error(502),
        http_error(503),
        Resp({"ok": True}),
    )
    c, sleeps = client(script)
    assert c.get("/workflows") == {"ok": True}
    assert sleeps == [3.0, 1.0, 2.0]
    assert c.request_count == 4


def test_retries_give_up_with_status_and_server_message():
    script = Script(*[http_error(500, {"message": "boom"}) for dummy in range(5)])
    c, sleeps = client(script)
    with pytest.raises(N8nApiError) as err:
        c.get("/workflows")
    assert str(err.value) == "GET /workflows: HTTP 500 boom"
    assert err.value.status == 500 and len(sleeps) == 4


def test_post_is_not_retried_when_the_server_may_have_acted():
    c, sleeps = client(Script(http_error(500, {"message": "maybe created"})))
    with pytest.raises(N8nApiError, match="HTTP 500 maybe created"):
        c.post("/workflows", {"name": "x"})
    assert sleeps == []
    c, dummy = client(Script(URLError(socket.timeout("timed out"))))
    with pytest.raises(N8nApiError, match="timed out"):
        c.post("/workflows", {"name": "x"})


def test_post_is_retried_on_429_503_and_refused_connections():
    script = Script(
        http_error(429), http_error(503), URLError(ConnectionRefusedError(111, "Connection refused")), Resp({"id": "1"})
    )
    c, sleeps = client(script)
    assert c.post("/workflows", {"name": "x"}) == {"id": "1"}
    assert len(sleeps) == 3 and c.write_count == 4


def test_unreachable_server_error_names_the_url_not_the_key():
    c, dummy = client(Script(*[URLError(ConnectionRefusedError(111, "Connection refused"))] * 5))
    with pytest.raises(N8nApiError) as err:
        c.get("/workflows")
    text = str(err.value)
    assert text.startswith("GET /workflows: cannot reach http://127.0.0.1:5678: ")
    assert "refused" in text and KEY not in text
    assert err.value.unreachable


def test_401_hints_at_the_api_key_without_showing_it():
    c, dummy = client(Script(http_error(401, {"message": "unauthorized"})))
    with pytest.raises(N8nApiError) as err:
        c.get("/workflows")
    assert str(err.value) == (
        "GET /workflows: HTTP 401 unauthorized (the API key was rejected: check api_key / N8N_API_KEY)"
    )
    assert KEY not in str(err.value)


def test_request_bodies_never_reach_error_messages():
    c, dummy = client(Script(http_error(400, {"message": "request/body/settings must NOT have additional properties"})))
    with pytest.raises(N8nApiError) as err:
        c.put("/workflows/1", {"name": "x", "secret": "hunter2"})
    assert "hunter2" not in str(err.value)
    assert str(err.value) == "PUT /workflows/1: HTTP 400 request/body/settings must NOT have additional properties"


def test_non_json_errors_and_answers():
    c, dummy = client(Script(http_error(404, b"<html>\nNot here</html>")))
    with pytest.raises(N8nApiError, match=r"HTTP 404 <html>$"):
        c.get("/workflows/x")
    c, dummy = client(Script(Resp(b"<html>login</html>")))
    with pytest.raises(N8nApiError, match="not JSON"):
        c.get("/workflows")


def test_delete_workflow_retries_while_n8n_finishes_unpublishing():
    script = Script(
        http_error(409, {"message": "Workflow is still being unpublished. Please try again in a few moments."}),
        Resp({"id": "W1"}),
    )
    c, sleeps = client(script)
    assert c.delete_workflow("W1") == {"id": "W1"}
    assert len(sleeps) == 1
    c, dummy = client(Script(http_error(409, {"message": "Cannot delete a published workflow."})))
    with pytest.raises(N8nApiError, match="409 Cannot delete"):
        c.delete_workflow("W1")


def test_ids_are_quoted_in_paths():
    script = Script(Resp({}))
    c, dummy = client(script)
    c.update_workflow("a/b", {"name": "x"}, publish_if_active=False)
    assert script.seen[0]["url"] == "http://127.0.0.1:5678/api/v1/workflows/a%2Fb?publishIfActive=false"
    assert json.loads(script.seen[0]["data"]) == {"name": "x"}


def test_publish_is_used_and_legacy_activate_is_the_fallback():
    script = Script(Resp({"active": True}), Resp({"active": False}))
    c, dummy = client(script)
    c.activate_workflow("W1")
    c.deactivate_workflow("W1")
    assert [s["url"].rsplit("/", 1)[1] for s in script.seen] == ["publish", "unpublish"]
    script = Script(http_error(404, {"message": "not found"}), Resp({"active": True}), Resp({"active": True}))
    c, dummy = client(script)
    c.activate_workflow("W1")
    c.activate_workflow("W1")
    assert [s["url"].rsplit("/", 1)[1] for s in script.seen] == ["publish", "activate", "activate"]
    c, dummy = client(
        Script(http_error(404, {"message": "not found"}), http_error(404, {"message": "Workflow not found"}))
    )
    with pytest.raises(N8nApiError, match="POST /workflows/W1/activate: HTTP 404 Workflow not found"):
        c.activate_workflow("W1")


def test_api_errors_are_service_errors_that_keep_their_status():
    c, dummy = client(Script(http_error(404, {"message": "Not Found"})))
    with pytest.raises(ServiceError) as err:
        c.get("/workflows/x")
    assert isinstance(err.value, N8nApiError) and err.value.kind == "service"
    assert err.value.status == 404 and err.value.details == {"status": 404} and err.value.msg == str(err.value)
    wrapped = err.value.failure("Failed to read: %s" % err.value)
    assert wrapped.__class__ is ServiceError and wrapped.msg == "Failed to read: GET /workflows/x: HTTP 404 Not Found"
    assert wrapped.details == {"status": 404} and wrapped.written is False


def test_written_says_whether_a_write_may_have_been_applied():
    # a refused first write (4xx): nothing written
    c, dummy = client(Script(http_error(400, {"message": "bad"})))
    with pytest.raises(N8nApiError) as err:
        c.post("/workflows", {"name": "x"})
    assert err.value.written is False and not c.wrote
    # a write that got no answer may have been applied
    c, dummy = client(Script(http_error(500, {"message": "maybe"})))
    with pytest.raises(N8nApiError) as err:
        c.post("/workflows", {"name": "x"})
    assert err.value.written is True
    # a refused connection never reached n8n
    c, dummy = client(Script(URLError(ConnectionRefusedError(111, "Connection refused"))))
    c.retries = 0
    with pytest.raises(N8nApiError) as err:
        c.put("/workflows/1", {"name": "x"})
    assert err.value.written is False
    # after a successful write, a later error (even a read's) says written
    c, dummy = client(Script(Resp({"id": "1"}), http_error(404, {"message": "gone"})))
    c.post("/workflows", {"name": "x"})
    with pytest.raises(N8nApiError) as err:
        c.get("/workflows/1")
    assert err.value.written is True and c.wrote


def test_request_counts_split_the_log_into_reads_and_writes():
    script = Script(Resp({"data": []}), Resp({"id": "1"}), Resp({}))
    c, dummy = client(script)
    c.list_tags()
    c.create_tag("t")
    c.set_workflow_tags("W1", ["1"])
    assert request_counts(c.requests) == {"reads": 1, "writes": 2}
    assert c.stats() == {"requests": 3, "writes": 2}


def test_bad_connection_options_are_a_spec_error(monkeypatch):
    seen = []

    def main():
        module = AnsibleModule(argument_spec=n8n_argument_spec())
        try:
            N8nClient.from_module(module)
        except SpecError as exc:
            seen.append(exc)
        module.exit_json()

    run_module(monkeypatch, main, dict(url="ftp://n8n", api_key=KEY))
    assert seen[0].msg == "Invalid n8n connection options: url must start with http:// or https://, got 'ftp://n8n'"
    assert seen[0].kind == "spec"


def test_reword_keeps_the_kind_written_and_details():
    error = wfl.AmbiguousWorkflow("2 workflows", written=True, ids="a, b")
    new = reword(error, "Invalid workflow: %s" % error)
    assert new.__class__ is wfl.AmbiguousWorkflow and new.msg == "Invalid workflow: 2 workflows"
    assert new.written is True and new.details == {"ids": "a, b"}
