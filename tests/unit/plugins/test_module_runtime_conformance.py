"""Every module of the collection goes through the one module runtime (plugins/module_utils/_runtime.py).

Read from the source (ast), for each module under plugins/modules: it defines a ``ModuleRun`` subclass, its
``main()`` builds the AnsibleModule and calls ``.run()`` on it, and it never exits by itself (``exit_json`` /
``fail_json`` are the runtime's alone, in the modules and in every module_utils file). Its RETURN documents the
common keys ``actions`` and ``requests`` (with ``reads`` and ``writes``). Every public function, class and method of
plugins/modules and plugins/module_utils has a docstring. The errors raised on purpose in module_utils are the
runtime's family.
"""

from __future__ import annotations

import ast
import glob
import os

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
MODULES = sorted(glob.glob(os.path.join(ROOT, "plugins", "modules", "*.py")))
UTILS = sorted(glob.glob(os.path.join(ROOT, "plugins", "module_utils", "*.py")))
RUNTIME = os.path.join(ROOT, "plugins", "module_utils", "_runtime.py")


def tree(path):
    with open(path) as f:
        return ast.parse(f.read(), path)


def name_of(path):
    return os.path.splitext(os.path.basename(path))[0]


def calls(node, attr):
    return [
        n
        for n in ast.walk(node)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == attr
    ]


def base_names(cls):
    return [b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in cls.bases]


def test_there_are_modules():
    assert len(MODULES) >= 16


@pytest.mark.parametrize("path", MODULES, ids=name_of)
def test_the_module_runs_through_the_runtime(path):
    module = tree(path)
    runs = [
        n
        for n in module.body
        if isinstance(n, ast.ClassDef)
        and ("ModuleRun" in base_names(n) or any(b.endswith("Run") for b in base_names(n)))
    ]
    assert runs, "%s defines no ModuleRun subclass" % name_of(path)
    main = [n for n in module.body if isinstance(n, ast.FunctionDef) and n.name == "main"]
    assert main and calls(main[0], "run"), "%s: main() does not call .run()" % name_of(path)
    for attr in ("exit_json", "fail_json"):
        assert calls(module, attr) == [], "%s calls module.%s itself" % (name_of(path), attr)


@pytest.mark.parametrize("path", MODULES, ids=name_of)
def test_the_module_plans(path):
    from ansible_collections.insightpulseai.workbench.plugins.module_utils import _runtime

    module = __import__("ansible_collections.insightpulseai.workbench.plugins.modules." + name_of(path), fromlist=["x"])
    runs = [
        c
        for c in vars(module).values()
        if isinstance(c, type) and issubclass(c, _runtime.ModuleRun) and c.__module__ == module.__name__
    ]
    assert runs and all(c.plan is not _runtime.ModuleRun.plan for c in runs), name_of(path)


@pytest.mark.parametrize("path", [p for p in UTILS if p != RUNTIME], ids=name_of)
def test_module_utils_raise_instead_of_exiting(path):
    module = tree(path)
    for attr in ("exit_json", "fail_json"):
        assert calls(module, attr) == [], "%s calls %s" % (name_of(path), attr)


@pytest.mark.parametrize("path", MODULES, ids=name_of)
def test_the_module_documents_the_common_result_keys(path):
    module = tree(path)
    docs = dict(
        (t.id, n.value.value)
        for n in module.body
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name) and isinstance(n.value, ast.Constant)
    )
    returned = yaml.safe_load(docs["RETURN"]) or {}
    assert "actions" in returned and returned["actions"]["type"] == "list", name_of(path)
    assert "requests" in returned and returned["requests"]["type"] == "dict", name_of(path)
    assert set(returned["requests"].get("contains", {})) == {"reads", "writes"}, name_of(path)


def public_definitions(path):
    module = tree(path)
    for node in module.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and not node.name.startswith("_"):
            yield node.name, node
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and not item.name.startswith("_"):
                        yield "%s.%s" % (node.name, item.name), item


@pytest.mark.parametrize("path", MODULES + UTILS, ids=name_of)
def test_every_public_definition_has_a_docstring(path):
    missing = [name for name, node in public_definitions(path) if name != "main" and not ast.get_docstring(node)]
    assert missing == [], "%s: no docstring for %s" % (name_of(path), ", ".join(missing))


@pytest.mark.parametrize("path", [p for p in UTILS if p != RUNTIME], ids=name_of)
def test_errors_belong_to_the_runtime_family(path):
    from ansible_collections.insightpulseai.workbench.plugins.module_utils import _runtime

    module = __import__(
        "ansible_collections.insightpulseai.workbench.plugins.module_utils." + name_of(path), fromlist=["x"]
    )
    errors = [
        getattr(module, n)
        for n in dir(module)
        if isinstance(getattr(module, n), type)
        and issubclass(getattr(module, n), Exception)
        and getattr(module, n).__module__ == module.__name__
    ]
    assert [e.__name__ for e in errors if not issubclass(e, _runtime.WorkbenchError)] == [], name_of(path)


# The one client per service: only these files may open a connection of that kind.
CLIENT_CALLS = {
    "connect": ("_pg_client",),  # psycopg2.connect: PostgreSQL, through _pg_client._open (keepalives, connect timeout)
    "open_url": ("_http",),  # HTTP: DigitalOcean and n8n, through _http.Transport (its retry rules)
    "urlopen": (),
    "fetch_url": (),
}


@pytest.mark.parametrize("path", MODULES + UTILS, ids=name_of)
def test_no_module_talks_to_a_service_except_through_its_client(path):
    module = tree(path)
    found = []
    for node in ast.walk(module):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in CLIENT_CALLS and name_of(path) not in CLIENT_CALLS[name]:
                if name == "connect" and not (
                    isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "psycopg2"
                ):
                    continue
                found.append("%s() at line %d" % (name, node.lineno))
    assert found == [], "%s calls %s itself: go through the service's client" % (name_of(path), ", ".join(found))
