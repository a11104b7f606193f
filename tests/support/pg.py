"""A real PostgreSQL 15 for the tests, started by the collection's own local_stack role."""

from __future__ import annotations

import os
import shutil
import uuid

import psycopg2
from psycopg2 import sql

from support.ansible import ROOT, run_playbook

TEST_PORT = int(os.environ.get("WORKBENCH_TEST_PG_PORT", "55432"))


class PgServer(object):
    def __init__(self, state_dir, port=TEST_PORT):
        self.state_dir = state_dir
        self.port = port
        self.dsn = None

    @property
    def vars(self):
        return dict(
            local_stack_state_dir=self.state_dir,
            local_stack_pg_port=self.port,
            local_stack_pg_settings={"fsync": "off", "synchronous_commit": "off", "full_page_writes": "off"},
            # inventories/local turns n8n on for `make local`; the Postgres fixture starts PostgreSQL only.
            local_stack_n8n_enabled=False,
        )

    def start(self):
        res = run_playbook(os.path.join(ROOT, "playbooks", "local_stack.yml"),
                           inventory=os.path.join(ROOT, "inventories", "local"), extra_vars=self.vars)
        if res.failed:
            raise RuntimeError("local_stack failed to start PostgreSQL:\n%s\n%s" % (res.stdout[-4000:], res.stderr[-2000:]))
        with open(os.path.join(self.state_dir, "local.env")) as f:
            for line in f:
                if line.startswith("WORKBENCH_PG_DSN="):
                    self.dsn = line.split("=", 1)[1].strip()
        return self

    def stop(self, remove=True):
        """Stop the server; with ``remove``, also remove its data (local_stack_state=absent: as root the cluster lives
        outside the state directory) and whatever else the test left in the state directory."""
        run_playbook(os.path.join(ROOT, "playbooks", "local_stack.yml"),
                     inventory=os.path.join(ROOT, "inventories", "local"),
                     extra_vars=dict(self.vars, local_stack_state="absent" if remove else "stopped"))
        if remove:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def dsn_for(self, dbname):
        base = self.dsn.rsplit("/", 1)[0]
        return "%s/%s" % (base, dbname)

    def create_database(self, template="workbench"):
        name = "t_" + uuid.uuid4().hex[:12]
        with admin_connection(self.dsn) as conn:
            with conn.cursor() as cur:
                cur.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template)))
        return name

    def drop_database(self, name):
        with admin_connection(self.dsn) as conn:
            with conn.cursor() as cur:
                cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


class admin_connection(object):
    """An autocommit connection for DDL that cannot run in a transaction (CREATE/DROP DATABASE)."""

    def __init__(self, dsn):
        self.dsn = dsn.rsplit("/", 1)[0] + "/postgres"

    def __enter__(self):
        self.conn = psycopg2.connect(self.dsn)
        self.conn.autocommit = True
        return self.conn

    def __exit__(self, *exc):
        self.conn.close()


def query(dsn, statement, params=None):
    """An independent read: a fresh connection, one statement, all rows."""
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(statement, params)
            rows = cur.fetchall() if cur.description else []
        conn.commit()
        return rows
    finally:
        conn.close()


def execute(dsn, statement, params=None):
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(statement, params)
        conn.commit()
    finally:
        conn.close()
