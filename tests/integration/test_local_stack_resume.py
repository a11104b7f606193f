"""`make local` after `make local-down`: the services start again from what the last converge recorded, and that
restart is honest.

In a newcomer's clone (tests/support/clone.py: mode 0700, a space in the path, no ../shared) with every port of the
local profile moved to free ones, the whole profile comes up with the clone's own ``make local`` (PostgreSQL, n8n, the
gateway; the converge of the site). After ``make local-down`` a second ``make local`` must not converge (no
ansible-playbook run) but start the same processes again, and the workbench must then be what the converge left: an
independent read of PostgreSQL (the schema's tables, the automation login), n8n's public API (the seed's workflows,
active) and the gateway (a completion through a stand-in). Then a changed input (a comment in a role's defaults)
must make the next ``make local`` converge, and that converge, over the restarted processes, must change nothing:
the proof that skipping it was right. A port taken while the profile is down must stop the restart before it starts
anything, and the converge then names the port. ``make clean`` leaves no process, listener or folder behind.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import urllib.request

import pytest

from support import worker_port
from support.clone import clone_env, listening, local_profile_ports, private_clone, processes_mentioning, stand_in_ports
from support.pg import query


def make(clone, env, target, expect_ok=True, **extra):
    proc = subprocess.run(
        ["make", target] + ["%s=%s" % kv for kv in extra.items()],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if expect_ok:
        tail = (proc.stdout[-5000:], proc.stderr[-2000:])
        assert proc.returncode == 0, "make %s failed (%d):\n%s\n%s" % ((target, proc.returncode) + tail)
    return proc


def recaps(out):
    return [int(n) for n in re.findall(r"changed=(\d+)", out)]


def local_env(clone):
    with open(os.path.join(clone, ".workbench", "local.env")) as f:
        return dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)


def http_json(url, headers=None, body=None):
    req = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        headers=dict(headers or {}, **({"Content-Type": "application/json"} if body else {})),
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read())


def read_workbench(clone):
    """What an operator sees, read without our code: tables and logins in PostgreSQL, workflows in n8n, a completion."""
    env = local_env(clone)
    tables = [
        r[0]
        for r in query(
            env["WORKBENCH_PG_DSN"],
            "select table_schema || '.' || table_name from "
            "information_schema.tables where table_schema like 'ip_workbench%' order by 1",
        )
    ]
    logins = [
        r[0]
        for r in query(
            env["WORKBENCH_PG_DSN"],
            "select rolname from pg_roles where rolname like 'workbench\\_%' and rolcanlogin order by 1",
        )
    ]
    workflows = http_json(env["N8N_URL"] + "/api/v1/workflows?limit=250", {"X-N8N-API-KEY": env["N8N_API_KEY"]})["data"]
    active = sorted((w["name"], w["active"]) for w in workflows)
    reply = http_json(
        env["LITELLM_URL"] + "/v1/chat/completions",
        {"Authorization": "Bearer " + env["LITELLM_MASTER_KEY"]},
        {"model": "claude-sonnet-4-5", "messages": [{"role": "user", "content": "ping"}]},
    )
    return {
        "tables": tables,
        "logins": logins,
        "workflows": active,
        "answered": bool(reply["choices"][0]["message"]["content"]),
    }


@pytest.fixture
def profile():
    top = tempfile.mkdtemp(prefix="wb-resume-")
    clone = private_clone(top)
    ansible_args, named = local_profile_ports(worker_port(27100))
    env = clone_env(clone, ansible_args)
    for key in ("LITELLM_MASTER_KEY", "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY"):
        env.pop(key, None)
    try:
        yield clone, env, named
    finally:
        make(clone, env, "clean", expect_ok=False)
        shutil.rmtree(top, ignore_errors=True)


def test_make_local_after_local_down_restarts_what_the_converge_left_and_a_converge_then_changes_nothing(profile):
    clone, env, named = profile
    ports = stand_in_ports(named)

    first = make(clone, env, "local")
    assert "PLAY [" in first.stdout
    before = read_workbench(clone)
    assert before["workflows"] and all(pair[1] for pair in before["workflows"]), before
    assert "workbench_automation" in before["logins"] and before["tables"] and before["answered"]
    # the start records hold no secret: those stay in the 0600 environment files
    secrets = [v for k, v in local_env(clone).items() if k.endswith(("KEY", "PASSWORD", "TOKEN"))]
    secrets.append(open(os.path.join(clone, ".workbench", "n8n", "encryption.key")).read().strip())
    for record in (".workbench/local_stack.resume.json", ".workbench/litellm/resume.json"):
        text = open(os.path.join(clone, record)).read()
        assert [s for s in secrets if s and s in text] == [], record
        assert oct(os.stat(os.path.join(clone, record)).st_mode & 0o777) == "0o600"

    make(clone, env, "local-down")
    assert [p for p in ports if listening(p)] == []

    # --- the restart: no converge, the same processes, the same workbench ---------------------------------------------
    again = make(clone, env, "local")
    assert "PLAY [" not in again.stdout and "converge skipped" in again.stdout, again.stdout[-3000:]
    assert "services were started again" in again.stdout
    assert all(listening(p) for p in ports), [p for p in ports if not listening(p)]
    assert read_workbench(clone) == before

    # --- a changed input converges; over the restarted processes that converge changes nothing ------------------------
    defaults = os.path.join(clone, "roles", "n8n_workflows", "defaults", "main.yml")
    with open(defaults, "a") as f:
        f.write("# a comment: an input of the converge changed, nothing it does\n")
    changed = make(clone, env, "local")
    assert "PLAY [" in changed.stdout and "converge skipped" not in changed.stdout
    assert recaps(changed.stdout) and set(recaps(changed.stdout)) == {0}, changed.stdout[-6000:]
    assert read_workbench(clone) == before

    # --- a port taken while the profile is down: nothing starts, the converge names the port ---------------------------
    make(clone, env, "local-down")
    squatter = socket.socket()
    squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    squatter.bind(("127.0.0.1", named["local_stack_n8n_port"]))
    squatter.listen(1)
    try:
        blocked = make(clone, env, "local", expect_ok=False)
        out = blocked.stdout + blocked.stderr
        assert blocked.returncode != 0
        assert "already taken: converging instead" in out
        assert str(named["local_stack_n8n_port"]) in out and "local_stack_n8n_port" in out, out[-4000:]
        assert [p for p in ports if p != named["local_stack_n8n_port"] and listening(p)] == []
    finally:
        squatter.close()

    # --- make clean: nothing left -------------------------------------------------------------------------------------
    pg_dir = os.path.realpath(os.path.join(clone, ".workbench", "pg"))
    make(clone, env, "clean")
    assert [p for p in ports if listening(p)] == []
    assert processes_mentioning(clone, pg_dir) == []
    for leftover in (os.path.join(clone, ".workbench"), os.path.join(clone, ".tmp"), pg_dir):
        assert not os.path.lexists(leftover), leftover
