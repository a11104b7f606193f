"""Tests over deployed, active seed workflows that do not change the deployment: one deployment per module, a fresh
database per test (ModuleDeployment in ../conftest.py). Each test starts from the state the stages leave and ends
with an independent read of its own database."""

import pytest


@pytest.fixture
def workbench_db(module_deployment):
    return module_deployment.fresh_database()


@pytest.fixture
def deployed(module_deployment, workbench_db):
    return module_deployment.url


@pytest.fixture
def receiver(module_deployment, workbench_db):
    return module_deployment.receiver


@pytest.fixture
def n8n(module_deployment):
    """The independent API client; the module's deployment stays (counts of executions are compared, not zeroed)."""
    return module_deployment.api
