"""Unit tests of plugins/module_utils/_do_kubernetes_spec.py (no server)."""

import pytest

from ansible_collections.insightpulseai.workbench.plugins.module_utils import (
    _do_kubernetes_spec,
)


def test_maintenance_window_validation():
    with pytest.raises(_do_kubernetes_spec.SpecError, match="HH:MM"):
        _do_kubernetes_spec.normalize_maintenance(dict(start_time="25:00", day="any"))
    with pytest.raises(_do_kubernetes_spec.SpecError, match="day must be one of"):
        _do_kubernetes_spec.normalize_maintenance(dict(start_time="01:00", day="someday"))
