"""A stateful Kubernetes API server fake for tests: kubectl, the kubernetes Python client (kubernetes.core) and
helm 3 work against it. See tests/fakes/README.md ("Kubernetes API fake") for what it implements and every known
way it is more forgiving than a real API server.

    api = FakeKubeAPI(token="t0k3n").start()      # 127.0.0.1, ephemeral port, https unless tls=False
    api.write_kubeconfig(path)                    # cluster-admin kubeconfig for it
    api.get("apps/v1", "deployments", "web", namespace="default")   # read the store directly, no HTTP
    api.stop()

Or standalone: ``python -m tests.fakes.k8s_api --port 58443 --token T --kubeconfig PATH``.
"""

from __future__ import annotations

import base64
import glob
import http.server
import os
import shutil
import ssl
import sys
import tempfile
import threading

import yaml

from . import errors
from .cluster import Cluster
from .server import Handler, RequestLog

CRD_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "crds")


def traefik_crds():
    """The CustomResourceDefinitions of the Traefik kinds the roles use (traefik.io/v1alpha1), one per file."""
    crds = []
    for path in sorted(glob.glob(os.path.join(CRD_DIR, "*.yaml"))):
        with open(path) as f:
            crds.append(yaml.safe_load(f))
    return crds


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        """Clients that hang up or fail the TLS handshake are not worth a traceback on stderr."""
        if not isinstance(sys.exc_info()[1], (ConnectionError, ssl.SSLError, TimeoutError)):
            super().handle_error(request, client_address)


class FakeKubeAPI(object):
    def __init__(self, token, port=0, tls=True, preload_crds=True):
        self.token = token
        self.tls = tls
        self.cluster = Cluster(crds=traefik_crds() if preload_crds else ())
        self.requests = RequestLog()
        handler = type("BoundHandler", (Handler,), dict(cluster=self.cluster, token=token, request_log=self.requests))
        self._httpd = _Server(("127.0.0.1", port), handler)
        self.ca_pem = None
        if tls:
            from .tls import make_certificates  # cryptography is only needed for https

            certdir = tempfile.mkdtemp(prefix="k8s-fake-tls-")
            try:
                self.ca_pem, cert, key = make_certificates(certdir)
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                context.load_cert_chain(cert, key)
            finally:
                shutil.rmtree(certdir)
            # The handshake happens in the request thread (Handler.setup), not in the accept loop.
            self._httpd.socket = context.wrap_socket(
                self._httpd.socket, server_side=True, do_handshake_on_connect=False
            )
        self._thread = None

    @property
    def port(self):
        return self._httpd.server_address[1]

    @property
    def url(self):
        return "%s://127.0.0.1:%d" % ("https" if self.tls else "http", self.port)

    def start(self):
        # A short poll interval keeps stop() (which waits for the serving loop to notice) quick.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="k8s-api-fake", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self):
        """Serve in the calling thread until KeyboardInterrupt (the CLI); start()/stop() is the in-process way."""
        try:
            self._httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            self.cluster.store.close()
            self._httpd.server_close()

    def stop(self):
        self.cluster.store.close()  # ends open watches
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
        self._httpd.server_close()

    def kubeconfig(self, context="workbench-fake", namespace="default"):
        cluster = {"server": self.url}
        if self.ca_pem:
            cluster["certificate-authority-data"] = base64.b64encode(self.ca_pem).decode()
        return {
            "apiVersion": "v1",
            "kind": "Config",
            "preferences": {},
            "clusters": [{"name": context, "cluster": cluster}],
            "users": [{"name": context + "-admin", "user": {"token": self.token}}],
            "contexts": [
                {"name": context, "context": {"cluster": context, "user": context + "-admin", "namespace": namespace}}
            ],
            "current-context": context,
        }

    def write_kubeconfig(self, path, **kwargs):
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
            yaml.safe_dump(self.kubeconfig(**kwargs), f, sort_keys=False)
        return path

    # --- direct store access for tests (no HTTP, no auth) ----------------------------------------------------------

    def _type(self, api_version, plural):
        group, version = api_version.rpartition("/")[::2]
        rt = self.cluster.registry.lookup(group, version, plural)
        if rt is None:
            raise KeyError("the fake does not serve %s %s" % (api_version, plural))
        return rt

    def get(self, api_version, plural, name, namespace=None):
        """The stored object, or None."""
        try:
            return self.cluster.get(self._type(api_version, plural), namespace, name)
        except errors.ApiError as e:
            if e.code == 404:
                return None
            raise

    def list(self, api_version, plural, namespace=None, label_selector=None):
        return self.cluster.list(self._type(api_version, plural), namespace, label_selector)["items"]

    @property
    def resource_version(self):
        return self.cluster.store.resource_version


__all__ = ["FakeKubeAPI", "traefik_crds"]
