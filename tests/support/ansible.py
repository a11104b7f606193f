"""Run real ansible-playbook processes from tests and read their results (ansible.posix.json callback)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VENV_BIN = os.path.dirname(sys.executable)


def base_env(extra=None):
    env = dict(os.environ)
    env.update(
        ANSIBLE_CONFIG=os.path.join(ROOT, "ansible.cfg"),
        ANSIBLE_HOME=os.path.join(ROOT, ".ansible"),
        ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
        ANSIBLE_CALLBACK_RESULT_FORMAT="json",
        ANSIBLE_NOCOLOR="1",
        ANSIBLE_DEPRECATION_WARNINGS="0",
        PATH=VENV_BIN + os.pathsep + env.get("PATH", ""),
    )
    # A DSN in the caller's environment must never leak into a test by env fallback.
    for key in ("SUPABASE_DB_URL", "WORKBENCH_PG_DSN"):
        env.pop(key, None)
    env.update(extra or {})
    return env


class PlaybookResult(object):
    def __init__(self, proc, data):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.data = data
        self.tasks = []
        for play in data.get("plays", []):
            for task in play.get("tasks", []):
                for host, res in task.get("hosts", {}).items():
                    self.tasks.append(dict(name=task["task"]["name"], host=host, result=res))
        self.stats = data.get("stats", {}).get("localhost", {})

    @property
    def changed(self):
        return self.stats.get("changed", 0)

    @property
    def failed(self):
        return self.rc != 0

    def task(self, name):
        """The result of the (last) task whose name is or ends with ``name``."""
        found = [t["result"] for t in self.tasks if t["name"] == name or t["name"].endswith(" : " + name)]
        if not found:
            raise KeyError("no task named %r; tasks: %s" % (name, [t["name"] for t in self.tasks]))
        return found[-1]

    def failure(self):
        for t in self.tasks:
            if t["result"].get("failed"):
                return t["result"]
        return None


def run_playbook(
    playbook=None,
    tasks=None,
    check=False,
    diff=False,
    extra_vars=None,
    inventory=None,
    tags=None,
    verbosity=0,
    env=None,
    timeout=600,
):
    """Run a playbook file, or an ad-hoc play made of ``tasks`` on localhost, and return a PlaybookResult."""
    cleanup = None
    if tasks is not None:
        play = [dict(name="test play", hosts="localhost", gather_facts=False, tasks=tasks)]
        os.makedirs(os.path.join(ROOT, ".tmp"), exist_ok=True)
        fd, playbook = tempfile.mkstemp(suffix=".yml", prefix="play-", dir=os.path.join(ROOT, ".tmp"))
        with os.fdopen(fd, "w") as f:
            yaml.safe_dump(play, f, sort_keys=False)
        cleanup = playbook
    cmd = [os.path.join(VENV_BIN, "ansible-playbook"), playbook]
    if inventory:
        cmd += ["-i", inventory]
    else:
        cmd += ["-i", "localhost,", "-c", "local"]
    cmd += ["-e", "ansible_python_interpreter=" + sys.executable]
    if extra_vars:
        cmd += ["-e", json.dumps(extra_vars)]
    if check:
        cmd.append("--check")
    if diff:
        cmd.append("--diff")
    if tags:
        cmd += ["--tags", tags]
    if verbosity:
        cmd.append("-" + "v" * verbosity)
    try:
        proc = subprocess.run(
            cmd, cwd=ROOT, env=base_env(env), capture_output=True, text=True, timeout=timeout, check=False
        )
    finally:
        if cleanup:
            os.unlink(cleanup)
    data = {}
    if verbosity == 0:
        start = proc.stdout.find("{")
        if start >= 0:
            data = json.loads(proc.stdout[start:])
    return PlaybookResult(proc, data)
