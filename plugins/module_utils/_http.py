# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the one HTTP transport of the collection; every service client (DigitalOcean, n8n) sends through it.

Not a public API. ``Transport.send()`` makes one logical request over ``ansible.module_utils.urls.open_url`` (no
``requests`` in the execution environment) and decides, in one place, what may be sent again:

- idempotent methods (GET, HEAD, PUT, DELETE, OPTIONS) are retried on connection errors, timeouts and the statuses
  429, 500, 502, 503 and 504;
- other methods (POST, PATCH) only when the request provably did not reach the server (the connection was refused)
  or the server said it did not process it (429, 503): a create answered 500, or whose answer was lost, is never
  sent twice (the caller re-reads by name instead);
- waits grow exponentially from ``backoff`` up to ``max_backoff``, with jitter; a server's ``Retry-After`` (seconds
  or an HTTP date) or DigitalOcean's ``ratelimit-reset`` (epoch seconds) is honoured up to ``max_wait``; a longer
  wait fails at once, saying so;
- every retry is reported through ``warn`` (the method, the path, why, which retry and the wait);
- a final failure is an ``HTTPFailure`` (a ``_runtime.ServiceError``) naming the method, the path (the query only as the
  caller shows it, see ``shown_query``; never a header), the status and a short excerpt of the answer's body;
- ``log`` records every attempt as (method, path) and ``wrote`` says whether a write may have been applied (one that
  succeeded, or one that got no answer other than a refusal, or a 5xx other than 503).
"""

from __future__ import annotations

import email.utils
import random
import re
import socket
import time

from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError
from ansible.module_utils.six.moves.urllib.parse import urlsplit
from ansible.module_utils.urls import open_url
from ansible_collections.insightpulseai.workbench.plugins.module_utils._runtime import ServiceError

IDEMPOTENT = frozenset(("GET", "HEAD", "PUT", "DELETE", "OPTIONS"))
READS = frozenset(("GET", "HEAD", "OPTIONS"))
RETRY_IDEMPOTENT = frozenset((429, 500, 502, 503, 504))
RETRY_ANY = frozenset((429, 503))
EXCERPT = 200


class HTTPFailure(ServiceError):
    """A request that failed for good. ``status`` is the HTTP status (None without an answer), ``body`` the answer's
    raw body (b'' without one), ``refused`` whether the connection was refused, ``attempts`` how many were sent;
    ``written`` whether a write of the transport may have been applied when it was raised."""

    def __init__(
        self, method, path, status=None, reason=None, body=b"", headers=None, refused=False, attempts=1, written=False
    ):
        self.method = method
        self.path = path
        self.status = status
        self.reason = reason
        self.body = body or b""
        self.headers = headers
        self.refused = refused
        self.attempts = attempts
        text = "%s %s: " % (method, path)
        if status is None:
            text += reason or "no answer"
        else:
            text += "HTTP %s" % status
            excerpt = body_excerpt(self.body)
            if excerpt:
                text += " %s" % excerpt
            elif reason:
                text += " %s" % reason
        ServiceError.__init__(self, text, written=written, status=status)

    @property
    def unreachable(self):
        """Whether the server gave no answer at all (refused, timed out, unknown host)."""
        return self.status is None


class Response(object):
    """A successful answer: ``status``, ``headers`` (the raw response's) and ``body`` (bytes)."""

    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body or b""


def body_excerpt(body, limit=EXCERPT):
    """The first line of ``body`` (bytes or text), at most ``limit`` characters; '' for none."""
    if not body:
        return ""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body)
    text = text.strip()
    return text.splitlines()[0][:limit] if text else ""


def shown_path(url):
    """The path of ``url`` as messages and logs show it: no scheme, host, query or fragment."""
    return urlsplit(url).path or "/"


SECRET_PARAMETER = re.compile(r"(token|key|secret|pass|auth|sig|credential|session)", re.IGNORECASE)


def shown_query(pairs):
    """``pairs`` (name, value) as a query string for messages: the value of any parameter whose name looks like it
    carries a secret (token, key, secret, password, auth, signature, credential, session) is shown as ``***``."""
    return "&".join("%s=%s" % (name, "***" if SECRET_PARAMETER.search(str(name)) else value) for name, value in pairs)


def retry_hint(headers, now=None):
    """Seconds the server asked to wait: ``Retry-After`` (seconds or an HTTP date) or DigitalOcean's
    ``ratelimit-reset`` (the epoch second the window resets); None when it asked nothing."""
    if headers is None or not hasattr(headers, "get"):
        return None
    now = time.time() if now is None else now
    value = headers.get("Retry-After") or headers.get("retry-after")
    if value:
        value = str(value).strip()
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                when = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError):
                when = None
            if when is not None:
                return max(0.0, when.timestamp() - now)
    reset = headers.get("ratelimit-reset") or headers.get("RateLimit-Reset")
    if reset:
        try:
            return max(0.0, float(reset) - now)
        except ValueError:
            return None
    return None


