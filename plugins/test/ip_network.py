# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: ip_network
short_description: Whether a value is an IPv4 or IPv6 address or network (CIDR)
version_added: 0.1.0
description:
  - True for an address (V(203.0.113.7), V(2001:db8::1)) or a network in CIDR notation (V(203.0.113.0/24),
    V(2001:db8::/32)), the forms Traefik's C(ipAllowList) C(sourceRange) takes; host bits may be set, as Traefik
    allows. Python's C(ipaddress), no extra library.
seealso:
  - plugin: insightpulseai.workbench.ip_network_all
    plugin_type: test
options:
  _input:
    description: The value to test.
    type: raw
    required: true
author:
  - InsightPulseAI platform team (@insightpulseai)
"""

EXAMPLES = r"""
- name: Refuse an allow-list entry that is not an address or network
  ansible.builtin.assert:
    that: traefik_n8n_admin_source_ranges | reject('insightpulseai.workbench.ip_network') | list | length == 0
"""

RETURN = r"""
_value:
  description: Whether the value is an address or network.
  type: bool
"""

import ipaddress


def network_of(value):
    """The ``ipaddress`` network of an address or CIDR string, None for anything else."""
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        return None
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        return None


def ip_network(value):
    """An IPv4/IPv6 address or CIDR network."""
    return network_of(value) is not None


class TestModule(object):
    """ip_network."""

    def tests(self):
        """The tests of this plugin."""
        return {"ip_network": ip_network}
