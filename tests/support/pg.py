"""A real PostgreSQL 15 for the tests, started by the collection's own local_stack role."""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid

import psycopg2
from psycopg2 import sql

from support.ansible import ROOT, run_playbook

TEST_PORT = int(os.environ.get("WORKBENCH_TEST_PG_PORT", "25432"))


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
        res = run_playbook(
            os.path.join(ROOT, "playbooks", "local_stack.yml"),
            inventory=os.path.join(ROOT, "inventories", "local"),
            extra_vars=self.vars,
        )
        if res.failed:
            raise RuntimeError(
                "local_stack failed to start PostgreSQL:\n%s\n%s" % (res.stdout[-4000:], res.stderr[-2000:])
            )
        with open(os.path.join(self.state_dir, "local.env")) as f:
            for line in f:
                if line.startswith("WORKBENCH_PG_DSN="):
                    self.dsn = line.split("=", 1)[1].strip()
        return self

    def stop(self, remove=True):
        """Stop the server; with ``remove``, also remove its data (local_stack_state=absent: as root the cluster lives
        outside the state directory) and whatever else the test left in the state directory."""
        run_playbook(
            os.path.join(ROOT, "playbooks", "local_stack.yml"),
            inventory=os.path.join(ROOT, "inventories", "local"),
            extra_vars=dict(self.vars, local_stack_state="absent" if remove else "stopped"),
        )
        if remove:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def dsn_for(self, dbname):
        base = self.dsn.rsplit("/", 1)[0]
        return "%s/%s" % (base, dbname)

    def create_database(self, template="workbench", name=None):
        name = name or "t_" + uuid.uuid4().hex[:12]
        with admin_connection(self.dsn) as conn:
            with conn.cursor() as cur:
                cur.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name), sql.Identifier(template))
                )
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
    """Run statement(s) on a fresh connection and commit."""
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute(statement, params)
        conn.commit()
    finally:
        conn.close()


def as_user(dsn, claims, statement, params=None):
    """Run ``statement`` as PostgREST runs a signed-in request: role authenticated with these JWT claims, committed.
    Returns the affected row count; raises the psycopg2 error (its ``pgcode`` says why) when the server refuses."""
    conn = psycopg2.connect(dsn)
    try:
        with conn.cursor() as cur:
            cur.execute("set local role authenticated")
            cur.execute("select set_config('request.jwt.claims', %s, true)", (claims,))
            cur.execute(statement, params)
            count = cur.rowcount
        conn.commit()
        return count
    finally:
        conn.close()


def schema_stage(dsn, check=False, diff=False, **extra):
    """The supabase_schema stage (playbooks/site.yml --tags supabase_schema, local inventory) against ``dsn``."""
    extra_vars = dict(supabase_schema_login_dsn=dsn)
    extra_vars.update(extra)
    return run_playbook(
        os.path.join(ROOT, "playbooks", "site.yml"),
        inventory=os.path.join(ROOT, "inventories", "local"),
        check=check,
        diff=diff,
        extra_vars=extra_vars,
        tags="supabase_schema",
    )


# The last commit whose migration files did not enable row-level security themselves: the files databases built
# before that change recorded in their ledger (001..003 declare these versions in their workbench:amends headers).
PRE_RLS_MIGRATIONS_COMMIT = "e6c6af8051a9387484130bc2f24fc38f00acf746"
MIGRATIONS_DIR = os.path.join("roles", "supabase_schema", "files", "migrations")
# Where the migrations lived before they moved into the supabase_schema role (commits up to the move).
HISTORIC_MIGRATIONS_DIRS = (MIGRATIONS_DIR, os.path.join("files", "sql", "migrations"))


def migrations_from_git(commit, dest):
    """Write the migration files as they were at ``commit`` (read from the repository's history) into ``dest``."""

    def git(*args):
        proc = subprocess.run(["git", "-C", ROOT] + list(args), capture_output=True, check=False)
        if proc.returncode != 0:
            raise RuntimeError(
                "git %s failed (this test needs the repository's history, not a shallow or exported copy): %s"
                % (" ".join(args), proc.stderr.decode(errors="replace").strip())
            )
        return proc.stdout

    os.makedirs(dest, exist_ok=True)
    tree = git("ls-tree", "-d", "--name-only", commit, *HISTORIC_MIGRATIONS_DIRS).decode().split()
    if not tree:
        raise RuntimeError("commit %s has no migrations in %s" % (commit, " or ".join(HISTORIC_MIGRATIONS_DIRS)))
    folder = tree[0]
    for name in git("ls-tree", "--name-only", "%s:%s" % (commit, folder)).decode().split():
        with open(os.path.join(dest, name), "wb") as f:
            f.write(git("show", "%s:%s/%s" % (commit, folder, name)))
    return str(dest)


def catalog_snapshot(dsn):
    """Independent read of everything an attack could leave behind: schemas, relations and their RLS flags,
    policies (as pg_policies shows them), functions, the migration ledger and the rows of the target table."""
    return dict(
        schemas=query(dsn, "select nspname from pg_namespace order by 1"),
        relations=query(
            dsn,
            """select n.nspname, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity
                                from pg_class c join pg_namespace n on n.oid = c.relnamespace
                                where n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast')
                                order by 1, 2""",
        ),
        policies=query(
            dsn,
            """select schemaname, tablename, policyname, permissive, roles::text[], cmd, qual, with_check
                               from pg_policies order by 1, 2, 3""",
        ),
        functions=query(
            dsn,
            """select n.nspname, p.proname, pg_get_function_identity_arguments(p.oid) from pg_proc p
                                join pg_namespace n on n.oid = p.pronamespace
                                where n.nspname not in ('pg_catalog', 'information_schema') order by 1, 2, 3""",
        ),
        ledger=query(dsn, "select version, statements from supabase_migrations.schema_migrations order by 1")
        if query(dsn, "select to_regclass('supabase_migrations.schema_migrations')") != [(None,)]
        else [],
        domains=query(dsn, "select id from ip_workbench.domains order by 1")
        if query(dsn, "select to_regclass('ip_workbench.domains')") != [(None,)]
        else None,
    )
