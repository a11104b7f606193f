#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: supabase_migration
short_description: Apply Supabase SQL migrations and record them as the Supabase CLI does
version_added: 0.1.0
description:
  - Applies the C(<version>_<name>.sql) files of a directory, in version order, to a Supabase (or any PostgreSQL)
    database and records each one in C(supabase_migrations.schema_migrations(version, name, statements)), exactly as
    C(supabase db push) does, so C(supabase migration list) and C(supabase migration repair) keep working.
  - Each file and its history row commit in one transaction (or all pending files in one, see O(transaction)).
  - A PostgreSQL advisory lock serialises concurrent runs against the same ledger; the history is re-read once the
    lock is held, so two runs never apply the same file twice.
  - The run fails, before anything is written, when two files share a version, when the database records a version
    that has no file, when an applied file was edited afterwards, or when a new file sorts before the newest applied
    version. The message says which files and how to repair.
  - 'An applied file may be amended on purpose: its header (the comment lines before the first statement) declares
    C(-- workbench:amends sha256:<hex>), the fingerprint of the earlier version the database recorded (the message
    refusing the edit prints it). When the ledger row holds exactly that earlier version, the file counts as applied
    and its row is amended: the row''s statements and name are set to the file''s current ones and nothing of the file
    runs (reported in RV(amended); it changes the database, so check mode reports C(changed) too). Any other edit is
    still refused. A database that never ran the file runs its current version as usual.'
  - An amendment states that a database which ran the earlier version already has the effect of the current one.
    Declare one only when that is true. For example C(001_metadata_schema.sql) and C(002_medallion_schemas.sql) of
    this collection now enable row-level security on each table as it is created; a database built with the earlier
    files got it from M(insightpulseai.workbench.supabase_rls), which the C(supabase_schema) role runs right after.
