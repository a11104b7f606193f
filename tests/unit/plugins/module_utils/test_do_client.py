import io
import json

import pytest
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _do_client, _runtime


class Resp(object):
    def __init__(self, status, body):
        self.status = status
        self.body = body

    def getcode(self):
        return self.status

    def read(self):
        return json.dumps(self.body).encode() if self.body is not None else b""


def http_error(status, body, headers=None):
    return HTTPError("http://x", status, "err", headers or {}, io.BytesIO(json.dumps(body).encode()))


class Script(object):
    """A scripted transport: each call pops the next answer and records the request."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = []

    def __call__(self, url, method=None, data=None, headers=None, **kw):
        self.calls.append(dict(url=url, method=method, data=json.loads(data) if data else None, headers=headers))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def client(script, **kw):
    return _do_client.DOClient(
        "http://127.0.0.1:1/v2/", "tok-SECRET", opener=script, sleep=lambda s: None, jitter=False, **kw
    )


def test_get_sends_bearer_and_decodes():
    script = Script(Resp(200, {"vpc": {"id": "v1"}}))
    assert client(script).get("vpcs/v1") == {"vpc": {"id": "v1"}}
    assert script.calls[0]["url"] == "http://127.0.0.1:1/v2/vpcs/v1"
    assert script.calls[0]["headers"]["Authorization"] == "Bearer tok-SECRET"


def test_list_follows_pagination():
    script = Script(
        Resp(
            200, {"vpcs": [{"id": 1}], "links": {"pages": {"next": "http://127.0.0.1:1/v2/vpcs?page=2&per_page=200"}}}
        ),
        Resp(200, {"vpcs": [{"id": 2}], "links": {"pages": {}}}),
    )
    c = client(script)
    assert c.list("vpcs", "vpcs") == [{"id": 1}, {"id": 2}]
    assert script.calls[0]["url"] == "http://127.0.0.1:1/v2/vpcs?per_page=200"
    assert script.calls[1]["url"].endswith("page=2&per_page=200")
    assert c.reads == 2 and c.writes == 0


def test_error_carries_status_id_and_message_but_not_the_token():
    script = Script(http_error(422, {"id": "unprocessable_entity", "message": "name is invalid"}))
    with pytest.raises(_do_client.DOError) as err:
        client(script).post("vpcs", {"name": "x"})
    assert str(err.value) == "POST /v2/vpcs failed: HTTP 422 unprocessable_entity: name is invalid"
    assert err.value.status == 422 and "SECRET" not in str(err.value)


def test_retries_429_and_5xx_then_succeeds():
    script = Script(
        http_error(429, {"id": "too_many_requests"}, {"Retry-After": "1"}), http_error(503, {}), Resp(200, {"ok": 1})
    )
    c = client(script, retries=2)
    assert c.get("account") == {"ok": 1}
    assert c.reads == 3


def test_gives_up_after_retries():
    script = Script(
        http_error(500, {"id": "server_error", "message": "boom"}),
        http_error(500, {"id": "server_error", "message": "boom"}),
    )
    with pytest.raises(_do_client.DOError, match="HTTP 500 server_error: boom"):
        client(script, retries=1).get("account")


def test_connection_error_is_reported_with_the_base_url():
    script = Script(URLError("refused"), URLError("refused"))
    with pytest.raises(_do_client.DOError, match=r"no response: cannot reach http://127.0.0.1:1/v2: refused"):
        client(script, retries=1).get("account")


def test_get_or_none_maps_404():
    script = Script(
        http_error(404, {"id": "not_found", "message": "The resource you were accessing could not be found."})
    )
    assert client(script).get_or_none("vpcs/nope") is None


def test_find_one_by_name():
    items = [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}, {"id": 3, "name": "b"}]
    assert _do_client.find_one_by_name(items, "a", "VPCs")["id"] == 1
    assert _do_client.find_one_by_name(items, "c", "VPCs") is None
    with pytest.raises(ValueError, match=r"2 VPCs are named 'b' \(ids 2, 3\)") as info:
        _do_client.find_one_by_name(items, "b", "VPCs")
    # a drift the module refuses to act on, raised before anything is written
    assert isinstance(info.value, _runtime.DriftError) and info.value.written is False


def test_an_api_error_is_a_service_error_that_says_whether_a_write_had_succeeded():
    script = Script(Resp(201, {"vpc": {"id": "v1"}}), http_error(422, {"id": "unprocessable_entity", "message": "no"}))
    c = client(script)
    with pytest.raises(_do_client.DOError) as first:
        client(Script(http_error(404, {"id": "not_found"}))).get("vpcs/x")
    assert isinstance(first.value, _runtime.ServiceError) and first.value.written is False
    c.post("vpcs", {"name": "a"})
    with pytest.raises(_do_client.DOError) as err:
        c.patch("vpcs/v1", {"default": True})
    assert err.value.kind == "service" and err.value.written is True and err.value.status == 422
    assert c.reads == 0 and c.writes == 2


def test_within_names_the_step_and_keeps_the_status():
    err = _do_client.DOError("GET", "/v2/vpcs", 503, "server_error", "boom").within("Failed to list the VPCs")
    assert err.msg == str(err) == "Failed to list the VPCs: GET /v2/vpcs failed: HTTP 503 server_error: boom"
    assert (err.status, err.error_id, err.written) == (503, "server_error", False)
    assert err.within("again", written=True).written is True


def test_a_create_answered_500_is_not_sent_again():
    # the duplicate-firewall bug: a POST applied but answered 500 was re-sent, leaving two firewalls of one name
    script = Script(http_error(500, {"id": "server_error", "message": "boom"}), Resp(201, {"firewall": {"id": "f2"}}))
    c = client(script)
    with pytest.raises(_do_client.DOError) as err:
        c.post("firewalls", {"name": "ai-workbench-fw"})
    assert len(script.calls) == 1 and err.value.written is True and err.value.status == 500


def test_retries_are_reported_through_warn():
    warnings = []
    script = Script(http_error(503, {}), Resp(200, {"ok": 1}))
    c = client(script, warn=warnings.append)
    c.get("account")
    assert warnings == ["GET /v2/account: HTTP 503; retry 1 of 4 in 0.5 s"]
