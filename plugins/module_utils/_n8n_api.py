# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the one way this collection talks to the n8n public REST API (/api/v1).

Not a public API; it can change at any time. Modules get their connection options from
``n8n_argument_spec()`` (documented by the ``_n8n`` doc fragment) and a client from ``N8nClient.from_module()``.

- HTTP through ``ansible.module_utils.urls.open_url`` (no ``requests`` in the execution environment).
- Lists follow n8n's ``nextCursor`` until it is null.
- Retries with exponential backoff (and ``Retry-After``) on 429, 5xx and connection errors. Requests that are not
  idempotent (POST) are retried only when the server certainly did not act on them: 429, 503 and a refused
  connection. A timeout or a 500/502/504 answer to a POST is not retried (it may have been applied).
- Errors are ``N8nApiError`` carrying the method, the path, the HTTP status and n8n's own ``message``; never the
  API key, request headers or request bodies.
- Every request is counted in ``N8nClient.requests`` (method, path) so modules can report what they did and tests
  can prove that a no-op run writes nothing.
"""

from __future__ import annotations

import json
import socket
import time

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import quote, urlencode
from ansible.module_utils.urls import open_url

API_PREFIX = "/api/v1"
PAGE_LIMIT = 250
USER_AGENT = "insightpulseai.workbench (n8n)"
RETRY_STATUSES = frozenset((429, 500, 502, 503, 504))
POST_RETRY_STATUSES = frozenset((429, 503))
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


class N8nApiError(Exception):
    """A failed API call. ``str()`` is safe to show: no key, no headers, no bodies."""

    def __init__(self, method, path, status=None, message=None, reason=None):
        self.method = method
        self.path = path
        self.status = status
        self.message = message
        self.reason = reason
        super(N8nApiError, self).__init__(self._text())

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
            text += " (the API key was rejected: check api_key / N8N_API_KEY)"
        return text

    @property
    def unreachable(self):
        return self.status is None


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

    def __init__(self, url, api_key, validate_certs=True, timeout=30, retries=4, backoff=0.5, max_backoff=8.0,
                 opener=None, sleep=None):
        if not url or not isinstance(url, str):
            raise ValueError("url must be the base URL of the n8n instance, for example http://127.0.0.1:5678")
        base = url.rstrip("/")
        if base.endswith(API_PREFIX):
            base = base[: -len(API_PREFIX)]
        if not (base.startswith("http://") or base.startswith("https://")):
            raise ValueError("url must start with http:// or https://, got %r" % url)
        self.base_url = base
        self._api_key = api_key
        self.validate_certs = validate_certs
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._open = opener or open_url
        self._sleep = sleep or time.sleep
        self._legacy_activation = False
        self.requests = []

    @classmethod
    def from_module(cls, module):
        p = module.params
        try:
            return cls(p["url"], p["api_key"], validate_certs=p["validate_certs"], timeout=p["timeout"])
        except ValueError as exc:
            module.fail_json(msg="Invalid n8n connection options: %s" % exc)

    # ------------------------------------------------------------------------------------------------
    # Counters
    # ------------------------------------------------------------------------------------------------
    @property
    def request_count(self):
        return len(self.requests)

    @property
    def write_count(self):
        return sum(1 for method, dummy in self.requests if method in WRITE_METHODS)

    def stats(self):
        return dict(requests=self.request_count, writes=self.write_count)

    # ------------------------------------------------------------------------------------------------
    # HTTP
    # ------------------------------------------------------------------------------------------------
    def _url(self, path, query=None):
        url = self.base_url + API_PREFIX + path
        if query:
            query = dict((k, v) for k, v in query.items() if v is not None)
            if query:
                url += "?" + urlencode(sorted(query.items()))
        return url

    def request(self, method, path, query=None, body=None, retry_statuses=None):
        """One API call, retried as documented in the module docstring; returns the decoded JSON (or None)."""
        method = method.upper()
        url = self._url(path, query)
        shown_path = path if not query else path + "?" + urlencode(sorted((k, v) for k, v in query.items() if v is not None))
        headers = {"X-N8N-API-KEY": self._api_key, "Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body, sort_keys=True).encode("utf-8")
            headers["Content-Type"] = "application/json"
        if retry_statuses is None:
            retry_statuses = POST_RETRY_STATUSES if method == "POST" else RETRY_STATUSES
        attempt = 0
        while True:
            attempt += 1
            self.requests.append((method, path))
            wait = None
            try:
                resp = self._open(url, method=method, headers=headers, data=data, validate_certs=self.validate_certs,
                                  timeout=self.timeout, http_agent=USER_AGENT, follow_redirects="safe",
                                  use_proxy=True)
                raw = resp.read()
                if not raw:
                    return None
                try:
                    return json.loads(raw.decode("utf-8"))
                except ValueError:
                    raise N8nApiError(method, shown_path, getattr(resp, "status", None) or resp.getcode(),
                                      reason="the answer is not JSON (is %s an n8n instance?)" % self.base_url)
            except HTTPError as exc:
                try:
                    raw = exc.read()
                except Exception:  # noqa: BLE001
                    raw = b""
                error = N8nApiError(method, shown_path, exc.code, _server_message(raw), reason=exc.reason)
                if exc.code not in retry_statuses or attempt > self.retries:
                    raise error
                wait = _retry_after(exc)
            except N8nApiError:
                raise
            except (URLError, socket.timeout, ConnectionError, OSError) as exc:
                reason = getattr(exc, "reason", None) or exc
                refused = isinstance(reason, ConnectionRefusedError) or "refused" in str(reason).lower()
                error = N8nApiError(method, shown_path, reason="cannot reach %s: %s" % (self.base_url, _reason_text(reason)))
                if attempt > self.retries or (method == "POST" and not refused):
                    raise error
            if wait is None:
                wait = min(self.max_backoff, self.backoff * (2 ** (attempt - 1)))
            self._sleep(wait)

    def get(self, path, query=None):
        return self.request("GET", path, query=query)

    def post(self, path, body=None, query=None, retry_statuses=None):
        return self.request("POST", path, query=query, body=body if body is not None else {}, retry_statuses=retry_statuses)

    def put(self, path, body, query=None):
        return self.request("PUT", path, query=query, body=body)

    def patch(self, path, body):
        return self.request("PATCH", path, body=body)

    def delete(self, path, retry_statuses=None):
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
        return self.paginate("/workflows", {"excludePinnedData": "true"})

    def get_workflow(self, workflow_id):
        return self.get("/workflows/%s" % quote(workflow_id, safe=""), {"excludePinnedData": "true"})

    def create_workflow(self, body):
        return self.post("/workflows", body)

    def update_workflow(self, workflow_id, body, publish_if_active=True):
        return self.put("/workflows/%s" % quote(workflow_id, safe=""), body,
                        query={"publishIfActive": "true" if publish_if_active else "false"})

    def activate_workflow(self, workflow_id):
        """Publish (2.x) the workflow's current version; /activate where the server has no /publish."""
        return self._activation(workflow_id, "publish", "activate")

    def deactivate_workflow(self, workflow_id):
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
        # n8n 2.x answers 409 "still being unpublished" for a moment after a deactivation: that one is retried.
        path = "/workflows/%s" % quote(workflow_id, safe="")
        for attempt in range(self.retries + 1):
            try:
                return self.delete(path)
            except N8nApiError as exc:
                if exc.status != 409 or "still being unpublished" not in (exc.message or "") or attempt >= self.retries:
                    raise
                self._sleep(min(self.max_backoff, self.backoff * (2 ** attempt)))

    def set_workflow_tags(self, workflow_id, tag_ids):
        return self.put("/workflows/%s/tags" % quote(workflow_id, safe=""), [{"id": t} for t in tag_ids])

    def list_tags(self):
        return self.paginate("/tags")

    def create_tag(self, name):
        return self.post("/tags", {"name": name})

    def list_credentials(self):
        return self.paginate("/credentials")

    def create_credential(self, body):
        return self.post("/credentials", body)

    def update_credential(self, credential_id, body):
        return self.patch("/credentials/%s" % quote(credential_id, safe=""), body)

    def delete_credential(self, credential_id):
        return self.delete("/credentials/%s" % quote(credential_id, safe=""))

    def credential_schema(self, credential_type):
        return self.get("/credentials/schema/%s" % quote(credential_type, safe=""))


def _retry_after(exc):
    try:
        value = exc.headers.get("Retry-After") if exc.headers is not None else None
        return min(60.0, max(0.0, float(value))) if value is not None else None
    except (TypeError, ValueError):
        return None


def _reason_text(reason):
    text = str(reason)
    if isinstance(reason, socket.timeout) or "timed out" in text:
        return "timed out"
    return text.strip().splitlines()[0] if text.strip() else reason.__class__.__name__
