"""Where the contract data lives, and the one reason every test that needs it skips without it.

The contract data (published API specs and chart values of the services the collection talks to) is reference data
that is never committed: it comes with the project's shared folder, beside the clone as ../shared/contracts (CI has
it). ``WORKBENCH_CONTRACTS`` points elsewhere. Without it, tests that need it skip with ``reason(...)``, whose text
starts with ``SKIP_REASON``; tests/conftest.py counts those skips and says at the end how to get the data.
"""

from __future__ import annotations

import os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DIR = os.path.abspath(
    os.environ.get("WORKBENCH_CONTRACTS") or os.path.join(os.path.dirname(ROOT), "shared", "contracts")
)
SKIP_REASON = "needs the contract data"
HOW_TO_GET = (
    "put the project's shared folder beside this clone as %s (CI has it), or point WORKBENCH_CONTRACTS at "
    "a copy of its contracts/ folder" % os.path.join(os.path.dirname(ROOT), "shared")
)


def path(*parts):
    """The path of a contract file under the contract folder."""
    return os.path.join(DIR, *parts)


def missing(paths):
    """The given contract files that are not there."""
    return [p for p in paths if not os.path.isfile(p)]


def reason(paths):
    """The skip reason for a test that needs ``paths`` (the missing ones are named)."""
    return "%s (%s absent): %s" % (SKIP_REASON, ", ".join(os.path.relpath(p, DIR) for p in paths), HOW_TO_GET)


def main(argv):
    """``contracts.py check FILE...``: exit 1 naming the reason when a contract file is absent (scripts/test.sh);
    ``contracts.py summary COUNT``: the closing lines of a run in which COUNT tests skipped for that reason."""
    if len(argv) >= 2 and argv[0] == "check":
        absent = missing([path(p) for p in argv[1:]])
        if absent:
            print(reason(absent))
            return 1
        return 0
    if len(argv) == 2 and argv[0] == "summary" and argv[1].isdigit():
        print("::: %s tests skipped because the contract data is absent (%s)" % (argv[1], DIR))
        print("    to run them: %s" % HOW_TO_GET)
        return 0
    print("usage: contracts.py check FILE... | summary COUNT")
    return 2


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
