"""playbooks/backup.yml (the backup role) end to end: a real PostgreSQL 15 (local_stack) dumped into moto's S3 server
(Spaces).

Every assertion on the result reads the bucket with boto3 and the databases with psycopg2, independently of the
playbook: check mode writes nothing and reports the change; a real run uploads one dump that restores; retention
keeps the newest N and touches nothing else; bad inputs fail naming the variable before anything is written; the
DSN's password never appears in the output (also at -vvv and when the connection fails); each phase runs alone by its
tag; the role reads no other role's variable.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import time
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import psycopg2.extensions
import pytest
import yaml

from fakes.s3 import ACCESS_KEY, SECRET_KEY
from support.ansible import ROOT, run_playbook
from support.pg import admin_connection, query

PLAYBOOK = os.path.join(ROOT, "playbooks", "backup.yml")
ROLE = os.path.join(ROOT, "roles", "backup")
LOCAL_INVENTORY = os.path.join(ROOT, "inventories", "local")
PG_BIN = "/usr/lib/postgresql/15/bin"
PREFIX = "backups/supabase/"
STAMP = re.compile(r"^[0-9]{8}T[0-9]{6}Z$")


def dbname_of(dsn):
    return dsn.rsplit("/", 1)[1].split("?", 1)[0]


def password_of(dsn):
    return dsn.split("://", 1)[1].split("@", 1)[0].split(":", 1)[1]


def stamp(when):
    return when.strftime("%Y%m%dT%H%M%SZ")


def task_names(res):
    """The names of the tasks that ran, without the role's prefix (``insightpulseai.workbench.backup : ``)."""
    return [t["name"].split(" : ", 1)[-1] for t in res.tasks]


class Backup(object):
    """Runs the playbook against the test database and moto, with a scratch dir that must be empty after every run."""

    def __init__(self, dsn, bucket, env, tmp_path):
        self.dsn = dsn
        self.bucket = bucket
        self.env = env
        self.scratch = str(tmp_path / "scratch")
        os.makedirs(self.scratch)

    def vars(self, **extra):
        values = dict(
            backup_dsn=self.dsn,
            backup_endpoint_url=self.bucket.server.endpoint_url,
            backup_access_key=ACCESS_KEY,
            backup_secret_key=SECRET_KEY,
            backup_temp_dir=self.scratch,
        )
        values.update(extra)
        return values

    def run(self, check=False, verbosity=0, inventory=LOCAL_INVENTORY, extra_vars=None, tags=None, **extra):
        res = run_playbook(
            PLAYBOOK,
            inventory=inventory,
            extra_vars=extra_vars or self.vars(**extra),
            check=check,
            env=self.env,
            verbosity=verbosity,
            tags=tags,
        )
        assert os.listdir(self.scratch) == [], "temporary files left behind: %s" % os.listdir(self.scratch)
        return res

    def report(self, res):
        failed = res.failure() or {}
        assert not res.failed, (failed.get("msg"), failed.get("results"), res.stdout[-3000:], res.stderr[-2000:])
        return res.task("Report the backup")["msg"]


@pytest.fixture
def backup(source_db, bucket, env, tmp_path):
    return Backup(source_db, bucket, env, tmp_path)


def failure_messages(res):
    failed = res.failure()
    assert failed is not None, "the run did not fail: %s" % res.stdout[-2000:]
    messages = [item["msg"] for item in failed.get("results", []) if item.get("failed")]
    return messages or [failed["msg"]]


def test_check_mode_reports_the_change_and_writes_nothing(backup, bucket):
    db = dbname_of(backup.dsn)
    old = ["%s%s-2020010%dT000000Z.dump" % (PREFIX, db, day) for day in (1, 2, 3)]
    for key in old:
        bucket.put(key)
    before = bucket.keys()

    res = backup.run(check=True, backup_retention_count=2)
    report = backup.report(res)

    assert bucket.keys() == before
    assert report["check_mode"] is True
    assert report["uploaded"] == "" and report["deleted"] == []
    key = report["would_upload"]
    assert key.startswith(PREFIX + db + "-") and key.endswith(".dump")
    assert STAMP.match(key[len(PREFIX + db + "-") : -len(".dump")])
    # The new dump and the newest old one are kept; the two oldest would go.
    assert report["would_delete"] == old[:2]
    assert report["kept"] == [key, old[2]]
    assert res.task("Plan the dump and upload (check mode)")["changed"] is True
    # As the real run would report: the upload, and the deletion task with one changed item per deleted dump.
    assert res.changed == 2
    assert [item["changed"] for item in res.task("Delete dumps beyond the retention")["results"]] == [True, True]


