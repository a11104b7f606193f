"""The input rules of local_stack (plugin_utils._inputs_local_stack), through the role_input_problems filter.

pg_ctl and the n8n launcher are stand-in scripts (tmp_path): the rules only ask whether they are executable files, so
no PostgreSQL or n8n is needed.
"""

from __future__ import annotations

import os
import stat

import pytest
import yaml

from ansible_collections.insightpulseai.workbench.plugins.filter.role_input_problems import role_input_problems
from ansible_collections.insightpulseai.workbench.plugins.plugin_utils import _inputs_local_stack

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))))
SPEC = os.path.join(ROOT, "roles", "local_stack", "meta", "argument_specs.yml")


def executable(path):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.fixture
def good(tmp_path):
    """Valid variables: the role's defaults with n8n enabled, pg_ctl and the n8n launcher installed under tmp_path."""
    bindir = tmp_path / "pg" / "bin"
    executable(bindir / "pg_ctl")
    return dict(
        local_stack_state_dir=str(tmp_path / "state"),
        local_stack_env_file=str(tmp_path / "state" / "local.env"),
        local_stack_state="started",
        local_stack_pg_bindir=str(bindir),
        local_stack_pg_host="127.0.0.1",
        local_stack_pg_port=54322,
        local_stack_pg_database="workbench",
        local_stack_pg_superuser="postgres",
        local_stack_pg_settings={"fsync": "off", "synchronous_commit": False, "shared_buffers": "128MB"},
        local_stack_bootstrap=True,
        local_stack_n8n_enabled=True,
        local_stack_n8n_version="2.41.1",
        local_stack_n8n_bin=executable(tmp_path / "cache" / "n8n-2.41.1" / "bin" / "n8n"),
        local_stack_n8n_host="localhost",
        local_stack_n8n_port=5678,
        local_stack_n8n_broker_port="5679",
        local_stack_n8n_owner_email="owner@workbench.local",
        local_stack_n8n_env={"N8N_LOG_LEVEL": "debug"},
        local_stack_n8n_start_timeout=120,
        local_stack_no_log=True,
    )


@pytest.fixture
def problems(good):
    """The problems of the valid variables with ``changes``."""

    def found(check_mode=False, **changes):
        return role_input_problems(dict(good, **changes), "local_stack", check_mode)

    return found


def test_the_valid_set_passes(problems):
    assert problems() == []
    assert problems(local_stack_pg_host="::1", local_stack_n8n_host="127.0.0.1", local_stack_pg_settings={}) == []


def test_with_n8n_disabled_its_settings_are_not_checked(problems):
    assert (
        problems(
            local_stack_n8n_enabled=False,
            local_stack_n8n_version="latest",
            local_stack_n8n_bin="/nonexistent/n8n",
            local_stack_n8n_host="0.0.0.0",
            local_stack_n8n_port=54322,
            local_stack_n8n_broker_port=0,
            local_stack_n8n_owner_email="",
            local_stack_n8n_env={"lower": "x"},
            local_stack_n8n_start_timeout=0,
        )
        == []
    )


def test_the_n8n_launcher_is_needed_only_to_start_it(problems):
    for state in ("stopped", "absent"):
        assert problems(local_stack_state=state, local_stack_n8n_bin="/nonexistent/n8n") == []


