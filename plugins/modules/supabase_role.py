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
  description: How many statements were read and written.
  returned: always
  type: dict
  sample: {"reads": 6, "writes": 2}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _dsn, _pg_roles
from ansible_collections.insightpulseai.workbench.plugins.module_utils._postgres import (
    connect,
    connection_kwargs,
    connection_user,
    describe_target,
    ensure_library,
    pg_error_message,
    psycopg2,
    pgsql,
    postgres_argument_spec,
)

# libpq/server answers that mean "this password (or this role's login) was refused", as opposed to "unreachable".
_REFUSED_SQLSTATES = ("28P01", "28000")


def _try_login(module, admin_user, role, password):
    """True when ``role`` logs in with ``password``, False when refused; fail on any other connection error."""
    dsn, kwargs = connection_kwargs(module.params)
    kwargs = dict(kwargs, user=_dsn.login_user(role, admin_user), password=password)
    try:
        conn = psycopg2.connect(dsn, **kwargs)
    except psycopg2.OperationalError as exc:
        text = str(exc)
        code = getattr(exc, "pgcode", None)
        if code in _REFUSED_SQLSTATES or "password authentication failed" in text or "not permitted to log in" in text \
                or "does not exist" in text or "no password" in text:
            return False
        module.fail_json(msg="Could not try the password of role %s at %s: %s"
                             % (role, describe_target(module.params), text.strip().splitlines()[0] if text.strip() else code))
    conn.close()
    return True


def _session_user(conn):
    with conn.cursor() as cur:
        cur.execute("SELECT session_user")
        return cur.fetchone()[0]


def run(module):
    """Validate, read every role, plan, stop in check mode, apply in one transaction."""
    try:
        roles = _pg_roles.normalize_roles(module.params["roles"])
    except _pg_roles.RoleSpecError as exc:
        module.fail_json(msg=str(exc))
    conn = connect(module)
    reads = 0
    try:
        # The user name as given (Supabase's pooler wants <role>.<project-ref>; session_user would say "postgres").
        admin_user = connection_user(module.params) or _session_user(conn)
        plans = []
        before, after = [], []
        with conn.cursor() as cur:
            for desired in roles:
                current = _pg_roles.read_role(cur, desired["name"], desired["owned_schemas"])
                reads += 3 + 2 * len(desired["owned_schemas"])
                password_ok = None
                if desired["state"] == "present" and desired["password"] is not None and current is not None \
                        and current["login"]:
                    password_ok = _try_login(module, admin_user, desired["name"], desired["password"])
                    reads += 1
                schemas = None
                if current is None and desired["state"] == "present":
                    schemas = _pg_roles.read_schemas(cur, desired["name"], desired["owned_schemas"])
                plans.append((desired, _pg_roles.plan_role(desired, current, password_ok, schemas)))
                before.append(_pg_roles.describe_state(desired, current, password_ok))
                after.append(_pg_roles.desired_state(desired))
        conn.rollback()
        actions = [a for dummy, plan in plans for a in plan]
        result = dict(
            changed=bool(actions),
            actions=[a.description for a in actions],
            roles=[dict(name=d["name"], changed=bool(plan)) for d, plan in plans],
            requests=dict(reads=reads, writes=0),
        )
        if module._diff:
            result["diff"] = dict(before=dict(roles=before), after=dict(roles=after))
        if module.check_mode or not actions:
            module.exit_json(**result)
        passwords = dict((d["name"], d["password"]) for d in roles)
        with conn.cursor() as cur:
            for action in actions:
                if action.sets_password:
                    verifier = psycopg2.extensions.encrypt_password(
                        passwords[action.role], action.role, conn, "scram-sha-256")
                    query = pgsql.SQL("ALTER ROLE {} PASSWORD {}").format(
                        pgsql.Identifier(action.role), pgsql.Literal(verifier))
                else:
                    query = action.query
                try:
                    cur.execute(query)
                except psycopg2.Error as exc:
                    conn.rollback()
                    result["changed"] = False
                    result["requests"]["writes"] = 0
                    module.fail_json(msg="Failed to %s (nothing was applied): %s"
                                         % (action.description, pg_error_message(exc)), **result)
                result["requests"]["writes"] += 1
        conn.commit()
        module.exit_json(**result)
    finally:
        conn.close()


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
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    ensure_library(module)
    run(module)


if __name__ == "__main__":
    main()
