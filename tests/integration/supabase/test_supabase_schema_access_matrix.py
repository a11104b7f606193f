"""The access matrix: every identity x every table x select/insert/update/delete, as real requests.

The database is built by the supabase_schema stage itself (playbooks/site.yml --tags supabase_schema), then
roles/verify/files/access_fixtures.sql (the fixture rows the collection ships) adds one row per table. Each cell
runs in its own transaction as PostgREST would run a request (SET LOCAL ROLE + request.jwt.claims) and is rolled
back. The expected answers are in access_matrix.yml; the rows used are in access_matrix_rows.yml.
"""

import json
import os

import psycopg2
import pytest
import yaml
from psycopg2 import sql

from support.ansible import ROOT, run_playbook

HERE = os.path.dirname(os.path.abspath(__file__))
MATRIX = yaml.safe_load(open(os.path.join(HERE, "access_matrix.yml")))
ROWS = yaml.safe_load(open(os.path.join(HERE, "access_matrix_rows.yml")))
OPERATIONS = ("select", "insert", "update", "delete")
DENIED_CODES = {"42501"}  # insufficient_privilege, also raised by a failed WITH CHECK
MATVIEW_WRITE_CODES = {"42501", "42809"}  # no privilege, or "cannot change materialized view"

CELLS = [
    (table, op, identity)
    for table in sorted(MATRIX["tables"])
    for op in OPERATIONS
    for identity in MATRIX["identities"]
]


def test_matrix_covers_every_table_and_matview(schema_db):
    conn = schema_db[0]
    with conn.cursor() as cur:
        cur.execute("""select n.nspname || '.' || c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
                       where n.nspname in ('ip_workbench', 'bronze', 'silver', 'gold', 'platinum') and c.relkind in ('r', 'p', 'm')""")
        objects = {r[0] for r in cur.fetchall()}
    conn.rollback()
    assert objects == set(MATRIX["tables"]) == set(ROWS["tables"])
    assert len(objects) == 26


@pytest.fixture(scope="module")
def schema_db(pg_server):
    name = pg_server.create_database()
    dsn = pg_server.dsn_for(name)
    res = run_playbook(
        os.path.join(ROOT, "playbooks", "site.yml"),
        inventory=os.path.join(ROOT, "inventories", "local"),
        extra_vars=dict(supabase_schema_login_dsn=dsn),
        tags="supabase_schema",
    )
    assert not res.failed, res.stdout[-3000:]
    conn = psycopg2.connect(dsn)
    with conn.cursor() as cur:
        cur.execute(open(os.path.join(ROOT, "roles", "verify", "files", "access_fixtures.sql")).read())
    conn.commit()
    yield conn, dsn
    conn.close()
    pg_server.drop_database(name)


def become(cur, identity):
    spec = ROWS["identities"][identity]
    cur.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(spec["db_role"])))
    if "sub" in spec:
        claims = {"sub": spec["sub"], "role": "authenticated", "app_metadata": {"role": spec["app_role"]}}
    elif spec["db_role"] == "anon":
        claims = {"role": "anon"}
    else:
        claims = {"role": spec["db_role"]}
    cur.execute("SELECT set_config('request.jwt.claims', %s, true)", (json.dumps(claims),))


def statement(table, op, identity):
    rows = ROWS["tables"][table]
    schema, name = table.split(".")
    target = sql.Identifier(schema, name)
    key = sql.Identifier(rows["key"])
    value = rows["values"][identity] if rows.get("own_rows_only") else rows["value"]
    if op == "select":
        return sql.SQL("SELECT count(*) FROM {} WHERE {} = %s").format(target, key), [value]
    if op == "delete":
        return sql.SQL("DELETE FROM {} WHERE {} = %s").format(target, key), [value]
    if op == "update":
        changes = rows["update"] or {rows["key"]: value}
        assignments = sql.SQL(", ").join(sql.SQL("{} = %s").format(sql.Identifier(c)) for c in changes)
        return sql.SQL("UPDATE {} SET {} WHERE {} = %s").format(target, assignments, key), list(changes.values()) + [
            value
        ]
    values = dict(rows["insert"])
    if rows.get("own_rows_only"):
        values[rows["owner_column"]] = rows["owners"][identity]
    if not values:
        return sql.SQL("INSERT INTO {} DEFAULT VALUES").format(target), []
    return (
        sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
            target, sql.SQL(", ").join(map(sql.Identifier, values)), sql.SQL(", ").join(sql.Placeholder() * len(values))
        ),
        list(values.values()),
    )


