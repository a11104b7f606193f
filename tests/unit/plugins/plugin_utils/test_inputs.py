"""The shared input checks of the roles (plugin_utils._inputs) and the role_input_problems filter."""

from __future__ import annotations

import os
import stat

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.insightpulseai.workbench.plugins.filter import role_input_problems as filt
from ansible_collections.insightpulseai.workbench.plugins.plugin_utils import _inputs
from ansible_collections.insightpulseai.workbench.plugins.plugin_utils._inputs import Inputs, show


def run(check, values, *args, **kw):
    i = Inputs(values, secrets=kw.pop("secrets", ()), check_mode=kw.pop("check_mode", False))
    result = getattr(i, check)(*args, **kw)
    return result, i.problems


def test_show_quotes_strings_so_blank_values_are_visible():
    assert show(" ") == '" "'
    assert show(None) == "null"
    assert show({"b": 1, "a": [2]}) == '{"a": [2], "b": 1}'


def test_a_secret_is_never_shown_only_its_length():
    ok, problems = run("secret", {"x_key": "hunter2"}, "x_key", 16, secrets=("x_key",))
    assert not ok
    assert problems == ["x_key (a secret of 7 characters, not shown) must be at least 16 characters."]
    assert "hunter2" not in problems[0]
    ok, problems = run("secret", {"x_key": ""}, "x_key", secrets=("x_key",))
    assert problems == ["x_key (empty) must be set."]


@pytest.mark.parametrize(
    "value, good",
    [("x", True), ("", False), ("  ", False), (None, False), ([], False), ({}, False), (0, True), (False, True)],
)
def test_present(value, good):
    assert run("present", {"v": value}, "v")[0] is good


@pytest.mark.parametrize(
    "value, minimum, maximum, good",
    [
        (3, 1, 5, True),
        ("3", 1, 5, True),
        (0, 1, 5, False),
        (6, 1, 5, False),
        (True, 0, 5, False),
        ("3.5", 0, 5, False),
        (2.0, 0, 5, True),
    ],
)
def test_integer(value, minimum, maximum, good):
    ok, problems = run("integer", {"n": value}, "n", minimum, maximum)
    assert ok is good
    if not good:
        assert problems == ["n=%s must be an integer from %d to %d." % (show(value), minimum, maximum)]


def test_number_exclusive_minimum():
    assert run("number", {"n": 0.1}, "n", 0, exclusive_minimum=True)[0]
    ok, problems = run("number", {"n": 0}, "n", 0, exclusive_minimum=True)
    assert not ok and problems == ["n=0 must be a number above 0."]
    assert not run("number", {"n": "abc"}, "n")[0]


def test_ports_valid_and_distinct():
    i = Inputs({"a_port": 80, "b_port": "80", "c_port": 70000})
    assert not i.distinct_ports(["a_port", "b_port", "c_port"])
    assert i.problems == [
        "a_port and b_port are both 80: each needs a port of its own.",
        "c_port=70000 must be a TCP port from 1 to 65535.",
    ]


@pytest.mark.parametrize(
    "value, good",
    [
        ("https://api.digitalocean.com/v2", True),
        ("http://127.0.0.1:9/v2", True),
        ("http://[::1]:8080/", True),
        ("api.digitalocean.com/v2", False),
        ("ftp://host/", False),
        ("https://", False),
        ("https://host:99999/", False),
        ("https://host /x", False),
        (None, False),
    ],
)
def test_url(value, good):
    assert run("url", {"u": value}, "u")[0] is good


@pytest.mark.parametrize(
    "value, good", [("ai-workbench", True), ("a", True), ("-a", False), ("A", False), ("a" * 64, False), ("a_b", False)]
)
def test_dns_label(value, good):
    assert run("dns_label", {"n": value}, "n")[0] is good


@pytest.mark.parametrize(
    "value, good", [("n8n.example.org", True), ("localhost", False), ("N8N.example.org", False), ("a..b", False)]
)
def test_hostname(value, good):
    assert run("hostname", {"h": value}, "h")[0] is good


@pytest.mark.parametrize(
    "value, good",
    [
        ("traefik:v3.7.12", True),
        ("registry.digitalocean.com/ai/ocr-backend:1.2.0", True),
        ("localhost:5000/x/y:1", True),
        ("ghcr.io/a/b@sha256:" + "a" * 64, True),
        ("traefik", False),
        ("traefik:latest", False),
        ("Traefik:v3", False),
        ("a b:1", False),
    ],
)
def test_image_pinned(value, good):
    assert run("image", {"i": value}, "i")[0] is good