@pytest.mark.parametrize(
    "changes, expected",
    [
        (dict(local_stack_state_dir=""), 'local_stack_state_dir="" must be set (an empty path would put the data'),
        (dict(local_stack_state_dir="  "), 'local_stack_state_dir="  " must be set'),
        (dict(local_stack_env_file=""), 'local_stack_env_file="" must be set (an empty path would write'),
        (
            dict(local_stack_pg_bindir="/nonexistent/postgresql/bin"),
            'local_stack_pg_bindir=/nonexistent/postgresql/bin has no executable pg_ctl. Install the server with '
            "`apt-get install postgresql-15`",
        ),
        (dict(local_stack_pg_bindir=""), 'local_stack_pg_bindir="" has no executable pg_ctl'),
        (
            dict(local_stack_pg_host="0.0.0.0"),
            "local_stack_pg_host=0.0.0.0: the local stack's PostgreSQL listens on loopback only (127.0.0.1, localhost or ::1)",
        ),
        (dict(local_stack_pg_port=0), "local_stack_pg_port=0 must be a TCP port from 1 to 65535."),
        (dict(local_stack_pg_port=70000), "local_stack_pg_port=70000 must be a TCP port"),
        (dict(local_stack_pg_database=""), 'local_stack_pg_database="" must be a plain name (letters, digits'),
        (dict(local_stack_pg_database="work bench"), 'local_stack_pg_database="work bench" must be a plain name'),
        (dict(local_stack_pg_database="1workbench"), 'local_stack_pg_database="1workbench" must be a plain name'),
        (dict(local_stack_pg_database="w" * 64), "local_stack_pg_database=" + '"%s" must be' % ("w" * 64)),
        (dict(local_stack_pg_superuser="post-gres"), 'local_stack_pg_superuser="post-gres" must be a plain name'),
        (
            dict(local_stack_pg_settings={"shared buffers": "128MB"}),
            'local_stack_pg_settings.shared buffers="128MB" is not a setting PostgreSQL can be started with',
        ),
        (dict(local_stack_pg_settings={"fsync": "off now"}), 'local_stack_pg_settings.fsync="off now" is not a'),
        (dict(local_stack_pg_settings={"work_mem": "'4MB'"}), "local_stack_pg_settings.work_mem=\"'4MB'\" is not"),
        (dict(local_stack_pg_settings={"fsync": None}), "local_stack_pg_settings.fsync=null is not a setting"),
        (dict(local_stack_pg_settings={"fsync": ""}), 'local_stack_pg_settings.fsync="" is not a setting'),
        (dict(local_stack_pg_settings={"fsync": ["off"]}), 'local_stack_pg_settings.fsync=["off"] is not a'),
        (dict(local_stack_pg_settings="fsync=off"), 'local_stack_pg_settings="fsync=off" must be a mapping'),
        (
            dict(local_stack_n8n_version="latest"),
            'local_stack_n8n_version="latest" must be an n8n release version such as 2.41.1',
        ),
        (dict(local_stack_n8n_version="v2.41.1"), 'local_stack_n8n_version="v2.41.1" must be an n8n release'),
        (
            dict(local_stack_n8n_bin="/nonexistent/n8n"),
            'local_stack_n8n_bin=/nonexistent/n8n is not an executable. Install n8n 2.41.1 with '
            "scripts/install-n8n.sh (make setup runs it), or set local_stack_n8n_enabled=false.",
        ),
        (
            dict(local_stack_n8n_host="0.0.0.0"),
            "local_stack_n8n_host=0.0.0.0: the local stack's n8n listens on loopback only (127.0.0.1, localhost or ::1)",
        ),
        (dict(local_stack_n8n_port=0), "local_stack_n8n_port=0 must be a TCP port from 1 to 65535."),
        (dict(local_stack_n8n_broker_port=65536), "local_stack_n8n_broker_port=65536 must be a TCP port"),
        (
            dict(local_stack_n8n_port=54322),
            "local_stack_pg_port and local_stack_n8n_port are both 54322: each needs a port of its own.",
        ),
        (
            dict(local_stack_n8n_broker_port="5678"),
            "local_stack_n8n_port and local_stack_n8n_broker_port are both 5678: each needs a port of its own.",
        ),
        (dict(local_stack_n8n_owner_email=""), 'local_stack_n8n_owner_email="" must be an e-mail address'),
        (dict(local_stack_n8n_owner_email="owner"), 'local_stack_n8n_owner_email="owner" must be an e-mail address'),
        (dict(local_stack_n8n_owner_email="owner@local"), 'local_stack_n8n_owner_email="owner@local" must be'),
        (
            dict(local_stack_n8n_env={"N8N_LOG_LEVEL": "debug", "n8n log level": "debug"}),
            'local_stack_n8n_env has "n8n log level": n8n\'s settings are environment variables',
        ),
        (dict(local_stack_n8n_env=["N8N_LOG_LEVEL=debug"]), "local_stack_n8n_env=" + '["N8N_LOG_LEVEL=debug"] must'),
        (
            dict(local_stack_n8n_start_timeout=0),
            "local_stack_n8n_start_timeout=0 must be a number of seconds of at least 1.",
        ),
        (dict(local_stack_n8n_start_timeout="2m"), 'local_stack_n8n_start_timeout="2m" must be a number of seconds'),
    ],
)
def test_a_bad_input_is_named_with_its_value(problems, changes, expected):
    found = problems(**changes)
    assert len(found) == 1 and expected in found[0], found


def test_the_postgres_port_is_checked_without_n8n(problems):
    assert problems(local_stack_n8n_enabled=False, local_stack_pg_port=0) == [
        "local_stack_pg_port=0 must be a TCP port from 1 to 65535."
    ]
    # without n8n, its ports do not have to differ from PostgreSQL's
    assert problems(local_stack_n8n_enabled=False, local_stack_n8n_port=54322) == []


def test_pg_ctl_must_be_executable(problems, good):
    os.chmod(os.path.join(good["local_stack_pg_bindir"], "pg_ctl"), 0o644)
    found = problems()
    assert len(found) == 1 and "has no executable pg_ctl" in found[0], found


def test_a_path_option_may_start_with_a_tilde(problems, good, monkeypatch):
    home = os.path.dirname(good["local_stack_pg_bindir"])
    monkeypatch.setenv("HOME", home)
    assert problems(local_stack_pg_bindir="~/bin") == []


def test_every_problem_is_reported_at_once(problems):
    found = problems(
        local_stack_state_dir="",
        local_stack_pg_host="0.0.0.0",
        local_stack_pg_superuser="post-gres",
        local_stack_n8n_owner_email="owner",
    )
    assert len(found) == 4, found


def test_no_input_is_a_secret():
    """The role generates its passwords and n8n's API key; no option of the argument spec is marked no_log, so none
    needs SECRETS (an option that is, must be in it: a message would otherwise show it)."""
    with open(SPEC) as f:
        options = yaml.safe_load(f)["argument_specs"]["main"]["options"]
    assert sorted(_inputs_local_stack.SECRETS) == sorted(n for n, o in options.items() if o.get("no_log"))
    assert _inputs_local_stack.SECRETS == ()
