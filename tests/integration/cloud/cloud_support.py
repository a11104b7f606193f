"""Helpers of the cloud tests: running this collection's modules and roles through real ansible-playbook, and
reading what the DigitalOcean API fake saw."""

from __future__ import annotations

import os

from support.ansible import ROOT, run_playbook
from support.cycle import check_apply_check_apply

DO_TOKEN = "cloud-test-do-token-7c1e29b4"
# Short, so that waiting for "running" stays fast, and long enough to observe "provisioning".
PROVISION_DELAY = 0.4
COLLECTION = "insightpulseai.workbench."
FAST = {"poll_interval": 0.1}


def run_module(module, args, env, check=False, diff=True, expect_failure=False, verbosity=0):
    """Run one module of this collection in a real ansible-playbook; returns the task's result."""
    result = run_playbook(tasks=[{"name": "under test", COLLECTION + module: args}], check=check, diff=diff, env=env)
    task = result.task("under test")
    if expect_failure:
        assert task.get("failed"), task
    else:
        assert result.rc == 0, task.get("msg") or result.stderr or result.stdout[-3000:]
    return task


class Writes(object):
    """The state-changing requests (method, path) the DO fake received while the block ran."""

    def __init__(self, fake):
        self.fake = fake
        self.seen = []

    def __enter__(self):
        self.start = len(self.fake.requests)
        return self

    def __exit__(self, *exc):
        self.seen[:] = [(m, p) for m, p, _s in self.fake.requests[self.start :] if m != "GET"]


def four_steps(fake, module, args, env, result_key=None):
    """check -> apply -> check -> apply: changed, changed, unchanged, unchanged.

    Check runs must send no write and leave the stored state as it was; the diff is there when (and only when)
    something changes. Returns the four results."""

    def run(check):
        with Writes(fake) as writes:
            result = run_module(module, args, env, check=check)
        if check:
            assert writes.seen == [], "check mode wrote: %s" % writes.seen
        return result

    results = check_apply_check_apply(
        run,
        state=fake.snapshot,
        diff=lambda r: "diff" in r,
        explain=lambda results: [r.get("changes") or r.get("actions") for r in results],
    )
    if result_key:
        # the plan in check mode is the change the real run made
        assert results[0].get(result_key) == results[1].get(result_key)
    return results


def playbook(name):
    return os.path.join(ROOT, "playbooks", name)


def api(fake, method, path, body=None):
    """A direct call to the DO fake (test setup only; the code under test goes through ansible-playbook)."""
    import json
    import urllib.request

    request = urllib.request.Request(
        fake.base_url + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": "Bearer " + DO_TOKEN, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        raw = response.read()
    return json.loads(raw) if raw else None
