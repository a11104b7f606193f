# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
# PRIVATE: this fragment is not a public API and can have breaking changes at any time.

from __future__ import annotations


class ModuleDocFragment(object):
    DOCUMENTATION = r"""
options:
  url:
    description:
      - Base URL of the n8n instance, for example V(http://127.0.0.1:5678) or V(https://n8n.example.com).
        The public API path C(/api/v1) is added by the module (a URL that already ends with it is accepted).
      - If not set, the environment variable E(N8N_URL) is used.
    type: str
    required: true
  api_key:
    description:
      - An n8n public-API key (Settings > n8n API), sent as the C(X-N8N-API-KEY) header.
      - If not set, the environment variable E(N8N_API_KEY) is used.
      - Never logged or returned, and never part of an error message.
    type: str
    required: true
  validate_certs:
    description: Verify the server's TLS certificate. Only set to V(false) for a throwaway instance.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for each HTTP request.
      - Requests are retried with exponential backoff (honouring C(Retry-After)) on HTTP 429, 5xx and connection
        errors; a POST only when the server certainly did not act on it (429, 503, connection refused).
    type: int
    default: 30
requirements:
  - n8n 2.x with the public API enabled (tested with 2.41.1). The 1.x API cannot list credentials.
notes:
  - "Set the connection once for all n8n modules with
    C(module_defaults: {group/insightpulseai.workbench.n8n: {url: ..., api_key: ...}})."
  - "The modules talk to n8n from the host they run on (usually the controller, C(delegate_to: localhost))."
"""
