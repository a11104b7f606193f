"""The test tree mirrors the product, so the tests of anything are found by its name (tests/README.md).

- tests/unit/plugins/<type>/test_<name>.py belongs to plugins/<type>/<name>.py (or its private _<name>.py), and every
  plugin but a doc fragment has one (or is listed in TESTED_WITH with the file that tests it);
- every module, role and playbook has a test file named after it (test_<name>[_<aspect>].py) somewhere under
  tests/, or is listed in TESTED_WITH;
- every integration test sits in a service folder tests/README.md describes, and is named after a module, role or
  playbook - or is one of the few suites that cover the whole collection (TOP_LEVEL); a fake's own tests sit beside
  it, in tests/fakes/tests/<fake>/;
- check -> apply -> check -> apply is written once, in support/cycle.py.
"""

from __future__ import annotations

import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TESTS = os.path.join(ROOT, "tests")
PLUGIN_TYPES = ("filter", "module_utils", "modules", "plugin_utils", "test")
# Tested in a sibling's file (the file must exist and name it).
TESTED_WITH = {
    "plugins/filter/pg_dsn.py": "tests/unit/plugins/test/test_pg_dsn.py",
    "plugins/test/ip_network_all.py": "tests/unit/plugins/test/test_ip_network.py",
    "plugins/module_utils/_pg_roles.py": "tests/integration/supabase/test_supabase_role.py",
    "plugins/module_utils/_pg_dsn.py": "tests/unit/plugins/test/test_pg_dsn.py",
    "plugins/module_utils/_pg_client.py": "tests/unit/plugins/modules/test_supabase_migration.py",
    "do_kubernetes_cluster_info": "tests/integration/cloud/test_do_kubernetes_cluster.py",
    "n8n_workflow_info": "tests/integration/n8n/test_n8n_workflow.py",
    "supabase_rls_policy": "tests/integration/supabase/test_supabase_rls.py",
    "doks_cluster": "tests/integration/cloud/test_do_network_doks_cluster.py",
    "cluster": "tests/integration/cloud/test_do_network_doks_cluster.py",
    "network": "tests/integration/cloud/test_do_network_doks_cluster.py",
    "database": "tests/integration/supabase/test_supabase_schema_role.py",
    "ingress": "tests/integration/traefik/test_traefik_role.py",
    "gateway": "tests/integration/litellm/test_litellm_gateway_kubernetes.py",
    "workflows": "tests/integration/n8n/test_n8n_workflows_e2e.py",
    "awx_configure": "tests/unit/test_awx_definitions.py",
    "site": "tests/integration/test_tags_alone.py",
    "verify": "tests/integration/supabase/test_supabase_access_info.py",
}
# Unit test files of tests/unit/plugins that cover a family rather than one file.
FAMILY_UNIT_TESTS = {
    "tests/unit/plugins/test_module_runtime_conformance.py": "every module on the one runtime",
    "tests/unit/plugins/modules/test_do_modules.py": "the do_* modules",
}
AREAS = ("attacks", "backup", "cloud", "litellm", "n8n", "supabase", "traefik")
# The fakes' own tests live beside them: tests/fakes/tests/<fake>/ for each fake package tests/fakes/<fake>/.
FAKES_TESTS = os.path.join(TESTS, "fakes", "tests")
# Suites at the top of tests/integration: they cover every role at once or the collection as shipped.
TOP_LEVEL = (
    "test_role_inputs.py",
    "test_tags_alone.py",
    "test_collection_build.py",
    "test_execution_environment.py",
    "test_fresh_clone.py",
    "test_local_stack_resume.py",
)
# What the fakes' tests test: the fake itself and the upstream clients run against it.
FAKE_PREFIXES = ("do_api", "do_community", "do_pydo", "spaces", "k8s")
SKIP_DIRS = ("__pycache__", "charts")


def names(folder, ext):
    path = os.path.join(ROOT, folder)
    return sorted(f[: -len(ext)] for f in os.listdir(path) if f.endswith(ext) and not f.startswith("__"))


MODULES = names("plugins/modules", ".py")
ROLES = sorted(d for d in os.listdir(os.path.join(ROOT, "roles")) if os.path.isdir(os.path.join(ROOT, "roles", d)))
PLAYBOOKS = names("playbooks", ".yml")


def all_test_files():
    found = []
    for dirpath, dirs, files in os.walk(TESTS):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        found.extend(
            os.path.relpath(os.path.join(dirpath, f), ROOT)
            for f in files
            if f.startswith("test_") and f.endswith(".py")
        )
    return sorted(found)


def named_after(name):
    return [
        f for f in all_test_files() if re.match(r"test_%s(_[a-z0-9_]+)?\.py$" % re.escape(name), os.path.basename(f))
    ]


