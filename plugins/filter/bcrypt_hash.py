# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import annotations

DOCUMENTATION = r"""
name: bcrypt_hash
short_description: A bcrypt hash of a password, with a salt derived from a secret so that reruns give the same hash
version_added: 0.1.0
description:
  - Hashes a password with bcrypt (C($2b$)), the form n8n's C(N8N_INSTANCE_OWNER_PASSWORD_HASH) and Traefik's
    basic auth accept.
  - B(Idempotent.) With O(salt_key) the 16-byte salt is an HMAC-SHA256 of the password keyed with O(salt_key) (a
    high-entropy secret such as an encryption key), so the same password gives the same hash on every run and a
    Secret holding it does not change and pods do not restart; another password, or another key, gives another
    salt. Without O(salt_key) the salt is random (a new hash every run).
  - Uses the C(bcrypt) Python package when installed, else Python's C(crypt) module (Python 3.12 and older, on a
    libc with bcrypt support such as glibc's libxcrypt).
positional: salt_key
options:
  _input:
    description: The password, at most 72 bytes in UTF-8 (bcrypt ignores anything beyond).
    type: str
    required: true
  salt_key:
    description: The secret the salt is derived from; empty for a random salt.
    type: str
  rounds:
    description: The cost (log2 of the rounds), 4 to 31. n8n hashes with 10.
    type: int
    default: 10
notes:
  - The value is a secret's hash. Keep it in a Kubernetes Secret or vault, and the tasks handling it C(no_log).
author:
  - InsightPulseAI platform team (@insightpulseai)
"""

EXAMPLES = r"""
- name: The n8n owner's password hash, stable across runs
  ansible.builtin.set_fact:
    owner_hash: "{{ vault_n8n_owner_password | insightpulseai.workbench.bcrypt_hash(vault_n8n_encryption_key) }}"
  no_log: true
"""

RETURN = r"""
_value:
  description: The bcrypt hash, C($2b$<cost>$) followed by 53 characters.
  type: str
  sample: $2b$10$Xk3mYl0v5e8b1Q2wz3u4e.Q1mN2bV3cX4zL5kJ6hG7fD8sA9pO0iU
"""

import base64
import hashlib
import hmac
import os
import warnings

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_bytes, to_text

_STD = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_BCRYPT = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_MAX_BYTES = 72


def bcrypt64(raw):
    """bcrypt's base64 of 16 salt bytes (standard base64's bit order, its own alphabet, no padding): 22 characters."""
    return to_text(base64.b64encode(raw).rstrip(b"=").translate(bytes.maketrans(_STD, _BCRYPT)))


def hash_with_salt(password, salt):
    """bcrypt of ``password`` (bytes) with the full salt string ``$2b$NN$<22 chars>``."""
    try:
        import bcrypt
    except ImportError:
        bcrypt = None
    if bcrypt is not None:
        return to_text(bcrypt.hashpw(password, to_bytes(salt)))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            import crypt
    except ImportError:
        raise AnsibleFilterError("bcrypt_hash needs the bcrypt Python package on the controller (pip install bcrypt)")
    result = crypt.crypt(to_text(password, errors="surrogate_or_strict"), salt)
    if not result or not result.startswith(salt[:7]) or len(result) != 60:
        raise AnsibleFilterError(
            "bcrypt_hash: this Python's crypt module cannot make bcrypt hashes; install the bcrypt "
            "Python package on the controller (pip install bcrypt)"
        )
    return result


def bcrypt_hash(password, salt_key=None, rounds=10):
    """The filter: see DOCUMENTATION."""
    if not isinstance(password, str) or not password:
        raise AnsibleFilterError("bcrypt_hash expects a non-empty password string")
    secret = to_bytes(password, errors="surrogate_or_strict")
    if len(secret) > _MAX_BYTES:
        raise AnsibleFilterError(
            "bcrypt_hash: the password is %d bytes long, bcrypt uses at most %d" % (len(secret), _MAX_BYTES)
        )
    try:
        rounds = int(rounds)
    except (TypeError, ValueError):
        raise AnsibleFilterError("bcrypt_hash: rounds=%r is not a whole number" % (rounds,))
    if not 4 <= rounds <= 31:
        raise AnsibleFilterError("bcrypt_hash: rounds=%d must be 4 to 31" % rounds)
    if salt_key:
        raw = hmac.new(to_bytes(salt_key, errors="surrogate_or_strict"), secret, hashlib.sha256).digest()[:16]
    else:
        raw = os.urandom(16)
    return hash_with_salt(secret, "$2b$%02d$%s" % (rounds, bcrypt64(raw)))


class FilterModule(object):
    """bcrypt_hash."""

    def filters(self):
        return {"bcrypt_hash": bcrypt_hash}