def test_real_run_uploads_one_dump_that_restores(backup, bucket, pg_server, tmp_path):
    res = backup.run()
    report = backup.report(res)

    keys = bucket.keys()
    assert keys == [report["uploaded"]]
    key = keys[0]
    assert re.match(r"^%s%s-[0-9]{8}T[0-9]{6}Z\.dump$" % (re.escape(PREFIX), re.escape(dbname_of(backup.dsn))), key)
    assert report["deleted"] == [] and report["kept"] == [key]
    assert res.changed == 1  # the new dump; no deletion
    assert res.task("Upload the dump")["changed"] is True

    body, metadata = bucket.get(key)
    assert metadata["sha256"] == hashlib.sha256(body).hexdigest() == report["sha256"]
    assert metadata["pg-dump-format"] == "custom"
    assert len(body) == report["size"]
    dump = tmp_path / "downloaded.dump"
    dump.write_bytes(body)

    listing = subprocess.run(
        [os.path.join(PG_BIN, "pg_restore"), "--list", str(dump)], capture_output=True, text=True, check=True
    ).stdout
    assert "TABLE public backup_probe" in listing
    assert "TABLE DATA public backup_probe" in listing

    target = pg_server.create_database(template="template0")
    try:
        target_dsn = pg_server.dsn_for(target)
        subprocess.run(
            [
                os.path.join(PG_BIN, "pg_restore"),
                "--exit-on-error",
                "--no-password",
                "--dbname=" + target_dsn.replace(":" + password_of(target_dsn) + "@", "@"),
                str(dump),
            ],
            env=dict(os.environ, PGPASSWORD=password_of(target_dsn)),
            capture_output=True,
            text=True,
            check=True,
        )
        source = query(backup.dsn, "SELECT count(*), string_agg(note, ',' ORDER BY id) FROM public.backup_probe")
        restored = query(target_dsn, "SELECT count(*), string_agg(note, ',' ORDER BY id) FROM public.backup_probe")
        assert restored == source and restored[0][0] == 5
        tables = "SELECT count(*) FROM pg_tables WHERE schemaname IN ('public', 'auth')"
        assert query(target_dsn, tables) == query(backup.dsn, tables)
    finally:
        pg_server.drop_database(target)


def test_retention_keeps_the_newest_and_nothing_else_is_touched(backup, bucket):
    db = dbname_of(backup.dsn)
    foreign = [
        "other/prefix/%s-20200101T000000Z.dump" % db,  # another prefix
        PREFIX + "README.txt",  # not a dump
        PREFIX + "otherdb-20200101T000000Z.dump",  # another database's dump
        PREFIX + "nested/%s-20200101T000000Z.dump" % db,  # below the prefix, not directly in it
        PREFIX + "%s-20200101T000000Z.dump.partial" % db,  # does not match the name pattern
    ]
    for key in foreign:
        bucket.put(key)

    uploaded = []
    for run in range(3):
        if uploaded:  # the key has a one-second resolution
            while stamp(datetime.now(timezone.utc)) <= uploaded[-1][-len("20200101T000000Z.dump") : -len(".dump")]:
                time.sleep(0.2)
        res = backup.run(backup_retention_count=2)
        report = backup.report(res)
        uploaded.append(report["uploaded"])
        if run < 2:
            assert report["deleted"] == [] and res.changed == 1
    assert report["deleted"] == [uploaded[0]]
    assert report["kept"] == [uploaded[2], uploaded[1]]
    assert res.changed == 2  # the upload and the deletion task
    assert [item["item"] for item in res.task("Delete dumps beyond the retention")["results"]] == [uploaded[0]]

    dumps = [key for key in bucket.keys(PREFIX) if key not in foreign]
    assert dumps == sorted(uploaded[1:])
    assert set(foreign) <= set(bucket.keys())