options:
  path:
    description:
      - Directory holding the migration files. Files not named C(<digits>_<name>.sql) are skipped (and listed in RV(skipped_files)).
    type: path
    required: true
  ledger_schema:
    description:
      - Schema of the history table. Keep the default for Supabase; another value keeps a separate history,
        for example for a local bootstrap that is not part of the project's migrations.
    type: str
    default: supabase_migrations
  transaction:
    description:
      - V(per_file) commits each file with its history row, as the Supabase CLI does; a failure keeps the files
        applied before it.
      - V(all) applies every pending file in one transaction; a failure applies none of them.
    type: str
    choices: [per_file, all]
    default: per_file
  allow_out_of_order:
    description: Apply new files whose version sorts before the newest applied one (the CLI's C(--include-all)).
    type: bool
    default: false
  lock_timeout:
    description: Seconds to wait for another run holding the migration lock before failing.
    type: int
    default: 300
extends_documentation_fragment:
  - insightpulseai.workbench._postgres
  - insightpulseai.workbench._attributes
  - insightpulseai.workbench._attributes.ACTIONGROUP_SUPABASE
attributes:
  check_mode:
    support: full
    details: Reports the pending versions in RV(pending) and the ledger rows it would amend in RV(amended), and writes
      nothing; the history table is not created.
  diff_mode:
    support: full
    details: The applied versions before and after, and for amended rows the recorded fingerprint before and after.
  idempotent:
    support: full
notes:
  - Statements that cannot run inside a transaction block (C(CREATE INDEX CONCURRENTLY), C(VACUUM), C(ALTER SYSTEM))
    cannot be used in migration files, as with the Supabase CLI.
seealso:
  - name: Supabase CLI migration commands
    description: C(supabase migration list), C(repair) and C(db push) read and write the same history.
    link: https://supabase.com/docs/reference/cli/supabase-migration
  - module: insightpulseai.workbench.supabase_rls
author:
  - InsightPulseAI platform team (@insightpulseai)
"""

EXAMPLES = r"""
- name: Apply the workbench schema migrations
  insightpulseai.workbench.supabase_migration:
    path: "{{ playbook_dir }}/../files/sql/migrations"
    login_dsn: "{{ vault_supabase_db_url }}"

- name: Plan only (lists what would be applied)
  insightpulseai.workbench.supabase_migration:
    path: files/sql/migrations
  check_mode: true
  register: plan

- name: Apply all pending files atomically
  insightpulseai.workbench.supabase_migration:
    path: files/sql/migrations
    transaction: all
"""

RETURN = r"""
applied:
  description: The migrations this run applied, in order.
  returned: always
  type: list
  elements: dict
  sample: [{"version": "001", "name": "metadata_schema", "file": "001_metadata_schema.sql"}]
pending:
  description: The migrations that were pending when the run started (in check mode, what would be applied).
  returned: always
  type: list
  elements: dict
  sample: [{"version": "002", "name": "medallion_schemas", "file": "002_medallion_schemas.sql"}]
amended:
  description:
    - Applied migrations whose ledger row recorded an earlier version that the file declares it amends
      (C(-- workbench:amends) header). The row's statements and name were set to the file's current ones; nothing of
      the file was run. In check mode, the rows that would be amended.
  returned: always
  type: list
  elements: dict
  sample: [{"version": "001", "name": "metadata_schema", "file": "001_metadata_schema.sql"}]
rls_enabled_tables:
  description:
    - Tables, as C(schema.table), whose row-level security the pending files enable with a schema-qualified
      C(ALTER TABLE ... ENABLE ROW LEVEL SECURITY) (and do not disable again), in file order.
    - Pass it to O(insightpulseai.workbench.supabase_rls#module:created_with_rls) so a check-mode plan of tables those
      files create is exact.
  returned: always
  type: list
  elements: str
  sample: ["ip_workbench.domains", "ip_workbench.tables"]
skipped_files:
  description: Files in O(path) that are not named C(<version>_<name>.sql) and were ignored.
  returned: always
  type: list
  elements: str
  sample: ["README.md"]
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _migrations as mig
from ansible_collections.insightpulseai.workbench.plugins.module_utils._postgres import (
    connect,
    ensure_library,
    pg_error_message,
    postgres_argument_spec,
)


def run(module):
    params = module.params
    try:
        migrations, skipped = mig.load_migrations(params["path"])
    except mig.MigrationError as exc:
        module.fail_json(msg=str(exc))

    conn = connect(module)
    result = dict(changed=False, applied=[], pending=[], amended=[], rls_enabled_tables=[], skipped_files=skipped)
    schema = params["ledger_schema"]
    try:
        with conn.cursor() as cur:
            history = mig.read_history(cur, schema)
        conn.rollback()
        try:
            pending = mig.plan(migrations, history, params["allow_out_of_order"])
            amended = mig.amendments(migrations, history)
        except mig.MigrationError as exc:
            module.fail_json(msg=str(exc), **result)
        result["pending"] = [m.to_dict() for m in pending]
        result["rls_enabled_tables"] = mig.rls_enabled_tables(pending)
        before = sorted(history, key=mig.version_key)
        for migration in amended:
            module.warn(
                "%s: the database ran an earlier version of this file (fingerprint %s, declared in its %s header); "
                "its ledger row %s amended to the current statements, which are not run here. Their effect must "
                "already be present in this database." % (
                    migration.filename, mig.fingerprint_digest(history[migration.version]["statements"]),
                    mig.AMENDS_MARK, "would be" if module.check_mode else "is")
            )
        if not (pending or amended) or module.check_mode:
            result["amended"] = [m.to_dict() for m in amended]
            result["changed"] = bool(pending or amended)
            if result["changed"] and module._diff:
                result["diff"] = _diff(before, [m.version for m in pending], history, amended)
            module.exit_json(**result)

        _apply_locked(module, conn, migrations, result)
        result["changed"] = bool(result["applied"] or result["amended"])
        if result["changed"] and module._diff:
            done = set(m["version"] for m in result["amended"])
            result["diff"] = _diff(before, [m["version"] for m in result["applied"]], history,
                                   [m for m in amended if m.version in done])
        module.exit_json(**result)
    finally:
        conn.close()


def _diff(before, applied, history, amended):
    """Applied versions before/after; for amended rows also the recorded fingerprint before/after."""
    diff = dict(before={"applied": before}, after={"applied": before + applied})
    if amended:
        diff["before"]["amended"] = dict((m.version, mig.fingerprint_digest(history[m.version]["statements"])) for m in amended)
        diff["after"]["amended"] = dict((m.version, mig.fingerprint_digest(m.statements)) for m in amended)
    return diff


def _apply_locked(module, conn, migrations, result):
    params = module.params
    schema = params["ledger_schema"]
    key = mig.lock_key(schema)
    with conn.cursor() as cur:
        try:
            cur.execute("SET lock_timeout = %s", ("%ds" % params["lock_timeout"],))
            cur.execute("SELECT pg_advisory_lock(%s)", (key,))
            cur.execute("RESET lock_timeout")
            conn.commit()
        except Exception as exc:
            conn.rollback()
            module.fail_json(
                msg="Failed to take the migration lock within %ds (another run is applying migrations?): %s"
                % (params["lock_timeout"], pg_error_message(exc)),
                **result
            )
        try:
            mig.ensure_ledger(cur, schema)
            conn.commit()
            # Re-plan under the lock: a concurrent run may have applied or amended some files meanwhile.
            history = mig.read_history(cur, schema)
            pending = mig.plan(migrations, history, params["allow_out_of_order"])
            amended = mig.amendments(migrations, history)
            in_transaction = []
            for migration in amended:
                mig.amend_ledger(cur, migration, schema, history[migration.version]["statements"])
                if params["transaction"] == "per_file":
                    conn.commit()
                    result["amended"].append(migration.to_dict())
                else:
                    in_transaction.append(("amended", migration.to_dict()))
            for migration in pending:
                mig.apply_migration(cur, migration, schema)
                if params["transaction"] == "per_file":
                    conn.commit()
                    result["applied"].append(migration.to_dict())
                else:
                    in_transaction.append(("applied", migration.to_dict()))
            conn.commit()
            for key, entry in in_transaction:
                result[key].append(entry)
        except mig.MigrationError as exc:
            conn.rollback()
            kept = ", ".join(["%s (ledger amended)" % m["file"] for m in result["amended"]]
                             + [m["file"] for m in result["applied"]]) or "none"
            module.fail_json(
                msg="%s. Nothing of that file was applied; files committed before it in this run: %s." % (str(exc), kept),
                **result
            )
        except Exception as exc:
            conn.rollback()
            module.fail_json(msg="Failed to apply migrations: %s" % pg_error_message(exc), **result)
        finally:
            if not conn.closed:
                try:
                    cur.execute("SELECT pg_advisory_unlock(%s)", (key,))
                    conn.commit()
                except Exception:  # the session ends right after; the lock goes with it
                    conn.rollback()


def main():
    argument_spec = postgres_argument_spec()
    argument_spec.update(
        path=dict(type="path", required=True),
        ledger_schema=dict(type="str", default="supabase_migrations"),
        transaction=dict(type="str", choices=["per_file", "all"], default="per_file"),
        allow_out_of_order=dict(type="bool", default=False),
        lock_timeout=dict(type="int", default=300),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    ensure_library(module)
    run(module)


if __name__ == "__main__":
    main()
