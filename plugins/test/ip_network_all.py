# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: ip_network_all
short_description: Whether a value is a network that holds every address (0.0.0.0/0, ::/0)
version_added: 0.1.0
description:
  - True for V(0.0.0.0/0), V(::/0) and any other spelling of a network with prefix length 0 (such as
    V(10.0.0.0/0)). An allow-list with such an entry allows everybody.
options:
  _input:
    description: The value to test.
    type: raw
    required: true
seealso:
  - plugin: insightpulseai.workbench.ip_network
    plugin_type: test
author:
  - InsightPulseAI platform team (@insightpulseai)
"""

EXAMPLES = r"""
- name: Refuse an allow-list that allows everybody
  ansible.builtin.assert:
    that: traefik_n8n_admin_source_ranges | select('insightpulseai.workbench.ip_network_all') | list | length == 0
"""

RETURN = r"""
_value:
  description: Whether the value is a network of every address.
  type: bool
"""

from ansible_collections.insightpulseai.workbench.plugins.test.ip_network import network_of


def ip_network_all(value):
    """A network of every address: 0.0.0.0/0 or ::/0 (however spelt)."""
    network = network_of(value)
    return network is not None and network.prefixlen == 0


class TestModule(object):
    """ip_network_all."""

    def tests(self):
        """The tests of this plugin."""
        return {"ip_network_all": ip_network_all}
