"""The HTTP face of the fake: routing, bearer-token auth, body decoding (JSON, YAML, protobuf), discovery,
and chunked watch streams."""

from __future__ import annotations

import collections
import hashlib
import http.server
import json
import select
import socket
import urllib.parse

import yaml

from . import errors, protobuf
from .cluster import PATCH_TYPES

KUBERNETES_VERSION = "v1.32.4"
PROTOBUF = "application/vnd.kubernetes.protobuf"
# Paths anyone may read, as system:public-info-viewer allows on a real cluster.
PUBLIC_PATHS = {"/version", "/healthz", "/livez", "/readyz"}
DEFAULT_WATCH_TIMEOUT = 1800


def version_info():
    major, minor = KUBERNETES_VERSION[1:].split(".")[:2]
    return dict(
        major=major,
        minor=minor,
        gitVersion=KUBERNETES_VERSION,
        gitCommit="0000000000000000000000000000000000000000",
        gitTreeState="clean",
        buildDate="2025-01-01T00:00:00Z",
        goVersion="go1.23.0",
        compiler="gc",
        platform="linux/amd64",
    )


def _bool(value):
    """A boolean query parameter as Go's strconv.ParseBool reads it (the Python client sends "True"/"False")."""
    return value in ("1", "t", "T", "true", "TRUE", "True")


