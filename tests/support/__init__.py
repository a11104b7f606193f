"""Shared test support. Under pytest-xdist each worker gets its own servers: ``worker_slot()`` offsets their
ports (by 10 per worker) and ``worker_suffix()`` names their state directories."""

import os


def worker_slot():
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0


def worker_suffix():
    slot = worker_slot()
    return "-gw%d" % slot if slot else ""


def worker_port(base):
    return base + 10 * worker_slot()