def test_retention_by_age(backup, bucket):
    db = dbname_of(backup.dsn)
    now = datetime.now(timezone.utc)
    old = [PREFIX + "%s-%s.dump" % (db, stamp(now - timedelta(days=d))) for d in (400, 31)]
    recent = [PREFIX + "%s-%s.%s" % (db, stamp(now - timedelta(days=d)), ext) for d, ext in ((29, "sql"), (1, "dump"))]
    for key in old + recent:
        bucket.put(key)

    report = backup.report(backup.run(check=True, backup_retention_days=30))
    assert report["would_delete"] == old
    assert set(bucket.keys()) == set(old + recent)

    report = backup.report(backup.run(backup_retention_days=30))
    assert report["deleted"] == old
    assert set(bucket.keys()) == set(recent + [report["uploaded"]])


# Every bad input, named with its value (a secret never), in three runs: the validation reports all bad inputs of a
# run at once, so each group sets each variable once.
BAD_INPUTS = [
    [
        ("backup_retention_count", 0, "backup_retention_count=0 "),
        ("backup_retention_days", "-1", 'backup_retention_days="-1" '),
        ("backup_prefix", "backups/supabase", 'backup_prefix="backups/supabase" '),
        ("backup_bucket", "", 'backup_bucket="" '),
        ("backup_dsn", "", 'backup_dsn="" (empty; its default is supabase_schema_login_dsn) '),
        ("backup_format", "tar", 'backup_format="tar" '),
        ("backup_schemas", "public", 'backup_schemas="public" '),
        ("backup_endpoint_url", "fra1.digitaloceanspaces.com", 'backup_endpoint_url="fra1.digitaloceanspaces.com" '),
        ("backup_secret_key", "", "backup_access_key/backup_secret_key=<hidden> "),
    ],
    [
        ("backup_retention_count", "abc", 'backup_retention_count="abc" '),
        ("backup_prefix", "", 'backup_prefix="" '),
        ("backup_dsn", "host=127.0.0.1 dbname=x password=kv-secret", "backup_dsn=<hidden, it is a secret> "),
    ],
    [
        ("backup_retention_count", -3, "backup_retention_count=-3 "),
        ("backup_prefix", "/backups/", 'backup_prefix="/backups/" '),
    ],
]


@pytest.mark.parametrize("group", BAD_INPUTS, ids=["group%d" % n for n in range(len(BAD_INPUTS))])
def test_bad_input_fails_naming_the_variable_before_anything_is_written(backup, bucket, group):
    res = backup.run(**dict((name, value) for name, value, _shown in group))

    assert res.failed
    messages = failure_messages(res)
    assert len(messages) == len(group), messages
    for _name, _value, shown in group:
        assert [m for m in messages if m.startswith(shown + "is invalid: expected ")], (shown, messages)
    assert bucket.keys() == []
    ran = task_names(res)
    assert ran[-1] == "Validate the backup inputs", ran
    assert "kv-secret" not in res.stdout + res.stderr


def test_every_bad_input_is_reported_at_once(backup, bucket):
    res = backup.run(backup_retention_count="two", backup_prefix="x", backup_format="directory")
    messages = failure_messages(res)
    assert [m.split("=", 1)[0] for m in messages] == ["backup_prefix", "backup_retention_count", "backup_format"]
    assert bucket.keys() == []


@pytest.fixture
def special_role(pg_server, source_db):
    """A login role whose password needs percent-encoding in a URI and escaping in a pgpass file."""
    name = "bk_" + uuid.uuid4().hex[:10]
    password = "p@ss:w/rd+%&?#x\\y-" + uuid.uuid4().hex[:8]
    with admin_connection(pg_server.dsn) as conn:
        with conn.cursor() as cur:
            cur.execute("CREATE ROLE %s LOGIN SUPERUSER PASSWORD %%s" % name, (password,))
    yield name, password
    with admin_connection(pg_server.dsn) as conn:
        with conn.cursor() as cur:
            cur.execute("DROP ROLE %s" % name)


