"""Attack tests: each tries to make a module do what it must not, asserts that the module refused with a clear
message, and proves with an independent read (a fresh psycopg2 connection) that nothing changed."""

import pytest

from support.pg import schema_stage


@pytest.fixture(scope="module")
def workbench_db(pg_server):
    """The real target: a database built by the supabase_schema stage (migrations, the spec's policies, RLS everywhere).

    Shared by the tests of one file: every attack must leave it exactly as it was, which each test checks."""
    name = pg_server.create_database()
    dsn = pg_server.dsn_for(name)
    res = schema_stage(dsn)
    assert not res.failed, res.stdout[-3000:]
    yield dsn
    pg_server.drop_database(name)
