"""The one HTTP transport (module_utils._http): what is retried, how long it waits, what a failure says."""

from __future__ import annotations

import io
import socket

import pytest
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _http, _runtime

URL = "http://127.0.0.1:9/v2/firewalls?token=SECRET-QUERY"


class Resp(object):
    def __init__(self, status=200, body=b"{}", headers=None):
        self.status = status
        self.body = body
        self.headers = headers or {}

    def getcode(self):
        return self.status

    def read(self):
        return self.body


def http_error(status, body=b"", headers=None):
    return HTTPError("http://x", status, "reason %d" % status, headers or {}, io.BytesIO(body))


REFUSED = URLError(ConnectionRefusedError(111, "Connection refused"))
TIMEOUT = URLError(socket.timeout("timed out"))
RESET = URLError(ConnectionResetError(104, "Connection reset by peer"))


class Script(object):
    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = []

    def __call__(self, url, **kw):
        self.calls.append(dict(kw, url=url))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def transport(*answers, **kw):
    script = Script(*answers)
    sleeps, warnings = [], []
    kw.setdefault("jitter", False)
    t = _http.Transport("http://127.0.0.1:9/v2", opener=script, sleep=sleeps.append, warn=warnings.append, **kw)
    return t, script, sleeps, warnings


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE"])
@pytest.mark.parametrize(
    "fault", [TIMEOUT, RESET, REFUSED, http_error(502), http_error(503), http_error(504), http_error(500)]
)
def test_idempotent_methods_are_retried_on_lost_answers_and_gateway_errors(method, fault):
    t, script, sleeps, warnings = transport(fault, Resp(200, b'{"ok": 1}'))
    assert t.send(method, URL).body == b'{"ok": 1}'
    assert len(script.calls) == 2 and sleeps == [0.5] and len(warnings) == 1
    assert warnings[0].startswith("%s /v2/firewalls: " % method) and "retry 1 of 4 in 0.5 s" in warnings[0]


@pytest.mark.parametrize("method", ["POST", "PATCH"])
@pytest.mark.parametrize("fault", [TIMEOUT, RESET, http_error(500), http_error(502), http_error(504)])
def test_a_write_that_may_have_been_applied_is_never_sent_twice(method, fault):
    t, script, sleeps, warnings = transport(fault, Resp())
    with pytest.raises(_http.HTTPFailure) as err:
        t.send(method, URL, data=b"{}")
    assert len(script.calls) == 1 and sleeps == [] and warnings == []
    assert err.value.written is True and t.wrote is True
    assert isinstance(err.value, _runtime.ServiceError)


@pytest.mark.parametrize("fault", [REFUSED, http_error(429), http_error(503)])
def test_a_post_is_retried_only_when_the_server_did_not_take_it(fault):
    t, script, sleeps, warnings = transport(fault, Resp(201, b'{"id": 1}'))
    assert t.send("POST", URL, data=b"{}").status == 201
    assert len(script.calls) == 2 and t.counts() == {"reads": 0, "writes": 2}


def test_a_refused_write_was_not_written():
    t, script, sleeps, warnings = transport(REFUSED, retries=0)
    with pytest.raises(_http.HTTPFailure) as err:
        t.send("PUT", URL, data=b"{}")
    assert err.value.written is False and err.value.refused and err.value.unreachable


def test_backoff_is_exponential_capped_and_jittered():
    assert [_http.backoff_wait(n, 0.5, 4.0) for n in (1, 2, 3, 4, 5)] == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert _http.backoff_wait(3, 0.5, 4.0, jitter=lambda: 0.5) == 1.0
    t, script, sleeps, warnings = transport(
        *([http_error(503)] * 5 + [Resp()]), jitter=True, max_backoff=2.0, retries=5
    )
    t.send("GET", URL)
    assert all(0.25 <= s <= 2.0 for s in sleeps) and len(sleeps) == 5


def test_retry_after_seconds_and_http_dates_are_honoured():
    t, script, sleeps, warnings = transport(http_error(429, headers={"Retry-After": "7"}), Resp())
    t.send("POST", URL, data=b"{}")
    assert sleeps == [7.0] and "(as the server asked)" in warnings[0]
    assert _http.retry_hint({"Retry-After": "Thu, 01 Jan 1970 00:01:40 GMT"}, now=90.0) == 10.0
    assert _http.retry_hint({"Retry-After": "soon"}, now=0) is None
    assert _http.retry_hint({}, now=0) is None


