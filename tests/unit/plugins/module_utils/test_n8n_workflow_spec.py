"""Unit tests of plugins/module_utils/_n8n_workflow_spec.py (no server)."""

import pytest

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _n8n_workflow_spec


def test_malformed_json_file_names_the_file_and_position(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"name": "x", "nodes": [}')
    with pytest.raises(_n8n_workflow_spec.WorkflowError) as err:
        _n8n_workflow_spec.prepare({"src": str(path)})
    assert "workflow file %s is not valid JSON: Expecting value: line 1 column 25" % path in str(err.value)
