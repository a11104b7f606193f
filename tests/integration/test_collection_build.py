"""`ansible-galaxy collection build` succeeds and the tarball carries the collection, not the development tree."""

import os
import subprocess
import sys
import tarfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_build_excludes_tests_and_dev_files(tmp_path):
    galaxy = yaml.safe_load(open(os.path.join(ROOT, "galaxy.yml")))
    proc = subprocess.run(
        [
            os.path.join(os.path.dirname(sys.executable), "ansible-galaxy"),
            "collection",
            "build",
            "--output-path",
            str(tmp_path),
            ROOT,
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    tarball = tmp_path / ("%s-%s-%s.tar.gz" % (galaxy["namespace"], galaxy["name"], galaxy["version"]))
    with tarfile.open(tarball) as tar:
        names = tar.getnames()
    tops = {name.split("/", 1)[0] for name in names}
    # what a user installs
    assert {"MANIFEST.json", "FILES.json", "README.md", "meta", "plugins", "roles", "playbooks"} <= tops
    assert "files" not in tops  # every file lives with the role or playbook that uses it
    assert "roles/supabase_schema/tasks/main.yml" in names
    assert "roles/supabase_schema/files/migrations/001_metadata_schema.sql" in names
    assert "roles/n8n_workflows/files/expense_approval.json" in names
    assert "roles/verify/files/access_matrix.yml" in names
    # what it must not carry
    for unwanted in (
        "tests",
        "molecule",
        "scripts",
        ".venv",
        ".ansible",
        ".tmp",
        ".workbench",
        ".ci",
        ".git",
        "Makefile",
        "requirements-dev.txt",
    ):
        assert unwanted not in tops, unwanted
    assert not [n for n in names if n.endswith((".pyc", ".env", "vault.yml"))]
    assert not [n for n in names if "/__pycache__/" in n or n.startswith("__pycache__")]
