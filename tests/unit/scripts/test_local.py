"""scripts/local_resume.py, with real processes on 127.0.0.1: it starts every recorded service at once, refuses
before starting anything when a port is taken or a record is malformed, and reports a service that never answers.
The whole restart of the local profile is tests/integration/test_local_stack_resume.py."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import sys

import pytest

from support.clone import free_ports, listening

SCRIPT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "scripts", "local_resume.py")
spec = importlib.util.spec_from_file_location("local_resume", SCRIPT)
local_resume = importlib.util.module_from_spec(spec)
spec.loader.exec_module(local_resume)


def http_server(port, pidfile, marker=None):
    """A start command that daemonises a small HTTP server on ``port`` (as the roles' start commands do)."""
    touch = 'touch "%s"; ' % marker if marker else ""
    return [
        "sh",
        "-c",
        '%s%s -m http.server --bind 127.0.0.1 %d >/dev/null 2>&1 & echo $! > "%s"'
        % (touch, sys.executable, port, pidfile),
    ]


def record(tmp_path, services, name="resume.json"):
    path = tmp_path / name
    path.write_text(json.dumps({"services": services}))
    return str(path)


@pytest.fixture
def pidfiles(tmp_path):
    made = []
    yield lambda name: made.append(str(tmp_path / name)) or made[-1]
    for path in made:
        if os.path.exists(path):
            try:
                os.kill(int(open(path).read()), signal.SIGTERM)
            except (OSError, ValueError):
                pass


def service(name, start, port, ready, timeout=20):
    return {"name": name, "start": start, "host": "127.0.0.1", "ports": [port], "ready": ready, "timeout": timeout}


def test_every_service_starts_and_answers(tmp_path, pidfiles, capsys):
    a = free_ports(start=28100)
    b = free_ports(start=a + 1)
    rec1 = record(
        tmp_path,
        [service("web", http_server(a, pidfiles("a.pid")), a, {"http": "http://127.0.0.1:%d/" % a})],
        "one.json",
    )
    rec2 = record(tmp_path, [service("tcp", http_server(b, pidfiles("b.pid")), b, {"tcp": b})], "two.json")
    assert local_resume.main([rec1, rec2]) == 0
    assert listening(a) and listening(b)
    out = capsys.readouterr().out
    assert "ready: web" in out and "tcp" in out


def test_a_taken_port_starts_nothing(tmp_path, pidfiles, capsys):
    a = free_ports(start=28200)
    b = free_ports(start=a + 1)
    marker = tmp_path / "started"
    squatter = socket.socket()
    squatter.bind(("127.0.0.1", b))
    squatter.listen(1)
    try:
        rec = record(
            tmp_path,
            [
                service("first", http_server(a, pidfiles("a.pid"), marker), a, {"tcp": a}),
                service("second", ["true"], b, {"tcp": b}),
            ],
        )
        assert local_resume.main([rec]) == 3
    finally:
        squatter.close()
    assert not marker.exists() and not listening(a)
    assert "port %d (second) already taken" % b in capsys.readouterr().out


@pytest.mark.parametrize(
    "content, says",
    [
        (None, "no usable start record"),
        ("{not json", "no usable start record"),
        (json.dumps({"services": {}}), "has no list 'services'"),
        (
            json.dumps({"services": [{"name": "x", "start": [], "ports": [1], "ready": {"tcp": 1}, "timeout": 1}]}),
            "malformed entry",
        ),
        (
            json.dumps(
                {"services": [{"name": "x", "start": ["true"], "ports": ["1"], "ready": {"tcp": 1}, "timeout": 1}]}
            ),
            "malformed entry",
        ),
        (
            json.dumps(
                {"services": [{"name": "x", "start": ["true"], "ports": [1], "ready": {"udp": 1}, "timeout": 1}]}
            ),
            "malformed entry",
        ),
    ],
)
def test_a_missing_or_malformed_record_starts_nothing(tmp_path, capsys, content, says):
    path = tmp_path / "resume.json"
    if content is not None:
        path.write_text(content)
    assert local_resume.main([str(path)]) == 3
    out = capsys.readouterr().out
    assert says in out and str(path) in out and "converging instead" in out


def test_a_failed_start_and_a_service_that_never_answers_are_reported(tmp_path, capsys):
    a = free_ports(start=28300)
    rec = record(tmp_path, [service("broken", ["sh", "-c", "echo cannot start >&2; exit 4"], a, {"tcp": a})])
    assert local_resume.main([rec]) == 1
    assert "a start failed: broken: cannot start" in capsys.readouterr().out
    rec = record(tmp_path, [service("silent", ["true"], a, {"tcp": a}, timeout=1)])
    assert local_resume.main([rec]) == 1
    assert "not ready in time: silent" in capsys.readouterr().out