def test_digitalocean_ratelimit_reset_is_honoured():
    t, script, sleeps, warnings = transport(
        http_error(429, b'{"id": "too_many_requests"}', {"ratelimit-reset": "1012"}), Resp(), clock=lambda: 1000.0
    )
    t.send("GET", URL)
    assert sleeps == [12.0]


def test_a_wait_beyond_the_cap_fails_at_once_saying_so():
    t, script, sleeps, warnings = transport(http_error(429, b"slow down", {"Retry-After": "3600"}), max_wait=60)
    with pytest.raises(_http.HTTPFailure) as err:
        t.send("GET", URL)
    assert sleeps == [] and len(script.calls) == 1
    assert str(err.value) == (
        "GET /v2/firewalls: HTTP 429 the server asked to wait 3600 s before a retry, more than max_wait=60 s"
    )


def test_the_final_failure_names_method_path_status_and_an_excerpt_but_no_query_or_header():
    body = b'{"id": "server_error", "message": "boom"}\nsecond line' + b"x" * 500
    t, script, sleeps, warnings = transport(*[http_error(502, body) for dummy in range(3)], retries=2)
    with pytest.raises(_http.HTTPFailure) as err:
        t.send("GET", URL, headers={"Authorization": "Bearer SECRET-TOKEN"})
    text = str(err.value)
    assert text == 'GET /v2/firewalls: HTTP 502 {"id": "server_error", "message": "boom"}'
    assert "SECRET" not in text and all("SECRET" not in w for w in warnings)
    assert err.value.status == 502 and err.value.attempts == 3 and len(warnings) == 2
    assert err.value.written is False


def test_no_answer_names_the_server_and_why():
    t, script, sleeps, warnings = transport(*[TIMEOUT] * 2, retries=1)
    with pytest.raises(_http.HTTPFailure) as err:
        t.send("GET", URL)
    assert str(err.value) == "GET /v2/firewalls: cannot reach http://127.0.0.1:9/v2: timed out"
    assert err.value.status is None


def test_client_errors_are_not_retried():
    for status in (400, 401, 403, 404, 409, 422):
        t, script, sleeps, warnings = transport(http_error(status, b'{"message": "no"}'))
        with pytest.raises(_http.HTTPFailure) as err:
            t.send("GET", URL)
        assert len(script.calls) == 1 and err.value.status == status


def test_retry_statuses_can_be_narrowed_by_the_caller():
    t, script, sleeps, warnings = transport(http_error(502), Resp())
    with pytest.raises(_http.HTTPFailure):
        t.send("GET", URL, retry_statuses=frozenset((429,)))


def test_log_counts_and_written():
    t, script, sleeps, warnings = transport(Resp(), http_error(503), Resp(), Resp())
    t.send("GET", URL)
    assert not t.wrote
    t.send("DELETE", URL)
    t.send("POST", "http://127.0.0.1:9/rest/login", path="/rest/login", may_write=False)
    assert t.log == [
        ("GET", "/v2/firewalls"),
        ("DELETE", "/v2/firewalls"),
        ("DELETE", "/v2/firewalls"),
        ("POST", "/rest/login"),
    ]
    assert t.counts() == {"reads": 1, "writes": 3} and t.wrote and t.retried == 1


def test_timeouts_and_tls_reach_open_url():
    t, script, sleeps, warnings = transport(Resp(), timeout=7, validate_certs=False)
    t.send("GET", URL)
    call = script.calls[0]
    assert call["timeout"] == 7 and call["validate_certs"] is False and call["method"] == "GET"


def test_only_the_transport_opens_urls():
    import glob
    import os

    root = os.path.join(os.path.dirname(_http.__file__), "..")
    offenders = [
        p
        for p in glob.glob(os.path.join(root, "module_utils", "*.py"))
        + glob.glob(os.path.join(root, "modules", "*.py"))
        if not p.endswith("_http.py")
        and ("open_url" in open(p).read().replace("``open_url``", "") or "urlopen(" in open(p).read())
    ]
    assert offenders == []


def test_shown_query_masks_every_secret_looking_value_and_keeps_the_rest():
    pairs = [
        ("limit", 250),
        ("api_key", "k"),
        ("access_token", "t"),
        ("Password", "p"),
        ("X-Amz-Signature", "s"),
        ("cursor", "abc"),
    ]
    assert _http.shown_query(pairs) == (
        "limit=250&api_key=***&access_token=***&Password=***&X-Amz-Signature=***&cursor=abc"
    )
