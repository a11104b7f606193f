"""Each role reads only its own variables and stays inside its folder.

Scanned: every Jinja expression in a role's defaults, vars, tasks, handlers and templates (``{{ }}``, ``{% %}`` and
the bare expressions of ``when``/``that``/``until``/``changed_when``/``failed_when``), with string literals removed so
prose inside a message does not count. An ``!unsafe`` value is never rendered by Ansible (awx_configure's AWX
injector templates), so it reads nothing. Refused there: another role's variables (``<role>_*``, ``_<role>_*``,
``__<role>_*``), vault variables (``vault_*``: the production inventory maps them onto role variables), and paths out
of the role (``role_path`` followed by ``/..``, ``playbook_dir``). What one stage produces and the next needs is
handed over by the inventory (inventories/production/group_vars/all/main.yml, "Hand-offs between stages") or by a
caller's ``vars:`` - never read by the consumer.
"""

from __future__ import annotations

import os
import re

import pytest

from support import role_yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES_DIR = os.path.join(ROOT, "roles")
ROLES = sorted(d for d in os.listdir(ROLES_DIR) if os.path.isdir(os.path.join(ROLES_DIR, d)))
SCANNED = ("defaults", "vars", "tasks", "handlers", "templates")
BARE_KEYS = ("when", "that", "until", "changed_when", "failed_when")
JINJA = re.compile(r"\{\{(.*?)\}\}|\{%(.*?)%\}", re.S)
STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
IDENT = re.compile(r"(?<![\w.])(_{0,2}[a-z][a-z0-9_]*)")
# role_path followed by /.. (in a template string or a ~ concatenation), or anything relative to the playbook
OUTSIDE = (re.compile(r"role_path\s*(\}\}|~\s*['\"])\s*/\.\."), re.compile(r"\bplaybook_dir\b"))


def expressions(node):
    """Every Jinja expression in a loaded YAML document (templates: the file's text)."""
    if isinstance(node, role_yaml.Unsafe):
        return
    if isinstance(node, dict):
        for key, value in node.items():
            if key in BARE_KEYS:
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str):
                        yield item
            yield from expressions(value)
    elif isinstance(node, list):
        for item in node:
            yield from expressions(item)
    elif isinstance(node, str):
        for match in JINJA.finditer(node):
            yield match.group(1) or match.group(2) or ""


def role_files(role):
    for sub in SCANNED:
        base = os.path.join(ROLES_DIR, role, sub)
        for dirpath, _dirs, names in os.walk(base):
            for name in sorted(names):
                yield os.path.join(dirpath, name)


def foreign_reads(role, path):
    """(what, expression) for each read of another role's variable, a vault variable or a path out of the role."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    if path.endswith((".yml", ".yaml")) and "/templates/" not in path:
        docs = [d for d in role_yaml.load_all(text) if d is not None]
        found = [e for d in docs for e in expressions(d)]
    else:
        found = [m.group(1) or m.group(2) or "" for m in JINJA.finditer(text)]
    others = [r for r in ROLES if r != role]
    problems = []
    for line in text.splitlines():
        if not line.lstrip().startswith("#") and any(p.search(line) for p in OUTSIDE):
            problems.append(("a path out of the role", line.strip()))
    for expr in found:
        code = STRING.sub("''", expr)
        for ident in IDENT.findall(code):
            bare = ident.lstrip("_")
            if bare.startswith("vault_"):
                problems.append((ident, expr.strip()))
            elif any(bare.startswith(o + "_") for o in others) and not bare.startswith(role + "_"):
                problems.append((ident, expr.strip()))
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_role_reads_only_its_own_variables(role):
    problems = []
    for path in role_files(role):
        for what, expr in foreign_reads(role, path):
            problems.append("%s: %s in {{ %s }}" % (os.path.relpath(path, ROOT), what, expr[:160]))
    assert problems == []


def test_the_scanner_finds_foreign_reads(tmp_path):
    """The check can fail: a role file reading another role's variable, a vault variable or a path out is caught
    (and an !unsafe value, which Ansible never renders, reads nothing)."""
    role = ROLES[0]
    other = ROLES[1]
    path = tmp_path / "main.yml"
    path.write_text(
        "a: \"{{ %s_x | default('') }}\"\n"
        "b: \"{{ vault_y }}\"\n"
        "c: \"{{ role_path }}/../../files/z\"\n"
        "d: \"{{ 'prose about %s_x is fine' }}\"\n"
        "e: \"{{ %s_own }}\"\n"
        "u: !unsafe \"{{ %s_rendered_by_awx }}\"\n"
        "t: [{name: n, when: __%s_fact is defined}]\n" % (other, other, role, other, other)
    )
    found = sorted(what for what, _expr in foreign_reads(role, str(path)))
    assert found == sorted(["%s_x" % other, "vault_y", "a path out of the role", "__%s_fact" % other])