@pytest.mark.parametrize("where", ["userinfo", "query"])
def test_the_password_never_appears_in_the_output(backup, bucket, special_role, where):
    name, password = special_role
    host_db = backup.dsn.split("@", 1)[1]
    if where == "userinfo":
        dsn = "postgresql://%s:%s@%s" % (name, quote(password, safe=""), host_db)
    else:
        dsn = "postgres://%s@%s?sslmode=disable&password=%s" % (name, host_db, quote(password, safe=""))
    secrets = [password, quote(password, safe=""), quote(password), password_of(backup.dsn)]

    check = backup.run(check=True, backup_dsn=dsn)
    assert backup.report(check)["would_upload"]
    # A real run at -vvv: Ansible logs every command it runs, with the `environment:` of the task in it.
    real = backup.run(verbosity=3, backup_dsn=dsn)
    assert real.rc == 0, real.stdout[-3000:]
    assert len(bucket.keys()) == 1
    assert "PGPASSFILE=" in real.stdout  # only the path of the password file is in the environment
    for res in (check, real):
        for secret in secrets:
            assert secret not in res.stdout and secret not in res.stderr


def test_a_key_value_dsn_works_like_the_uri(backup, bucket, special_role):
    """libpq's key=value form (the collection's one parser reads both forms); its password stays out of the output."""
    name, password = special_role
    parts = dict(psycopg2.extensions.parse_dsn(backup.dsn), user=name, password=password)
    dsn = " ".join(
        "%s='%s'" % (key, value.replace("\\", "\\\\").replace("'", "\\'")) for key, value in sorted(parts.items())
    )
    secrets = [password, password_of(backup.dsn)]

    check = backup.run(check=True, backup_dsn=dsn)
    assert backup.report(check)["would_upload"].startswith(PREFIX + parts["dbname"] + "-")
    assert bucket.keys() == []
    real = backup.run(verbosity=3, backup_dsn=dsn)
    assert real.rc == 0, real.stdout[-3000:]
    keys = bucket.keys()
    assert len(keys) == 1 and keys[0].startswith(PREFIX + parts["dbname"] + "-")
    body, metadata = bucket.get(keys[0])
    assert body and metadata["sha256"] == hashlib.sha256(body).hexdigest()
    for res in (check, real):
        for secret in secrets:
            assert secret not in res.stdout and secret not in res.stderr


def test_a_wrong_password_fails_with_a_redacted_error(backup, bucket):
    wrong = "Wrong-Pw-" + uuid.uuid4().hex[:8]
    dsn = backup.dsn.replace(":" + password_of(backup.dsn) + "@", ":" + wrong + "@")
    res = backup.run(backup_dsn=dsn)

    assert res.failed
    message = failure_messages(res)[0]
    assert message.startswith("Cannot read the server version with backup_psql=")
    assert "password authentication failed" in message
    assert bucket.keys() == []
    for secret in (wrong, password_of(backup.dsn)):
        assert secret not in res.stdout + res.stderr


def test_pg_dump_older_than_the_server_fails_naming_both_versions(backup, bucket, tmp_path):
    fake = tmp_path / "old-client" / "pg_dump"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\n[ \"$1\" = --version ] && echo 'pg_dump (PostgreSQL) 14.11' && exit 0\n"
        "echo 'must not dump' >&2; exit 1\n"
    )
    fake.chmod(0o755)
    res = backup.run(backup_pg_dump=str(fake), backup_psql=os.path.join(PG_BIN, "psql"))

    assert res.failed
    message = failure_messages(res)[0]
    server = query(backup.dsn, "SHOW server_version")[0][0]
    assert message.startswith(
        'pg_dump 14.11 (backup_pg_dump="%s") is older than the server, PostgreSQL %s:' % (fake, server)
    )
    assert "/usr/lib/postgresql/15/bin/pg_dump" in message
    assert bucket.keys() == []


