#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: supabase_role
short_description: Keep least-privileged PostgreSQL login roles for automation converged
version_added: 0.2.0
description:
  - Creates or updates the login roles that automation (n8n, pipeline runners) connects as, so that nothing connects
    as the database owner. Privileges on tables belong in migrations; this module owns what must not be in a
    migration (the passwords) and what a migration cannot know (LOGIN, connection limit, per-role settings, ownership
    of a schema such as n8n's own).
  - A managed role is never a superuser and never has CREATEROLE, CREATEDB, REPLICATION or BYPASSRLS; a role that has
    one of them is altered to drop it.
  - A password is compared by logging in with it (the same server, database and connection settings as the module's
    own connection), because Supabase does not let the owner read C(pg_authid). It is set as a SCRAM-SHA-256 verifier
    computed on the controller, so the plain text never reaches the server (nor its statement log), a diff, or the
    output.
  - All roles are planned first and applied in one transaction, so a failure applies none of them.
options:
  roles:
    description: The roles.
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Role name (lower case). Supabase and PostgreSQL roles (V(postgres), V(authenticated), C(pg_*)...) are refused.
        type: str
        required: true
      state:
        description: V(absent) drops the role (it fails, with the server's reason, while the role still owns objects).
        type: str
        choices: [present, absent]
        default: present
      login:
        description: Whether the role can log in.
        type: bool
        default: true
      inherit:
        description:
          - Whether the role uses the privileges of the roles it is a member of without C(SET ROLE).
          - Off by default, so a login that is a member of a more privileged role gets nothing until it switches.
        type: bool
        default: false
      password:
        description:
          - The password (at least 16 characters). Omit to leave the password as it is.
          - Never logged, returned or shown in a diff.
        type: str
      connection_limit:
        description: Maximum concurrent connections; V(-1) for no limit.
        type: int
        default: -1
      settings:
        description:
          - Role-level settings (C(ALTER ROLE ... SET)), for example C(statement_timeout) or
            C(idle_in_transaction_session_timeout). When given, exactly these are kept (others are reset); omit to
            leave them alone.
        type: dict
      owned_schemas:
        description:
          - Schemas the role must own, with every table, view, sequence, function and type in them (created when
            missing). For a service's own storage, such as n8n's C(n8n) schema. Supabase's and the workbench's schemas
            are refused.
        type: list
        elements: str
        default: []
extends_documentation_fragment:
  - insightpulseai.workbench._postgres
  - insightpulseai.workbench._attributes
  - insightpulseai.workbench._attributes.ACTIONGROUP_SUPABASE
attributes:
  check_mode:
    support: full
    details: Reads the roles and tries each password by logging in; reports the plan and changes nothing.
  diff_mode:
    support: full
    details: Attributes, settings, owned schemas and whether the password is accepted; never the password.
  idempotent:
    support: full
notes:
  - When the module connects through Supabase's pooler (a user name of the form C(postgres.<project-ref>)), the
    password check logs in as C(<role>.<project-ref>) through the same pooler.
  - The connecting role needs CREATEROLE (Supabase's C(postgres) has it) and, for O(roles[].owned_schemas), must be
    able to C(SET ROLE) to the managed role.
seealso:
  - module: insightpulseai.workbench.supabase_migration
author:
  - InsightPulseAI platform team (@insightpulseai)
"""

EXAMPLES = r"""
- name: Automation logins (privileges are granted by the migrations)
  insightpulseai.workbench.supabase_role:
    login_dsn: "{{ vault_supabase_db_url }}"
    roles:
      - name: workbench_automation
        password: "{{ vault_supabase_automation_password }}"
        connection_limit: 10
        settings:
          statement_timeout: 60s
      - name: workbench_n8n
        password: "{{ vault_supabase_n8n_password }}"
        owned_schemas: [n8n]
  no_log: true
"""

RETURN = r"""
actions:
  description: What was (or, in check mode, would be) done, one secret-free line each, in order.
  returned: always
  type: list
  elements: str
  sample: ["create role workbench_automation (login noinherit)", "set the password of workbench_automation"]
roles:
  description: Per role, its name and whether anything changed.
  returned: always
  type: list
  elements: dict
  sample: [{"name": "workbench_automation", "changed": true}]
requests:
  description:
    - The SQL statements the module sent, as C(reads) (C(SELECT), C(SHOW), read-only C(WITH)) and C(writes) (every
      other statement); each password check (one login attempt) counts as a read.
  returned: always
  type: dict
  contains:
    reads:
      description: C(SELECT), C(SHOW) and read-only C(WITH) statements.
      type: int
    writes:
      description: Every other statement.
      type: int
  sample: {"reads": 6, "writes": 2}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _pg_dsn, _pg_roles
from ansible_collections.insightpulseai.workbench.plugins.module_utils._pg_client import (
    PostgresRun,
    connection_user,
    pg_error_message,
    psycopg2,
    pgsql,
    postgres_argument_spec,
    try_login,
)
from ansible_collections.insightpulseai.workbench.plugins.module_utils._runtime import ModuleRun, Plan, ServiceError


class Run(PostgresRun):
    """Read every role, plan them all, apply every action in the run's one transaction (a failure applies none)."""

    def __init__(self, module):
        PostgresRun.__init__(self, module)
        self.steps = []  # the planned _pg_roles.Action objects, in order

    def validate(self):
        """The normalised roles; RoleSpecError (a SpecError) before anything is sent."""
        return _pg_roles.normalize_roles(self.module.params["roles"])

    def read(self, spec):
        """Per role ``(desired, current, password_ok, schemas)``: its state, whether the password logs in, and the
        state of the schemas it is to own when it does not exist yet."""
        # The user name as given (Supabase's pooler wants <role>.<project-ref>; session_user would say "postgres").
        admin_user = connection_user(self.module.params) or self._session_user()
        states = []
        for desired in spec:
            current = _pg_roles.read_role(self.cur, desired["name"], desired["owned_schemas"])
            password_ok = None
            if (
                desired["state"] == "present"
                and desired["password"] is not None
                and current is not None
                and current["login"]
            ):
                password_ok = self._try_login(admin_user, desired["name"], desired["password"])
            schemas = None
            if current is None and desired["state"] == "present":
                schemas = _pg_roles.read_schemas(self.cur, desired["name"], desired["owned_schemas"])
            states.append((desired, current, password_ok, schemas))
        return states

    def plan(self, spec, current):
        """Every role's actions (secret-free descriptions), per-role ``changed`` and the secret-free diff."""
        plans = [(desired, _pg_roles.plan_role(desired, have, ok, schemas)) for desired, have, ok, schemas in current]
        self.steps = [action for dummy, actions in plans for action in actions]
        return Plan(
            [action.description for action in self.steps],
            before=dict(roles=[_pg_roles.describe_state(desired, have, ok) for desired, have, ok, dummy in current]),
            after=dict(roles=[_pg_roles.desired_state(desired) for desired in spec]),
            roles=[dict(name=desired["name"], changed=bool(actions)) for desired, actions in plans],
        )

    def record(self, plan):
        """As the runtime records a plan, but with --diff the diff is shown for converged roles too."""
        ModuleRun.record(self, plan)
        if self.module._diff:
            self.result["diff"] = dict(before=plan.before, after=plan.after)

    def apply(self, spec, plan):
        """Run every action; the first the server refuses fails the run and the transaction is rolled back."""
        passwords = dict((desired["name"], desired["password"]) for desired in spec)
        for action in self.steps:
            try:
                self.cur.execute(self._statement(action, passwords))
            except psycopg2.Error as exc:
                self.result["changed"] = False
                raise ServiceError(
                    "Failed to %s (nothing was applied): %s" % (action.description, pg_error_message(exc))
                )
        self.applied = True
        return {}

    def _statement(self, action, passwords):
        """The SQL of an action; a password is set as a SCRAM verifier computed here, never as the plain text."""
        if not action.sets_password:
            return action.query
        verifier = psycopg2.extensions.encrypt_password(passwords[action.role], action.role, self.conn, "scram-sha-256")
        return pgsql.SQL("ALTER ROLE {} PASSWORD {}").format(pgsql.Identifier(action.role), pgsql.Literal(verifier))

    def _session_user(self):
        """The server's name of the connected user."""
        self.cur.execute("SELECT session_user")
        return self.cur.fetchone()[0]

    def _try_login(self, admin_user, role, password):
        """True when ``role`` logs in with ``password``, False when refused; ServiceError on any other connection
        error. Counted as a read."""
        self.counter.reads += 1
        try:
            return try_login(self.module.params, _pg_dsn.login_user(role, admin_user), password)
        except ServiceError as exc:
            raise ServiceError("Could not try the password of role %s: %s" % (role, exc))


def main():
    """Module entry point."""
    argument_spec = postgres_argument_spec()
    argument_spec.update(
        roles=dict(
            type="list",
            elements="dict",
            required=True,
            options=dict(
                name=dict(type="str", required=True),
                state=dict(type="str", choices=["present", "absent"], default="present"),
                login=dict(type="bool", default=True),
                inherit=dict(type="bool", default=False),
                password=dict(type="str", no_log=True),
                connection_limit=dict(type="int", default=-1),
                settings=dict(type="dict"),
                owned_schemas=dict(type="list", elements="str", default=[]),
            ),
        ),
    )
    Run(AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)).run()


if __name__ == "__main__":
    main()
