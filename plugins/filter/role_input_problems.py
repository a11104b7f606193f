# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The role_input_problems filter: a role's input rules (plugin_utils._inputs_<role>), run over its variables."""

from __future__ import annotations

import importlib

from ansible.errors import AnsibleFilterError

from ansible_collections.insightpulseai.workbench.plugins.plugin_utils._inputs import Inputs

# The roles with input rules: each has plugins/plugin_utils/_inputs_<role>.py with SECRETS and check(), which its
# preflight runs through this filter.
ROLES = (
    "awx_configure",
    "backup",
    "do_network",
    "doks_cluster",
    "litellm_gateway",
    "local_stack",
    "n8n_workflows",
    "supabase_schema",
    "traefik",
    "verify",
)
PACKAGE = "ansible_collections.insightpulseai.workbench.plugins.plugin_utils._inputs_"


def rules(role):
    """The rules module of ``role`` (its ``SECRETS`` and ``check(inputs)``)."""
    if role not in ROLES:
        raise AnsibleFilterError(
            "role_input_problems: %r is not a role of the collection (one of %s)" % (role, ", ".join(ROLES))
        )
    try:
        return importlib.import_module(PACKAGE + role)
    except ImportError as exc:
        raise AnsibleFilterError("role_input_problems: the rules of %s cannot be loaded: %s" % (role, exc))


def role_input_problems(values, role, check_mode=False, entry=None):
    """The problems of ``role``'s variables ``values`` (a mapping of its ``<role>_*`` names), as sentences;
    ``entry``: the entry point (tasks_from) being checked, for a role whose entry points take different inputs."""
    if not isinstance(values, dict):
        raise AnsibleFilterError(
            "role_input_problems: expected the role's variables as a mapping, got %s" % type(values).__name__
        )
    module = rules(role)
    inputs = Inputs(values, check_mode=check_mode, secrets=getattr(module, "SECRETS", ()), entry=entry)
    module.check(inputs)
    return list(inputs.problems)


class FilterModule(object):
    """role_input_problems."""

    def filters(self):
        """The filters of this plugin."""
        return {"role_input_problems": role_input_problems}