def test_missing_pg_dump_fails_naming_the_variable(backup, bucket):
    res = backup.run(backup_pg_dump="/nonexistent/pg_dump")
    assert failure_messages(res)[0].startswith('backup_pg_dump="/nonexistent/pg_dump" could not be run')
    assert bucket.keys() == []


def test_plain_format_restricted_to_schemas(backup, bucket):
    report = backup.report(backup.run(backup_format="plain", backup_schemas=["public"]))
    key = report["uploaded"]
    assert key.endswith(".sql")
    body, metadata = bucket.get(key)
    assert metadata["pg-dump-format"] == "plain"
    text = body.decode()
    assert "CREATE TABLE public.backup_probe" in text
    assert "CREATE TABLE auth.users" not in text


def test_a_failed_dump_uploads_nothing_and_cleans_up(backup, bucket):
    res = backup.run(backup_schemas=["no_such_schema"])
    message = failure_messages(res)[0]
    assert message.startswith("pg_dump of database %s failed (rc 1): " % dbname_of(backup.dsn))
    assert "no matching schemas were found" in message
    assert bucket.keys() == []
    assert "Delete dumps beyond the retention" not in task_names(res)


def test_inventory_values_override_the_defaults(backup, bucket, tmp_path):
    """The role's defaults have the lowest precedence, so an inventory value wins over them."""
    inventory = tmp_path / "inventory"
    (inventory / "group_vars").mkdir(parents=True)
    (inventory / "hosts.yml").write_text(
        yaml.safe_dump(
            {"all": {"children": {"workbench_database": {"hosts": {"localhost": {"ansible_connection": "local"}}}}}}
        )
    )
    (inventory / "group_vars" / "workbench_database.yml").write_text(
        yaml.safe_dump(
            {
                "backup_prefix": "nightly/db/",
                "backup_dsn": backup.dsn,
                "backup_endpoint_url": bucket.server.endpoint_url,
                "backup_access_key": ACCESS_KEY,
                "backup_secret_key": SECRET_KEY,
                "backup_temp_dir": backup.scratch,
            }
        )
    )
    report = backup.report(backup.run(inventory=str(inventory), extra_vars={}))
    assert report["uploaded"].startswith("nightly/db/%s-" % dbname_of(backup.dsn))
    assert bucket.keys() == [report["uploaded"]]


def test_production_inventory_defaults(backup, bucket):
    """inventories/production: the DSN comes from supabase_schema_login_dsn (vault_supabase_db_url), the bucket,
    endpoint and keys from the do_network variables, the prefix and retention from the play's defaults."""
    extra = {
        "vault_supabase_db_url": backup.dsn,
        "vault_spaces_access_key": ACCESS_KEY,
        "vault_spaces_secret_key": SECRET_KEY,
        "do_network_spaces_endpoint_url": bucket.server.endpoint_url,
    }
    res = backup.run(inventory=os.path.join(ROOT, "inventories", "production"), extra_vars=extra)
    report = backup.report(res)
    assert report["bucket"] == "ai-workbench-data"
    assert report["uploaded"].startswith("backups/supabase/%s-" % dbname_of(backup.dsn))
    assert bucket.keys() == [report["uploaded"]]
    # Without backup_temp_dir the private directory is made in the system temp dir (TMPDIR), and removed.
    scratch = res.task("Create a private temporary directory")["path"]
    assert os.path.dirname(scratch) == backup.env["TMPDIR"]
    assert os.path.basename(scratch).startswith("workbench-backup-")
    assert not os.path.exists(scratch)


