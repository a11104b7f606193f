"""The input rules of backup (plugin_utils._inputs_backup), through the role_input_problems filter.

Every problem is "<variable>=<shown> is invalid: expected <what>." (the wording tests/integration/backup asserts);
the DSN and the Spaces keys are never shown. No server is needed: the DSN parser is libpq's, through psycopg2.
"""

from __future__ import annotations

import pytest

from ansible_collections.insightpulseai.workbench.plugins.filter.role_input_problems import role_input_problems

DSN_PASSWORD = "unit-backup-dsn-pw-7f"
ACCESS_KEY = "UNITACCESSKEY0123456"
SECRET_KEY = "unit-backup-secret-key-0123456789"
GOOD = dict(
    backup_dsn="postgresql://postgres:%s@127.0.0.1:5432/postgres?sslmode=disable" % DSN_PASSWORD,
    backup_bucket="ai-workbench-data",
    backup_prefix="backups/supabase/",
    backup_retention_count=14,
    backup_retention_days=0,
    backup_region="fra1",
    backup_endpoint_url="https://fra1.digitaloceanspaces.com",
    backup_access_key=ACCESS_KEY,
    backup_secret_key=SECRET_KEY,
    backup_pg_dump="pg_dump",
    backup_psql="psql",
    backup_format="custom",
    backup_schemas=[],
    backup_temp_dir="",
    backup_no_log=True,
)
DSN_EXPECTED = (
    "is invalid: expected a libpq connection string that names a user, a host and a database: a URI "
    "postgresql://user:password@host:port/database (or postgres://...) or key=value pairs "
    "(host=... port=... dbname=... user=... password=...)."
)


def problems(check_mode=False, **changes):
    """The problems of the valid variables with ``changes``; no secret of either in any of them."""
    values = dict(GOOD, **changes)
    found = role_input_problems(values, "backup", check_mode)
    secrets = [DSN_PASSWORD, ACCESS_KEY, SECRET_KEY] + [
        str(values[name]) for name in ("backup_dsn", "backup_access_key", "backup_secret_key") if values[name]
    ]
    for secret in secrets:
        assert all(secret not in p for p in found), (secret, found)
    return found


def test_the_valid_set_passes():
    assert problems() == []
    assert problems(check_mode=True) == []


@pytest.mark.parametrize(
    "changes",
    [
        # the DSN: a URI or key=value pairs naming user, host and database; the owner may log in, and the password
        # may come from elsewhere (a .pgpass, PGPASSWORD)
        dict(backup_dsn="postgres://backup@db.example.org:6543/app?sslmode=require"),
        dict(backup_dsn="host=127.0.0.1 port=5432 dbname=postgres user=postgres password=kv-pw"),
        # the bucket: 3 and 63 characters, dots and dashes inside
        dict(backup_bucket="abc"),
        dict(backup_bucket="a" * 63),
        dict(backup_bucket="my.bucket-01"),
        # the prefix: any key prefix ending with '/', nested too
        dict(backup_prefix="x/"),
        dict(backup_prefix="nightly/db/"),
        # retention: digits as a string (AWX passes extra vars so), 1 dump, 0 days (off) or some
        dict(backup_retention_count="3", backup_retention_days="30"),
        dict(backup_retention_count=1, backup_retention_days=365),
        dict(backup_format="plain"),
        dict(backup_schemas=["public", "auth"]),
        # the endpoint: empty for AWS S3, http for a local S3 (moto), blanks around it trimmed as the role does
        dict(backup_endpoint_url=""),
        dict(backup_endpoint_url="   "),
        dict(backup_endpoint_url="http://127.0.0.1:9000"),
        dict(backup_endpoint_url=" https://fra1.digitaloceanspaces.com "),
        dict(backup_region="nyc3"),
        # both keys empty: amazon.aws reads AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
        dict(backup_access_key="", backup_secret_key=""),
        dict(backup_pg_dump="/usr/lib/postgresql/15/bin/pg_dump", backup_psql="/usr/lib/postgresql/15/bin/psql"),
        dict(backup_temp_dir="/var/tmp/backups"),
    ],
    ids=lambda changes: ",".join("%s=%r" % item for item in sorted(changes.items())),
)
def test_a_good_input_is_accepted(changes):
    assert problems(**changes) == []


