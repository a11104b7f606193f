"""A newcomer's clone of this repository, and independent reads of what runs on this machine: used by the
fresh-clone test (tests/integration/test_fresh_clone.py) and the local-profile benchmark (scripts/bench_local.py)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from support.ansible import ROOT

VENV = os.path.dirname(os.path.dirname(sys.executable))


def private_clone(top):
    """``git clone --no-hardlinks`` of this checkout's HEAD into ``top``/with space/workbench, the sub-folder of mode
    0700 (``top`` is expected to be a ``mktemp -d``), with no ../shared beside it. The clone gets what ``make setup``
    would give it without downloading anything: ``.venv`` is this run's venv (as the project's worktrees link theirs)
    and the collection link points at the clone. Returns the clone's path."""
    parent = os.path.join(top, "with space")
    os.mkdir(parent, 0o700)
    clone = os.path.join(parent, "workbench")
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", ROOT, clone], check=True, capture_output=True, timeout=120)
    os.symlink(VENV, os.path.join(clone, ".venv"))
    link = os.path.join(clone, ".ansible", "collections", "ansible_collections", "insightpulseai", "workbench")
    os.makedirs(os.path.dirname(link))
    os.symlink(clone, link)
    return clone


def clone_env(clone, ansible_args=""):
    """The environment a shell in ``clone`` has after ``make``'s exports, without this run's Ansible or DSN settings."""
    env = dict((k, v) for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "WORKBENCH_PG", "SUPABASE_")))
    env.update(
        PATH=os.path.join(VENV, "bin") + os.pathsep + env.get("PATH", ""),
        ANSIBLE_ARGS=ansible_args,
        ANSIBLE_CONFIG=os.path.join(clone, "ansible.cfg"),
        ANSIBLE_HOME=os.path.join(clone, ".ansible"),
        ANSIBLE_NOCOLOR="1",
    )
    return env


def listening(port):
    """Whether something accepts TCP connections on 127.0.0.1:``port``."""
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


def free_ports(count=1, start=27100, span=800):
    """``count`` consecutive ports, from ``start`` on (within ``span``), that nothing listens on and can be bound now."""
    port, end = start, min(start + span, 65535)
    while port + count <= end:
        try:
            for p in range(port, port + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", p))
            if not any(listening(p) for p in range(port, port + count)):
                return port
        except OSError:
            pass
        port += count
    raise RuntimeError("no %d consecutive free ports between %d and %d" % (count, start, end))


def local_profile_ports(base=27100):
    """Free ports for every listener of the local profile, from ``base`` on (100 apart per service), so a clone's
    ``make local`` disturbs no other: returns (ANSIBLE_ARGS that move them, {variable: port})."""
    pg, n8n, litellm, redis, stand_ins = (
        free_ports(start=base),
        free_ports(2, start=base + 100),
        free_ports(start=base + 200),
        free_ports(start=base + 300),
        free_ports(4, start=base + 400),
    )
    ports = {
        "local_stack_pg_port": pg,
        "local_stack_n8n_port": n8n,
        "local_stack_n8n_broker_port": n8n + 1,
        "litellm_gateway_port": litellm,
        "litellm_gateway_redis_port": redis,
        "litellm_gateway_stand_in_base_port": stand_ins,
    }
    return " ".join("-e %s=%d" % kv for kv in sorted(ports.items())), ports


def stand_in_ports(ports, count=4):
    """Every port the profile listens on, the stand-ins' range included."""
    base = ports["litellm_gateway_stand_in_base_port"]
    return sorted(set(ports.values()) | set(range(base, base + count)))


def processes_mentioning(*needles):
    """(pid, command line) of every process whose command line names one of ``needles``, read from /proc."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmdline = f.read().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if any(n in cmdline for n in needles):
            found.append((int(pid), cmdline))
    return found