def test_fallback_defaults_match_do_network():
    """The role's defaults are do_network's own; the production inventory hands the do_network variables forward with
    the same fallbacks (do_network's defaults are not loaded when only the backup runs)."""
    with open(os.path.join(ROOT, "roles", "do_network", "defaults", "main.yml")) as f:
        network = yaml.safe_load(f)
    with open(os.path.join(ROLE, "defaults", "main.yml")) as f:
        defaults = yaml.safe_load(f)
    assert defaults["backup_bucket"] == network["do_network_spaces_bucket"]
    assert defaults["backup_region"] == network["do_network_region"]
    assert network["do_network_spaces_region"] == "{{ do_network_region }}"
    assert network["do_network_spaces_endpoint_url"] == "https://{{ do_network_spaces_region }}.digitaloceanspaces.com"
    assert defaults["backup_endpoint_url"] == "https://{{ backup_region }}.digitaloceanspaces.com"
    with open(os.path.join(ROOT, "inventories", "production", "group_vars", "all", "main.yml")) as f:
        production = yaml.safe_load(f)
    assert production["backup_dsn"] == "{{ supabase_schema_login_dsn }}"
    assert (
        "do_network_spaces_bucket | default('%s')" % network["do_network_spaces_bucket"] in production["backup_bucket"]
    )
    assert "do_network_region | default('%s')" % network["do_network_region"] in production["backup_region"]
    assert "do_network_spaces_region" in production["backup_region"]
    assert "'https://' ~ backup_region ~ '.digitaloceanspaces.com'" in production["backup_endpoint_url"]
    assert "do_network_spaces_access_key" in production["backup_access_key"]
    assert "do_network_spaces_secret_key" in production["backup_secret_key"]
    with open(os.path.join(ROOT, "inventories", "local", "group_vars", "all", "main.yml")) as f:
        assert yaml.safe_load(f)["backup_dsn"] == "{{ supabase_schema_login_dsn }}"


def phase_tags():
    """The tags of the role's phases, read from its tasks/main.yml (every import but the preflight's and the report's)."""
    with open(os.path.join(ROLE, "tasks", "main.yml")) as f:
        tasks = yaml.safe_load(f)
    imports = [
        item
        for task in tasks
        for item in task.get("block", [task])
        if item.get("ansible.builtin.import_tasks") not in (None, "preflight.yml", "report.yml")
    ]
    return [tag for item in imports for tag in item["tags"] if tag != "backup"]


def phase_task_names(*files):
    """The names of the tasks in the role's task files (blocks included)."""

    def names(tasks):
        return [
            name for task in tasks for name in [task["name"]] + names(task.get("block", []) + task.get("always", []))
        ]

    found = []
    for name in files:
        with open(os.path.join(ROLE, "tasks", name)) as f:
            found += names(yaml.safe_load(f))
    return found


def test_each_phase_runs_alone_by_its_tag_after_the_preflight(backup, bucket):
    tags = phase_tags()
    assert tags == ["backup_dump", "backup_retention"]
    # A bad input is refused under every phase's tag alone: the preflight runs with each.
    for tag in ["backup_preflight"] + tags:
        res = backup.run(tags=tag, backup_prefix="x")
        assert failure_messages(res) == [
            'backup_prefix="x" is invalid: expected a non-empty key prefix that ends with '
            "'/' and does not start with '/' (e.g. backups/supabase/)."
        ], tag
        assert task_names(res)[-1] == "Validate the backup inputs", tag

    db = dbname_of(backup.dsn)
    old = ["%s%s-2020010%dT000000Z.dump" % (PREFIX, db, day) for day in (1, 2, 3)]
    for key in old:
        bucket.put(key)

    # The preflight alone: the checks, nothing read from or written to the bucket or the database.
    res = backup.run(tags="backup_preflight", backup_retention_count=1)
    assert not res.failed and res.changed == 0, res.stdout[-3000:]
    ran = task_names(res)
    assert "Validate the backup inputs" in ran
    assert not set(ran) & set(phase_task_names("dump.yml", "retention.yml", "report.yml")), ran
    assert bucket.keys() == old

    # The dump alone: a new dump, no retention even though only one dump should be kept.
    report = backup.report(backup.run(tags="backup_dump", backup_retention_count=1))
    new = report["uploaded"]
    assert new.startswith(PREFIX + db + "-") and report["size"] > 0
    assert report["kept"] == [] and report["deleted"] == []
    assert bucket.keys() == sorted(old + [new])

    # The retention alone, planned then applied: the dumps in the bucket count, no new dump is made.
    report = backup.report(backup.run(check=True, tags="backup_retention", backup_retention_count=2))
    assert report["would_upload"] == "" and report["would_delete"] == old[:2] and report["kept"] == [new, old[2]]
    assert bucket.keys() == sorted(old + [new])
    res = backup.run(tags="backup_retention", backup_retention_count=2)
    report = backup.report(res)
    assert report["uploaded"] == "" and report["size"] is None
    assert report["deleted"] == old[:2] and report["kept"] == [new, old[2]]
    assert "Upload the dump" not in task_names(res) and res.changed == 1
    assert bucket.keys() == [old[2], new]