def backoff_wait(attempt, backoff=0.5, max_backoff=8.0, jitter=None):
    """The wait before retry ``attempt`` (1 for the first): ``backoff * 2**(attempt-1)`` capped at ``max_backoff``,
    times ``jitter()`` (a number in [0.5, 1]) when given."""
    wait = min(max_backoff, backoff * (2 ** (attempt - 1)))
    return wait * jitter() if jitter else wait


def _half_to_one():
    return 0.5 + random.random() / 2  # noqa: S311 - jitter, not cryptography


def _refused(reason):
    return isinstance(reason, ConnectionRefusedError) or "refused" in str(reason).lower()


def _reason_text(reason):
    text = str(reason)
    if isinstance(reason, socket.timeout) or "timed out" in text:
        return "timed out"
    return text.strip().splitlines()[0] if text.strip() else reason.__class__.__name__


class Transport(object):
    """Sends requests to one server with the retry rules of this module. ``opener``, ``sleep``, ``clock`` and
    ``jitter`` are injectable for tests (``jitter=False`` makes the waits exact)."""

    def __init__(
        self,
        base_url,
        timeout=30,
        retries=4,
        backoff=0.5,
        max_backoff=8.0,
        max_wait=60.0,
        validate_certs=True,
        http_agent=None,
        follow_redirects="none",
        opener=None,
        sleep=None,
        clock=None,
        warn=None,
        jitter=True,
    ):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.retries = max(0, int(retries))
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_wait = max_wait
        self.validate_certs = validate_certs
        self.http_agent = http_agent
        self.follow_redirects = follow_redirects
        self._open = opener or open_url
        self._sleep = sleep or time.sleep
        self._clock = clock or time.time
        self._warn = warn
        self._jitter = _half_to_one if jitter is True else (jitter or None)
        self.log = []
        self.retried = 0
        self.wrote = False

    def counts(self):
        """``{"reads": n, "writes": n}`` over every attempt sent (GET, HEAD and OPTIONS are reads)."""
        reads = sum(1 for method, dummy in self.log if method in READS)
        return dict(reads=reads, writes=len(self.log) - reads)

    def send(self, method, url, data=None, headers=None, path=None, retry_statuses=None, may_write=None):
        """Send ``method url`` (``data`` bytes, ``headers``) until it succeeds or may not be retried; returns a
        ``Response`` or raises ``HTTPFailure``. ``path`` is how logs and messages show it (default: the URL's path);
        ``retry_statuses`` overrides the statuses retried; ``may_write`` (default: not a read) says whether it can
        change state, for ``wrote``."""
        method = method.upper()
        path = path or shown_path(url)
        idempotent = method in IDEMPOTENT
        if retry_statuses is None:
            retry_statuses = RETRY_IDEMPOTENT if idempotent else RETRY_ANY
        may_write = method not in READS if may_write is None else may_write
        attempt = 0
        while True:
            attempt += 1
            self.log.append((method, path))
            try:
                resp = self._open(
                    url,
                    method=method,
                    data=data,
                    headers=headers or {},
                    timeout=self.timeout,
                    validate_certs=self.validate_certs,
                    http_agent=self.http_agent,
                    follow_redirects=self.follow_redirects,
                )
                status = getattr(resp, "status", None) or resp.getcode()
                body = resp.read()
                self.wrote = self.wrote or may_write
                return Response(status, getattr(resp, "headers", None), body)
            except HTTPError as exc:
                try:
                    body = exc.read()
                except Exception:  # noqa: BLE001 - an answer without a readable body
                    body = b""
                failure = dict(status=exc.code, reason=str(exc.reason or ""), body=body, headers=exc.headers)
                why = "HTTP %s" % exc.code
                retry = exc.code in retry_statuses
                hint = retry_hint(exc.headers, self._clock()) if exc.code in (429, 503) else None
                applied = may_write and exc.code >= 500 and exc.code != 503
            except (URLError, socket.timeout, ConnectionError, OSError) as exc:
                reason = getattr(exc, "reason", None) or exc
                refused = _refused(reason)
                failure = dict(reason="cannot reach %s: %s" % (self.base_url, _reason_text(reason)), refused=refused)
                why = _reason_text(reason)
                retry = idempotent or refused
                hint = None
                applied = may_write and not refused
            if applied:
                self.wrote = True
            if not retry or attempt > self.retries:
                raise HTTPFailure(method, path, attempts=attempt, written=self.wrote, **failure)
            if hint is not None and hint > self.max_wait:
                failure["reason"] = "the server asked to wait %.0f s before a retry, more than max_wait=%.0f s" % (
                    hint,
                    self.max_wait,
                )
                failure["body"] = b""
                raise HTTPFailure(method, path, attempts=attempt, written=self.wrote, **failure)
            wait = hint if hint is not None else backoff_wait(attempt, self.backoff, self.max_backoff, self._jitter)
            self.retried += 1
            if self._warn:
                self._warn(
                    "%s %s: %s; retry %d of %d in %.1f s%s"
                    % (
                        method,
                        path,
                        why,
                        attempt,
                        self.retries,
                        wait,
                        " (as the server asked)" if hint is not None else "",
                    )
                )
            self._sleep(wait)
