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
actions:
  description:
    - What was (in check mode, would be) done, in order, one line per file, for example C(amend the ledger row of
      001_metadata_schema.sql) and C(apply 002_medallion_schemas.sql).
  returned: always
  type: list
  elements: str
  sample: ["apply 002_medallion_schemas.sql"]
requests:
  description:
    - The SQL statements the module sent, as C(reads) (C(SELECT), C(SHOW), read-only C(WITH)) and C(writes) (every other
      statement; the files' statements, the ledger rows, the lock and C(SET) statements).
  returned: always
  type: dict
  contains:
    reads:
      description: C(SELECT), C(SHOW) and read-only C(WITH) statements.
      type: int
    writes:
      description: Every other statement.
      type: int
  sample: {"reads": 4, "writes": 12}
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
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _pg_migrations as mig
from ansible_collections.insightpulseai.workbench.plugins.module_utils._pg_client import (
    PostgresRun,
    connect,
    pg_error_message,
    postgres_argument_spec,
    psycopg2,
)
from ansible_collections.insightpulseai.workbench.plugins.module_utils._runtime import Plan, ServiceError


def _actions(applied, amended):
    """One line per amended ledger row, then per applied file (the order they are done in)."""
    return ["amend the ledger row of %s" % m["file"] for m in amended] + ["apply %s" % m["file"] for m in applied]


def _diff(before, applied, history, amended):
    """Applied versions before/after; for amended rows also the recorded fingerprint before/after."""
    diff = dict(before={"applied": before}, after={"applied": before + applied})
    if amended:
        diff["before"]["amended"] = dict(
            (m.version, mig.fingerprint_digest(history[m.version]["statements"])) for m in amended
        )
        diff["after"]["amended"] = dict((m.version, mig.fingerprint_digest(m.statements)) for m in amended)
    return diff


class Run(PostgresRun):
    """Plan from the ledger read once; apply under the migration lock, re-planned there, committing per file (or
    once, O(transaction=all)) as the Supabase CLI does."""

    def __init__(self, module):
        PostgresRun.__init__(self, module)
        self.history = {}
        self.amended = []

    def open(self):
        """This module's connect() (the unit tests replace it)."""
        return connect(self.module)

    def validate(self):
        """The migration files (a bad directory or file fails before connecting) and the files skipped."""
        migrations, skipped = mig.load_migrations(self.module.params["path"])
        self.result.update(applied=[], pending=[], amended=[], rls_enabled_tables=[], skipped_files=skipped)
        return migrations

    def read(self, spec):
        """The ledger's history; the read transaction ends here, so the lock is never waited for inside it."""
        history = mig.read_history(self.cur, self.module.params["ledger_schema"])
        self.conn.rollback()
        return history

    def plan(self, spec, current):
        """The pending files and the ledger rows to amend (each amendment warned about), refusing any other drift."""
        self.history = current
        pending = mig.plan(spec, current, self.module.params["allow_out_of_order"])
        self.amended = mig.amendments(spec, current)
        for migration in self.amended:
            self.module.warn(
                "%s: the database ran an earlier version of this file (fingerprint %s, declared in its %s header); "
                "its ledger row %s amended to the current statements, which are not run here. Their effect must "
                "already be present in this database."
                % (
                    migration.filename,
                    mig.fingerprint_digest(current[migration.version]["statements"]),
                    mig.AMENDS_MARK,
                    "would be" if self.check_mode else "is",
                )
            )
        pending_dicts = [m.to_dict() for m in pending]
        amended_dicts = [m.to_dict() for m in self.amended]
        diff = _diff(sorted(current, key=mig.version_key), [m.version for m in pending], current, self.amended)
        return Plan(
            _actions(pending_dicts, amended_dicts),
            before=diff["before"],
            after=diff["after"],
            pending=pending_dicts,
            amended=amended_dicts,
            rls_enabled_tables=mig.rls_enabled_tables(pending),
        )

    def apply(self, spec, plan):
        """Take the lock, apply what is still to do under it, release it; the result says what really happened."""
        self.result.update(applied=[], amended=[])
        key = mig.lock_key(self.module.params["ledger_schema"])
        self._lock(key)
        try:
            self._apply_locked(spec)
        finally:
            self._unlock(key)
        self.applied = True
        return self._outcome()

    def _outcome(self):
        """changed, actions and the diff from what was applied and amended (a concurrent run may have done some)."""
        applied, amended = self.result["applied"], self.result["amended"]
        keys = dict(changed=bool(applied or amended), actions=_actions(applied, amended))
        self.result.pop("diff", None)
        if keys["changed"] and self.module._diff:
            done = set(m["version"] for m in amended)
            keys["diff"] = _diff(
                sorted(self.history, key=mig.version_key),
                [m["version"] for m in applied],
                self.history,
                [m for m in self.amended if m.version in done],
            )
        return keys

    def _lock(self, key):
        """Wait (at most lock_timeout seconds) for the ledger's advisory lock; ServiceError when it is not free."""
        timeout = self.module.params["lock_timeout"]
        try:
            self.cur.execute("SET lock_timeout = %s", ("%ds" % timeout,))
            self.cur.execute("SELECT pg_advisory_lock(%s)", (key,))
            self.cur.execute("RESET lock_timeout")
            self.conn.commit()
        except psycopg2.Error as exc:
            self.conn.rollback()
            raise ServiceError(
                "Failed to take the migration lock within %ds (another run is applying migrations?): %s"
                % (timeout, pg_error_message(exc))
            )

    def _unlock(self, key):
        """Release the advisory lock (the session ends right after, and the lock goes with it if this fails)."""
        if self.conn.closed:
            return
        try:
            self.cur.execute("SELECT pg_advisory_unlock(%s)", (key,))
            self.conn.commit()
        except psycopg2.Error:
            self.conn.rollback()

    def _apply_locked(self, migrations):
        """Re-plan under the lock, amend and apply; a failure rolls back the file (or, with transaction=all, all)."""
        try:
            self._amend_and_apply(migrations)
        except mig.MigrationError as exc:
            self.conn.rollback()
            raise exc.__class__(
                "%s. Nothing of that file was applied; files committed before it in this run: %s."
                % (exc.msg, self._kept()),
                written=self._written(),
            )
        except psycopg2.Error as exc:
            self.conn.rollback()
            raise ServiceError("Failed to apply migrations: %s" % pg_error_message(exc), written=self._written())

    def _kept(self):
        """The files this run committed, for the failure message."""
        return (
            ", ".join(
                ["%s (ledger amended)" % m["file"] for m in self.result["amended"]]
                + [m["file"] for m in self.result["applied"]]
            )
            or "none"
        )

    def _written(self):
        """Whether this run committed anything."""
        return bool(self.result["amended"] or self.result["applied"])

    def _amend_and_apply(self, migrations):
        """The writes: the ledger, then amended rows, then pending files, committed per file or all at the end."""
        params = self.module.params
        schema = params["ledger_schema"]
        per_file = params["transaction"] == "per_file"
        mig.ensure_ledger(self.cur, schema)
        self.conn.commit()
        # Re-plan under the lock: a concurrent run may have applied or amended some files meanwhile.
        history = mig.read_history(self.cur, schema)
        pending = mig.plan(migrations, history, params["allow_out_of_order"])
        done = []
        for migration in mig.amendments(migrations, history):
            mig.amend_ledger(self.cur, migration, schema, history[migration.version]["statements"])
            done.append(("amended", migration.to_dict()))
            if per_file:
                self._commit(done)
        for migration in pending:
            mig.apply_migration(self.cur, migration, schema)
            done.append(("applied", migration.to_dict()))
            if per_file:
                self._commit(done)
        self._commit(done)

    def _commit(self, done):
        """Commit and move what the commit made permanent from ``done`` into the result."""
        self.conn.commit()
        for key, entry in done:
            self.result[key].append(entry)
        del done[:]


def main():
    """Module entry point."""
    argument_spec = postgres_argument_spec()
    argument_spec.update(
        path=dict(type="path", required=True),
        ledger_schema=dict(type="str", default="supabase_migrations"),
        transaction=dict(type="str", choices=["per_file", "all"], default="per_file"),
        allow_out_of_order=dict(type="bool", default=False),
        lock_timeout=dict(type="int", default=300),
    )
    Run(AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)).run()


if __name__ == "__main__":
    main()