@pytest.mark.parametrize(
    "changes, expected",
    [
        (dict(backup_dsn=""), 'backup_dsn="" (empty; its default is supabase_schema_login_dsn) ' + DSN_EXPECTED),
        (dict(backup_dsn="   "), 'backup_dsn="" (empty; its default is supabase_schema_login_dsn) ' + DSN_EXPECTED),
        (dict(backup_dsn=None), 'backup_dsn="" (empty; its default is supabase_schema_login_dsn) ' + DSN_EXPECTED),
        # not a connection string, or one naming no database / host / user
        (dict(backup_dsn="mysql://u:%s@db/app" % DSN_PASSWORD), "backup_dsn=<hidden, it is a secret> " + DSN_EXPECTED),
        (dict(backup_dsn="host=127.0.0.1 dbname=x password=kv-secret"), "backup_dsn=<hidden, it is a secret> "),
        (dict(backup_dsn="postgresql://u:%s@db.example.org" % DSN_PASSWORD), "backup_dsn=<hidden, it is a secret> "),
        (dict(backup_dsn="user=u dbname=app password=%s" % DSN_PASSWORD), "backup_dsn=<hidden, it is a secret> "),
        (dict(backup_dsn=5432), "backup_dsn=<hidden, it is a secret> "),
        (
            dict(backup_bucket=""),
            "backup_bucket=\"\" is invalid: expected a bucket name (3-63 characters, lower-case letters, digits, '.' "
            "and '-').",
        ),
        (dict(backup_bucket="ab"), 'backup_bucket="ab" is invalid: expected a bucket name'),
        (dict(backup_bucket="a" * 64), "backup_bucket=\"%s\" is invalid: expected a bucket name" % ("a" * 64)),
        (dict(backup_bucket="My_Bucket"), 'backup_bucket="My_Bucket" is invalid: expected a bucket name'),
        (dict(backup_bucket="-bucket"), 'backup_bucket="-bucket" is invalid: expected a bucket name'),
        (dict(backup_bucket=["ai-workbench-data"]), 'backup_bucket=["ai-workbench-data"] is invalid: expected'),
        (
            dict(backup_prefix="x"),
            "backup_prefix=\"x\" is invalid: expected a non-empty key prefix that ends with '/' and does not start "
            "with '/' (e.g. backups/supabase/).",
        ),
        (dict(backup_prefix=""), 'backup_prefix="" is invalid: expected a non-empty key prefix'),
        (dict(backup_prefix="/"), 'backup_prefix="/" is invalid: expected a non-empty key prefix'),
        (dict(backup_prefix="/backups/"), 'backup_prefix="/backups/" is invalid: expected'),
        (dict(backup_prefix="backups//db/"), 'backup_prefix="backups//db/" is invalid: expected'),
        (dict(backup_prefix="backups/supabase"), 'backup_prefix="backups/supabase" is invalid: expected'),
        (
            dict(backup_retention_count=0),
            "backup_retention_count=0 is invalid: expected a positive integer (the number of newest dumps to keep).",
        ),
        (dict(backup_retention_count=-3), "backup_retention_count=-3 is invalid: expected a positive integer"),
        (dict(backup_retention_count="abc"), 'backup_retention_count="abc" is invalid: expected a positive integer'),
        (dict(backup_retention_count=True), "backup_retention_count=true is invalid: expected a positive integer"),
        (dict(backup_retention_count=2.5), "backup_retention_count=2.5 is invalid: expected a positive integer"),
        (
            dict(backup_retention_days="-1"),
            'backup_retention_days="-1" is invalid: expected an integer >= 0 (delete dumps older than this many days; '
            "0 = off).",
        ),
        (dict(backup_retention_days="a week"), 'backup_retention_days="a week" is invalid: expected an integer >= 0'),
        (dict(backup_format="tar"), 'backup_format="tar" is invalid: expected custom or plain.'),
        (dict(backup_format="directory"), 'backup_format="directory" is invalid: expected custom or plain.'),
        (
            dict(backup_schemas="public"),
            'backup_schemas="public" is invalid: expected a list of schema names ([] = the whole database).',
        ),
        (dict(backup_schemas=["public", ""]), 'backup_schemas=["public", ""] is invalid: expected a list of schema'),
        (dict(backup_schemas=["public", 7]), 'backup_schemas=["public", 7] is invalid: expected a list of schema'),
        (dict(backup_schemas={"public": True}), 'backup_schemas={"public": true} is invalid: expected a list'),
        (
            dict(backup_endpoint_url="fra1.digitaloceanspaces.com"),
            'backup_endpoint_url="fra1.digitaloceanspaces.com" is invalid: expected an http(s):// URL (or empty for '
            "AWS S3).",
        ),
        (dict(backup_endpoint_url="s3://fra1.example.org"), 'backup_endpoint_url="s3://fra1.example.org" is invalid'),
        (dict(backup_endpoint_url="https://"), 'backup_endpoint_url="https://" is invalid: expected an http(s)://'),
        (dict(backup_endpoint_url=None), "backup_endpoint_url=null is invalid: expected an http(s):// URL"),
        (dict(backup_region=""), 'backup_region="" is invalid: expected a region name (e.g. fra1).'),
        (dict(backup_region=None), "backup_region=null is invalid: expected a region name (e.g. fra1)."),
        (
            dict(backup_secret_key=""),
            "backup_access_key/backup_secret_key=<hidden> is invalid: expected both set, or both empty to use "
            "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.",
        ),
        (dict(backup_access_key=""), "backup_access_key/backup_secret_key=<hidden> is invalid: expected both set"),
        (dict(backup_access_key=None), "backup_access_key/backup_secret_key=<hidden> is invalid: expected both set"),
        (
            dict(backup_pg_dump=""),
            'backup_pg_dump="" is invalid: expected the path or name of a pg_dump binary.',
        ),
        (dict(backup_pg_dump="  "), 'backup_pg_dump="  " is invalid: expected the path or name of a pg_dump binary.'),
        (dict(backup_psql=" "), 'backup_psql=" " is invalid: expected the path or name of a psql binary.'),
        (
            dict(backup_temp_dir="tmp/backups"),
            'backup_temp_dir="tmp/backups" is invalid: expected an absolute path (or empty for the system temp dir).',
        ),
        (dict(backup_temp_dir=None), "backup_temp_dir=null is invalid: expected an absolute path"),
    ],
)
def test_a_bad_input_is_refused_naming_it(changes, expected):
    found = problems(**changes)
    assert len(found) == 1 and found[0].startswith(expected), found
    assert found[0].endswith("."), found


