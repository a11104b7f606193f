"""Fixtures shared by the integration tests and the fakes' own tests (tests/fakes/tests): the Kubernetes API fake,
its kubeconfig, the environment of an ansible-playbook run against it, and helm. A conftest.py imports them."""

import os
import secrets

import pytest

from fakes.k8s_api import FakeKubeAPI
from support.helm import HELM, HELM_VERSION


# --- The Kubernetes API fake (tests/fakes/k8s_api), for every stage that talks to a cluster -------------------------


@pytest.fixture
def k8s():
    """A fresh, running API fake (https, throw-away CA); the test reads its store directly (k8s.get/k8s.list) for
    independent checks."""
    api = FakeKubeAPI(token=secrets.token_hex(16)).start()
    yield api
    api.stop()


@pytest.fixture
def kubeconfig(k8s, tmp_path):
    return k8s.write_kubeconfig(str(tmp_path / "kubeconfig"))


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
def helm_binary():
    if not os.access(HELM, os.X_OK):
        pytest.fail("helm %s is not installed: run scripts/install-helm.sh (make setup does)" % HELM_VERSION)
    return HELM
