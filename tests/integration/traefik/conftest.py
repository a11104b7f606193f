"""Fixtures of the traefik role's tests: the Kubernetes API fake and helm from tests/integration/sandbox_k8s, the
Traefik chart's contract files (../shared/contracts/helm-charts), and a stand-in for the chart assembled from them."""

from __future__ import annotations

import importlib.util
import json
import os

import pytest
import yaml

from support.ansible import ROOT
from traefik_chart import SCHEMA_FILE, VALUES_FILE, assemble_standin, contracts_or_skip

# The K8s fake's fixtures (k8s, kubeconfig, ansible_env, helm_binary) come from the sandbox's own conftest, loaded
# under a name of its own: both directories keep a module called "conftest".
_SPEC = importlib.util.spec_from_file_location(
    "sandbox_k8s_fixtures", os.path.join(ROOT, "tests", "integration", "sandbox_k8s", "conftest.py"))
_sandbox = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(_sandbox)
k8s = _sandbox.k8s
kubeconfig = _sandbox.kubeconfig
ansible_env = _sandbox.ansible_env
helm_binary = _sandbox.helm_binary


@pytest.fixture(scope="session")
def chart_contract():
    """The real chart's default values and values schema (reference data, read in place)."""
    contracts_or_skip()
    with open(VALUES_FILE) as f:
        defaults = yaml.safe_load(f)
    with open(SCHEMA_FILE) as f:
        schema = json.load(f)
    return defaults, schema


@pytest.fixture(scope="session")
def standin_chart(tmp_path_factory):
    return assemble_standin(tmp_path_factory.mktemp("traefik-chart"))


@pytest.fixture
def inventory(tmp_path):
    """The stage's inventory group, on this controller."""
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump({"all": {"children": {"workbench_cluster": {"hosts": {
        "localhost": {"ansible_connection": "local"}}}}}}))
    return str(path)
