#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
module: n8n_api_key
short_description: Ensure an n8n public-API key of a user, identified by its label, and return it
version_added: 0.1.0
description:
  - Logs in to n8n 2.x as a user (C(POST /rest/login), normally the instance owner) and makes sure that user has
    exactly one public-API key with O(label), with O(scopes), and that the caller holds its raw value.
  - B(Where the key is kept is the caller's business.) n8n shows a raw key only once, when it is created. Pass the
    copy you kept from the last run as O(api_key); when n8n's public API accepts it and it is the labelled key, it
    stays the key (C(changed=false), RV(created=false)). Otherwise its raw value is lost, so the labelled key is
    deleted and a new one is created and returned as RV(api_key) (C(changed=true), RV(created=true)); store it (a
    Kubernetes Secret, a 0600 file, vault) and pass it as O(api_key) next time.
  - B(Never shown.) A new key is returned for the next tasks to use, so register the result in a task with
    C(no_log=true). It is never part of the diff, of RV(key) or of an error message, and neither is the password.
  - A labelled key whose scopes differ from O(scopes) gets them set in place (the key itself does not change).
options:
  api_key:
    description:
      - The copy of the key kept from an earlier run, if any. Reused when n8n accepts it and it is the labelled key.
      - If not set, the environment variable E(N8N_API_KEY) is used; empty means no copy. Never logged.
    type: str
    required: false
  owner_email:
    description:
      - E-mail of the n8n user the key belongs to (the instance owner for keys that manage every workflow).
      - If not set, the environment variable E(N8N_OWNER_EMAIL) is used.
    type: str
    required: true
  owner_password:
    description:
      - That user's password. Never logged, returned or shown in an error.
      - If not set, the environment variable E(N8N_OWNER_PASSWORD) is used.
    type: str
    required: true
  label:
    description: The key's label; a user's labels are unique in n8n (at most 50 characters).
    type: str
    default: insightpulseai.workbench
  scopes:
    description:
      - The key's scopes, for example V(workflow:read). Default (or empty) is every scope a key of this user may
        have (C(GET /rest/api-keys/scopes)).
      - A scope the user's keys cannot have fails the task before anything is written.
    type: list
    elements: str
  state:
    description: V(present) ensures the key; V(absent) deletes the labelled key.
    type: str
    choices: [present, absent]
    default: present
extends_documentation_fragment:
  - insightpulseai.workbench._n8n
  - insightpulseai.workbench._attributes
  - insightpulseai.workbench._attributes.ACTIONGROUP_N8N
attributes:
  check_mode:
    support: full
    details:
      - Logs in and reads, then reports what would be done; never creates, changes or deletes a key.
      - When a key would be created, RV(api_key) is empty (the key does not exist yet).
  diff_mode:
    support: partial
    details: Shows the key's id, label and scopes, never the key.
  idempotent:
    support: full
    details: Unchanged while the stored copy passed as O(api_key) is accepted and the scopes match.
notes:
  - The login goes through n8n's internal REST API, which the editor uses; the login and the key management are not
    part of n8n's public API. Tested with n8n 2.41.1. An account with two-factor authentication cannot log in here.
  - The module talks to O(url) from the host it runs on; put that host in the editor's IP allow-list.
seealso:
  - module: insightpulseai.workbench.n8n_workflow
  - module: insightpulseai.workbench.n8n_credential
author:
  - InsightPulseAI platform team (@insightpulseai)
"""

EXAMPLES = r"""
- name: Ensure the collection's API key (reusing the copy kept in a file)
  insightpulseai.workbench.n8n_api_key:
    url: https://n8n.example.com
    api_key: "{{ lookup('ansible.builtin.file', '/srv/n8n/api.key', errors='ignore') | default('', true) }}"
    owner_email: owner@example.com
    owner_password: "{{ vault_n8n_owner_password }}"
  register: n8n_key
  no_log: true

- name: Keep the key for the next run
  ansible.builtin.copy:
    content: "{{ n8n_key.api_key }}"
    dest: /srv/n8n/api.key
    mode: "0600"
  when: n8n_key.created and not ansible_check_mode
  no_log: true

- name: Revoke it
  insightpulseai.workbench.n8n_api_key:
    url: https://n8n.example.com
    owner_email: owner@example.com
    owner_password: "{{ vault_n8n_owner_password }}"
    state: absent
"""

RETURN = r"""
api_key:
  description:
    - The new raw key when this run created one (RV(created)); register the task with C(no_log).
    - Empty otherwise - the copy passed as O(api_key) stays the key (Ansible masks a C(no_log) option's value in
      results, so it is not repeated here) - and in check mode, where a key would be created but is not.
  returned: always
  type: str
  sample: eyJhbGciOi...
created:
  description: Whether this run created a key (check mode - whether it would); when false, O(api_key) stays the key.
  returned: always
  type: bool
  sample: true
key:
  description: The labelled key after the run (empty when absent, or planned in check mode). Never holds the key.
  returned: always
  type: dict
  sample: {"id": "Wm4sLpEgOzS8yQ0b", "label": "insightpulseai.workbench", "scopes": ["workflow:read"],
           "createdAt": "2026-01-01T00:00:00.000Z"}
stored_key_accepted:
  description: Whether n8n's public API accepted O(api_key) (false when none was given).
  returned: always
  type: bool
  sample: false
actions:
  description:
    - What was done (check mode - what would be done), for example V(create API key 'insightpulseai.workbench'),
      V(delete API key 'insightpulseai.workbench' (id Wm4sLpEgOzS8yQ0b)) or V(set the scopes of API key
      'insightpulseai.workbench'); empty when nothing was to do.
  returned: always
  type: list
  elements: str
  sample: ["create API key 'insightpulseai.workbench'"]
requests:
  description: HTTP requests this run made to n8n, split into reads and writes (the login is a POST, one write).
  returned: always
  type: dict
  contains:
    reads:
      description: Requests that only read (GET).
      type: int
    writes:
      description: Requests that may write (POST, PUT, PATCH, DELETE).
      type: int
  sample: {"reads": 3, "writes": 2}
operation:
  description:
    - V(create), V(replace) (no usable stored copy, the labelled key renewed), V(update), V(delete) or V(none).
    - "Deprecated: use C(actions); removed in 2.0.0."
  returned: always
  type: str
  sample: create
changes:
  description:
    - What differs, in words (no values).
    - "Deprecated: use C(actions); removed in 2.0.0."
  returned: always
  type: list
  elements: str
  sample: ["created"]
api_requests:
  description:
    - HTTP requests this run made to n8n, in total and how many of them wrote (the login counts as one).
    - "Deprecated: use C(requests); removed in 2.0.0."
  returned: always
  type: dict
  sample: {"requests": 4, "writes": 1}
"""

from ansible.module_utils.basic import AnsibleModule, env_fallback
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _n8n_api_keys as keys
from ansible_collections.insightpulseai.workbench.plugins.module_utils._n8n_client import (
    N8nApiError,
    N8nClient,
    N8nRun,
    n8n_argument_spec,
    reword,
)
from ansible_collections.insightpulseai.workbench.plugins.module_utils._runtime import Plan, ServiceError, SpecError


class Run(N8nRun):
    """Log in, read the labelled keys and whether the stored copy works, plan, delete/update/create."""

    def __init__(self, module):
        N8nRun.__init__(self, module)
        self.result.update(api_key="", created=False, key={}, operation="none", changes=[], stored_key_accepted=False)

    def validate(self):
        """The parameters (label within n8n's limit); the client."""
        p = self.module.params
        if not 1 <= len(p["label"]) <= 50:
            raise SpecError("label=%r must be 1 to 50 characters (n8n's limit)" % p["label"])
        self.client = N8nClient.from_module(self.module)
        return dict(p, api_key=p["api_key"] or "")

    def read(self, spec):
        """The labelled keys, the scopes to want (checked against those allowed) and whether the stored copy works."""
        self.login(spec)
        try:
            labelled = keys.labelled(self.client.list_api_keys(spec["label"]), spec["label"])
            scopes = spec["scopes"]
            if spec["state"] == "present":
                allowed = self.client.api_key_scopes()
                scopes = scopes or allowed
                keys.check_scopes(scopes, allowed)
            works = bool(spec["api_key"]) and self.client.api_key_works(spec["api_key"])
        except N8nApiError as exc:
            raise exc.failure(
                "Failed to read the API keys of %s at %s: %s" % (spec["owner_email"], self.client.base_url, exc)
            )
        except keys.ApiKeyError as exc:
            raise reword(exc, "Invalid scopes for API key %r: %s" % (spec["label"], exc))
        self.result["stored_key_accepted"] = works
        return dict(labelled=labelled, scopes=scopes or [], works=works)

    def login(self, spec):
        """Log in as the owner; a refused login names the e-mail, never the password."""
        try:
            self.client.login(spec["owner_email"], spec["owner_password"])
        except N8nApiError as exc:
            where = "Failed to log in to %s as %s" % (self.client.base_url, spec["owner_email"])
            if exc.status in (400, 401, 403):
                raise exc.failure(
                    "%s: %s. Check the owner's e-mail and password (an account with two-factor "
                    "authentication cannot log in here)." % (where, exc.message or exc)
                )
            raise exc.failure("%s: %s" % (where, exc))

    def plan(self, spec, current):
        """keys.plan(), its actions (deletes, the scopes set, the create) and a diff without any key."""
        step = keys.plan(spec["state"], current["labelled"], spec["api_key"], current["works"], current["scopes"])
        kept = ([k for k in current["labelled"] if k["id"] not in step["delete"]] or [None])[0]
        actions = ["delete API key %r (id %s)" % (spec["label"], key_id) for key_id in step["delete"]]
        if step["update"]:
            actions.append("set the scopes of API key %r" % spec["label"])
        present = spec["state"] == "present"
        if present and not step["reuse"]:
            actions.append("create API key %r" % spec["label"])
        before = keys.summary(current["labelled"][0]) if current["labelled"] else {}
        after = (
            {}
            if not present
            else dict(
                keys.summary(kept, current["scopes"])
                if step["reuse"]
                else dict(label=spec["label"], scopes=sorted(current["scopes"])),
                key="<unchanged>" if step["reuse"] else "<new key: never shown>",
            )
        )
        self.step, self.scopes, self.kept = step, current["scopes"], kept if step["reuse"] else None
        return Plan(
            actions,
            before=before,
            after=after,
            operation=step["action"],
            changes=step["changes"],
            created=present and not step["reuse"],
            key=keys.summary(self.kept) if present else {},
        )

    def apply(self, spec, plan):
        """Delete the stale keys, set the scopes, create the new key; returns it (the raw key only when created)."""
        step, after, raw = self.step, self.kept, ""
        try:
            for key_id in step["delete"]:
                self.client.delete_api_key(key_id)
            if step["update"]:
                self.client.update_api_key(step["update"], spec["label"], self.scopes)
                after = dict(after, scopes=self.scopes)
            if spec["state"] == "present" and not step["reuse"]:
                after = self.client.create_api_key(spec["label"], self.scopes) or {}
                raw = after.get("rawApiKey") or ""
                if not raw:
                    raise ServiceError(
                        "n8n created API key %r but did not return it (no rawApiKey in its answer)" % spec["label"],
                        written=True,
                    )
        except N8nApiError as exc:
            verb = {"delete": "delete", "update": "update"}.get(step["action"], "create")
            raise exc.failure("Failed to %s API key %r of %s: %s" % (verb, spec["label"], spec["owner_email"], exc))
        return dict(key=keys.summary(after) if spec["state"] == "present" else {}, api_key=raw)


def main():
    """The argument spec; the run is ``Run``'s."""
    argument_spec = n8n_argument_spec()
    argument_spec.update(
        api_key=dict(type="str", no_log=True, fallback=(env_fallback, ["N8N_API_KEY"])),
        owner_email=dict(type="str", required=True, fallback=(env_fallback, ["N8N_OWNER_EMAIL"])),
        owner_password=dict(type="str", required=True, no_log=True, fallback=(env_fallback, ["N8N_OWNER_PASSWORD"])),
        label=dict(type="str", default="insightpulseai.workbench"),
        scopes=dict(type="list", elements="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    Run(AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)).run()


if __name__ == "__main__":
    main()
