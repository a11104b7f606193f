"""Request/response plumbing shared by the DigitalOcean API fake's resource modules."""

from __future__ import annotations

import datetime
import math
import re
import urllib.parse
import uuid

# Error ids and messages as the spec's examples and the real API give them.
NOT_FOUND = "The resource you requested could not be found."
UNAUTHORIZED = "Unable to authenticate you."


class ApiError(Exception):
    """Raised by a handler to answer with DigitalOcean's error body: {"id": ..., "message": ...}."""

    def __init__(self, status, error_id, message):
        super().__init__(message)
        self.status = status
        self.error_id = error_id
        self.message = message


def not_found(message=NOT_FOUND):
    return ApiError(404, "not_found", message)


def unprocessable(message):
    return ApiError(422, "unprocessable_entity", message)


def conflict(message):
    return ApiError(409, "conflict", message)


def precondition_failed(message):
    return ApiError(412, "precondition_failed", message)


class Request(object):
    def __init__(self, method, path, query, body, base_url):
        self.method = method
        self.path = path
        self.query = query  # {name: last value}
        self.body = body  # parsed JSON, or None when the request had no body
        self.base_url = base_url  # e.g. http://127.0.0.1:58080, to build absolute links as the real API does

    def json(self):
        """The body as an object; a missing body reads as {} (the contract check has rejected it if required)."""
        return self.body if isinstance(self.body, dict) else {}

    def flag(self, name):
        return self.query.get(name, "").lower() in ("1", "true")


class Response(object):
    def __init__(self, status, body=None, content_type="application/json"):
        self.status = status
        self.body = body  # a JSON-able object, a str (non-JSON content types) or None (no body)
        self.content_type = content_type


def ok(body):
    return Response(200, body)


def created(body):
    return Response(201, body)


def accepted(body):
    return Response(202, body)


def no_content():
    return Response(204)


class Router(object):
    """Maps (method, path template) to handler functions; templates use {name} segments like the spec."""

    def __init__(self):
        self._routes = []

    def route(self, method, template):
        pattern = re.compile("^" + re.sub(r"\\\{([^}]+)\\\}", r"(?P<\1>[^/]+)", re.escape(template)) + "$")

        def register(func):
            self._routes.append((template.count("{"), method, pattern, func))
            self._routes.sort(key=lambda r: r[0])  # literal segments first, as in Contract.operation
            return func

        return register

    def match(self, method, path):
        """(handler, path parameters) of a request, or (None, None) when no route takes it."""
        for _params, route_method, pattern, func in self._routes:
            found = pattern.match(path)
            if found and route_method == method:
                return func, {k: urllib.parse.unquote(v) for k, v in found.groupdict().items()}
        return None, None


def now():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_id():
    return str(uuid.uuid4())


def _int_param(req, name, default, maximum=None):
    raw = req.query.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, "bad_request", "%s must be an integer, got %r" % (name, raw))
    if value < 1:
        raise ApiError(400, "bad_request", "%s must be at least 1, got %d" % (name, value))
    return min(value, maximum) if maximum else value


def paginate(req, items, key):
    """A list response as DO pages it: ``page``/``per_page`` (default 20, at most 200), ``links.pages`` with
    absolute first/prev/next/last URLs (an empty ``links`` on a single page) and ``meta.total``."""
    per_page = _int_param(req, "per_page", 20, maximum=200)
    page = _int_param(req, "page", 1)
    last = max(1, int(math.ceil(len(items) / float(per_page))))

    def link(number):
        query = dict(req.query, page=str(number), per_page=str(per_page))
        return "%s%s?%s" % (req.base_url, req.path, urllib.parse.urlencode(sorted(query.items())))

    pages = {}
    if page > 1:
        pages.update(first=link(1), prev=link(min(page - 1, last)))
    if page < last:
        pages.update(next=link(page + 1), last=link(last))
    start = (page - 1) * per_page
    return {
        key: items[start : start + per_page],
        "links": {"pages": pages} if pages else {},
        "meta": {"total": len(items)},
    }


# The one routing table; each resource module registers its handlers on it with @ROUTER.route(...).
ROUTER = Router()
