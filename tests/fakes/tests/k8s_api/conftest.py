"""Fixtures for the Kubernetes half of the offline sandbox: the clients that talk to the API fake. The fake itself
(k8s), its kubeconfig, the ansible environment and helm are fixtures of tests/integration/conftest.py."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import ssl
import subprocess
import urllib.parse

import pytest

from support.ansible import ROOT

KUBECTL = shutil.which("kubectl")


class Response(object):
    def __init__(self, code, headers, raw):
        self.code, self.headers, self.raw = code, headers, raw
        try:
            self.body = json.loads(raw)
        except ValueError:
            self.body = raw.decode()


class Client(object):
    """Raw HTTP to the fake, for its own tests: what goes over the wire is what the test says."""

    def __init__(self, api):
        self.api = api
        self.context = ssl.create_default_context(cadata=api.ca_pem.decode())

    def request(self, method, path, body=None, content_type="application/json", query=None, token=True):
        if query:
            path += "?" + urllib.parse.urlencode(query)
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + (self.api.token if token is True else token)
        if body is not None:
            headers["Content-Type"] = content_type
            if not isinstance(body, bytes):
                body = json.dumps(body).encode()
        conn = http.client.HTTPSConnection("127.0.0.1", self.api.port, context=self.context, timeout=10)
        try:
            conn.request(method, path, body=body, headers=headers)
            resp = conn.getresponse()
            return Response(resp.status, dict(resp.getheaders()), resp.read())
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body, **kw):
        return self.request("PUT", path, body, **kw)

    def patch(self, path, body, content_type, **kw):
        return self.request("PATCH", path, body, content_type=content_type, **kw)

    def delete(self, path, body=None, **kw):
        return self.request("DELETE", path, body, **kw)


@pytest.fixture
def client(k8s):
    return Client(k8s)


@pytest.fixture
def kubectl(kubeconfig, tmp_path):
    """Run the machine's kubectl against the fake with a generated --kubeconfig; returns the CompletedProcess."""
    if KUBECTL is None:
        pytest.fail("kubectl is not installed (it comes with the machine image; apt-get install kubectl elsewhere)")
    cache = str(tmp_path / "kube-cache")

    def run(*args, stdin=None, check=True):
        proc = subprocess.run(
            [KUBECTL, "--kubeconfig", kubeconfig, "--cache-dir", cache] + list(args),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=60,
            env=dict(os.environ, HOME=str(tmp_path)),
            check=False,
        )
        if check and proc.returncode != 0:
            raise AssertionError("kubectl %s failed (%d): %s" % (" ".join(args), proc.returncode, proc.stderr))
        return proc

    return run


@pytest.fixture
def demo_chart():
    """The offline test chart: ConfigMap, Deployment and Service."""
    return os.path.join(ROOT, "tests", "fakes", "charts", "workbench-demo")
