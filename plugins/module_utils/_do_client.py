# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the one way this collection talks to the DigitalOcean API v2.

Not a public API. ``do_argument_spec()`` (documented by the ``_digitalocean`` doc fragment) gives the connection
options; ``DOClient`` sends JSON requests with the bearer token over the one transport (``_http``: its retry rules, waits and
warnings), follows ``links.pages.next`` pagination, and raises ``DOError`` carrying the HTTP status and DigitalOcean's
``id``/``message`` (never the token). ``DOError`` is a ``_runtime.ServiceError``; ``DORun`` is the base of the DO
modules' runs (the client, and its real request counts as ``requests``).
"""

from __future__ import annotations

import json

from ansible.module_utils.basic import env_fallback
from ansible.module_utils.six.moves.urllib.parse import urlencode
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _http, _runtime
from ansible_collections.insightpulseai.workbench.plugins.module_utils._http import shown_path

DEFAULT_API_URL = "https://api.digitalocean.com/v2"


def do_argument_spec():
    """The connection options every DO module takes (documented by the ``_digitalocean`` doc fragment)."""
    return dict(
        api_token=dict(
            type="str",
            no_log=True,
            aliases=["oauth_token"],
            fallback=(
                env_fallback,
                ["DO_API_TOKEN", "DO_API_KEY", "DO_OAUTH_TOKEN", "DIGITALOCEAN_TOKEN", "DIGITALOCEAN_ACCESS_TOKEN"],
            ),
            required=True,
        ),
        api_url=dict(type="str", aliases=["baseurl"], fallback=(env_fallback, ["DO_API_URL"]), default=DEFAULT_API_URL),
        validate_certs=dict(type="bool", default=True),
        timeout=dict(type="int", default=30),
        retries=dict(type="int", default=4),
    )


class DOError(_runtime.ServiceError):
    """An API call failed. ``status`` is the HTTP status (None for connection errors); ``written`` says whether a
    write of the same client had succeeded before (so something may already have changed)."""

    def __init__(self, method, path, status, error_id=None, message=None, written=False):
        self.method = method
        self.path = path
        self.status = status
        self.error_id = error_id
        self.message = message
        detail = "HTTP %s" % status if status else "no response"
        if error_id:
            detail += " %s" % error_id
        if message:
            detail += ": %s" % message
        _runtime.ServiceError.__init__(self, "%s %s failed: %s" % (method, path, detail), written=written)

    def within(self, step, written=None):
        """This error as the failure of a step: a DOError reading ``<step>: <this error>``, with the same status and
        ids; ``written`` (default: this error's) says whether the run had written anything."""
        err = DOError(
            self.method,
            self.path,
            self.status,
            self.error_id,
            self.message,
            written=self.written if written is None else written,
        )
        err.msg = "%s: %s" % (step, self.msg)
        err.args = (err.msg,)
        return err


class DuplicateNameError(_runtime.DriftError, ValueError):
    """Several resources share the name a module addresses them by (nothing is written then)."""


class DOClient(object):
    """Small JSON client for the DigitalOcean API v2, over the collection's one HTTP transport (``_http``).

    ``requests`` counts calls by method, so a module can report (and a benchmark can assert) how many reads
    and writes a run made; ``transport`` holds the retry rules (a POST answered 500 or unanswered is not re-sent).
    """

    def __init__(
        self,
        api_url,
        api_token,
        timeout=30,
        validate_certs=True,
        retries=4,
        backoff=0.5,
        opener=None,
        sleep=None,
        warn=None,
        jitter=True,
        max_wait=60.0,
    ):
        self.base = api_url.rstrip("/")
        self._token = api_token
        self.transport = _http.Transport(
            self.base,
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            max_wait=max_wait,
            validate_certs=validate_certs,
            opener=opener,
            sleep=sleep,
            warn=warn,
            jitter=jitter,
        )

    @classmethod
    def from_module(cls, module):
        """A client from the connection options of ``module``; retries are reported with ``module.warn``."""
        p = module.params
        return cls(
            p["api_url"],
            p["api_token"],
            timeout=p["timeout"],
            validate_certs=p["validate_certs"],
            retries=p["retries"],
            warn=getattr(module, "warn", None),
        )

    # -- requests --------------------------------------------------------------------------------------------

    def _url(self, path, params=None):
        url = path if path.startswith(("http://", "https://")) else self.base + "/" + path.lstrip("/")
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params)
        return url

    def request(self, method, path, body=None, params=None, ok=(200, 201, 202, 204)):
        """Send one request; returns the decoded JSON body (or {} for an empty one). Raises DOError."""
        url = self._url(path, params)
        data = json.dumps(body).encode("utf-8") if body is not None else None
        headers = {"Authorization": "Bearer %s" % self._token, "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        try:
            resp = self.transport.send(method, url, data=data, headers=headers)
        except _http.HTTPFailure as exc:
            if exc.status is None:
                raise DOError(method, exc.path, None, message=exc.reason, written=exc.written)
            payload = _decode(exc.body)
            error_id = payload.get("id") if isinstance(payload, dict) else None
            message = payload.get("message") if isinstance(payload, dict) else None
            if exc.body == b"" and exc.reason:
                message = exc.reason
            raise DOError(method, exc.path, exc.status, error_id, message, written=exc.written)
        payload = _decode(resp.body)
        if resp.status not in ok:
            raise DOError(
                method, shown_path(url), resp.status, message="unexpected status", written=self.transport.wrote
            )
        return payload if isinstance(payload, dict) else {}

    @property
    def requests(self):
        """Requests sent by method (retries included)."""
        counts = {}
        for method, dummy in self.transport.log:
            counts[method] = counts.get(method, 0) + 1
        return counts

    def get(self, path, params=None, ok=(200,)):
        """GET ``path``; raises DOError unless the status is in ``ok``."""
        return self.request("GET", path, params=params, ok=ok)

    def post(self, path, body=None):
        """POST ``body`` (default ``{}``) to ``path``."""
        return self.request("POST", path, body=body if body is not None else {})

    def put(self, path, body):
        """PUT ``body`` to ``path``."""
        return self.request("PUT", path, body=body)

    def patch(self, path, body):
        """PATCH ``body`` to ``path``."""
        return self.request("PATCH", path, body=body)

    def delete(self, path, body=None):
        """DELETE ``path`` (with an optional body)."""
        return self.request("DELETE", path, body=body)

    def get_or_none(self, path, params=None):
        """GET that maps 404 to None."""
        try:
            return self.get(path, params=params)
        except DOError as exc:
            if exc.status == 404:
                return None
            raise

    def list(self, path, key, params=None, per_page=200):
        """Every item of a paginated collection (follows ``links.pages.next``)."""
        query = dict(params or {})
        query["per_page"] = per_page
        items = []
        page = self.get(path, params=query)
        while True:
            items.extend(page.get(key) or [])
            nxt = ((page.get("links") or {}).get("pages") or {}).get("next")
            if not nxt:
                return items
            page = self.get(nxt)

    @property
    def writes(self):
        """Requests sent that may write (every method but GET), retries included."""
        return self.transport.counts()["writes"]

    @property
    def reads(self):
        """GET requests sent, retries included."""
        return self.transport.counts()["reads"]


def _decode(raw):
    if not raw:
        return {}
    try:
        return json.loads(raw.decode("utf-8") if isinstance(raw, bytes) else raw)
    except ValueError:
        return {"message": _http.body_excerpt(raw)}


def find_one_by_name(items, name, what, key="name"):
    """The single item whose ``key`` equals ``name``; None if there is none; DuplicateNameError if several."""
    matches = [item for item in items if item.get(key) == name]
    if len(matches) > 1:
        raise DuplicateNameError(
            "%d %s are named %r (ids %s); names must be unique for this module to manage them: remove the duplicates "
            "or address one by id."
            % (len(matches), what, name, ", ".join(str(m.get("id") or m.get("uuid")) for m in matches))
        )
    return matches[0] if matches else None


# --------------------------------------------------------------------------------------------------------
# Module glue shared by the DO modules (one run: look up by name, maybe delete; the runtime exits).
# --------------------------------------------------------------------------------------------------------


def lookup_by_name(client, path, key, name, what):
    """``(item, items)``: the one resource of a collection named ``name`` (or None) and the whole collection.
    Raises DOError ("Failed to list the <what>: ...") or DuplicateNameError when several share the name."""
    try:
        items = client.list(path, key)
    except DOError as exc:
        raise exc.within("Failed to list the %s" % what)
    return find_one_by_name(items, name, what), items


def delete_resource(client, path, current, label):
    """Delete an existing resource; raises DOError ("Failed to delete <label> (<id>): ...")."""
    try:
        client.delete("%s/%s" % (path, current["id"]))
    except DOError as exc:
        raise exc.within("Failed to delete %s (%s)" % (label, current["id"]))


class DORun(_runtime.ModuleRun):
    """Base of the DO modules' runs: ``self.client`` (a DOClient) and its real request counts as ``requests``.

    ``initial`` are the module's own result keys before anything is known (returned on an early failure too).
    Deprecated aliases kept for existing playbooks (removed in 2.0.0): ``api_requests`` (= ``requests``) always,
    and ``changes`` (= ``actions``) when ``initial`` has it."""

    initial = {}

    def __init__(self, module, client=None):
        _runtime.ModuleRun.__init__(self, module)
        self.client = client if client is not None else DOClient.from_module(module)
        self.result.update((k, _copy(v)) for k, v in self.initial.items())

    def requests(self):
        """The client's real counts: GETs are reads, every other request a write."""
        return dict(reads=self.client.reads, writes=self.client.writes)

    def record(self, plan):
        """The runtime's record, plus the deprecated ``changes`` alias of ``actions`` where the module has it."""
        _runtime.ModuleRun.record(self, plan)
        if "changes" in self.result:
            self.result["changes"] = list(self.result["actions"])

    def exit(self, **keys):
        """Exit with the deprecated ``api_requests`` alias of ``requests`` too."""
        _runtime.ModuleRun.exit(self, api_requests=self.requests(), **keys)

    def fail(self, msg, error=None, **keys):
        """Fail with the deprecated ``api_requests`` alias of ``requests`` too."""
        _runtime.ModuleRun.fail(self, msg, error=error, api_requests=self.requests(), **keys)


def _copy(value):
    return dict(value) if isinstance(value, dict) else (list(value) if isinstance(value, list) else value)
