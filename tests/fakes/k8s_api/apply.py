"""Server-side apply (PATCH application/apply-patch+yaml), approximated with per-manager field sets.

What it does like the real thing: each applier (fieldManager) owns the fields of its last applied configuration,
recorded in metadata.managedFields (operation Apply, fieldsType FieldsV1, same fieldsV1 notation); applying a
configuration that no longer contains a field this manager owned (and nobody else owns) removes that field;
applying a field another Apply manager owns with a different value is a 409 Conflict unless force=true, which
moves the ownership. Keyed lists known to patch.MERGE_KEYS are associative (``k:{"name":...}``); every other list
and every primitive list is atomic.

An existing kubectl.kubernetes.io/last-applied-configuration annotation is never removed: the manager "kubectl"
rewrites it with its configuration, every other manager leaves it as it is (the API server's lastAppliedUpdater).

What it does not: writes other than apply record no ``Update`` entries, so no conflict ever comes from a field last
set by create/update/patch; no OpenAPI/CRD schema is read (x-kubernetes-list-type and friends are ignored).
"""

from __future__ import annotations

import copy
import json

from .patch import merge_key

# Fields that identify the object or belong to the server; an applied configuration never owns them.
_IGNORED_TOP = {"apiVersion", "kind", "status"}
_IGNORED_META = {
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "managedFields",
    "selfLink",
}


LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


class ApplyConflict(Exception):
    def __init__(self, conflicts):
        super().__init__(conflicts)
        self.conflicts = conflicts  # [(manager, dotted field path)]


def _item_key(kind, names, item):
    key = merge_key(kind, names)
    if key is None or not isinstance(item, dict) or key not in item:
        return None
    return "k:" + json.dumps({key: item[key]}, separators=(",", ":"), sort_keys=True)


def field_set(config, kind):
    """The set of field paths (tuples of fieldsV1 tokens) an applied configuration sets."""
    paths = set()

    def walk(value, path, names):
        if isinstance(value, dict) and value:
            for k, v in value.items():
                if not path and k in _IGNORED_TOP or path == ("f:metadata",) and k in _IGNORED_META:
                    continue
                walk(v, path + ("f:" + k,), names + (k,))
        elif isinstance(value, list) and merge_key(kind, names) and all(_item_key(kind, names, i) for i in value):
            for item in value:
                item_path = path + (_item_key(kind, names, item),)
                paths.add(item_path + (".",))
                walk(item, item_path, names)
        elif path:
            paths.add(path)

    walk(config, (), ())
    return paths


def to_fields_v1(paths):
    tree = {}
    for path in sorted(paths):
        node = tree
        for token in path:
            node = node.setdefault(token, {})
    return tree


def from_fields_v1(tree, prefix=()):
    paths = set()
    for token, sub in (tree or {}).items():
        if sub:
            paths |= from_fields_v1(sub, prefix + (token,))
        else:
            paths.add(prefix + (token,))
    return paths


def _locate(obj, path):
    """(parent container, key or index) of ``path`` in ``obj``, or None when it is not there."""
    node, parent, where = obj, None, None
    for token in path:
        if token == ".":
            continue
        if token.startswith("f:") and isinstance(node, dict) and token[2:] in node:
            parent, where, node = node, token[2:], node[token[2:]]
        elif token.startswith("k:") and isinstance(node, list):
            wanted = json.loads(token[2:])
            index = next(
                (
                    n
                    for n, i in enumerate(node)
                    if isinstance(i, dict) and all(i.get(k) == v for k, v in wanted.items())
                ),
                None,
            )
            if index is None:
                return None
            parent, where, node = node, index, node[index]
        else:
            return None
    return parent, where


def _value(obj, path):
    found = _locate(obj, path)
    return None if found is None else found[0][found[1]]


def _remove(obj, path):
    found = _locate(obj, path)
    if found is not None:
        parent, where = found
        del parent[where]


def _merge(live, config, kind, names):
    """Apply ``config`` onto ``live``: maps merge, keyed lists merge by key, everything else replaces."""
    if isinstance(config, dict) and isinstance(live, dict):
        result = copy.deepcopy(live)
        for k, v in config.items():
            if v is None:
                result.pop(k, None)
            else:
                result[k] = _merge(result.get(k), v, kind, names + (k,))
        return result
    if isinstance(config, list) and isinstance(live, list) and merge_key(kind, names):
        key = merge_key(kind, names)
        result = copy.deepcopy(live)
        for item in config:
            index = next(
                (
                    n
                    for n, cur in enumerate(result)
                    if isinstance(cur, dict) and isinstance(item, dict) and cur.get(key) == item.get(key)
                ),
                None,
            )
            if index is None:
                result.append(copy.deepcopy(item))
            else:
                result[index] = _merge(result[index], item, kind, names)
        return result
    return copy.deepcopy(config)


