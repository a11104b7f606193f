# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# PRIVATE: this fragment is not a public API and can have breaking changes at any time.

from __future__ import annotations


class ModuleDocFragment(object):
    # Standard documentation fragment
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in C(check_mode) and return changed status prediction without modifying target.
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in C(check_mode)), when in diff mode.
  idempotent:
    description:
      - When run twice in a row outside check mode, with the same arguments, the second invocation indicates no change.
      - This assumes that the system controlled/queried by the module has not changed in a relevant way.
"""

    ACTIONGROUP_SUPABASE = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/insightpulseai.workbench.supabase) in C(module_defaults) to set the connection once.
    support: full
    membership:
      - insightpulseai.workbench.supabase
"""

    ACTIONGROUP_N8N = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/insightpulseai.workbench.n8n) in C(module_defaults) to set the connection once.
    support: full
    membership:
      - insightpulseai.workbench.n8n
"""

    ACTIONGROUP_DIGITALOCEAN = r"""
options: {}
attributes:
  action_group:
    description: Use C(group/insightpulseai.workbench.digitalocean) in C(module_defaults) to set the connection once.
    support: full
    membership:
      - insightpulseai.workbench.digitalocean
"""