def test_every_unit_test_of_a_plugin_belongs_to_one():
    orphans = []
    for kind in PLUGIN_TYPES:
        folder = os.path.join(TESTS, "unit", "plugins", kind)
        for test in names(os.path.join("tests", "unit", "plugins", kind), ".py"):
            rel = "tests/unit/plugins/%s/%s.py" % (kind, test)
            name = test[len("test_") :]
            if rel in FAMILY_UNIT_TESTS:
                continue
            if not any(os.path.isfile(os.path.join(ROOT, "plugins", kind, n + ".py")) for n in (name, "_" + name)):
                orphans.append(rel)
        assert os.path.isdir(folder), folder
    assert orphans == [], "unit tests named after no plugin: %s" % orphans


def test_every_plugin_has_its_unit_tests():
    missing = []
    for kind in ("filter", "module_utils", "plugin_utils", "test"):
        for name in names(os.path.join("plugins", kind), ".py"):
            rel = "plugins/%s/%s.py" % (kind, name)
            mirror = "tests/unit/plugins/%s/test_%s.py" % (kind, name.lstrip("_"))
            if not os.path.isfile(os.path.join(ROOT, mirror)) and rel not in TESTED_WITH:
                missing.append("%s (expected %s)" % (rel, mirror))
    assert missing == []


def test_every_module_role_and_playbook_has_tests_named_after_it():
    missing = [n for n in MODULES + ROLES + PLAYBOOKS if not named_after(n) and n not in TESTED_WITH]
    assert missing == [], "no test_<name>*.py and no TESTED_WITH entry for %s" % missing


def test_tested_with_points_at_files_that_name_it():
    wrong = []
    for thing, path in TESTED_WITH.items():
        full = os.path.join(ROOT, path)
        name = os.path.basename(thing)[: -len(".py")] if thing.endswith(".py") else thing
        name = name.lstrip("_")
        if not os.path.isfile(full):
            wrong.append("%s: %s does not exist" % (thing, path))
        elif name not in open(full, encoding="utf-8").read():
            wrong.append("%s: %s does not mention %s" % (thing, path, name))
        elif thing.endswith(".py") and not os.path.isfile(os.path.join(ROOT, thing)):
            wrong.append("%s does not exist (stale entry)" % thing)
        elif not thing.endswith(".py") and thing not in MODULES + ROLES + PLAYBOOKS:
            wrong.append("%s is no module, role or playbook (stale entry)" % thing)
    assert wrong == []


def test_integration_tests_sit_in_a_service_folder_and_are_named_after_what_they_test():
    wrong = []
    subjects = MODULES + ROLES + PLAYBOOKS
    for path in all_test_files():
        parts = path.split("/")
        if parts[1] == "fakes":
            fake = parts[3] if len(parts) > 4 and parts[2] == "tests" else None
            stem = parts[-1][len("test_") : -len(".py")]
            if not fake or not os.path.isdir(os.path.join(TESTS, "fakes", fake)):
                wrong.append("%s: a fake's tests go in tests/fakes/tests/<fake>/" % path)
            elif not any(stem == p or stem.startswith(p + "_") for p in FAKE_PREFIXES):
                wrong.append("%s: not named after the fake or the client it runs" % path)
            continue
        if parts[1] != "integration":
            continue
        base = parts[-1]
        if len(parts) == 3:
            if base not in TOP_LEVEL:
                wrong.append("%s: a service folder (%s) or TOP_LEVEL" % (path, ", ".join(AREAS)))
            continue
        area = parts[2]
        if area not in AREAS:
            wrong.append("%s: %s is not a documented service folder" % (path, area))
            continue
        stem = base[len("test_") : -len(".py")]
        prefixes = subjects + ["attack"]
        if not any(stem == p or stem.startswith(p + "_") for p in prefixes):
            wrong.append("%s: not named after a module, role, playbook or fake" % path)
    assert wrong == []


def test_the_readme_describes_every_service_folder():
    text = open(os.path.join(TESTS, "README.md"), encoding="utf-8").read()
    on_disk = sorted(
        d
        for d in os.listdir(os.path.join(TESTS, "integration"))
        if os.path.isdir(os.path.join(TESTS, "integration", d)) and d not in SKIP_DIRS
    )
    assert on_disk == sorted(AREAS)
    fakes = sorted(
        d for d in os.listdir(FAKES_TESTS) if os.path.isdir(os.path.join(FAKES_TESTS, d)) and d not in SKIP_DIRS
    )
    assert fakes and all(os.path.isdir(os.path.join(TESTS, "fakes", d)) for d in fakes), fakes
    assert "tests/fakes/tests/" in text
    assert [a for a in AREAS if "`%s`" % a not in text and "tests/integration/%s/" % a not in text] == []


def test_check_apply_check_apply_is_written_once():
    """The cycle lives in support/cycle.py; a test calls check_apply_check_apply instead of looping itself."""
    loops = []
    pattern = re.compile(r"\(\s*True,\s*False,\s*True,\s*False\s*\)")
    for path in all_test_files() + ["tests/integration/cloud/cloud_support.py", "tests/integration/n8n/n8n_tasks.py"]:
        if path.endswith("tests/unit/test_test_tree.py"):
            continue
        if pattern.search(open(os.path.join(ROOT, path), encoding="utf-8").read()):
            loops.append(path)
    assert loops == []
    assert pattern.search(open(os.path.join(TESTS, "support", "cycle.py"), encoding="utf-8").read())
