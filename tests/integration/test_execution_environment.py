"""The execution environment definition produces a complete build context, offline.

`ansible-builder create` (real, from .venv) writes the build context of execution-environment.yml into a temporary
directory; no image is built (there is no container engine here). Then the context's own introspect.py reads this
checkout as an installed collection, the way the builder stage of the image does, to prove that
meta/execution-environment.yml is found and its paths resolve from the collection root.
"""

import os
import re
import subprocess
import sys

import pytest
import yaml

from support.ansible import ROOT

VENV_BIN = os.path.dirname(sys.executable)
ANSIBLE_BUILDER = os.path.join(VENV_BIN, "ansible-builder")

# What the collection's modules and the upstream modules its roles call need at runtime.
RUNTIME_PYTHON = ["psycopg2-binary", "kubernetes", "boto3", "botocore"]


def _names(lines):
    return {re.split(r"[<>=!~\[;\s]", line.strip(), maxsplit=1)[0].lower() for line in lines}


def _req_lines(path):
    with open(path, encoding="utf-8") as f:
        return [line.strip() for line in f if line.strip() and not line.lstrip().startswith("#")]


@pytest.fixture(scope="module")
def ee_definition():
    with open(os.path.join(ROOT, "execution-environment.yml"), encoding="utf-8") as f:
        return yaml.safe_load(f)


@pytest.fixture(scope="module")
def build_context(tmp_path_factory):
    if not os.path.exists(ANSIBLE_BUILDER):
        pytest.fail("ansible-builder is missing from .venv: run scripts/setup.sh (requirements-dev.txt pins it)")
    context = tmp_path_factory.mktemp("ee") / "context"
    proc = subprocess.run(
        [
            ANSIBLE_BUILDER,
            "create",
            "--file",
            "execution-environment.yml",
            "--context",
            str(context),
            "--output-filename",
            "Containerfile",
            "-v",
            "3",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=dict(os.environ, HOME=str(context.parent)),
    )
    assert proc.returncode == 0, "ansible-builder create failed:\n%s\n%s" % (proc.stdout, proc.stderr)
    return context


def test_definition_is_v3_with_a_base_image_ansible_core_219_and_runner(ee_definition):
    assert ee_definition["version"] == 3
    assert ee_definition["images"]["base_image"]["name"]
    deps = ee_definition["dependencies"]
    assert re.search(r"ansible-core>=2\.19,<2\.20", deps["ansible_core"]["package_pip"])
    assert deps["ansible_runner"]["package_pip"].startswith("ansible-runner")
    assert deps["python"] == "meta/ee-requirements.txt"
    assert deps["system"] == "meta/ee-bindep.txt"


def test_containerfile_has_the_stages_the_base_image_arg_and_helm(build_context):
    text = (build_context / "Containerfile").read_text(encoding="utf-8")
    assert re.search(r'^ARG EE_BASE_IMAGE="[^"]+"$', text, re.M), "the base image must be a build arg"
    assert "FROM $EE_BASE_IMAGE AS base" in text
    for stage in ("galaxy", "builder", "final"):
        assert re.search(r"^FROM \S+ AS %s$" % stage, text, re.M), "stage %s missing" % stage
    assert re.search(r'^ARG ANSIBLE_INSTALL_REFS=".*ansible-core>=2\.19,<2\.20.*ansible-runner', text, re.M)
    # helm 3.19 and helm-diff >= 3.4.1 (kubernetes.core.helm's idempotence check), in the final image.
    final = text.split("AS final", 1)[1]
    version = re.search(r"^ARG HELM_VERSION=(\d+)\.(\d+)\.\d+$", final, re.M)
    assert version and version.groups() == ("3", "19"), "helm 3.19.x must be installed in the final stage"
    diff = re.search(r"^ARG HELM_DIFF_VERSION=(\d+)\.(\d+)\.(\d+)$", final, re.M)
    assert diff and tuple(int(x) for x in diff.groups()) >= (3, 4, 1)
    assert "install -m 0755 linux-${TARGETARCH}/helm /usr/local/bin/helm" in final
    assert "sha256sum -c" in final
    assert "helm-diff" in final and "helm diff version" in final
    assert "ENV HELM_PLUGINS=" in final, "plugins must not live in the build user's HOME (AWX runs as another user)"


def test_context_requirements_carry_the_runtime_dependencies(build_context):
    names = _names(_req_lines(build_context / "_build" / "requirements.txt"))
    assert set(RUNTIME_PYTHON) <= names
    for dev_only in ("pytest", "ansible-lint", "molecule", "moto", "ansible-builder", "ansible"):
        assert dev_only not in names, "%s is test tooling, not a runtime dependency" % dev_only
    bindep = _req_lines(build_context / "_build" / "bindep.txt")
    assert "libpq [platform:rpm]" in bindep


def test_context_galaxy_requirements_install_this_collection_at_its_version(build_context):
    with open(build_context / "_build" / "requirements.yml", encoding="utf-8") as f:
        reqs = yaml.safe_load(f)
    with open(os.path.join(ROOT, "galaxy.yml"), encoding="utf-8") as f:
        galaxy = yaml.safe_load(f)
    by_name = {c["name"]: c for c in reqs["collections"]}
    assert str(by_name["insightpulseai.workbench"]["version"]) == galaxy["version"]
    for dependency in galaxy["dependencies"]:
        assert dependency in by_name, "galaxy.yml dependency %s is not installed in the EE" % dependency


def test_introspection_reads_the_collection_metadata(build_context, tmp_path):
    """The builder stage runs introspect.py over the installed collections: it must find our meta file."""
    install = tmp_path / "collections" / "ansible_collections" / "insightpulseai"
    install.mkdir(parents=True)
    os.symlink(ROOT, install / "workbench")
    out_pip, out_bindep = tmp_path / "pip.txt", tmp_path / "bindep.txt"
    proc = subprocess.run(
        [
            sys.executable,
            str(build_context / "_build" / "scripts" / "introspect.py"),
            "introspect",
            str(tmp_path / "collections"),
            "--write-pip",
            str(out_pip),
            "--write-bindep",
            str(out_bindep),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pip_lines = _req_lines(out_pip)
    assert all(line.endswith("# from collection insightpulseai.workbench") for line in pip_lines)
    assert set(RUNTIME_PYTHON) <= _names(pip_lines)
    assert "libpq [platform:rpm]" in [line.split("#")[0].strip() for line in _req_lines(out_bindep)]