def test_every_problem_is_reported_at_once_in_the_order_of_the_rules():
    found = problems(backup_retention_count="two", backup_prefix="x", backup_format="directory")
    assert [p.split("=", 1)[0] for p in found] == ["backup_prefix", "backup_retention_count", "backup_format"]
    everything = dict(
        backup_dsn="",
        backup_bucket="",
        backup_prefix="",
        backup_retention_count=0,
        backup_retention_days=-1,
        backup_format="",
        backup_schemas="",
        backup_endpoint_url="x",
        backup_region="",
        backup_secret_key="",
        backup_pg_dump="",
        backup_psql="",
        backup_temp_dir="x",
    )
    assert [p.split("=", 1)[0] for p in problems(**everything)] == [
        "backup_dsn",
        "backup_bucket",
        "backup_prefix",
        "backup_retention_count",
        "backup_retention_days",
        "backup_format",
        "backup_schemas",
        "backup_endpoint_url",
        "backup_region",
        "backup_access_key/backup_secret_key",
        "backup_pg_dump",
        "backup_psql",
        "backup_temp_dir",
    ]


def test_the_secrets_are_never_shown():
    """Every way the DSN and the keys can be wrong at once: no password, key or connection string in any message."""
    found = problems(
        backup_dsn="host=db.example.org password=%s" % DSN_PASSWORD,
        backup_access_key=ACCESS_KEY,
        backup_secret_key="",
    )
    assert found == [
        "backup_dsn=<hidden, it is a secret> " + DSN_EXPECTED,
        "backup_access_key/backup_secret_key=<hidden> is invalid: expected both set, or both empty to use "
        "AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.",
    ]
    assert all("db.example.org" not in p for p in found)
