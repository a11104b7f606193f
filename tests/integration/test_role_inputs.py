"""Every role fails fast, naming the variable, when a required input is missing or malformed - before it writes.

The table is tests/integration/role_inputs_cases.yml: per role, otherwise valid variables and one bad input per
case. Each role runs in ONE ansible-playbook process (all roles at once, in parallel). Its inventory has one host per
case, whose host variables are the case's variables, and the play includes the role's main entry point inside a
block/rescue on every host - the cases run side by side; the rescue records the failed task's name and message
(``ansible_failed_task``, ``ansible_failed_result``), and the last task reports every host's record. Every case is
then its own test, asserting that

- the role refused the input (a valid set must instead pass, so the table cannot pass vacuously);
- the refusal came from the argument spec validation or a task of tasks/preflight.yml (``by`` in the table says
  which), and main.yml runs the preflight before anything else (test_preflight_runs_first);
- the message names the variable and shows the bad value - or, for a secret, that the value is nowhere in the
  output (neither are the valid sets' secrets);
- no task reported a change.

The run selects the ``<role>_preflight`` tag, so a role that wrongly accepts an input stops after its preflight
instead of going on to write (local_stack would start PostgreSQL); every service the valid sets point at is
127.0.0.1:9, where nothing listens. test_every_option_is_covered keeps the table complete: every option of a role's
argument spec has a case, or a reason in the role's ``unchecked`` list.
"""

from __future__ import annotations

import concurrent.futures
import os

import pytest
import yaml

from support.ansible import ROOT, run_playbook
from support.helm import HELM

CASES_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "role_inputs_cases.yml")
ROLES = ("do_network", "doks_cluster", "traefik", "supabase_schema", "litellm_gateway", "n8n_workflows", "local_stack")
SPEC_TASK = "Validating arguments against arg spec 'main'"
REPORT = "Report the cases"
# Cases run side by side, as hosts of one play.
FORKS = 4

# Fallbacks the roles read from the environment: blank, so that only the table's variables count.
BLANK_ENV = (
    "DO_API_TOKEN",
    "DO_API_KEY",
    "DO_OAUTH_TOKEN",
    "DIGITALOCEAN_TOKEN",
    "DIGITALOCEAN_ACCESS_TOKEN",
    "DO_API_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "EC2_ACCESS_KEY",
    "EC2_SECRET_KEY",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "LITELLM_MASTER_KEY",
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "GEMINI_API_KEY",
    "LANGFUSE_PUBLIC_KEY",
    "LANGFUSE_SECRET_KEY",
    "N8N_URL",
    "N8N_API_KEY",
    "K8S_AUTH_KUBECONFIG",
    "KUBECONFIG",
)
KUBECONFIG = {
    "apiVersion": "v1",
    "kind": "Config",
    "current-context": "nowhere",
    "clusters": [{"name": "nowhere", "cluster": {"server": "https://127.0.0.1:9"}}],
    "users": [{"name": "nowhere", "user": {"token": "role-inputs-kube-token"}}],
    "contexts": [{"name": "nowhere", "context": {"cluster": "nowhere", "user": "nowhere"}}],
}


def load_table():
    with open(CASES_FILE) as f:
        table = yaml.safe_load(f)
    assert sorted(table) == sorted(ROLES), "the table must have every role, and only roles"
    for role, spec in table.items():
        cases = [
            dict(id="valid" if name == "default" else "valid-" + name, base=name, valid=True) for name in spec["valid"]
        ]
        for case in spec["cases"]:
            case.setdefault("base", "default")
            case.setdefault("by", "preflight")
            cases.append(case)
        ids = [c["id"] for c in cases]
        assert len(ids) == len(set(ids)), "%s: repeated case ids" % role
        spec["all_cases"] = cases
    return table


TABLE = load_table()


def case_vars(role, case):
    return dict(TABLE[role]["valid"][case["base"]], **case.get("set", {}))


def expected_shows(case):
    """The text of the bad value the message must carry (none for a secret or an emptied input)."""
    if "shows" in case:
        return str(case["shows"])
    if "secret" in case:
        return None
    value = case["set"].get(case["names"])
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (str, int, float)) and value != "":
        return str(value)
    return None


