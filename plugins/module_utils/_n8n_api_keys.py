# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: an n8n public-API key as desired state. Not a public API.

What n8n 2.x allows (read in 2.41.1's ApiKeysController and PublicApiKeyService):
- keys belong to a user and are managed by that user through the internal REST API (/rest/api-keys), after a login;
  there is no public-API endpoint for them.
- a user's labels are unique (a database constraint on (userId, label)); a key never expires when created with
  ``expiresAt: null``; ``PATCH /rest/api-keys/{id}`` changes label and scopes, not the key.
- n8n shows the raw key once, in the answer of the create; lists show ``apiKey`` redacted to its last 4 characters.

Hence the key is identified by its label; a stored copy is reused when n8n's public API accepts it and its last
characters are those of the labelled key. Otherwise the raw key is lost: the labelled key (if any) is deleted and a
new one is created.
"""

from __future__ import annotations

from ansible_collections.insightpulseai.workbench.plugins.module_utils._runtime import SpecError

VISIBLE_CHARS = 4


class ApiKeyError(SpecError):
    """Invalid desired state (a scope the user's keys cannot have): raised before anything is written."""


def labelled(keys, label):
    """The keys whose label is exactly ``label`` (n8n's label filter is a case-insensitive substring match)."""
    return [k for k in keys or [] if k.get("label") == label]


def is_stored_copy(stored_key, key):
    """Whether ``stored_key`` is the raw form of ``key`` as n8n lists it (redacted to its last characters)."""
    shown = (key or {}).get("apiKey") or ""
    return (
        bool(stored_key) and len(stored_key) > VISIBLE_CHARS and shown[-VISIBLE_CHARS:] == stored_key[-VISIBLE_CHARS:]
    )


def check_scopes(wanted, allowed):
    """Reject scopes a key of this user cannot have, naming them."""
    unknown = sorted(set(wanted) - set(allowed))
    if unknown:
        raise ApiKeyError(
            "scope(s) %s are not among those an API key of this user may have: %s"
            % (", ".join(unknown), ", ".join(sorted(allowed)))
        )


def plan(state, keys, stored_key, stored_works, scopes):
    """What to do, as a dict: ``action`` (create | replace | update | delete | none), ``delete`` (ids to delete),
    ``update`` (the id whose scopes to set), ``reuse`` (whether the stored key stays the key) and ``changes``.

    ``keys`` are the labelled keys (normally none or one), ``stored_works`` whether n8n accepted ``stored_key``."""
    mine = [k for k in keys if stored_works and is_stored_copy(stored_key, k)]
    current = mine[0] if mine else None
    others = [k["id"] for k in keys if current is None or k["id"] != current["id"]]
    if state == "absent":
        ids = [k["id"] for k in keys]
        return dict(
            action="delete" if ids else "none", delete=ids, update=None, reuse=False, changes=["deleted"] if ids else []
        )
    if current is None:
        return dict(
            action="replace" if others else "create",
            delete=others,
            update=None,
            reuse=False,
            changes=(["replaced (no stored copy n8n accepts)"] if others else ["created"]),
        )
    changes = []
    update = None
    if sorted(current.get("scopes") or []) != sorted(scopes):
        update = current["id"]
        changes.append("scopes")
    if others:
        changes.append("stale keys of the label deleted")
    action = "update" if changes else "none"
    return dict(action=action, delete=others, update=update, reuse=True, changes=changes)


def summary(key, scopes=None):
    """What may be shown of a key: never the key itself, not even n8n's redacted form."""
    if not key:
        return {}
    out = dict((k, key.get(k)) for k in ("id", "label", "createdAt", "updatedAt") if k in key)
    out["scopes"] = sorted(scopes if scopes is not None else key.get("scopes") or [])
    return out
