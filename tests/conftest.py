"""Test-wide setup: make the collection importable as ansible_collections.insightpulseai.workbench."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
COLLECTIONS = os.path.join(ROOT, ".ansible", "collections")
LINK = os.path.join(COLLECTIONS, "ansible_collections", "insightpulseai", "workbench")

if not os.path.exists(LINK):  # scripts/setup.sh makes it; be self-sufficient for a bare `pytest`
    os.makedirs(os.path.dirname(LINK), exist_ok=True)
    os.symlink(ROOT, LINK)
for path in (COLLECTIONS, os.path.join(ROOT, "tests")):
    if path not in sys.path:
        sys.path.insert(0, path)


def _contract_skips(terminalreporter):
    """The skipped test reports whose reason is that the contract data is absent (fakes/contracts.py)."""
    from fakes import contracts

    found = []
    for report in terminalreporter.stats.get("skipped", []):
        longrepr = report.longrepr
        text = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
        if contracts.SKIP_REASON in text:
            found.append(report)
    return found


def pytest_terminal_summary(terminalreporter):
    """Say how many tests skipped because the contract data is absent, and how to get it. With
    WORKBENCH_CONTRACT_SKIPS_FILE set (scripts/test.sh), the count is also written there for the run's last line."""
    from fakes import contracts

    count = len(_contract_skips(terminalreporter))
    target = os.environ.get("WORKBENCH_CONTRACT_SKIPS_FILE")
    if target:
        with open(target, "w") as handle:
            handle.write("%d\n" % count)
    if count:
        terminalreporter.write_sep(
            "=", "%d skipped because the contract data is absent (%s)" % (count, contracts.DIR), yellow=True
        )
        terminalreporter.write_line("To run them: %s." % contracts.HOW_TO_GET)
