"""The module runtime (plugins/module_utils/_runtime.py): the pipeline's order, check mode stopping before apply, the
one result shape, the session rolled back on failure, and errors failing with their kind and whether anything was
written. A real AnsibleModule runs each test (exit_json/fail_json raise, tests/unit/module_harness.py)."""

from __future__ import annotations

import pytest
from ansible.module_utils.basic import AnsibleModule
from ansible_collections.insightpulseai.workbench.plugins.module_utils import _runtime as rt

from unit.module_harness import ModuleFail, run_module


class Session:
    def __init__(self, events):
        self.events = events

    def __enter__(self):
        self.events.append("begin")
        return self

    def __exit__(self, exc_type, exc, tb):
        self.events.append("rollback" if exc_type else "end")
        return False


def make_main(events, current="old", fail_at=None, error=rt.ServiceError):
    class Run(rt.ModuleRun):
        def validate(self):
            events.append("validate")
            if fail_at == "validate":
                raise rt.SpecError("value=%r is not one of a, b" % self.module.params["value"], field="value")
            return dict(value=self.module.params["value"])

        def session(self):
            return Session(events)

        def read(self, spec):
            events.append("read")
            return current

        def plan(self, spec, current):
            events.append("plan")
            actions = [] if spec["value"] == current else ["set value"]
            return rt.Plan(
                actions, before=dict(value=current), after=dict(value=spec["value"]), thing=dict(value=current)
            )

        def apply(self, spec, plan):
            events.append("apply")
            if fail_at == "apply":
                raise error("the service said no", written=True)
            return dict(thing=dict(value=spec["value"]))

        def requests(self):
            return dict(reads=1, writes=events.count("apply"))

    def main():
        module = AnsibleModule(argument_spec=dict(value=dict(type="str", required=True)), supports_check_mode=True)
        Run(module).run()

    return main


def test_a_change_runs_every_step_in_order_and_returns_the_common_shape(monkeypatch):
    events = []
    res = run_module(monkeypatch, make_main(events), dict(value="new", _ansible_diff=True)).result
    assert events == ["validate", "begin", "read", "plan", "apply", "end"]
    assert res["changed"] is True and res["actions"] == ["set value"]
    assert res["requests"] == dict(reads=1, writes=1)
    assert res["diff"] == dict(before=dict(value="old"), after=dict(value="new"))
    assert res["thing"] == dict(value="new")


def test_check_mode_stops_after_the_plan_with_its_diff(monkeypatch):
    events = []
    res = run_module(monkeypatch, make_main(events), dict(value="new", _ansible_diff=True), check_mode=True).result
    assert "apply" not in events and events[-1] == "end"
    assert res["changed"] is True and res["actions"] == ["set value"] and res["requests"] == dict(reads=1, writes=0)
    assert res["diff"]["after"] == dict(value="new") and res["thing"] == dict(value="old")


def test_nothing_to_do_applies_nothing_and_has_no_diff(monkeypatch):
    events = []
    res = run_module(monkeypatch, make_main(events, current="same"), dict(value="same", _ansible_diff=True)).result
    assert "apply" not in events
    assert res["changed"] is False and res["actions"] == [] and "diff" not in res


def test_a_spec_error_fails_before_anything_is_read(monkeypatch):
    events = []
    res = run_module(monkeypatch, make_main(events, fail_at="validate"), dict(value="c"))
    assert isinstance(res, ModuleFail)
    assert events == ["validate"]
    assert res.result["msg"] == "value='c' is not one of a, b"
    assert res.result["error_kind"] == "spec" and res.result["written"] is False and res.result["field"] == "value"


@pytest.mark.parametrize(
    "error, kind", [(rt.ServiceError, "service"), (rt.DriftError, "drift"), (rt.WorkbenchError, "error")]
)
def test_an_error_while_applying_rolls_the_session_back_and_says_what_was_written(monkeypatch, error, kind):
    events = []
    res = run_module(monkeypatch, make_main(events, fail_at="apply", error=error), dict(value="new"))
    assert isinstance(res, ModuleFail)
    assert events[-2:] == ["apply", "rollback"]
    assert res.result["msg"] == "the service said no"
    assert res.result["error_kind"] == kind and res.result["written"] is True
    assert res.result["actions"] == ["set value"] and res.result["requests"] == dict(reads=1, writes=1)


def test_a_spec_error_never_claims_a_write():
    assert rt.SpecError("bad", written=True).written is False
    assert issubclass(rt.SpecError, rt.WorkbenchError) and issubclass(rt.DriftError, rt.WorkbenchError)
    assert issubclass(rt.ServiceError, rt.WorkbenchError)


def test_a_bug_is_not_swallowed(monkeypatch):
    def main():
        class Run(rt.ModuleRun):
            def plan(self, spec, current):
                raise KeyError("bug")

        Run(AnsibleModule(argument_spec={}, supports_check_mode=True)).run()

    with pytest.raises(KeyError):
        run_module(monkeypatch, main, {})
