"""Fixtures of the n8n tests: a real n8n 2.x on 127.0.0.1:55678 started by the local_stack role (once per session),
an empty instance per test, a counting proxy in front of it, a stand-in for Mattermost, and a migrated database
(cloned from pg_server's template, see tests/integration/conftest.py)."""

import os

import pytest
import yaml

from support.ansible import ROOT, run_playbook
from support import worker_port, worker_suffix
from support.n8n import TEST_BROKER_PORT, TEST_PORT, CountingProxy, N8nServer, Receiver, install


@pytest.fixture(scope="session")
def n8n_server():
    install()
    server = N8nServer(os.path.join(ROOT, ".tmp", "it-n8n" + worker_suffix()),
                       port=worker_port(TEST_PORT), broker_port=worker_port(TEST_BROKER_PORT))
    server.stop()  # leftovers of an interrupted run
    server.start()
    yield server
    server.stop()


@pytest.fixture
def n8n(n8n_server):
    """The independent API client, on an instance emptied of workflows, credentials and tags."""
    api = n8n_server.api()
    api.wipe()
    return api


@pytest.fixture
def conn(n8n_server, n8n):
    """Module connection options for the (emptied) test instance."""
    return dict(url=n8n_server.url, api_key=n8n_server.api_key)


@pytest.fixture
def proxy(n8n_server, n8n):
    """A counting proxy in front of n8n; use proxy.url as the module url."""
    p = CountingProxy(n8n_server.port).start()
    yield p
    p.stop()


@pytest.fixture
def receiver():
    """Stands in for Mattermost: records the incoming-webhook POSTs."""
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def workbench_db(db):
    """A fresh database with the project's migrations applied (silver.expenses, ip_workbench.pipelines, ...)."""
    res = run_playbook(tasks=[{"name": "migrate", "insightpulseai.workbench.supabase_migration": {
        "path": os.path.join(ROOT, "files", "sql", "migrations"), "login_dsn": db, "transaction": "all"}}])
    assert not res.failed, res.stdout[-3000:]
    return db


@pytest.fixture
def inventory(tmp_path):
    """The workflows stage's inventory group (playbooks/workflows.yml), on this controller."""
    path = tmp_path / "hosts.yml"
    path.write_text(yaml.safe_dump({"all": {"children": {"workbench_workflows": {"hosts": {"localhost": {
        "ansible_connection": "local"}}}}}}))
    return str(path)
