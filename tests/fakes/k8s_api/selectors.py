"""Label and field selectors, with the grammar of k8s.io/apimachinery (labels.Parse, fields.ParseSelector)."""

from __future__ import annotations

import re

_KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_REQUIREMENT = re.compile(
    r"^\s*(?P<not>!)?\s*(?P<key>[^\s!=<>(),]+)\s*"
    r"(?:(?P<op>==|=|!=|>|<|\bin\b|\bnotin\b)\s*(?P<rest>.*?))?\s*$",
    re.S,
)


class SelectorError(ValueError):
    pass


def _split_top_level(text):
    """Split on commas that are not inside parentheses."""
    parts, depth, current = [], 0, ""
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return parts


def parse_label_selector(text):
    """A predicate on a labels dict; raises SelectorError for what labels.Parse would reject."""
    if not text or not text.strip():
        return lambda labels: True
    requirements = []
    for part in _split_top_level(text):
        m = _REQUIREMENT.match(part)
        if not m:
            raise SelectorError("unable to parse requirement: %r" % part.strip())
        key, op, rest = m.group("key"), m.group("op"), m.group("rest")
        if not _KEY.match(key):
            raise SelectorError("invalid label key %r" % key)
        if m.group("not"):
            if op:
                raise SelectorError("unable to parse requirement: %r" % part.strip())
            requirements.append(lambda labels, k=key: k not in labels)
        elif op is None:
            requirements.append(lambda labels, k=key: k in labels)
        elif op in ("in", "notin"):
            values = rest.strip()
            if not (values.startswith("(") and values.endswith(")")):
                raise SelectorError("found %r, expected: '('" % values)
            vset = {v.strip() for v in values[1:-1].split(",")}
            for v in vset:
                if not _VALUE.match(v):
                    raise SelectorError("invalid label value %r" % v)
            if op == "in":
                requirements.append(lambda labels, k=key, s=vset: labels.get(k) in s)
            else:  # notin matches objects without the label, as in Kubernetes
                requirements.append(lambda labels, k=key, s=vset: labels.get(k) not in s)
        elif op in (">", "<"):
            try:
                bound = int(rest)
            except ValueError:
                raise SelectorError("for 'Gt', 'Lt' operators, the value must be an integer: %r" % rest)
            requirements.append(lambda labels, k=key, b=bound, gt=(op == ">"): _int_cmp(labels.get(k), b, gt))
        else:
            value = rest.strip()
            if not _VALUE.match(value):
                raise SelectorError("invalid label value %r" % value)
            if op == "!=":
                requirements.append(lambda labels, k=key, v=value: labels.get(k) != v)
            else:
                requirements.append(lambda labels, k=key, v=value: labels.get(k) == v)
    return lambda labels: all(r(labels) for r in requirements)


def _int_cmp(value, bound, greater):
    try:
        n = int(value)
    except (TypeError, ValueError):
        return False
    return n > bound if greater else n < bound


def match_label_selector_object(selector, labels):
    """Match a metav1.LabelSelector (matchLabels + matchExpressions) against a labels dict."""
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr["key"], expr["operator"], set(expr.get("values") or [])
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


# Field labels every type supports, plus the per-type extras the fake knows (a subset of the real ones).
_FIELD_GETTERS = {
    "metadata.name": lambda o: o["metadata"].get("name"),
    "metadata.namespace": lambda o: o["metadata"].get("namespace", ""),
}
_EXTRA_FIELDS = {
    ("", "secrets"): {"type": lambda o: o.get("type", "")},
    ("", "pods"): {
        "spec.nodeName": lambda o: o.get("spec", {}).get("nodeName", ""),
        "status.phase": lambda o: o.get("status", {}).get("phase", ""),
    },
    ("", "namespaces"): {"status.phase": lambda o: o.get("status", {}).get("phase", "")},
}


def parse_field_selector(text, group, plural):
    """A predicate on an object; raises SelectorError for unsupported field labels (400 on a real server)."""
    if not text or not text.strip():
        return lambda obj: True
    getters = dict(_FIELD_GETTERS, **_EXTRA_FIELDS.get((group, plural), {}))
    terms = []
    for part in text.split(","):
        m = re.match(r"^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$", part)
        if not m:
            raise SelectorError("invalid selector: '%s'; can't understand '%s'" % (text, part))
        field, op, value = m.groups()
        if field not in getters:
            raise SelectorError('"%s" is not a known field selector: only "%s"' % (field, '", "'.join(sorted(getters))))
        terms.append((getters[field], op == "!=", value))
    return lambda obj: all((get(obj) != value) if negate else (get(obj) == value) for get, negate, value in terms)