def attempt(conn, table, op, identity):
    """Run one cell; returns (allowed, detail)."""
    query, params = statement(table, op, identity)
    is_matview = table.startswith("platinum.")
    try:
        with conn.cursor() as cur:
            become(cur, identity)
            cur.execute(query, params)
            if op == "select":
                count = cur.fetchone()[0]
                return count == 1, "saw %d row(s)" % count
            if op == "insert":
                return True, "inserted"
            return cur.rowcount == 1, "affected %d row(s)" % cur.rowcount
    except psycopg2.Error as exc:
        codes = MATVIEW_WRITE_CODES if is_matview and op != "select" else DENIED_CODES
        if exc.pgcode in codes:
            return False, "%s %s" % (exc.pgcode, exc.diag.message_primary)
        raise AssertionError(
            "%s %s as %s failed with an unexpected error %s: %s" % (op, table, identity, exc.pgcode, exc)
        )
    finally:
        conn.rollback()


@pytest.mark.parametrize("table, op, identity", CELLS, ids=["%s-%s-%s" % c for c in CELLS])
def test_cell(schema_db, table, op, identity):
    conn = schema_db[0]
    expected = identity in MATRIX["tables"][table][op]
    allowed, detail = attempt(conn, table, op, identity)
    assert allowed == expected, "%s %s as %s: expected %s, got %s (%s)" % (
        op,
        table,
        identity,
        "allowed" if expected else "denied",
        "allowed" if allowed else "denied",
        detail,
    )


@pytest.mark.parametrize("table", [t for t, r in sorted(ROWS["tables"].items()) if r.get("own_rows_only")])
@pytest.mark.parametrize("identity", ["viewer", "engineer", "service"])
def test_members_never_reach_other_users_rows(schema_db, table, identity):
    """Own-row tables: besides their own row, a non-admin member sees and changes nobody else's."""
    conn = schema_db[0]
    rows = ROWS["tables"][table]
    others = sorted(
        set(v for who, v in rows["values"].items() if who in ("viewer", "engineer", "admin", "service"))
        - {rows["values"][identity]}
    )
    schema, name = table.split(".")
    try:
        with conn.cursor() as cur:
            become(cur, identity)
            cur.execute(
                sql.SQL("SELECT count(*) FROM {} WHERE {} = ANY(%s::uuid[])").format(
                    sql.Identifier(schema, name), sql.Identifier(rows["key"])
                ),
                (others,),
            )
            assert cur.fetchone()[0] == 0
            cur.execute(
                sql.SQL("DELETE FROM {} WHERE {} = ANY(%s::uuid[])").format(
                    sql.Identifier(schema, name), sql.Identifier(rows["key"])
                ),
                (others,),
            )
            assert cur.rowcount == 0
    finally:
        conn.rollback()
    # and inserting a row on someone else's behalf is refused
    values = dict(rows["insert"])
    values[rows["owner_column"]] = rows["owners"]["admin"]
    with pytest.raises(psycopg2.Error) as err:
        try:
            with conn.cursor() as cur:
                become(cur, identity)
                cur.execute(
                    sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                        sql.Identifier(schema, name),
                        sql.SQL(", ").join(map(sql.Identifier, values)),
                        sql.SQL(", ").join(sql.Placeholder() * len(values)),
                    ),
                    list(values.values()),
                )
        finally:
            conn.rollback()
    assert err.value.pgcode == "42501"


def test_unknown_or_user_editable_role_claims_get_nothing(schema_db):
    """Fail closed: no app_metadata.role, an unknown one, or a role only in user_metadata sees no row."""
    conn = schema_db[0]
    for claims in (
        {"sub": "00000000-0000-4000-8000-000000000009", "role": "authenticated"},
        {"sub": "00000000-0000-4000-8000-000000000009", "role": "authenticated", "app_metadata": {"role": "superuser"}},
        {"sub": "00000000-0000-4000-8000-000000000009", "role": "authenticated", "user_metadata": {"role": "admin"}},
    ):
        try:
            with conn.cursor() as cur:
                cur.execute("SET LOCAL ROLE authenticated")
                cur.execute("SELECT set_config('request.jwt.claims', %s, true)", (json.dumps(claims),))
                cur.execute("SELECT count(*) FROM ip_workbench.domains")
                assert cur.fetchone()[0] == 0, claims
        finally:
            conn.rollback()
