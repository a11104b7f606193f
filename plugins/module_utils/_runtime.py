# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The one module runtime of the collection: every module runs through ``ModuleRun``.

A run is always the same pipeline::

    validate()            the parameters -> a spec; raises SpecError before anything is read or written
    session()             a context for the rest (a database transaction, an API client); rolled back on failure
      read(spec)          the current state
      plan(spec, current) a Plan: the actions (empty when nothing is to do), before/after for the diff, own keys
      -- check mode stops here, with the plan and its diff --
      apply(spec, plan)   the writes; returns the module's own result keys
    exit                  one result shape: changed, actions, requests {reads, writes}, diff (with --diff), own keys

and fails the same way: a ``WorkbenchError`` (or one of its kinds) becomes ``fail_json`` with its message, the
result so far, ``error_kind`` and ``written`` (whether anything had been written when it was raised). Any other
exception is a bug and is left to Ansible's traceback.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib


class WorkbenchError(Exception):
    """Base of every error the collection raises on purpose. ``written`` says whether anything had been written (to
    the database, the API) when it was raised; ``details`` are added to the failed result (never secrets)."""

    kind = "error"

    def __init__(self, msg, written=False, **details):
        Exception.__init__(self, msg)
        self.msg = msg
        self.written = bool(written)
        self.details = details


class SpecError(WorkbenchError):
    """The input is wrong (a bad value, a combination that cannot work): raised before anything is written."""

    kind = "spec"

    def __init__(self, msg, **details):
        details.pop("written", None)
        WorkbenchError.__init__(self, msg, written=False, **details)


class DriftError(WorkbenchError):
    """The real state is one the module will not converge from on its own (it would lose or overwrite something)."""

    kind = "drift"


class ServiceError(WorkbenchError):
    """The service (PostgreSQL, n8n, the DigitalOcean API) refused a request, failed, or could not be reached."""

    kind = "service"


class Plan:
    """What a run would do. ``actions`` is a list of short strings (``create``, ``update description``, an SQL
    statement): empty means nothing to do. ``before``/``after`` are the diff's two sides (only shown with --diff and
    only when there are actions); ``keys`` are the module's own result keys for check mode and for a no-op."""

    def __init__(self, actions=(), before=None, after=None, **keys):
        self.actions = list(actions)
        self.before = before if before is not None else {}
        self.after = after if after is not None else {}
        self.keys = keys

    @property
    def changed(self):
        """Whether the plan has anything to do."""
        return bool(self.actions)


class ModuleRun:
    """Base of every module's run. A module subclasses it, overrides the hooks it needs and calls ``run()``.

    Hooks (all optional but ``plan``): ``validate``, ``session``, ``read``, ``plan``, ``apply``, ``requests``.
    ``self.module`` is the AnsibleModule, ``self.result`` the result being built (modules may add keys to it at any
    step: they are returned on success and on failure)."""

    def __init__(self, module):
        self.module = module
        self.result = dict(changed=False, actions=[], requests=dict(reads=0, writes=0))

    # ---------------------------------------------------------------------------------------------------- hooks
    def validate(self):
        """The spec the run works from: by default the module's parameters. Raise SpecError for bad input."""
        return self.module.params

    def session(self):
        """A context manager around read, plan and apply (a transaction, a client); by default nothing."""
        return contextlib.nullcontext()

    def read(self, spec):
        """The current state (None when there is nothing yet)."""
        return None

    def plan(self, spec, current):
        """A Plan from the spec and the current state; must not write. By default nothing to do (every module of the
        collection overrides it: tests/unit/plugins/test_module_runtime_conformance.py checks that)."""
        return Plan()

    def apply(self, spec, plan):
        """Carry the plan out (never called in check mode or for an empty plan); returns the module's own keys."""
        return {}

    def requests(self):
        """The requests made so far, as ``{"reads": n, "writes": n}`` (API calls or SQL statements)."""
        return dict(reads=0, writes=0)

    # ---------------------------------------------------------------------------------------------------- driver
    @property
    def check_mode(self):
        """Whether this is a check (plan-only) run."""
        return self.module.check_mode

    def record(self, plan):
        """Put a plan into the result: changed, actions, the diff (with --diff) and the plan's own keys."""
        self.result.update(plan.keys)
        self.result.update(changed=plan.changed, actions=list(plan.actions))
        if plan.changed and self.module._diff:
            self.result["diff"] = dict(before=plan.before, after=plan.after)

    def run(self):
        """validate -> session(read -> plan -> [check mode stops] -> apply) -> exit; WorkbenchError -> fail."""
        try:
            spec = self.validate()
            with self.session():
                current = self.read(spec)
                plan = self.plan(spec, current)
                self.record(plan)
                if plan.changed and not self.check_mode:
                    self.result.update(self.apply(spec, plan) or {})
        except WorkbenchError as exc:
            self.fail(exc.msg, error=exc)
        self.exit()

    def exit(self, **keys):
        """Exit successfully with the result, the request counts and ``keys``."""
        self.result.update(keys)
        self.result["requests"] = self.requests()
        self.module.exit_json(**self.result)

    def fail(self, msg, error=None, **keys):
        """Fail with ``msg``, the result so far, the request counts, the error's kind and whether anything was
        written (from ``error``, a WorkbenchError, when given), and ``keys``."""
        self.result.update(keys)
        if error is not None:
            self.result.update(error.details)
            self.result.update(error_kind=error.kind, written=error.written)
        self.result["requests"] = self.requests()
        self.module.fail_json(msg=msg, **self.result)
