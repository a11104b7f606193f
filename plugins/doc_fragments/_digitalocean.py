# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# PRIVATE: this fragment is not a public API and can have breaking changes at any time.

from __future__ import annotations


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  api_token:
    description:
      - DigitalOcean personal access token (read + write scopes for the resources the module manages).
      - If not set, the first of the environment variables E(DO_API_TOKEN), E(DO_API_KEY), E(DO_OAUTH_TOKEN),
        E(DIGITALOCEAN_TOKEN) and E(DIGITALOCEAN_ACCESS_TOKEN) is used. Never logged or returned.
    type: str
    required: true
    aliases: [oauth_token]
  api_url:
    description:
      - Base URL of the DigitalOcean API v2. Change it only for a proxy or a test double.
      - If not set, the environment variable E(DO_API_URL) is used.
    type: str
    default: https://api.digitalocean.com/v2
    aliases: [baseurl]
  validate_certs:
    description: Verify the API's TLS certificate.
    type: bool
    default: true
  timeout:
    description: Seconds to wait for each API response.
    type: int
    default: 30
  retries:
    description: Retries of a request that got HTTP 429 or 5xx or no response, with exponential backoff.
    type: int
    default: 4
notes:
  - "Set the connection once for all DigitalOcean modules of this collection with
    C(module_defaults: {group/insightpulseai.workbench.digitalocean: {api_token: ...}})."
"""
