"""The one check/apply helper: check -> apply -> check -> apply, with the real state read independently around each run.

Every state-changing behaviour of the collection is proven the same way: the plan (check mode) reports a change and
writes nothing, the apply makes it, and a second plan and apply find nothing to do and write nothing. ``state`` is an
independent read of what the run manages (the DigitalOcean fake's store, the Kubernetes fake's resource version, a
SQL query, the n8n REST API): it must not move across a check run or across a run that reports no change.
"""

from __future__ import annotations

CYCLE = (True, False, True, False)  # check, apply, check, apply
CONVERGE = (True, True, False, False)  # changed, changed, unchanged, unchanged


def check_apply_check_apply(run, expect=CONVERGE, state=None, changed=None, diff=None, explain=None):
    """Run ``run(check)`` four times (check, apply, check, apply) and return the four results.

    ``expect`` is the changed pattern; ``changed(result)`` reads whether a run changed something (default
    ``result["changed"]``); ``diff(result)``, when given, reads whether the run returned a diff, which it must do
    exactly when it changed something; ``state()`` reads the real state independently: a check run, or a run that
    reports no change, must leave it as it was. ``explain(results)`` is printed when the pattern does not hold.
    """
    changed = changed or (lambda result: result["changed"])
    results = []
    for step, check in enumerate(CYCLE):
        before = state() if state else None
        result = run(check)
        results.append(result)
        if state and (check or not expect[step]):
            after = state()
            assert after == before, "%s %d (%s) changed the real state: %r -> %r" % (
                "check" if check else "apply",
                step + 1,
                "planned" if check else "reported no change",
                before,
                after,
            )
    pattern = [bool(changed(r)) for r in results]
    assert pattern == list(expect), (pattern, explain(results) if explain else results)
    if diff:
        assert [bool(diff(r)) for r in results] == list(expect), "a diff must come with (and only with) a change"
    return results
