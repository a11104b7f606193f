"""The first ten minutes: a newcomer's clone works wherever it is, and leaves nothing behind.

The repository is really cloned (``git clone --no-hardlinks`` of this checkout's HEAD) into a folder made by
``mktemp -d`` (mode 0700, as root's home is) under a sub-folder of mode 0700 whose name has a space, with no
../shared beside it. There the local profile's start runs from the clone itself (its playbooks/local_stack.yml, its
inventories/local, its own collection link; PostgreSQL only, on a free port, so no other test's server is touched):
PostgreSQL comes up and the Supabase-compatible bootstrap is applied. As root the server runs as the postgres user,
who cannot enter the clone: its data must then be outside the clone, owned by postgres. Then the clone's own
``make local-down`` and ``make clean`` stop it and remove it, and an independent look at /proc, the port and the
file system shows no process, no listener and no folder left; the folders above the clone keep their modes.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import tempfile

import pytest

from support import worker_port
from support.clone import VENV, clone_env, free_ports, listening, private_clone, processes_mentioning
from support.pg import query


def run(argv, cwd, env, timeout=300):
    proc = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    assert proc.returncode == 0, "%s failed (%d):\n%s\n%s" % (
        argv,
        proc.returncode,
        proc.stdout[-4000:],
        proc.stderr[-3000:],
    )
    return proc


@pytest.fixture
def clone():
    """A clone of HEAD in <mktemp -d>/with space/workbench (both folders 0700), without ../shared beside it."""
    top = tempfile.mkdtemp(prefix="wb-clone-")
    try:
        yield top, private_clone(top)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def test_a_private_clone_with_a_space_and_no_shared_folder_runs_the_local_start_and_cleans_up(clone):
    top, clone = clone
    parent = os.path.dirname(clone)
    modes = dict((p, stat.S_IMODE(os.stat(p).st_mode)) for p in (top, parent))
    assert modes == {top: 0o700, parent: 0o700}
    assert not os.path.exists(os.path.join(parent, "shared"))
    port = free_ports(start=worker_port(27100))
    env = clone_env(clone, "-e local_stack_pg_port=%d -e local_stack_n8n_enabled=false" % port)

    # --- the start, from the clone ------------------------------------------------------------------------------
    run(
        [
            os.path.join(VENV, "bin", "ansible-playbook"),
            "playbooks/local_stack.yml",
            "-i",
            "inventories/local",
            "-e",
            "local_stack_pg_port=%d" % port,
            "-e",
            "local_stack_n8n_enabled=false",
        ],
        cwd=clone,
        env=env,
    )
    state = os.path.join(clone, ".workbench")
    with open(os.path.join(state, "local.env")) as f:
        dsn = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)["WORKBENCH_PG_DSN"]
    assert dsn.endswith("@127.0.0.1:%d/workbench" % port)
    # the bootstrap is applied: Supabase's roles, auth.users with the local test users, auth.uid()
    roles = query(
        dsn,
        "select rolname from pg_roles where rolname in ('anon', 'authenticated', 'service_role', "
        "'authenticator') order by 1",
    )
    assert [r[0] for r in roles] == ["anon", "authenticated", "authenticator", "service_role"]
    assert query(dsn, "select count(*) from auth.users")[0][0] == 4
    assert query(dsn, "select to_regprocedure('auth.uid()') is not null")[0][0] is True
    data_dir = query(dsn, "show data_directory")[0][0]
    server_user = pwd.getpwuid(os.stat(data_dir).st_uid).pw_name
    if os.geteuid() == 0:
        # the postgres user cannot enter the clone: the data is outside it, owned by postgres, and the clone's
        # .workbench/pg records where
        assert server_user == "postgres" and not data_dir.startswith(top)
        assert os.path.realpath(os.path.join(state, "pg")) == os.path.dirname(data_dir)
    else:
        assert server_user == pwd.getpwuid(os.geteuid()).pw_name and data_dir.startswith(clone)
    pg_dir = os.path.dirname(data_dir)
    assert processes_mentioning(data_dir) and listening(port)

    # --- make local-down: the server stops, its data stays ----------------------------------------------------------
    run(["make", "local-down"], cwd=clone, env=env)
    assert processes_mentioning(data_dir) == [] and not listening(port)
    assert os.path.isfile(os.path.join(data_dir, "PG_VERSION"))

    # --- make clean: nothing left, not even the data outside the clone ------------------------------------------------
    run(["make", "clean"], cwd=clone, env=env)
    assert processes_mentioning(data_dir, clone) == [] and not listening(port)
    for leftover in (state, os.path.join(clone, ".tmp"), pg_dir):
        assert not os.path.lexists(leftover), leftover
    assert dict((p, stat.S_IMODE(os.stat(p).st_mode)) for p in (top, parent)) == modes