def _route(segments):
    """Split a resource path into (group, version, namespace, plural, name, subresource path)."""
    if segments[:2] == ["api", "v1"]:
        group, version, rest = "", "v1", segments[2:]
    elif segments[0] == "apis" and len(segments) >= 4:
        group, version, rest = segments[1], segments[2], segments[3:]
    else:
        return None
    namespace = None
    if rest[0] == "namespaces" and len(rest) >= 3 and rest[2] not in ("status", "finalize"):
        namespace, rest = rest[1], rest[2:]
    return group, version, namespace, rest[0], (rest[1] if len(rest) > 1 else None), rest[2:]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "workbench-k8s-fake"
    # set by FakeKubeAPI on a subclass
    cluster = None
    token = None
    request_log = None
    _raw = b""
    _code = None
    _logged = False
    _url = None
    _query = None

    def setup(self):
        # Headers and body go out in separate writes: without TCP_NODELAY, Nagle + delayed ACK add 40 ms to each.
        self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if hasattr(self.request, "do_handshake"):
            self.request.settimeout(30)
            self.request.do_handshake()
            self.request.settimeout(None)
        super().setup()

    def log_message(self, format, *args):  # noqa: A002 - silence the default stderr access log
        pass

    # --- responses ---------------------------------------------------------------------------------------------

    def _send(self, code, body, content_type="application/json"):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self._code = code
        self._log()  # before the client can see the answer: a test reads the log as soon as its request returns
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        self.wfile.write(data)

    def _error(self, error):
        self._send(error.code, error.status())

    # --- request plumbing --------------------------------------------------------------------------------------

    def _content_type(self):
        return (self.headers.get("Content-Type") or "application/json").split(";")[0].strip().lower()

    def _decode(self, raw, content_type):
        if content_type == PROTOBUF:
            try:
                return protobuf.decode(raw)
            except protobuf.ProtobufError as e:
                raise errors.ApiError(415, "UnsupportedMediaType", str(e), {})
        try:
            if content_type in ("application/yaml", "application/apply-patch+yaml"):
                return yaml.safe_load(raw.decode("utf-8"))
            return json.loads(raw.decode("utf-8"))
        except (ValueError, yaml.YAMLError) as e:
            raise errors.bad_request("the request body could not be decoded: %s" % e)

    def _authorized(self, path):
        if path in PUBLIC_PATHS:
            return True
        return self.headers.get("Authorization", "") == "Bearer " + self.token

    def _log(self):
        if self._logged:
            return
        self._logged = True
        self.request_log.append(
            dict(
                method=self.command,
                path=self._url.path,
                query=self._query,
                content_type=self.headers.get("Content-Type"),
                accept=self.headers.get("Accept"),
                code=self._code,
            )
        )

    def _handle(self):
        self._code = None
        self._logged = False
        # Read the whole body first: on a kept-alive connection an unread body would be taken for the next request.
        length = int(self.headers.get("Content-Length") or 0)
        self._raw = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        self._url, self._query = url, query
        try:
            if not self._authorized(url.path.rstrip("/") or "/"):
                raise errors.unauthorized()
            self._dispatch(url.path, query)
        except errors.ApiError as e:
            self._error(e)
        finally:
            self._log()  # a request that ended without an answer

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    # --- dispatch ----------------------------------------------------------------------------------------------

    def _dispatch(self, path, query):
        segments = [s for s in path.split("/") if s]
        if self.command == "GET":
            document = self._static(segments)
            if document is not None:
                return self._send(200, *document) if isinstance(document, tuple) else self._send(200, document)
        route = _route(segments) if segments else None
        if route is None:
            raise errors.path_not_found()
        group, version, namespace, plural, name, sub = route
        rt = self.cluster.registry.lookup(group, version, plural)
        if (
            rt is None
            or sub
            or (namespace is not None and not rt.namespaced)
            or (name is not None and rt.namespaced and namespace is None)
        ):
            raise errors.path_not_found()
        dry_run = self._dry_run(query)
        method = self.command
        if method == "GET" and name:
            return self._send(200, self.cluster.get(rt, namespace, name))
        if method == "GET" and _bool(query.get("watch")):
            return self._watch(rt, namespace, query)
        if method == "GET":
            limit = int(query["limit"]) if query.get("limit", "").isdigit() else None
            return self._send(
                200,
                self.cluster.list(
                    rt, namespace, query.get("labelSelector"), query.get("fieldSelector"), limit, query.get("continue")
                ),
            )
        if method == "POST" and not name and (namespace or not rt.namespaced):
            body = self._decode(self._raw, self._content_type())
            return self._send(201, self.cluster.create(rt, namespace, body, dry_run))
        if method == "PUT" and name:
            body = self._decode(self._raw, self._content_type())
            return self._send(200, self.cluster.replace(rt, namespace, name, body, dry_run))
        if method == "PATCH" and name:
            content_type = self._content_type()
            if content_type in PATCH_TYPES:  # an unknown patch type is the cluster's 415, before the options
                errors.check_patch_options(PATCH_TYPES[content_type], query.get("fieldManager"), "force" in query)
            body = self._decode(self._raw, content_type) if content_type in PATCH_TYPES else None
            created, obj = self.cluster.patch(
                rt, namespace, name, content_type, body, dry_run, query.get("fieldManager"), _bool(query.get("force"))
            )
            return self._send(201 if created else 200, obj)
        if method == "DELETE":
            options = self._delete_options(query)
            dry_run = dry_run or options.get("dryRun") == ["All"]
            if name:
                return self._send(200, self.cluster.delete(rt, namespace, name, options, dry_run))
            if "deletecollection" in rt.verbs and (namespace or not rt.namespaced):
                return self._send(
                    200,
                    self.cluster.delete_collection(
                        rt, namespace, query.get("labelSelector"), query.get("fieldSelector"), options, dry_run
                    ),
                )
        raise errors.method_not_allowed()

    @staticmethod
    def _dry_run(query):
        value = query.get("dryRun")
        if value not in (None, "", "All"):
            raise errors.bad_request('Invalid dryRun value: "%s": supported values: "All"' % value)
        return value == "All"

    def _delete_options(self, query):
        options = {}
        if query.get("propagationPolicy"):
            options["propagationPolicy"] = query["propagationPolicy"]
        if query.get("orphanDependents"):
            options["orphanDependents"] = _bool(query["orphanDependents"])
        if self._raw:
            body = self._decode(self._raw, self._content_type())
            if not isinstance(body, dict):
                raise errors.bad_request("DeleteOptions must be an object")
            options.update({k: v for k, v in body.items() if k not in ("apiVersion", "kind")})
        policy = options.get("propagationPolicy")
        if policy not in (None, "Orphan", "Background", "Foreground"):
            raise errors.bad_request(
                'propagationPolicy: Unsupported value: "%s": supported values: "Foreground", '
                '"Background", "Orphan", "nil"' % policy
            )
        return options

    def _watch(self, rt, namespace, query):
        timeout = int(query["timeoutSeconds"]) if query.get("timeoutSeconds", "").isdigit() else DEFAULT_WATCH_TIMEOUT
        events = self.cluster.watch(
            rt,
            namespace,
            query.get("labelSelector"),
            query.get("fieldSelector"),
            query.get("resourceVersion"),
            timeout,
            self._client_gone,
        )
        self._code = 200
        self._log()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        try:
            for event in events:
                self._chunk(event)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        finally:
            events.close()

    def _client_gone(self):
        """A watching client sends nothing after its request: a readable socket means it closed the connection."""
        return bool(select.select([self.connection], [], [], 0)[0])

    def _chunk(self, event):
        data = json.dumps(event).encode() + b"\n"
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    # --- discovery and other fixed documents ---------------------------------------------------------------------

    def _static(self, segments):
        registry = self.cluster.registry
        if not segments:
            return {
                "paths": ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/readyz", "/version"]
                + ["/apis/%s/%s" % (g, v) for g, versions in registry.group_versions() for v in versions]
            }
        if segments == ["version"]:
            return version_info()
        if segments[0] in ("healthz", "livez", "readyz") and len(segments) == 1:
            return b"ok", "text/plain; charset=utf-8"
        if segments == ["api"]:
            return dict(
                kind="APIVersions",
                versions=["v1"],
                serverAddressByClientCIDRs=[
                    dict(clientCIDR="0.0.0.0/0", serverAddress="%s:%d" % self.server.server_address[:2])
                ],
            )
        if segments == ["api", "v1"]:
            return self._resource_list("", "v1")
        if segments == ["apis"]:
            return dict(
                kind="APIGroupList",
                apiVersion="v1",
                groups=[self._group(g, versions) for g, versions in registry.group_versions()],
            )
        if segments[0] == "openapi" and segments[1:2] == ["v3"]:
            return self._openapi_v3("/".join(segments[2:]))
        if segments[0] == "apis" and len(segments) in (2, 3):
            for g, versions in registry.group_versions():
                if g == segments[1]:
                    if len(segments) == 2:
                        return dict(self._group(g, versions), kind="APIGroup", apiVersion="v1")
                    if segments[2] in versions:
                        return self._resource_list(g, segments[2])
            raise errors.path_not_found()
        return None

    def _openapi_v3(self, group_version_path):
        """Path stubs of OpenAPI v3, no schemas: enough for kubectl (and helm) to see that every type accepts the
        fieldValidation parameter, so they leave validation to the server instead of downloading schemas."""
        registry = self.cluster.registry
        docs = {}
        for group, versions in [("", ["v1"])] + registry.group_versions():
            for version in versions:
                prefix = "apis/%s/%s" % (group, version) if group else "api/v1"
                paths = {}
                for rt in registry.resources_of(group, version):
                    scope = "/namespaces/{namespace}" if rt.namespaced else ""
                    gvk = {"group": rt.group, "version": rt.version, "kind": rt.kind}
                    paths["/%s%s/%s/{name}" % (prefix, scope, rt.plural)] = {
                        "patch": {
                            "x-kubernetes-group-version-kind": gvk,
                            "parameters": [{"name": "fieldValidation", "in": "query", "schema": {"type": "string"}}],
                        }
                    }
                docs[prefix] = {
                    "openapi": "3.0.0",
                    "info": {"title": "Kubernetes", "version": KUBERNETES_VERSION},
                    "paths": paths,
                }
        if not group_version_path:
            return {
                "paths": {
                    prefix: {
                        "serverRelativeURL": "/openapi/v3/%s?hash=%s"
                        % (prefix, hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()[:32].upper())
                    }
                    for prefix, doc in docs.items()
                }
            }
        if group_version_path not in docs:
            raise errors.path_not_found()
        return docs[group_version_path]

    @staticmethod
    def _group(group, versions):
        entries = [dict(groupVersion="%s/%s" % (group, v), version=v) for v in versions]
        return dict(name=group, versions=entries, preferredVersion=entries[0])

    def _resource_list(self, group, version):
        return dict(
            kind="APIResourceList",
            apiVersion="v1",
            groupVersion="%s/%s" % (group, version) if group else version,
            resources=[t.discovery() for t in self.cluster.registry.resources_of(group, version)],
        )


class RequestLog(collections.deque):
    """The last requests the fake answered (method, path, query, content_type, accept, code), for tests."""

    def __init__(self):
        super().__init__(maxlen=2000)
