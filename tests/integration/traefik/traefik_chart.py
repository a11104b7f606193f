"""The Traefik chart's contract files (../shared/contracts/helm-charts) and the stand-in chart built from them."""

from __future__ import annotations

import os
import shutil

import pytest
import yaml

from support.ansible import ROOT

CHART_VERSION = "41.3.0"
APP_VERSION = "v3.7.11"
CONTRACTS = os.path.normpath(os.path.join(ROOT, "..", "shared", "contracts", "helm-charts"))
VALUES_FILE = os.path.join(CONTRACTS, "traefik-%s.values.yaml" % CHART_VERSION)
SCHEMA_FILE = os.path.join(CONTRACTS, "traefik-%s.values.schema.json" % CHART_VERSION)
STANDIN = os.path.join(ROOT, "tests", "fakes", "charts", "traefik-standin")


def contracts_or_skip():
    missing = [path for path in (VALUES_FILE, SCHEMA_FILE) if not os.path.isfile(path)]
    if missing:
        pytest.skip("the Traefik chart's contract files are absent (%s): they come with the project's shared folder "
                    "as ../shared/contracts" % ", ".join(missing))


def assemble_standin(dest, version=CHART_VERSION):
    """The stand-in chart in ``dest``/traefik: our templates, a Chart.yaml, and the real values.yaml and
    values.schema.json copied from the contracts, so that helm renders over the real defaults and validates the
    values against the real schema. The contract files are reference data: copied at test time, never committed."""
    contracts_or_skip()
    chart = os.path.join(str(dest), "traefik")
    shutil.copytree(os.path.join(STANDIN, "templates"), os.path.join(chart, "templates"))
    shutil.copyfile(VALUES_FILE, os.path.join(chart, "values.yaml"))
    shutil.copyfile(SCHEMA_FILE, os.path.join(chart, "values.schema.json"))
    with open(os.path.join(chart, "Chart.yaml"), "w") as f:
        yaml.safe_dump({"apiVersion": "v2", "name": "traefik", "version": version, "appVersion": APP_VERSION,
                        "description": "Offline stand-in for traefik/traefik (tests/fakes/charts/traefik-standin)",
                        "type": "application"}, f, sort_keys=False)
    return chart
