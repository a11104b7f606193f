"""The three PATCH flavours of the API server other than apply: JSON merge (RFC 7386), JSON patch (RFC 6902)
and an approximation of strategic merge patch.

Strategic merge here knows the patchMergeKey of the keyed lists in MERGE_KEYS (containers by name, env by name,
service ports by port, ...) and the directives ``$patch`` (merge/replace/delete, in maps and in keyed-list items),
``$retainKeys``, ``$deleteFromPrimitiveList/<field>`` and ``$setElementOrder/<field>``. Every other list is
replaced as a whole, as a list without patchStrategy=merge is on a real server. It has no OpenAPI schema, so keyed
lists it does not know (and primitive lists with patchStrategy=merge other than metadata.finalizers) are replaced.
"""

from __future__ import annotations

import copy
import json

# Pod template locations (kind -> path of the PodSpec), and the patchMergeKey of keyed lists in a PodSpec
# (from the struct tags in k8s.io/api/core/v1/types.go).
POD_SPEC_PATHS = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
}
_POD_SPEC_KEYS = {
    ("containers",): "name",
    ("initContainers",): "name",
    ("ephemeralContainers",): "name",
    ("volumes",): "name",
    ("imagePullSecrets",): "name",
    ("hostAliases",): "ip",
    ("topologySpreadConstraints",): "topologyKey",
    ("resourceClaims",): "name",
    ("schedulingGates",): "name",
}
for _c in ("containers", "initContainers", "ephemeralContainers"):
    _POD_SPEC_KEYS.update(
        {
            (_c, "ports"): "containerPort",
            (_c, "env"): "name",
            (_c, "volumeMounts"): "mountPath",
            (_c, "volumeDevices"): "devicePath",
        }
    )

# kind -> {path of a keyed list: patchMergeKey}; paths are field names with list indices left out.
MERGE_KEYS = {}
for _kind, _prefix in POD_SPEC_PATHS.items():
    MERGE_KEYS[_kind] = {_prefix + p: k for p, k in _POD_SPEC_KEYS.items()}
MERGE_KEYS.setdefault("Service", {})[("spec", "ports")] = "port"
MERGE_KEYS.setdefault("ServiceAccount", {})[("secrets",)] = "name"
_ANY_KIND = {("metadata", "ownerReferences"): "uid"}
# Primitive lists with patchStrategy=merge: merged as sets.
_SET_LISTS = {("metadata", "finalizers")}


class PatchError(ValueError):
    """The patch cannot be applied (422 on a real server)."""


class BadPatch(ValueError):
    """The patch document is malformed (400 on a real server)."""


def merge_key(kind, path):
    """The patchMergeKey of the list at ``path`` (field names only) in an object of ``kind``, or None."""
    return MERGE_KEYS.get(kind, {}).get(tuple(path)) or _ANY_KIND.get(tuple(path))


# --- JSON merge patch ----------------------------------------------------------------------------------------


