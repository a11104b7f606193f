"""The input rules of supabase_schema (plugin_utils._inputs_supabase_schema), through the role_input_problems filter."""

from __future__ import annotations

import os

import pytest

from ansible_collections.insightpulseai.workbench.plugins.filter.role_input_problems import role_input_problems

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
PASSWORDS = ("unit-automation-pw-0123", "unit-expense-pw-01234", "unit-pipeline-pw-0123", "unit-n8n-pw-012345678")
DSN_PASSWORD = "unit-dsn-secret-pw"
GOOD = dict(
    supabase_schema_login_dsn="postgresql://workbench:%s@127.0.0.1:5432/workbench" % DSN_PASSWORD,
    supabase_schema_migrations_dir=os.path.join(ROOT, "roles", "supabase_schema", "files", "migrations"),
    supabase_schema_rls_spec_file=os.path.join(ROOT, "roles", "supabase_schema", "files", "rls_policies.yml"),
    supabase_schema_rls_purge=False,
    supabase_schema_exposed_schemas=["ip_workbench", "gold"],
    supabase_schema_lock_timeout=10,
    supabase_schema_migration_lock_timeout=0,
    supabase_schema_login_roles_enabled=True,
    supabase_schema_automation_password=PASSWORDS[0],
    supabase_schema_expense_approver_password=PASSWORDS[1],
    supabase_schema_pipeline_password=PASSWORDS[2],
    supabase_schema_n8n_password=PASSWORDS[3],
    supabase_schema_n8n_schema="n8n",
    supabase_schema_login_connection_limit=-1,
)


def problems(**changes):
    found = role_input_problems(dict(GOOD, **changes), "supabase_schema")
    for secret in PASSWORDS + (DSN_PASSWORD,):
        assert all(secret not in p for p in found), found
    return found


def test_the_seed_values_pass():
    assert os.path.isdir(GOOD["supabase_schema_migrations_dir"])
    assert problems() == []


@pytest.mark.parametrize(
    "changes, expected",
    [
        (dict(supabase_schema_login_dsn=""), "supabase_schema_login_dsn is empty."),
        (
            dict(supabase_schema_login_dsn="mysql://u:%s@h/db" % DSN_PASSWORD),
            "supabase_schema_login_dsn is not a libpq connection string: expected postgresql://",
        ),
        (dict(supabase_schema_migrations_dir="/nonexistent"), 'supabase_schema_migrations_dir="/nonexistent" names no'),
        (dict(supabase_schema_migrations_dir=""), 'supabase_schema_migrations_dir="" must be an absolute'),
        (dict(supabase_schema_rls_spec_file="/nonexistent.yml"), 'supabase_schema_rls_spec_file="/nonexistent.yml" is'),
        (dict(supabase_schema_exposed_schemas=["gold", "Gold Layer"]), 'exposed_schemas has ["Gold Layer"]: a schema'),
        (dict(supabase_schema_lock_timeout=-1), "supabase_schema_lock_timeout=-1 must be a number of seconds"),
        (dict(supabase_schema_migration_lock_timeout="x"), 'supabase_schema_migration_lock_timeout="x" must be'),
        (dict(supabase_schema_automation_password=""), "supabase_schema_automation_password (empty) must be set"),
        (
            dict(supabase_schema_pipeline_password="short"),
            "supabase_schema_pipeline_password (a secret of 5 characters, not shown) must be set to a password of at "
            "least 16",
        ),
        (dict(supabase_schema_n8n_schema="gold"), 'supabase_schema_n8n_schema="gold" must be a schema of its own'),
        (dict(supabase_schema_n8n_schema="public"), 'supabase_schema_n8n_schema="public" must be a schema of its own'),
        (dict(supabase_schema_n8n_schema="n8n data"), 'supabase_schema_n8n_schema="n8n data" must be a schema name'),
        (dict(supabase_schema_login_connection_limit=-3), "supabase_schema_login_connection_limit=-3 must be"),
    ],
)
def test_a_bad_input_is_named_with_its_value(changes, expected):
    found = problems(**changes)
    assert any(expected in p for p in found), found


def test_the_passwords_are_checked_only_with_the_login_roles():
    assert problems(supabase_schema_login_roles_enabled=False, supabase_schema_n8n_password="") == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("tables: nope\n", "must be a mapping with a 'tables' list"),
        ("- just a list\n", "must be a mapping with a 'tables' list"),
        ("tables: [\n", "is not YAML"),
        ("tables:\n  - {schema: ip_workbench}\n", "Table entry ip_workbench.<table> must be a non-empty string"),
        (
            "tables:\n  - schema: ip_workbench\n    table: domains\n    policies:\n"
            "      - {name: p, command: select, using: 'true) or (true'}\n",
            "policy p: using is refused, nothing was sent to the server: ')' at character 5",
        ),
        (
            "tables:\n  - {schema: s, table: t}\n  - {schema: s, table: t}\n",
            "Table s.t appears twice in the spec; merge its entries",
        ),
    ],
)
def test_the_rls_spec_is_checked_by_the_modules_own_normaliser(tmp_path, text, expected):
    spec = tmp_path / "rls.yml"
    spec.write_text(text)
    (found,) = problems(supabase_schema_rls_spec_file=str(spec))
    assert found.startswith("supabase_schema_rls_spec_file=%s" % spec) and expected in found, found
