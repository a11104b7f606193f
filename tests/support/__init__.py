"""Shared test support. Under pytest-xdist each worker gets its own servers: ``worker_slot()`` offsets their
ports (by 10 per worker) and ``worker_suffix()`` names their state directories. ``WORKBENCH_TEST_PORT_OFFSET``
moves every test server's port at once (two checkouts testing side by side, or a port already taken here)."""

import os


def worker_slot():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0


def worker_suffix():
    slot = worker_slot()
    offset = port_offset()
    return ("-gw%d" % slot if slot else "") + ("-p%d" % offset if offset else "")


def port_offset():
    value = os.environ.get("WORKBENCH_TEST_PORT_OFFSET", "0") or "0"
    if not value.isdigit():
        raise ValueError("WORKBENCH_TEST_PORT_OFFSET=%r: expected a whole number of ports (0 or more)" % value)
    return int(value)


def worker_port(base):
    return base + port_offset() + 10 * worker_slot()
