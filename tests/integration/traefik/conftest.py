"""Fixtures of the traefik role's tests (the Kubernetes API fake and helm come from tests/integration/conftest.py): the
Traefik chart's contract files (../shared/contracts/helm-charts), and a stand-in for the chart assembled from them."""

from __future__ import annotations

import json

import pytest
import yaml

from support.vault import handoffs
from traefik_chart import SCHEMA_FILE, VALUES_FILE, assemble_standin, contracts_or_skip


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
    """The stage's inventory group, on this controller, with the production inventory's hand-offs between stages."""
    path = tmp_path / "inventory.yml"
    path.write_text(
        yaml.safe_dump(
            {
                "all": {
                    "children": {
                        "workbench_cluster": {"hosts": {"localhost": dict(handoffs(), ansible_connection="local")}}
                    }
                }
            }
        )
    )
    return str(path)
