# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: n8n credentials as desired state. Not a public API.

What n8n 2.x allows (measured on 2.41.1, see n8n's public-api credentials controller):
- list (id, name, type, timestamps), get (the same), create (name, type, data; optional own id), PATCH (name, data:
  replace or merge), delete. ``data`` is write-only: no endpoint returns it, not even its non-secret fields.
- ``data`` is validated against the credential type's schema, which has ``additionalProperties: false``, and the
  public API has no other free-form field (no description): n8n offers no place to keep a fingerprint of the data.
- Names are not unique.

Hence: identity is (type, name), several matches is an error, and whether ``data`` is written to an existing
credential cannot be decided by comparison. It is decided by ``update_data``: ``on_create`` writes data only when the
credential is created; ``always`` writes it on every run and reports a change (use it to rotate a secret).
"""

from __future__ import annotations

from ansible_collections.insightpulseai.workbench.plugins.module_utils._runtime import (
    DriftError,
    SpecError,
    WorkbenchError,
)


class CredentialError(WorkbenchError):
    """Base of this file's errors, all raised before anything is written: ``InvalidCredential`` or
    ``AmbiguousCredential``."""


class InvalidCredential(SpecError, CredentialError):
    """The desired credential is wrong (its data does not fit the type's schema)."""


class AmbiguousCredential(DriftError, CredentialError):
    """Several credentials have the type and name: the module will not pick one."""


def find(credentials, ctype, name):
    """The credential of type ``ctype`` named exactly ``name`` (None without one); AmbiguousCredential for several."""
    found = [c for c in credentials or [] if c.get("type") == ctype and c.get("name") == name]
    if len(found) > 1:
        raise AmbiguousCredential(
            "%d credentials of type %s are named %r (ids %s): rename or delete the extra ones"
            % (len(found), ctype, name, ", ".join(sorted(c["id"] for c in found)))
        )
    return found[0] if found else None


def check_data(schema, data, ctype):
    """Reject keys the credential type does not have, and missing required keys, naming them (never their values)."""
    if not isinstance(data, dict):
        raise InvalidCredential("data must be a mapping of the %s credential's fields" % ctype)
    props = (schema or {}).get("properties") or {}
    if props:
        unknown = sorted(set(data) - set(props))
        if unknown:
            raise InvalidCredential(
                "data has field(s) %s that a %s credential does not have; its fields are: %s"
                % (", ".join(unknown), ctype, ", ".join(sorted(props)))
            )
        for key, value in data.items():
            spec = props.get(key) or {}
            allowed = spec.get("enum")
            if allowed and value not in allowed:
                raise InvalidCredential(
                    "data.%s must be one of %s for a %s credential" % (key, ", ".join(map(str, allowed)), ctype)
                )
            expected = spec.get("type")
            if value is not None and expected in _TYPES and not _TYPES[expected](value):
                raise InvalidCredential("data.%s must be a %s for a %s credential" % (key, expected, ctype))
    missing = sorted(k for k in (schema or {}).get("required") or [] if k not in data)
    if missing:
        raise InvalidCredential("data lacks the required field(s) %s of a %s credential" % (", ".join(missing), ctype))


_TYPES = {
    "string": lambda v: isinstance(v, str),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
}


def plan(current, state, update_data):
    """(action, changes): action is create | update_data | delete | none."""
    if state == "absent":
        return ("delete", ["deleted"]) if current else ("none", [])
    if current is None:
        return "create", ["created"]
    if update_data == "always":
        return "update_data", ["data written (update_data=always)"]
    return "none", []


def data_view(data):
    """What diff mode may show of ``data``: its field names only."""
    if data is None:
        return None
    return "<write-only: fields %s; values not shown>" % ", ".join(sorted(data))


def summary(cred):
    """What modules return of a credential (never its data: n8n does not return it anyway)."""
    if not cred:
        return {}
    return dict((k, cred.get(k)) for k in ("id", "name", "type", "createdAt", "updatedAt"))
