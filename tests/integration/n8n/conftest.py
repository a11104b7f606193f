"""Fixtures of the n8n tests: a real n8n 2.x on 127.0.0.1:25678 started by the local_stack role (once per session),
an empty instance per test, a counting proxy in front of it, a stand-in for Mattermost, and a migrated database
(cloned from pg_server's template, see tests/integration/conftest.py)."""

import os

import pytest
import yaml

from support.ansible import ROOT, run_playbook
from support import worker_port, worker_suffix
from support.automation import logins_task, workflow_db_vars
from support.n8n_flows import HOOK_SECRET, THRESHOLD
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


with open(os.path.join(ROOT, "files", "sql", "rls_policies.yml")) as _spec:
    RLS_SPEC = yaml.safe_load(_spec)


@pytest.fixture
def workbench_db(db):
    """A fresh database with the project's migrations applied (silver.expenses, ip_workbench.pipelines, ...) and the
    automation logins' passwords set and the RLS spec applied, as the supabase_schema stage leaves it."""
    res = run_playbook(tasks=[
        {"name": "migrate", "insightpulseai.workbench.supabase_migration": {
            "path": os.path.join(ROOT, "files", "sql", "migrations"), "login_dsn": db, "transaction": "all"}},
        logins_task(db),
        # the migrations enable RLS on every table: without the spec's policies the automation roles see nothing
        {"name": "rls", "insightpulseai.workbench.supabase_rls": {"login_dsn": db, "tables": RLS_SPEC["tables"]}}])
    assert not res.failed, res.stdout[-3000:]
    return db


@pytest.fixture
def workflow_vars(n8n_server, workbench_db):
    """The workflows stage's database credentials and webhook auth, as the inventories set them."""
    return dict(workflow_db_vars(workbench_db), n8n_workflows_url=n8n_server.url, n8n_workflows_api_key=n8n_server.api_key)


@pytest.fixture
def inventory(tmp_path):
    """The workflows stage's inventory group (playbooks/workflows.yml), on this controller."""
    path = tmp_path / "hosts.yml"
    path.write_text(yaml.safe_dump({"all": {"children": {"workbench_workflows": {"hosts": {"localhost": {
        "ansible_connection": "local"}}}}}}))
    return str(path)


@pytest.fixture
def stage(n8n_server, n8n, workflow_vars, receiver, inventory):
    """playbooks/workflows.yml against the test n8n and database, with extra vars on top."""
    def run(check=False, diff=False, verbosity=0, **extra):
        extra_vars = dict(workflow_vars,
                          n8n_workflows_mattermost_webhook_url="%s/hooks/%s" % (receiver.url, HOOK_SECRET),
                          n8n_workflows_expense_approval_threshold=THRESHOLD)
        extra_vars.update(extra)
        return run_playbook(os.path.join(ROOT, "playbooks", "workflows.yml"), inventory=inventory, check=check, diff=diff,
                            extra_vars=extra_vars, verbosity=verbosity)
    return run


@pytest.fixture
def deployed(stage, n8n_server):
    """The seed workflows deployed and active; yields n8n's base URL."""
    res = stage()
    assert not res.failed, res.stdout[-4000:]
    return n8n_server.url
