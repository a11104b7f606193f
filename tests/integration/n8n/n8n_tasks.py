"""Running the n8n modules in real ansible-playbook processes, and workflow definitions for the tests."""

import copy
import uuid

from support.ansible import run_playbook
from support.cycle import check_apply_check_apply


def module(name, args, check=False, diff=False, verbosity=0):
    """One task of insightpulseai.workbench.<name>; returns the PlaybookResult (see .task('m'))."""
    return run_playbook(
        tasks=[{"name": "m", "insightpulseai.workbench." + name: args}], check=check, diff=diff, verbosity=verbosity
    )


def result(name, args, check=False, diff=False):
    return module(name, args, check=check, diff=diff).task("m")


def four_steps(name, args, expect=(True, True, False, False)):
    """check -> apply -> check -> apply; asserts the changed pattern and diff presence; returns the four results."""

    def run(check):
        r = result(name, args, check=check, diff=True)
        assert not r.get("failed", False), r.get("msg")
        return r

    return check_apply_check_apply(
        run,
        expect=expect,
        diff=lambda r: "diff" in r,
        explain=lambda results: [r.get("workflows", r.get("changes")) for r in results],
    )


def simple_workflow(name, path=None, query="select 1", extra_nodes=0):
    """A webhook -> Set workflow with a unique webhook path (n8n refuses two active workflows on one path)."""
    path = path or "it-" + uuid.uuid4().hex[:10]
    nodes = [
        {
            "name": "Hook",
            "type": "n8n-nodes-base.webhook",
            "typeVersion": 2,
            "position": [0, 0],
            "parameters": {"httpMethod": "POST", "path": path, "responseMode": "lastNode", "options": {}},
        },
        {
            "name": "Shape",
            "type": "n8n-nodes-base.set",
            "typeVersion": 3.4,
            "position": [220, 0],
            "parameters": {
                "assignments": {"assignments": [{"id": "a1", "name": "query", "value": query, "type": "string"}]},
                "options": {},
            },
        },
    ]
    connections = {"Hook": {"main": [[{"node": "Shape", "type": "main", "index": 0}]]}}
    previous = "Shape"
    for i in range(extra_nodes):
        nodes.append(
            {
                "name": "Step %d" % i,
                "type": "n8n-nodes-base.noOp",
                "typeVersion": 1,
                "position": [440 + 220 * i, 0],
                "parameters": {},
            }
        )
        connections[previous] = {"main": [[{"node": "Step %d" % i, "type": "main", "index": 0}]]}
        previous = "Step %d" % i
    return {"name": name, "nodes": nodes, "connections": connections, "settings": {"executionOrder": "v1"}}


def with_postgres(wf, credential="Workbench Postgres"):
    wf = copy.deepcopy(wf)
    wf["nodes"].append(
        {
            "name": "Query",
            "type": "n8n-nodes-base.postgres",
            "typeVersion": 2.6,
            "position": [440, 0],
            "parameters": {"operation": "executeQuery", "query": "select 1", "options": {}},
            "credentials": {"postgres": {"name": credential}},
        }
    )
    wf["connections"]["Shape"] = {"main": [[{"node": "Query", "type": "main", "index": 0}]]}
    return wf
