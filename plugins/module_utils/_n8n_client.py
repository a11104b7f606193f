# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the one way this collection talks to n8n: its public REST API (/api/v1, with an API key) and, for what
only a user can do (public-API keys), its internal REST API (/rest, with the session of ``N8nClient.login()``).

Not a public API; it can change at any time. Modules get their connection options from
``n8n_argument_spec()`` (documented by the ``_n8n`` doc fragment) and a client from ``N8nClient.from_module()``.

- HTTP through the collection's one transport (``_http.Transport`` over ``open_url``): its retry rules (a POST only
  when n8n certainly did not act on it: 429, 503, a refused connection), its waits (``Retry-After`` honoured up to
  a cap) and its warnings. A timeout or a 500/502/504 answer to a POST is not retried (it may have been applied).
- Lists follow n8n's ``nextCursor`` until it is null.
- Errors are ``N8nApiError`` (a ``_runtime.ServiceError``) carrying the method, the path, the HTTP status and n8n's
  own ``message``, and ``written``: whether a write request of the client may have been applied when it was raised
  (one that succeeded, or one that got no answer or a 5xx); never the API key, the session cookie, request headers or
  request bodies (a login's password is in a body). Bad connection options are a ``_runtime.SpecError``.
- The /rest session: ``login()`` posts the user's credentials and keeps n8n's ``n8n-auth`` cookie; n8n binds that
  cookie to the ``browser-id`` header of the login, so every /rest request sends the same one.
- Every request is counted in ``N8nClient.requests`` (method, path) so modules can report what they did and tests
  can prove that a no-op run writes nothing. ``request_counts()`` splits that log into the runtime's
  ``{reads, writes}`` (a write is a POST, PUT, PATCH or DELETE: the /rest login is one).
- ``N8nRun`` is the modules' ``_runtime.ModuleRun``: ``requests()`` from the client's log and the deprecated
  ``api_requests`` alias (``{requests, writes}``) on every exit and failure.
"""

from __future__ import annotations

import json
import time

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.six.moves.urllib.parse import quote, urlencode
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _http
from ansible_collections.insightpulseai.workbench.plugins.module_utils._runtime import (
    ModuleRun,
    ServiceError,
    SpecError,
)

API_PREFIX = "/api/v1"
REST_PREFIX = "/rest"
SESSION_COOKIE = "n8n-auth"
BROWSER_ID = "insightpulseai.workbench"
PAGE_LIMIT = 250
USER_AGENT = "insightpulseai.workbench (n8n)"
POST_RETRY_STATUSES = _http.RETRY_ANY
WRITE_METHODS = frozenset(("POST", "PUT", "PATCH", "DELETE"))
_MAX_MESSAGE = 500


def n8n_argument_spec():
    """Connection options shared by every n8n module of the collection."""
    return dict(
        url=dict(type="str", required=True, fallback=(env_fallback, ["N8N_URL"])),
        api_key=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["N8N_API_KEY"])),
        validate_certs=dict(type="bool", default=True),
        timeout=dict(type="int", default=30),
    )


class N8nApiError(ServiceError):
    """A failed API call. ``str()`` is safe to show: no key, no headers, no bodies. ``status`` is the HTTP status
    (None without an answer); ``written`` whether a write of the client may have been applied before or by it."""

    def __init__(self, method, path, status=None, message=None, reason=None, rest=False, written=False):
        self.method = method
        self.path = path
        self.status = status
        self.message = message
        self.reason = reason
        self.rest = rest
        ServiceError.__init__(self, self._text(), written=written, status=status)

    def _text(self):
        where = "%s %s" % (self.method, self.path)
        if self.status is None:
            return "%s: %s" % (where, self.reason or "no answer")
        text = "%s: HTTP %s" % (where, self.status)
        if self.message:
            text += " %s" % self.message
        elif self.reason:
            text += " %s" % self.reason
        if self.status == 401:
            text += (
                " (the login was refused or its session expired)"
                if self.rest
                else " (the API key was rejected: check api_key / N8N_API_KEY)"
            )
        return text

    @property
    def unreachable(self):
        """Whether n8n gave no answer at all (refused, timed out, unknown host)."""
        return self.status is None

    def failure(self, msg):
        """A ServiceError saying ``msg`` (what the module was doing, normally ending with this error's text), with
        this error's ``written`` and ``status``."""
        return ServiceError(msg, written=self.written, status=self.status)


class InvalidConnection(SpecError, ValueError):
    """Connection options that cannot work (a URL without http:// or https://): raised before any request. Also a
    ValueError, as it was before the runtime."""


def reword(error, msg):
    """``error`` (a WorkbenchError) saying ``msg`` instead: the same kind, ``written`` and details, so a module can put
    what it was doing in front of a helper's message without changing how the run fails."""
    if isinstance(error, N8nApiError):
        return error.failure(msg)
    new = type(error)(msg, **error.details)
    new.written = error.written
    return new


def request_counts(requests):
    """The runtime's ``{"reads": n, "writes": n}`` from a request log of (method, path)."""
    writes = sum(1 for method, dummy in requests if method in WRITE_METHODS)
    return dict(reads=len(requests) - writes, writes=writes)


class N8nRun(ModuleRun):
    """The ``ModuleRun`` of the n8n modules. A module sets ``self.client`` (in ``validate()``, after the local checks,
    so bad input fails before any request); ``requests()`` counts its real request log, and every exit and failure
    also carries the deprecated ``api_requests`` alias (``{requests, writes}``)."""

    client = None

    def requests(self):
        """Reads and writes from the client's request log (none before the client exists)."""
        return request_counts(self.client.requests if self.client is not None else [])

    def api_requests(self):
        """Deprecated alias of ``requests``: the total and the writes (removed in 2.0.0)."""
        counts = self.requests()
        return dict(requests=counts["reads"] + counts["writes"], writes=counts["writes"])

    def exit(self, **keys):
        """The runtime's exit, with ``api_requests``."""
        ModuleRun.exit(self, api_requests=self.api_requests(), **keys)

    def fail(self, msg, error=None, **keys):
        """The runtime's failure, with ``api_requests``."""
        ModuleRun.fail(self, msg, error=error, api_requests=self.api_requests(), **keys)


def _server_message(raw):
    """n8n answers errors with {"message": ...}; fall back to the first line of whatever came back."""
    if not raw:
        return None
    try:
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    except Exception:  # noqa: BLE001
        return None
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict):
        for key in ("message", "error", "detail"):
            value = data.get(key)
            if isinstance(value, str) and value:
                text = value
                break
    text = text.strip().splitlines()[0] if text.strip() else ""
    return text[:_MAX_MESSAGE] or None


class N8nClient(object):
    """Small client for n8n's public API. ``opener`` and ``sleep`` are injectable for tests."""

    def __init__(
        self,
        url,
        api_key,
        validate_certs=True,
        timeout=30,
        retries=4,
        backoff=0.5,
        max_backoff=8.0,
        opener=None,
        sleep=None,
        warn=None,
        jitter=True,
    ):
        if not url or not isinstance(url, str):
            raise InvalidConnection("url must be the base URL of the n8n instance, for example http://127.0.0.1:5678")
        base = url.rstrip("/")
        if base.endswith(API_PREFIX):
            base = base[: -len(API_PREFIX)]
        if not (base.startswith("http://") or base.startswith("https://")):
            raise InvalidConnection("url must start with http:// or https://, got %r" % url)
        self.base_url = base
        self._api_key = api_key
        self.validate_certs = validate_certs
        self.timeout = timeout
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._sleep = sleep or time.sleep
        self.transport = _http.Transport(
            base,
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            max_backoff=max_backoff,
            validate_certs=validate_certs,
            http_agent=USER_AGENT,
            follow_redirects="safe",
            opener=opener,
            sleep=self._sleep,
            warn=warn,
            jitter=jitter,
        )
        self._legacy_activation = False
        self._session = None

    @classmethod
    def from_module(cls, module):
        """A client from the module's connection options (``n8n_argument_spec()``); SpecError when they cannot work."""
        p = module.params
        try:
            return cls(
                p["url"],
                p["api_key"],
                validate_certs=p["validate_certs"],
                timeout=p["timeout"],
                warn=getattr(module, "warn", None),
            )
        except InvalidConnection as exc:
            raise SpecError("Invalid n8n connection options: %s" % exc)

    # ------------------------------------------------------------------------------------------------
    # Counters
    # ------------------------------------------------------------------------------------------------
    @property
    def request_count(self):
        """How many requests were sent (retries included)."""
        return len(self.requests)

    @property
    def write_count(self):
        """How many of them were writes (POST, PUT, PATCH, DELETE; the /rest login is one)."""
        return request_counts(self.requests)["writes"]

    def stats(self):
        """``{requests, writes}``: the shape of the deprecated ``api_requests`` result key."""
        return dict(requests=self.request_count, writes=self.write_count)

    @property
    def wrote(self):
        """Whether a write of this client (not the login) may have been applied: one that succeeded, or one that got
        no answer or a 5xx."""
        return self.transport.wrote

    @property
    def retries(self):
        """How many times a request may be sent again (the transport's)."""
        return self.transport.retries

    @retries.setter
    def retries(self, value):
        """Set how many times a request may be sent again."""
        self.transport.retries = max(0, int(value))

    @property
    def requests(self):
        """Every request sent, retries included, as (method, path): the transport's log."""
        return self.transport.log

    # ------------------------------------------------------------------------------------------------
    # HTTP
    # ------------------------------------------------------------------------------------------------
    @staticmethod
    def _query(query):
        """The (name, value) pairs of ``query`` that are sent, in a stable order (None values are left out)."""
        return sorted((k, v) for k, v in (query or {}).items() if v is not None)

    def _url(self, path, query=None, rest=False):
        url = self.base_url + (REST_PREFIX if rest else API_PREFIX) + path
        pairs = self._query(query)
        if pairs:
            url += "?" + urlencode(pairs)
        return url

    def request(self, method, path, query=None, body=None, retry_statuses=None, rest=False, api_key=None):
        """One API call, retried as documented in the module docstring; returns the decoded JSON (or None).

        ``rest`` sends it to /rest with the login session instead of /api/v1 with the API key; ``api_key`` sends
        this key instead of the client's own."""
        return self._exchange(method, path, query, body, retry_statuses, rest, api_key)[1]

    def _exchange(self, method, path, query=None, body=None, retry_statuses=None, rest=False, api_key=None):
        """``request()``, returning (response, decoded JSON): the login needs the response's headers."""
        method = method.upper()
        url = self._url(path, query, rest)
        shown = (REST_PREFIX + path) if rest else path
        # the log counts by path; failure messages name the query too (which page, which filter), masked
        pairs = self._query(query)
        named = shown + ("?" + _http.shown_query(pairs) if pairs else "")
        headers = {"Accept": "application/json"}
        if rest:
            headers["browser-id"] = BROWSER_ID
            if self._session:
                headers["Cookie"] = "%s=%s" % (SESSION_COOKIE, self._session)
        else:
            headers["X-N8N-API-KEY"] = api_key if api_key is not None else self._api_key
        data = None
        if body is not None:
            data = json.dumps(body, sort_keys=True).encode("utf-8")
            headers["Content-Type"] = "application/json"
        # the /rest login is a POST, but it writes no state of the instance
        may_write = method in WRITE_METHODS and not (rest and path == "/login")
        try:
            resp = self.transport.send(
                method, url, data=data, headers=headers, path=shown, retry_statuses=retry_statuses, may_write=may_write
            )
        except _http.HTTPFailure as exc:
            if exc.status is None:
                raise N8nApiError(method, named, reason=exc.reason, rest=rest, written=exc.written)
            message = _server_message(exc.body) if exc.body else None
            if "max_wait" in (exc.reason or ""):
                message = exc.reason
            raise N8nApiError(method, named, exc.status, message, reason=exc.reason, rest=rest, written=exc.written)
        if not resp.body:
            return resp, None
        try:
            return resp, json.loads(resp.body.decode("utf-8"))
        except ValueError:
            raise N8nApiError(
                method,
                named,
                resp.status,
                reason="the answer is not JSON (is %s an n8n instance?)" % self.base_url,
                rest=rest,
                written=self.transport.wrote,
            )

    def get(self, path, query=None):
        """GET ``path`` (under /api/v1)."""
        return self.request("GET", path, query=query)

    def post(self, path, body=None, query=None, retry_statuses=None):
        """POST ``body`` (``{}`` by default) to ``path``."""
        return self.request(
            "POST", path, query=query, body=body if body is not None else {}, retry_statuses=retry_statuses
        )

    def put(self, path, body, query=None):
        """PUT ``body`` to ``path``."""
        return self.request("PUT", path, query=query, body=body)

    def patch(self, path, body):
        """PATCH ``path`` with ``body``."""
        return self.request("PATCH", path, body=body)

    def delete(self, path, retry_statuses=None):
        """DELETE ``path``."""
        return self.request("DELETE", path, retry_statuses=retry_statuses)

    def paginate(self, path, query=None):
        """Every item of a cursor-paginated list."""
        query = dict(query or {})
        query.setdefault("limit", PAGE_LIMIT)
        items = []
        seen = set()
        while True:
            page = self.get(path, query) or {}
            items.extend(page.get("data") or [])
            cursor = page.get("nextCursor")
            if not cursor or cursor in seen:
                return items
            seen.add(cursor)
            query = {"cursor": cursor}

    # ------------------------------------------------------------------------------------------------
    # Resources
    # ------------------------------------------------------------------------------------------------
    def list_workflows(self):
        """Every workflow (archived ones included), without pinned data."""
        return self.paginate("/workflows", {"excludePinnedData": "true"})

    def get_workflow(self, workflow_id):
        """One workflow by id, without pinned data."""
        return self.get("/workflows/%s" % quote(workflow_id, safe=""), {"excludePinnedData": "true"})

    def create_workflow(self, body):
        """Create a workflow (n8n mints its id); returns it."""
        return self.post("/workflows", body)

    def update_workflow(self, workflow_id, body, publish_if_active=True):
        """Replace a workflow (PUT); an active one is republished unless ``publish_if_active`` is false."""
        return self.put(
            "/workflows/%s" % quote(workflow_id, safe=""),
            body,
            query={"publishIfActive": "true" if publish_if_active else "false"},
        )

    def activate_workflow(self, workflow_id):
        """Publish (2.x) the workflow's current version; /activate where the server has no /publish."""
        return self._activation(workflow_id, "publish", "activate")

    def deactivate_workflow(self, workflow_id):
        """Unpublish (2.x) the workflow; /deactivate where the server has no /unpublish."""
        return self._activation(workflow_id, "unpublish", "deactivate")

    def _activation(self, workflow_id, current, legacy):
        # 2.x names it publish/unpublish and keeps activate/deactivate as deprecated aliases; 1.x has only the latter.
        # A 404/405 from the 2.x name is retried once with the legacy name (a missing workflow fails there too).
        base = "/workflows/%s/" % quote(workflow_id, safe="")
        if not self._legacy_activation:
            try:
                return self.post(base + current, {})
            except N8nApiError as exc:
                if exc.status not in (404, 405):
                    raise
            result = self.post(base + legacy, {})
            self._legacy_activation = True
            return result
        return self.post(base + legacy, {})

    def delete_workflow(self, workflow_id):
        """Delete a workflow, retrying n8n's short-lived 409 "still being unpublished"."""
        # n8n 2.x answers 409 "still being unpublished" for a moment after a deactivation: that one is retried.
        path = "/workflows/%s" % quote(workflow_id, safe="")
        for attempt in range(self.retries + 1):
            try:
                return self.delete(path)
            except N8nApiError as exc:
                if exc.status != 409 or "still being unpublished" not in (exc.message or "") or attempt >= self.retries:
                    raise
                self._sleep(min(self.max_backoff, self.backoff * (2**attempt)))

    def set_workflow_tags(self, workflow_id, tag_ids):
        """Set a workflow's tags to exactly ``tag_ids``; returns the tags."""
        return self.put("/workflows/%s/tags" % quote(workflow_id, safe=""), [{"id": t} for t in tag_ids])

    def list_tags(self):
        """Every tag."""
        return self.paginate("/tags")

    def create_tag(self, name):
        """Create a tag; returns it."""
        return self.post("/tags", {"name": name})

    def list_credentials(self):
        """Every credential (id, name, type, timestamps: never its data)."""
        return self.paginate("/credentials")

    def create_credential(self, body):
        """Create a credential from ``{name, type, data}``; returns it (without data)."""
        return self.post("/credentials", body)

    def update_credential(self, credential_id, body):
        """PATCH a credential (name and/or data); returns it (without data)."""
        return self.patch("/credentials/%s" % quote(credential_id, safe=""), body)

    def delete_credential(self, credential_id):
        """Delete a credential."""
        return self.delete("/credentials/%s" % quote(credential_id, safe=""))

    def credential_schema(self, credential_type):
        """The JSON schema of a credential type's data."""
        return self.get("/credentials/schema/%s" % quote(credential_type, safe=""))

    def api_key_works(self, api_key):
        """Whether n8n's public API accepts ``api_key`` (a list of one workflow: read-only).

        n8n authenticates first (401 for a key it does not know), then checks the key's scopes (403): a 403 is a valid
        key without the ``workflow:list`` scope."""
        try:
            self.request("GET", "/workflows", {"limit": 1}, api_key=api_key)
        except N8nApiError as exc:
            if exc.status == 401:
                return False
            if exc.status == 403:
                return True
            raise
        return True

    # ------------------------------------------------------------------------------------------------
    # The internal REST API (/rest), as a logged-in user
    # ------------------------------------------------------------------------------------------------
    def login(self, email, password):
        """Log in as a user (``POST /rest/login``) and keep the session for the ``rest_*`` calls; returns the user.

        Not retried on an error answer but 429/503: a refused password must not be tried again."""
        resp, data = self._exchange(
            "POST",
            "/login",
            body={"emailOrLdapLoginId": email, "password": password},
            retry_statuses=POST_RETRY_STATUSES,
            rest=True,
        )
        cookie = _session_cookie(resp)
        if not cookie:
            raise N8nApiError(
                "POST",
                REST_PREFIX + "/login",
                getattr(resp, "status", None),
                reason="n8n answered without a session cookie (%s)" % SESSION_COOKIE,
                rest=True,
                written=self.transport.wrote,
            )
        self._session = cookie
        return _rest_data(data) or {}

    def rest(self, method, path, query=None, body=None):
        """One /rest call with the login session; returns n8n's ``data`` (its /rest answers are {"data": ...})."""
        if not self._session:
            raise N8nApiError(
                method.upper(),
                REST_PREFIX + path,
                reason="not logged in (call login() first)",
                rest=True,
                written=self.transport.wrote,
            )
        if body is None and method.upper() in ("POST", "PUT", "PATCH"):
            body = {}
        return _rest_data(self.request(method, path, query=query, body=body, rest=True))

    def list_api_keys(self, label=None):
        """The logged-in user's own public-API keys (redacted: n8n shows only the last characters), every page."""
        items, skip = [], 0
        while True:
            page = self.rest(
                "GET", "/api-keys", {"ownership": "mine", "label": label, "take": PAGE_LIMIT, "skip": skip or None}
            )
            batch = page.get("items", []) if isinstance(page, dict) else (page or [])
            items.extend(batch)
            if not isinstance(page, dict) or len(batch) < PAGE_LIMIT:
                return items
            skip += len(batch)

    def api_key_scopes(self):
        """The scopes a key of the logged-in user may have."""
        return self.rest("GET", "/api-keys/scopes") or []

    def create_api_key(self, label, scopes):
        """A new key without expiry; the answer's ``rawApiKey`` is the only time n8n shows the key."""
        return self.rest("POST", "/api-keys", body={"label": label, "scopes": list(scopes), "expiresAt": None})

    def update_api_key(self, key_id, label, scopes):
        """Set the label and scopes of one of the logged-in user's keys (the key itself does not change)."""
        return self.rest(
            "PATCH", "/api-keys/%s" % quote(key_id, safe=""), body={"label": label, "scopes": list(scopes)}
        )

    def delete_api_key(self, key_id):
        """Delete one of the logged-in user's keys."""
        return self.rest("DELETE", "/api-keys/%s" % quote(key_id, safe=""))


def _rest_data(answer):
    """The ``data`` of a /rest answer (answers without it as they are)."""
    if isinstance(answer, dict) and "data" in answer:
        return answer["data"]
    return answer


def _session_cookie(resp):
    """The value of n8n's session cookie among the response's Set-Cookie headers (None without one)."""
    headers = getattr(resp, "headers", None)
    values = []
    if headers is not None:
        if hasattr(headers, "get_all"):
            values = headers.get_all("Set-Cookie") or []
        elif hasattr(headers, "get"):
            value = headers.get("Set-Cookie")
            values = value if isinstance(value, list) else [value] if value else []
    for value in values:
        name, sep, rest = value.partition("=")
        if sep and name.strip() == SESSION_COOKIE:
            return rest.split(";", 1)[0].strip() or None
    return None
