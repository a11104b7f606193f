"""The awx_configure role's input rules (plugins/plugin_utils/_inputs_awx_configure.py), on its shipped defaults."""

import os


from ansible_collections.insightpulseai.workbench.plugins.filter.role_input_problems import role_input_problems

from support import role_yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
with open(os.path.join(ROOT, "roles", "awx_configure", "defaults", "main.yml"), encoding="utf-8") as _f:
    DEFAULTS = role_yaml.load(_f)


def problems(**changes):
    values = dict((k, v) for k, v in DEFAULTS.items() if k.startswith("awx_configure_"))
    values.update(changes)
    return role_input_problems(values, "awx_configure")


def stages(*names, credentials=()):
    return [dict(name=n, playbook="%s.yml" % n, credentials=list(credentials)) for n in names]


def test_the_shipped_definitions_agree():
    assert problems() == []


def test_stage_names_unique_not_reserved_and_at_least_one():
    assert problems(awx_configure_stages=[]) == [
        "awx_configure_stages is empty: the deploy workflow runs one stage at least."
    ]
    assert problems(awx_configure_stages=stages("network", "network")) == [
        "awx_configure_stages names the stage network more than once."
    ]
    found = problems(awx_configure_stages=stages("plan"))
    assert found == [
        "awx_configure_stages: the stage name plan is taken by a node of the deploy workflow (plan, approval, verify)."
    ]


def test_every_credential_type_named_is_defined():
    types = [t["name"] for t in DEFAULTS["awx_configure_credential_types"]]
    found = problems(awx_configure_stages=stages("network", credentials=[types[0], "Nope"]))
    assert len(found) == 1 and found[0].startswith(
        'awx_configure_stages (stage network) names the credential type "Nope", which awx_configure_credential_types '
        "does not define (it defines %s" % ", ".join(types)
    )
    verify = dict(DEFAULTS["awx_configure_verify"], credentials=["Nope"])
    assert problems(awx_configure_verify=verify)[0].startswith("awx_configure_verify names the credential type")
