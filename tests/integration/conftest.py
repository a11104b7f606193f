import os

import pytest

from support import worker_port, worker_suffix
from support.ansible import ROOT
from support.fixtures import ansible_env, helm_binary, k8s, kubeconfig
from support.pg import TEST_PORT, PgServer

# the shared fixtures, for pytest to find in this conftest
__all__ = ("ansible_env", "helm_binary", "k8s", "kubeconfig")


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL cluster for the whole run, started and stopped by the local_stack role."""
    server = PgServer(os.path.join(ROOT, ".tmp", "it-pg" + worker_suffix()), port=worker_port(TEST_PORT))
    server.stop()  # leftovers of an interrupted run
    server.start()
    yield server
    server.stop()


@pytest.fixture
def db(pg_server):
    """A fresh database cloned from the bootstrapped template; yields its DSN."""
    name = pg_server.create_database()
    yield pg_server.dsn_for(name)
    pg_server.drop_database(name)
