"""Fixtures of the n8n tests: a real n8n 2.x on 127.0.0.1:25678 started by the local_stack role (once per session),
an empty instance per test, a counting proxy in front of it, a stand-in for Mattermost, and a migrated database
(cloned from pg_server's template, see tests/integration/conftest.py)."""

import os
import uuid

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
    server = N8nServer(
        os.path.join(ROOT, ".tmp", "it-n8n" + worker_suffix()),
        port=worker_port(TEST_PORT),
        broker_port=worker_port(TEST_BROKER_PORT),
    )
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


with open(os.path.join(ROOT, "roles", "supabase_schema", "files", "rls_policies.yml")) as _spec:
    RLS_SPEC = yaml.safe_load(_spec)


def prepare_workbench_db(dsn):
    """The project's migrations (silver.expenses, ip_workbench.pipelines, ...), the automation logins' passwords and
    the RLS spec applied to ``dsn``, as the supabase_schema stage leaves a database."""
    res = run_playbook(
        tasks=[
            {
                "name": "migrate",
                "insightpulseai.workbench.supabase_migration": {
                    "path": os.path.join(ROOT, "roles", "supabase_schema", "files", "migrations"),
                    "login_dsn": dsn,
                    "transaction": "all",
                },
            },
            logins_task(dsn),
            # the migrations enable RLS on every table: without the spec's policies the automation roles see nothing
            {"name": "rls", "insightpulseai.workbench.supabase_rls": {"login_dsn": dsn, "tables": RLS_SPEC["tables"]}},
        ]
    )
    assert not res.failed, res.stdout[-3000:]
    return dsn


@pytest.fixture
def workbench_db(db):
    """A fresh database prepared as the supabase_schema stage leaves it (prepare_workbench_db)."""
    return prepare_workbench_db(db)


def stage_vars(n8n_server, dsn):
    """The workflows stage's database credentials and webhook auth, as the inventories set them, and the test n8n."""
    return dict(workflow_db_vars(dsn), n8n_workflows_url=n8n_server.url, n8n_workflows_api_key=n8n_server.api_key)


@pytest.fixture
def workflow_vars(n8n_server, workbench_db):
    return stage_vars(n8n_server, workbench_db)


def write_inventory(directory):
    """The workflows stage's inventory group (playbooks/workflows.yml), on this controller."""
    path = os.path.join(str(directory), "hosts.yml")
    with open(path, "w") as f:
        yaml.safe_dump(
            {"all": {"children": {"workbench_workflows": {"hosts": {"localhost": {"ansible_connection": "local"}}}}}}, f
        )
    return path


@pytest.fixture
def inventory(tmp_path):
    return write_inventory(tmp_path)


def run_stage(inventory, workflow_vars, receiver, check=False, diff=False, verbosity=0, **extra):
    """playbooks/workflows.yml against the test n8n and database, with extra vars on top."""
    extra_vars = dict(
        workflow_vars,
        n8n_workflows_mattermost_webhook_url="%s/hooks/%s" % (receiver.url, HOOK_SECRET),
        n8n_workflows_expense_approval_threshold=THRESHOLD,
    )
    extra_vars.update(extra)
    return run_playbook(
        os.path.join(ROOT, "playbooks", "workflows.yml"),
        inventory=inventory,
        check=check,
        diff=diff,
        extra_vars=extra_vars,
        verbosity=verbosity,
    )


@pytest.fixture
def stage(n8n_server, n8n, workflow_vars, receiver, inventory):
    """playbooks/workflows.yml against the test n8n and database (run_stage), with extra vars on top."""

    def run(check=False, diff=False, verbosity=0, **extra):
        return run_stage(inventory, workflow_vars, receiver, check=check, diff=diff, verbosity=verbosity, **extra)

    return run


@pytest.fixture
def deployed(stage, n8n_server):
    """The seed workflows deployed and active; yields n8n's base URL."""
    res = stage()
    assert not res.failed, res.stdout[-4000:]
    return n8n_server.url


class ModuleDeployment(object):
    """One deployment of the seed workflows for a whole test module, over a database each test gets afresh.

    The database keeps its name (the credentials n8n holds name it) and is cloned again for every test from a
    template prepared once (prepare_workbench_db); n8n's pooled connections to the old copy are ended by the
    DROP ... WITH (FORCE). Each test thus sees what the per-test fixtures give - a fresh workbench database under
    deployed, active workflows - for one workflows-stage run per module instead of one per test."""

    def __init__(self, n8n_server, pg_server, directory):
        self.pg_server = pg_server
        self.api = n8n_server.api()
        self.api.wipe()
        self.template = pg_server.create_database()
        prepare_workbench_db(pg_server.dsn_for(self.template))
        self.name = "m_" + uuid.uuid4().hex[:12]
        self.dsn = pg_server.dsn_for(pg_server.create_database(self.template, self.name))
        self.receiver = Receiver().start()
        self.url = n8n_server.url
        res = run_stage(write_inventory(directory), stage_vars(n8n_server, self.dsn), self.receiver)
        assert not res.failed, res.stdout[-4000:]

    def fresh_database(self):
        self.pg_server.drop_database(self.name)
        self.pg_server.create_database(self.template, self.name)
        self.receiver.clear()
        return self.dsn

    def close(self):
        self.receiver.stop()
        for name in (self.name, self.template):
            self.pg_server.drop_database(name)


@pytest.fixture(scope="module")
def module_deployment(n8n_server, pg_server, tmp_path_factory):
    """A ModuleDeployment for the module's tests; they take it through module-level workbench_db, deployed,
    receiver and n8n fixtures (tests/integration/n8n/deployed/conftest.py)."""
    deployment = ModuleDeployment(n8n_server, pg_server, tmp_path_factory.mktemp("module-deployment"))
    yield deployment
    deployment.close()