@pytest.mark.parametrize(
    "value, good", [("5m", True), ("1h30m", True), ("300s", True), ("5", False), ("5 m", False), ("", False)]
)
def test_duration(value, good):
    assert run("duration", {"d": value}, "d")[0] is good


def test_resources():
    assert run("resources", {"r": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": "1Gi"}}}, "r")[
        0
    ]
    ok, problems = run("resources", {"r": {"requests": {"cpu": "lots"}}}, "r")
    assert not ok and 'requests.cpu="lots"' in problems[0]
    assert not run("resources", {"r": {"request": {}}}, "r")[0]
    assert not run("resources", {"r": "1 cpu"}, "r")[0]


def test_token_is_never_shown():
    ok, problems = run("token", {"t": "dop v1"}, "t", secrets=("t",))
    assert not ok and "dop v1" not in problems[0] and problems[0].startswith("t (a secret of 6 characters")


def test_dsn_least_privilege_password_and_never_shown():
    good = "postgresql://workbench_migrator:s3cret-pw@127.0.0.1:9/postgres"
    assert run("dsn", {"d": good}, "d")[0]
    ok, problems = run("dsn", {"d": "postgresql://postgres:s3cret-pw@127.0.0.1:9/postgres"}, "d")
    assert not ok and "database owner" in problems[0] and "s3cret-pw" not in problems[0]
    ok, problems = run("dsn", {"d": "postgresql://postgres.abcd:s3cret-pw@pooler:6543/postgres"}, "d")
    assert not ok and "database owner" in problems[0]
    assert run("dsn", {"d": "postgresql://postgres:pw@h/db"}, "d", owner_allowed=True)[0]
    ok, problems = run("dsn", {"d": "postgresql://migrator@h/db"}, "d")
    assert not ok and "has no password" in problems[0]
    ok, problems = run("dsn", {"d": "not a dsn pw=s3cret-pw"}, "d")
    assert not ok and problems[0].startswith("d: not a PostgreSQL connection string") and "s3cret-pw" not in problems[0]
    ok, problems = run("dsn", {"d": ""}, "d")
    assert not ok and "empty value" in problems[0]


def test_a_role_can_give_its_own_words():
    """``expected`` (integer, choice, absolute_path) replaces the words after the value; ``problem`` (dsn) the whole
    sentence, whichever rule of the DSN failed (the value still never shown)."""
    assert run("integer", {"n": 0}, "n", 1, expected="is invalid: expected a count")[1] == [
        "n=0 is invalid: expected a count."
    ]
    assert run("choice", {"c": "x"}, "c", ["a", "b"], expected="is invalid: expected a or b")[1] == [
        'c="x" is invalid: expected a or b.'
    ]
    assert run("absolute_path", {"p": "rel"}, "p", expected="is invalid: expected an absolute path")[1] == [
        'p="rel" is invalid: expected an absolute path.'
    ]
    for dsn in ("not a dsn pw=s3cret-pw", "postgresql://migrator@h/db", "postgresql://postgres:s3cret-pw@h/db"):
        assert run("dsn", {"d": dsn}, "d", problem="d=<hidden> is invalid") == (False, ["d=<hidden> is invalid."])
    assert run("dsn", {"d": "postgresql://u@h"}, "d", password=False, login=True, problem="d is bad") == (
        False,
        ["d is bad."],
    )
    assert run("dsn", {"d": "postgresql://u@h/db"}, "d", password=False, login=True, problem="d is bad") == (True, [])


def test_files_directories_and_the_planned_kubeconfig(tmp_path):
    f = tmp_path / "kubeconfig"
    f.write_text("apiVersion: v1\n")
    assert run("file", {"f": str(f)}, "f")[0]
    assert not run("file", {"f": "relative/path"}, "f")[0]
    assert not run("file", {"f": str(tmp_path)}, "f")[0]
    assert run("directory", {"d": str(tmp_path)}, "d")[0]
    assert not run("directory", {"d": str(f)}, "d")[0]
    missing = str(tmp_path / "nope")
    ok, problems = run("kubeconfig", {"k": missing}, "k")
    assert not ok and problems == [
        "k=%s is not a file. The production inventory hands over the kubeconfig the doks_cluster stage writes "
        "(doks_cluster_kubeconfig); run that stage first, or point k at the cluster's kubeconfig." % missing
    ]
    assert run("kubeconfig", {"k": missing}, "k", check_mode=True)[0]
    assert run("kubeconfig", {"k": str(f)}, "k")[0]
    assert run("kubeconfig", {"k": ""}, "k")[0]  # empty: K8S_AUTH_KUBECONFIG, then ~/.kube/config


def test_helm_binary(tmp_path):
    fake = tmp_path / "helm"
    fake.write_text("#!/bin/sh\necho v3.19.0+g1\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    assert run("helm", {"h": str(fake)}, "h")[0]
    old = tmp_path / "helm2"
    old.write_text("#!/bin/sh\necho 'Client: v2.17.0'\n")
    old.chmod(old.stat().st_mode | stat.S_IXUSR)
    ok, problems = run("helm", {"h": str(old)}, "h")
    assert not ok and problems[0].startswith("h=%s is Client: v2.17.0. kubernetes.core.helm needs helm 3" % old)
    missing = os.path.join(str(tmp_path), "missing")
    ok, problems = run("helm", {"h": missing}, "h")
    assert not ok and problems[0].startswith("h=%s does not run: " % missing)
    assert problems[0].endswith("scripts/install-helm.sh installs helm 3.19.0.")
    ok, problems = run("helm", {"h": ""}, "h")
    assert not ok and problems[0].startswith('h="" must be the helm 3 binary')


def test_a_local_chart_is_the_pinned_chart_as_helm_reads_it(tmp_path):
    helm = tmp_path / "helm"
    helm.write_text(
        "#!/bin/sh\n"
        'case "$3" in *broken*) echo "Error: Chart.yaml file is missing" >&2; exit 1;; esac\n'
        'printf "apiVersion: v2\\nname: demo\\nversion: 1.2.3\\n"\n'
    )
    helm.chmod(helm.stat().st_mode | stat.S_IXUSR)
    chart = tmp_path / "demo-1.2.3.tgz"
    chart.write_bytes(b"read by the stand-in helm only")
    broken = tmp_path / "broken.tgz"
    broken.write_bytes(b"")
    values = {"ref": str(chart), "ver": "1.2.3", "helm": str(helm)}

    def local(**changes):
        return run("local_chart", dict(values, **changes), "ref", "demo", "ver", "helm", "oci://example.org/charts")

    assert local() == (True, [])
    assert local(ref="") == (True, []) and local(ref="oci://example.org/charts/demo") == (True, [])
    assert local(ver="1.2.4") == (False, ["ref=%s is chart demo 1.2.3, but ver pins demo 1.2.4." % chart])
    assert local(ref="/nonexistent/demo") == (
        False,
        [
            "ref=/nonexistent/demo does not exist on the controller (give a chart directory or .tgz, an oci:// "
            "reference, or leave it empty to install demo from oci://example.org/charts)."
        ],
    )
    assert local(ref=str(broken)) == (
        False,
        ["ref=%s is not a chart helm can read (helm show chart: Error: Chart.yaml file is missing)." % broken],
    )


def test_choice_and_pattern():
    assert not run("choice", {"c": "x"}, "c", ["a", "b"])[0]
    assert run("pattern", {"p": "abc"}, "p", r"^[a-z]+$", "must be letters")[0]
    ok, problems = run("pattern", {"p": "abc "}, "p", r"^[a-z ]+$", "must be letters")
    assert not ok and problems == ['p="abc " must be letters.']


def test_flag_and_text():
    i = Inputs({"a": "yes", "b": "false", "c": 1, "d": " x "})
    assert i.flag("a") and not i.flag("b") and i.flag("c") and not i.flag("zz")
    assert i.text("d") == "x" and i.text("zz") == ""


def test_the_filter_refuses_unknown_roles_and_non_mappings():
    with pytest.raises(AnsibleFilterError, match="not a role of the collection"):
        filt.role_input_problems({}, "nope")
    with pytest.raises(AnsibleFilterError, match="as a mapping"):
        filt.role_input_problems([], "do_network")


@pytest.mark.parametrize(
    "value, exact, good",
    [("2.41.1", True, True), ("v2.41.1", True, False), ("2.41.1-rc1", True, False), ("v2.41.1", False, True)],
)
def test_version_exact(value, exact, good):
    assert run("version", {"v": value}, "v", exact=exact)[0] is good


@pytest.mark.parametrize(
    "value, good",
    [
        ("owner@workbench.local", True),
        ("ops@insightpulseai.net", True),
        ("owner", False),
        ("owner@local", False),
        ("a b@example.org", False),
        ("", False),
        (None, False),
    ],
)
def test_email(value, good):
    assert run("email", {"e": value}, "e")[0] is good


def test_executable_program_in_a_directory(tmp_path, monkeypatch):
    program = tmp_path / "bin" / "prog"
    program.parent.mkdir()
    program.write_text("#!/bin/sh\n")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    assert run("executable", {"d": str(program.parent)}, "d", "Install it.", program="prog") == (True, [])
    assert run("executable", {"d": str(tmp_path)}, "d", "Install it.", program="prog") == (
        False,
        ["d=%s has no executable prog. Install it." % tmp_path],
    )
    assert run("executable", {"d": ""}, "d", "Install it.", program="prog")[1] == [
        'd="" has no executable prog. Install it.'
    ]
    monkeypatch.setenv("HOME", str(tmp_path))
    assert run("executable", {"p": "~/bin/prog"}, "p", "Install it.")[0]


@pytest.mark.parametrize(
    "value, good",
    [("http://127.0.0.1:9/v1", True), ("https://[::1]/", True), ("localhost:9/v1", False), ("http://h:0/", False)],
)
def test_is_url_is_the_rule_of_url(value, good):
    assert _inputs.is_url(value) is good
    assert run("url", {"u": value}, "u")[0] is good


@pytest.mark.parametrize(
    "value, good",
    [("traefik", True), ("nginx.example.org", True), ("Traefik", False), ("traefik!", False), ("", False)],
)
def test_object_name(value, good):
    ok, problems = run("object_name", {"c": value}, "c")
    assert ok is good
    if not good:
        assert problems == ["c=%s must be a Kubernetes object name (a lower-case DNS subdomain)." % show(value)]


@pytest.mark.parametrize(
    "value, good", [("letsencrypt", True), ("le_staging-2", True), ("lets encrypt", False), ("-le", False)]
)
def test_cert_resolver(value, good):
    ok, problems = run("cert_resolver", {"r": value}, "r")
    assert ok is good
    if not good:
        assert problems == ['r=%s must be a certificate resolver name (letters, digits, \'-\' or \'_\').' % show(value)]


def test_loopback_names_the_address_and_who_listens():
    assert run("loopback", {"h": "::1"}, "h", "the stack") == (True, [])
    assert run("loopback", {"h": "0.0.0.0"}, "h", "the stack") == (
        False,
        ["h=0.0.0.0: the stack listens on loopback only (127.0.0.1, localhost or ::1)."],
    )
    assert run("loopback", {"h": "::1"}, "h", "the proxy", ("127.0.0.1", "localhost")) == (
        False,
        ["h=::1: the proxy listens on loopback only (127.0.0.1 or localhost)."],
    )
    assert run("loopback", {"h": ""}, "h", "the proxy", ("127.0.0.1",))[1] == [
        'h="": the proxy listens on loopback only (127.0.0.1).'
    ]


def test_executable(tmp_path):
    tool = tmp_path / "tool"
    tool.write_text("#!/bin/sh\n")
    assert run("executable", {"x": str(tool)}, "x", "Install it.") == (
        False,
        ["x=%s is not an executable. Install it." % tool],
    )
    tool.chmod(tool.stat().st_mode | stat.S_IXUSR)
    assert run("executable", {"x": str(tool)}, "x", "Install it.") == (True, [])
    assert run("executable", {"x": str(tmp_path)}, "x", "Install it.")[0] is False
    assert run("executable", {"x": ""}, "x", "Install it.")[1] == ['x="" is not an executable. Install it.']


def test_run_command_says_what_went_wrong(tmp_path):
    assert _inputs.run_command(["sh", "-c", "echo out; echo err >&2; exit 3"]) == (3, "out\n", "err")
    assert _inputs.run_command(["sh", "-c", "exit 4"]) == (4, "", "exit code 4")
    code, out, err = _inputs.run_command([str(tmp_path / "missing")])
    assert code is None and out == "" and "missing" in err
    assert _inputs.run_command(["sleep", "5"], timeout=0.2)[0] is None
