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
