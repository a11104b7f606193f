"""Fixtures for the Kubernetes half of the offline sandbox: the API fake on an ephemeral 127.0.0.1 port (https with
a throw-away CA, like a real cluster), a kubeconfig for it, and the clients that talk to it."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import ssl
import subprocess
import urllib.parse

import pytest

from fakes.k8s_api import FakeKubeAPI
from support.ansible import ROOT
from support.helm import HELM, HELM_VERSION  # scripts/install-helm.sh's cache

KUBECTL = shutil.which("kubectl")


@pytest.fixture
def k8s():
    """A fresh, running API fake; the test reads its store directly (k8s.get/k8s.list) for independent checks."""
    api = FakeKubeAPI(token=secrets.token_hex(16)).start()
    yield api
    api.stop()


@pytest.fixture
def kubeconfig(k8s, tmp_path):
    return k8s.write_kubeconfig(str(tmp_path / "kubeconfig"))


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
def ansible_env(kubeconfig, tmp_path):
    """Environment for run_playbook: the fake's kubeconfig for kubernetes.core and helm, kubernetes.core's
    discovery cache ($TMPDIR/k8srcp-*.json) and helm's own state inside the test's directory."""
    env = {"K8S_AUTH_KUBECONFIG": kubeconfig, "KUBECONFIG": kubeconfig}
    for name in ("TMPDIR", "HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME"):
        path = tmp_path / name.lower()
        path.mkdir()
        env[name] = str(path)
    return env


@pytest.fixture
def kubectl(kubeconfig, tmp_path):
    """Run the machine's kubectl against the fake with a generated --kubeconfig; returns the CompletedProcess."""
    if KUBECTL is None:
        pytest.fail("kubectl is not installed (it comes with the machine image; apt-get install kubectl elsewhere)")
    cache = str(tmp_path / "kube-cache")

    def run(*args, stdin=None, check=True):
        proc = subprocess.run([KUBECTL, "--kubeconfig", kubeconfig, "--cache-dir", cache] + list(args),
                              input=stdin, capture_output=True, text=True, timeout=60,
                              env=dict(os.environ, HOME=str(tmp_path)), check=False)
        if check and proc.returncode != 0:
            raise AssertionError("kubectl %s failed (%d): %s" % (" ".join(args), proc.returncode, proc.stderr))
        return proc

    return run


@pytest.fixture
def demo_chart():
    """The offline test chart: ConfigMap, Deployment and Service."""
    return os.path.join(ROOT, "tests", "fakes", "charts", "workbench-demo")


@pytest.fixture
def helm_binary():
    if not os.access(HELM, os.X_OK):
        pytest.fail("helm %s is not installed: run scripts/install-helm.sh (make setup does)" % HELM_VERSION)
    return HELM