def task_names(path):
    """Names of the tasks of a task file, blocks included."""
    with open(path) as f:
        todo = list(yaml.safe_load(f) or [])
    names = []
    while todo:
        task = todo.pop(0)
        if "name" in task:
            names.append(task["name"])
        for key in ("block", "rescue", "always"):
            todo[:0] = task.get(key, [])
    return names


def play(role):
    """The play, on one inventory host per case (the case's variables are its host variables): the role in a
    block/rescue whose rescue records the failed task and its message, then one report of every host's record."""
    record = "{'outcome': '%s', 'task': %s, 'msg': %s}"
    # A looped task fails with "One or more items failed": its items' messages follow.
    message = (
        "([ansible_failed_result.msg | default('')] + (ansible_failed_result.results | default([])"
        " | selectattr('failed', 'defined') | selectattr('failed') | map(attribute='msg') | map('default', '')"
        " | list)) | join(' | ')"
    )
    tasks = [
        {
            "name": "The case",
            "block": [
                {
                    "name": "Include the role",
                    "tags": ["always"],
                    "ansible.builtin.include_role": {"name": "insightpulseai.workbench." + role},
                },
                {
                    "name": "Record that the role passed",
                    "tags": ["always"],
                    "ansible.builtin.set_fact": {"role_inputs_record": "{{ %s }}" % (record % ("passed", "''", "''"))},
                },
            ],
            "rescue": [
                {
                    "name": "Record the failure",
                    "tags": ["always"],
                    "ansible.builtin.set_fact": {
                        "role_inputs_record": "{{ %s }}" % (record % ("failed", "ansible_failed_task.name", message))
                    },
                },
            ],
        },
        {
            "name": REPORT,
            "tags": ["always"],
            "run_once": True,
            "ansible.builtin.debug": {"var": "role_inputs_records"},
            "vars": {
                "role_inputs_records": "{{ dict(ansible_play_hosts_all | zip(ansible_play_hosts_all"
                " | map('extract', hostvars) | map(attribute='role_inputs_record', default=None)))"
                " }}"
            },
        },
    ]
    return [dict(name="Inputs of " + role, hosts="all", gather_facts=False, tasks=tasks)]


def inventory(role):
    hosts = {}
    for case in TABLE[role]["all_cases"]:
        hosts[case["id"]] = dict(case_vars(role, case), ansible_connection="local")
    return {"all": {"hosts": hosts}}


class RoleRun(object):
    """One role's run: the record of each case, the tasks that changed something in it, and all of the output."""

    def __init__(self, role, result):
        self.role = role
        self.result = result
        self.output = result.stdout + result.stderr
        self.records = {}
        self.changed = {}
        for task in result.tasks:
            res = task["result"]
            if task["name"] == REPORT and "role_inputs_records" in res:
                self.records = {host: record for host, record in res["role_inputs_records"].items() if record}
            elif res.get("changed") or any(item.get("changed") for item in res.get("results", [])):
                self.changed.setdefault(task["host"], []).append(task["name"])

    def record(self, case_id):
        assert case_id in self.records, "the play did not record case %s (rc=%s): %s" % (
            case_id,
            self.result.rc,
            (self.result.stderr or self.result.stdout)[-3000:],
        )
        return self.records[case_id]


def run_role(role, tmp):
    path = os.path.join(tmp, "%s.yml" % role)
    with open(path, "w") as f:
        yaml.safe_dump(play(role), f, sort_keys=False)
    hosts = os.path.join(tmp, "%s.hosts.yml" % role)
    with open(hosts, "w") as f:
        yaml.safe_dump(inventory(role), f, sort_keys=False)
    env = dict.fromkeys(BLANK_ENV, "")
    env.update(TABLE[role].get("env", {}), TMPDIR=tmp, ANSIBLE_FORKS=str(FORKS))
    extra = dict(role_inputs_tmp=tmp, role_inputs_helm=HELM, role_inputs_kubeconfig=os.path.join(tmp, "kubeconfig"))
    result = run_playbook(
        playbook=path, inventory=hosts, extra_vars=extra, env=env, tags=role + "_preflight", timeout=900
    )
    return RoleRun(role, result)