def merge_patch(target, patch):
    """RFC 7386: maps merge recursively, null deletes, everything else (lists included) replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# --- strategic merge patch -----------------------------------------------------------------------------------


def strategic_merge_patch(target, patch, kind):
    if not isinstance(patch, dict):
        raise BadPatch("a strategic merge patch must be a JSON object")
    return _smp_map(copy.deepcopy(target) if isinstance(target, dict) else {}, patch, kind, ())


def _smp_map(target, patch, kind, path):
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: v for k, v in copy.deepcopy(patch).items() if k != "$patch"}
    if directive == "delete":
        return None
    if directive not in (None, "merge"):
        raise BadPatch("unknown patch type: %s in map: %s" % (directive, json.dumps(patch)))
    retain = patch.get("$retainKeys")
    orders = {}
    for key, value in patch.items():
        if key in ("$patch", "$retainKeys"):
            continue
        if key.startswith("$setElementOrder/"):
            orders[key.split("/", 1)[1]] = value
            continue
        if key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            if isinstance(target.get(field), list):
                target[field] = [v for v in target[field] if v not in value]
            continue
        if value is None:
            target.pop(key, None)
            continue
        current = target.get(key)
        if isinstance(value, dict):
            merged = _smp_map(current if isinstance(current, dict) else {}, value, kind, path + (key,))
            if merged is None:
                target.pop(key, None)
            else:
                target[key] = merged
        elif isinstance(value, list):
            target[key] = _smp_list(current if isinstance(current, list) else [], value, kind, path + (key,))
        else:
            target[key] = copy.deepcopy(value)
    for field, order in orders.items():
        if isinstance(target.get(field), list):
            target[field] = _set_order(target[field], order, merge_key(kind, path + (field,)))
    if retain is not None:
        target = {k: v for k, v in target.items() if k in retain}
    return target


def _smp_list(target, patch, kind, path):
    if tuple(path) in _SET_LISTS:
        return target + [v for v in patch if v not in target]
    key = merge_key(kind, path)
    if key is None:
        return copy.deepcopy(patch)
    if any(isinstance(item, dict) and item.get("$patch") == "replace" for item in patch):
        return [copy.deepcopy(i) for i in patch if not (isinstance(i, dict) and i.get("$patch") == "replace")]
    result = [copy.deepcopy(i) for i in target]
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            raise PatchError("map: %s does not contain declared merge key: %s" % (json.dumps(item), key))
        index = next((n for n, cur in enumerate(result) if isinstance(cur, dict) and cur.get(key) == item[key]), None)
        if item.get("$patch") == "delete":
            if index is not None:
                del result[index]
        elif index is None:
            result.append({k: v for k, v in copy.deepcopy(item).items() if k != "$patch"})
        else:
            result[index] = _smp_map(result[index], item, kind, path)
    return result


def _set_order(items, order, key):
    """$setElementOrder: the listed elements first, in the given order; the others after them, as they were."""

    def ident(item):
        return item.get(key) if key and isinstance(item, dict) else item

    wanted = [o.get(key) if key and isinstance(o, dict) else o for o in order]
    ranked = sorted((i for i in items if ident(i) in wanted), key=lambda i: wanted.index(ident(i)))
    return ranked + [i for i in items if ident(i) not in wanted]


# --- JSON patch ----------------------------------------------------------------------------------------------


def _pointer(path):
    if path == "":
        return []
    if not path.startswith("/"):
        raise BadPatch("JSON pointer must start with '/': %r" % path)
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _parent(doc, tokens, op):
    node = doc
    for t in tokens[:-1]:
        if isinstance(node, dict) and t in node:
            node = node[t]
        elif isinstance(node, list) and t.isdigit() and int(t) < len(node):
            node = node[int(t)]
        else:
            raise PatchError("%s operation does not apply: doc is missing path: /%s" % (op, "/".join(tokens)))
    return node


def _get(doc, tokens, op):
    parent = _parent(doc, tokens, op)
    if not tokens:
        return doc
    last = tokens[-1]
    if isinstance(parent, dict) and last in parent:
        return parent[last]
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent[int(last)]
    raise PatchError("%s operation does not apply: doc is missing path: /%s" % (op, "/".join(tokens)))


def _add(doc, tokens, value, op="add"):
    if not tokens:
        return value
    parent, last = _parent(doc, tokens, op), tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        if last == "-":
            parent.append(value)
        elif last.isdigit() and int(last) <= len(parent):
            parent.insert(int(last), value)
        else:
            raise PatchError("%s operation does not apply: index out of range: /%s" % (op, "/".join(tokens)))
    else:
        raise PatchError("%s operation does not apply: doc is missing path: /%s" % (op, "/".join(tokens)))
    return doc


def _remove(doc, tokens, op="remove"):
    value = _get(doc, tokens, op)
    parent = _parent(doc, tokens, op)
    if isinstance(parent, dict):
        del parent[tokens[-1]]
    else:
        del parent[int(tokens[-1])]
    return value


def json_patch(target, operations):
    if not isinstance(operations, list):
        raise BadPatch("a JSON patch must be a list of operations")
    doc = copy.deepcopy(target)
    for operation in operations:
        if not isinstance(operation, dict) or "op" not in operation or "path" not in operation:
            raise BadPatch("invalid JSON patch operation: %s" % json.dumps(operation))
        op, tokens = operation["op"], _pointer(operation["path"])
        if op in ("add", "replace", "test") and "value" not in operation:
            raise BadPatch("missing value for %s operation" % op)
        if op == "add":
            doc = _add(doc, tokens, copy.deepcopy(operation["value"]))
        elif op == "remove":
            _remove(doc, tokens)
        elif op == "replace":
            _get(doc, tokens, op)
            if tokens:
                _remove(doc, tokens, op)
            doc = _add(doc, tokens, copy.deepcopy(operation["value"]), op)
        elif op in ("move", "copy"):
            if "from" not in operation:
                raise BadPatch("missing from for %s operation" % op)
            source = _pointer(operation["from"])
            value = _remove(doc, source, op) if op == "move" else copy.deepcopy(_get(doc, source, op))
            doc = _add(doc, tokens, value, op)
        elif op == "test":
            if _get(doc, tokens, op) != operation["value"]:
                raise PatchError("testing value %s failed" % operation["path"])
        else:
            raise BadPatch("unexpected operation %r" % op)
    return doc
