"""The Traefik chart's contract files (../shared/contracts/helm-charts) and the stand-in chart built from them
(tests/fakes/charts/standin.py)."""

from __future__ import annotations

import os

import pytest

from fakes.charts import standin

CHART_VERSION = standin.CHARTS["traefik"]["version"]
APP_VERSION = standin.CHARTS["traefik"]["app_version"]
CONTRACTS = standin.CONTRACTS
VALUES_FILE = os.path.join(CONTRACTS, standin.CHARTS["traefik"]["values"])
SCHEMA_FILE = os.path.join(CONTRACTS, standin.CHARTS["traefik"]["schema"])


def contracts_or_skip():
    try:
        standin.contract_files("traefik")
    except standin.ContractsMissing as exc:
        pytest.skip(str(exc))


def assemble_standin(dest, version=CHART_VERSION):
    """The stand-in chart in ``dest``/traefik: our templates, a Chart.yaml, and the real values.yaml and
    values.schema.json copied from the contracts, so that helm renders over the real defaults and validates the
    values against the real schema."""
    contracts_or_skip()
    return standin.assemble("traefik", dest, version=version)