@pytest.fixture(scope="module")
def runs(request, tmp_path_factory):
    """Runs the roles whose cases are selected, all at once (one ansible-playbook each)."""
    here = os.path.abspath(__file__)
    wanted = sorted(
        {
            item.callspec.params["role"]
            for item in request.session.items
            if str(item.fspath) == here and hasattr(item, "callspec") and "role" in item.callspec.params
        }
    )
    tmp = str(tmp_path_factory.mktemp("role-inputs"))
    with open(os.path.join(tmp, "kubeconfig"), "w") as f:
        yaml.safe_dump(KUBECONFIG, f)
    with open(os.path.join(tmp, "rls_without_tables.yml"), "w") as f:
        f.write("policies: []\n")
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(len(wanted), 1)) as pool:
        futures = {role: pool.submit(run_role, role, tmp) for role in wanted}
        return {role: future.result() for role, future in futures.items()}


def _params():
    for role in ROLES:
        for case in TABLE[role]["all_cases"]:
            marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if "xfail" in case else []
            yield pytest.param(role, case, id="%s/%s" % (role, case["id"]), marks=marks)


@pytest.mark.parametrize("role, case", list(_params()))
def test_input(runs, role, case):
    run = runs[role]
    record = run.record(case["id"])
    assert not run.changed.get(case["id"]), "tasks reported a change: %s" % run.changed[case["id"]]
    if case.get("valid"):
        assert record["outcome"] == "passed", "the valid set %r was refused by %r: %s" % (
            case["base"],
            record["task"],
            record["msg"],
        )
        return
    assert record["outcome"] == "failed", "the role accepted %s" % case["set"]
    if case["by"] == "spec":
        assert record["task"].startswith(SPEC_TASK), "refused by %r, not the argument spec" % record["task"]
    else:
        preflight = task_names(os.path.join(ROOT, "roles", role, "tasks", "preflight.yml"))
        assert record["task"] in preflight, "refused by %r, not by a preflight task" % record["task"]
    message = record["msg"]
    assert case["names"] in message, "the message does not name %s: %s" % (case["names"], message)
    shows = expected_shows(case)
    if shows is not None:
        assert shows in message, "the message does not show %r: %s" % (shows, message)
    if "secret" in case:
        assert case["secret"] not in run.output, "the secret of case %s is in the output" % case["id"]


@pytest.mark.parametrize(
    "role",
    [
        pytest.param(
            role,
            marks=[pytest.mark.xfail(reason=TABLE[role]["leak_xfail"], strict=True)]
            if "leak_xfail" in TABLE[role]
            else [],
        )
        for role in ROLES
    ],
)
def test_no_secret_of_the_valid_sets_is_shown(runs, role):
    leaked = [secret for secret in TABLE[role]["never_shown"] if secret in runs[role].output]
    assert not leaked, "the output carries secrets of the valid sets: %s" % leaked


@pytest.mark.parametrize("role", ROLES)
def test_preflight_runs_first(role):
    """main.yml starts with the preflight (imported, so the <role>_preflight tag reaches its tasks): a refusal
    there comes before anything is written."""
    with open(os.path.join(ROOT, "roles", role, "tasks", "main.yml")) as f:
        first = yaml.safe_load(f)[0]
    while "block" in first:
        first = first["block"][0]
    assert first.get("ansible.builtin.import_tasks") == "preflight.yml", first
    assert role + "_preflight" in first.get("tags", []), first


@pytest.mark.parametrize("role", ROLES)
def test_every_option_is_covered(role):
    """Every option of the argument spec has a case or a reason; the table names only real variables."""
    with open(os.path.join(ROOT, "roles", role, "meta", "argument_specs.yml")) as f:
        options = set(yaml.safe_load(f)["argument_specs"]["main"]["options"])
    with open(os.path.join(ROOT, "roles", role, "defaults", "main.yml")) as f:
        known = options | set(yaml.safe_load(f))
    spec = TABLE[role]
    cases = [c for c in spec["all_cases"] if not c.get("valid")]
    used = set(spec["unchecked"]) | {c["names"] for c in cases}
    used |= {k for c in cases for k in c["set"]} | {k for v in spec["valid"].values() for k in v}
    assert used <= known, "the table names variables the role does not have: %s" % sorted(used - known)
    uncovered = options - set(spec["unchecked"]) - {c["names"] for c in cases}
    assert not uncovered, "options without a case or a reason in 'unchecked': %s" % sorted(uncovered)
