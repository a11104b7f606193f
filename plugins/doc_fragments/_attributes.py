# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# PRIVATE: this fragment is not a public API and can have breaking changes at any time.

from __future__ import annotations


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options: {}
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