def _dotted(path):
    out = ""
    for token in path:
        if token.startswith("f:"):
            out += "." + token[2:]
        elif token.startswith("k:"):
            out += "[%s]" % ",".join("%s=%s" % (k, json.dumps(v)) for k, v in json.loads(token[2:]).items())
    return out


def _prune_empty(obj, path):
    """After a removal, drop the maps on ``path`` that it left empty."""
    for depth in range(len(path) - 1, 0, -1):
        prefix = path[:depth]
        if prefix[-1] == ".":
            continue
        value = _value(obj, prefix)
        if isinstance(value, dict) and not value:
            _remove(obj, prefix)
        else:
            break


def _sync_last_applied(result, config, manager):
    """The API server's lastAppliedUpdater: only a server-side apply by the manager "kubectl" rewrites an existing
    client-side apply annotation (with the applied configuration, less the annotation itself). Any other manager
    leaves the annotation as it was, whatever it holds; nobody ever adds one."""
    annotations = result["metadata"].get("annotations") or {}
    if manager != "kubectl" or LAST_APPLIED not in annotations:
        return
    applied = copy.deepcopy(config)
    if isinstance(applied["metadata"].get("annotations"), dict):
        applied["metadata"]["annotations"].pop(LAST_APPLIED, None)
    annotations[LAST_APPLIED] = json.dumps(applied, separators=(",", ":"), sort_keys=True) + "\n"


def server_side_apply(live, config, kind, manager, force, now):
    """The object after ``manager`` applies ``config`` to ``live`` (None when creating).

    Raises ApplyConflict when another Apply manager owns a field that would change and force is false.
    """
    live = copy.deepcopy(live) if live else {"metadata": {}}
    entries = copy.deepcopy(live["metadata"].get("managedFields") or [])
    mine = next((e for e in entries if e.get("manager") == manager and e.get("operation") == "Apply"), None)
    others = [e for e in entries if e is not mine and e.get("operation") == "Apply"]
    new_fields = field_set(config, kind)
    previous = from_fields_v1(mine.get("fieldsV1")) if mine else set()

    conflicts = []
    for entry in others:
        owned = from_fields_v1(entry.get("fieldsV1"))
        clash = {p for p in owned & new_fields if p[-1] != "." and _value(live, p) != _value(config, p)}
        if clash and not force:
            conflicts.extend((entry["manager"], _dotted(p)) for p in sorted(clash))
        elif clash:
            entry["fieldsV1"] = to_fields_v1(owned - clash)
    if conflicts:
        raise ApplyConflict(conflicts)

    owned_by_others = set()
    for entry in others:
        owned_by_others |= from_fields_v1(entry.get("fieldsV1"))
    still_owned = owned_by_others | new_fields
    dropped = previous - new_fields
    dropped_items = [p[:-1] for p in dropped if p[-1] == "."]
    # Whole list items first (a leaf inside one goes with it), then the remaining leaves, deepest first.
    for path in sorted(dropped_items, key=len) + sorted((p for p in dropped if p[-1] != "."), key=len, reverse=True):
        if any(p[: len(path)] == path for p in still_owned):
            continue
        if path[-1] != "." and any(path[: len(item)] == item and path != item for item in dropped_items):
            continue
        _remove(live, path)
        _prune_empty(live, path)

    config = {k: v for k, v in config.items() if k != "status"}
    config["metadata"] = {
        k: v for k, v in (config.get("metadata") or {}).items() if k in ("name", "namespace") or k not in _IGNORED_META
    }
    result = _merge(live, config, kind, ())
    _sync_last_applied(result, config, manager)
    # The entry always gets a fresh timestamp; the caller keeps the old managedFields when nothing else changed
    # (the API server's IgnoreManagedFieldsTimestampsTransformer), so a no-op apply stores nothing.
    entry = dict(
        manager=manager,
        operation="Apply",
        apiVersion=config.get("apiVersion"),
        time=now,
        fieldsType="FieldsV1",
        fieldsV1=to_fields_v1(new_fields),
    )
    entries = [entry if e is mine else e for e in entries] if mine else entries + [entry]
    result["metadata"]["managedFields"] = [e for e in entries if e.get("fieldsV1")]
    return result