CONDITIONALS = ("when", "that", "changed_when", "failed_when", "until")


def _jinja_code(value, bare=False):
    """The Jinja code in a YAML value ({{ }} and {% %}; the whole string of a conditional), string literals removed."""
    if isinstance(value, dict):
        return [
            code for key, item in value.items() for code in _jinja_code(key) + _jinja_code(item, key in CONDITIONALS)
        ]
    if isinstance(value, list):
        return [code for item in value for code in _jinja_code(item, bare)]
    if not isinstance(value, str):
        return []
    code = [value] if bare else ["".join(parts) for parts in re.findall(r"{{(.*?)}}|{%(.*?)%}", value, re.S)]
    return [re.sub(r"'[^']*'|\"[^\"]*\"", "''", text) for text in code]


def test_the_role_reads_only_its_own_variables(backup, bucket, tmp_path):
    """No expression of the role names another role's variable (nor vault_*/workbench_*); and a run whose inventory
    sets only backup_* variables uses the role's own defaults, whatever the other roles' variables say."""
    others = [name for name in os.listdir(os.path.join(ROOT, "roles")) if name != "backup"] + ["vault", "workbench"]
    foreign = re.compile(r"\b(?:%s)_[A-Za-z0-9_]+" % "|".join(others))
    sample = {"when": "do_network_region is defined", "msg": "{{ x | default(supabase_schema_login_dsn) }} 'vault_x'"}
    assert sorted(hit for code in _jinja_code(sample) for hit in foreign.findall(code)) == [
        "do_network_region",
        "supabase_schema_login_dsn",
    ]
    found = {}
    for folder, _dirs, files in os.walk(ROLE):
        for name in files:
            if name.endswith(".yml"):
                with open(os.path.join(folder, name)) as f:
                    for code in _jinja_code(yaml.safe_load(f)):
                        found.update(
                            (hit, os.path.relpath(os.path.join(folder, name), ROLE)) for hit in foreign.findall(code)
                        )
    assert found == {}

    inventory = tmp_path / "inventory"
    (inventory / "group_vars").mkdir(parents=True)
    (inventory / "hosts.yml").write_text(
        yaml.safe_dump(
            {"all": {"children": {"workbench_database": {"hosts": {"localhost": {"ansible_connection": "local"}}}}}}
        )
    )
    own = {
        "backup_dsn": backup.dsn,
        "backup_endpoint_url": bucket.server.endpoint_url,
        "backup_access_key": ACCESS_KEY,
        "backup_secret_key": SECRET_KEY,
        "backup_temp_dir": backup.scratch,
    }
    (inventory / "group_vars" / "workbench_database.yml").write_text(yaml.safe_dump(own))
    # What the other roles' variables would steer the backup to, if it read them.
    poison = {
        "supabase_schema_login_dsn": "postgresql://poison:poison@127.0.0.1:1/poison",
        "do_network_spaces_bucket": "poison-bucket",
        "do_network_spaces_region": "poison",
        "do_network_region": "poison",
        "do_network_spaces_endpoint_url": "http://127.0.0.1:1",
        "do_network_spaces_access_key": "poison",
        "do_network_spaces_secret_key": "poison",
    }
    report = backup.report(backup.run(inventory=str(inventory), extra_vars=poison))
    assert report["bucket"] == "ai-workbench-data"
    assert report["uploaded"].startswith("backups/supabase/%s-" % dbname_of(backup.dsn))
    assert bucket.keys() == [report["uploaded"]]
