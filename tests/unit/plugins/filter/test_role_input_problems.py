"""The role_input_problems filter: which rules it runs, and what it refuses."""

from __future__ import annotations

import pathlib
import re

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.insightpulseai.workbench.plugins.filter import role_input_problems as f

ROOT = pathlib.Path(__file__).resolve().parents[4]
CALL = re.compile(r"role_input_problems\('([a-z_]+)'")


def test_every_preflight_that_asks_the_filter_names_a_role_whose_rules_load():
    asked = {}
    for preflight in sorted(ROOT.glob("roles/*/tasks/preflight.yml")):
        for role in CALL.findall(preflight.read_text()):
            asked[role] = preflight.parent.parent.name
    assert asked, "no preflight calls role_input_problems"
    for role, owner in asked.items():
        assert role == owner, "roles/%s/tasks/preflight.yml runs the rules of %s" % (owner, role)
        assert role in f.ROLES
        module = f.rules(role)
        assert callable(module.check) and isinstance(module.SECRETS, tuple)


def test_every_listed_role_is_a_role_of_the_collection():
    assert all((ROOT / "roles" / r / "tasks").is_dir() for r in f.ROLES)


def test_an_unknown_role_is_refused_by_name():
    with pytest.raises(
        AnsibleFilterError, match=r"'nope' is not a role of the collection \(one of awx_configure, backup, "
    ):
        f.role_input_problems({}, "nope")


def test_the_variables_must_be_a_mapping():
    with pytest.raises(AnsibleFilterError, match="expected the role's variables as a mapping, got list"):
        f.role_input_problems([], "do_network")


def test_the_problems_come_back_as_sentences_without_the_secret():
    problems = f.role_input_problems(
        {"do_network_api_token": "s3cr3t-token", "do_network_region": "Frankfurt"}, "do_network"
    )
    assert any("do_network_region" in p and "Frankfurt" in p for p in problems)
    assert not any("s3cr3t-token" in p for p in problems)
