"""The AWX definitions (the defaults of the awx_configure role, which playbooks/awx_configure.yml runs) agree with the
collection.

- every job template runs an existing playbook (the awx/site.yml wrapper -> insightpulseai.workbench.site ->
  playbooks/site.yml) with tags that exist on the roles of site.yml's imported playbooks;
- every secret a stage's role needs reaches the job through a credential type attached to that stage's template:
  the vault_* variables the production inventory maps onto the role's variables, the vault_* variables the role's
  defaults read, and the role variables its preflight requires that the inventory does not set;
- injectors only use their type's fields, and secrets are never plain job template variables.
"""

import os
import re

import pytest
import yaml

from support import role_yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAYBOOKS = os.path.join(ROOT, "playbooks")
PROD_VARS = os.path.join(ROOT, "inventories", "production", "group_vars", "all", "main.yml")
COLLECTION = "insightpulseai.workbench"
VAULT_RE = re.compile(r"\bvault_\w+")
JINJA_NAME_RE = re.compile(r"{{\s*([A-Za-z_]\w*)\s*}}")


def load(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as f:
        return role_yaml.load(f)


def role_name(entry):
    name = entry["role"] if isinstance(entry, dict) else entry
    prefix = COLLECTION + "."
    return name[len(prefix) :] if name.startswith(prefix) else name


SITE = os.path.join(PLAYBOOKS, "site.yml")


def site_plays(path=SITE):
    """The plays site.yml runs, with imported playbooks followed (relative to the importing file)."""
    with open(path, encoding="utf-8") as f:
        entries = yaml.safe_load(f)
    plays = []
    for entry in entries:
        target = entry.get("ansible.builtin.import_playbook") or entry.get("import_playbook")
        if target:
            plays.extend(site_plays(os.path.join(os.path.dirname(path), target)))
        else:
            plays.append(entry)
    return plays


def tag_index():
    """tag -> set of roles of site.yml that carry it (role-level and play-level tags)."""
    index = {}
    for play in site_plays():
        play_tags = play.get("tags", [])
        for entry in play.get("roles", []):
            tags = list(play_tags) + list(entry.get("tags", []) if isinstance(entry, dict) else [])
            for tag in tags:
                index.setdefault(tag, set()).add(role_name(entry))
    return index


@pytest.fixture(scope="module")
def awx():
    """The definitions, by their names without the role prefix (``awx_configure_stages`` -> ``stages``)."""
    defaults = load("roles", "awx_configure", "defaults", "main.yml")
    return {key[len("awx_configure_") :]: value for key, value in defaults.items()}


@pytest.fixture(scope="module")
def credential_types(awx):
    return {ct["name"]: ct for ct in awx["credential_types"]}


def role_tasks():
    """The role's tasks (its task files, in tasks/main.yml's order, blocks flattened), by name."""
    tasks = {}

    def walk(items):
        for task in items or []:
            if "block" in task:
                walk(task["block"])
            elif "ansible.builtin.import_tasks" in task:
                walk(load("roles", "awx_configure", "tasks", task["ansible.builtin.import_tasks"]))
            else:
                tasks[task["name"]] = task

    walk(load("roles", "awx_configure", "tasks", "main.yml"))
    return tasks


def injected_extra_vars(stage, credential_types):
    names = set()
    for cred in stage["credentials"]:
        names.update(credential_types[cred]["injectors"].get("extra_vars", {}))
    return names


def role_secret_needs(role, prod_vars):
    """The variables a role needs from a secret store in production, each as (variable, why)."""
    needs = []
    # 1. vault_* values the production inventory maps onto the role's variables.
    for key, value in prod_vars.items():
        if key.startswith(role + "_"):
            needs.extend(
                (name, "inventories/production maps it onto %s" % key) for name in VAULT_RE.findall(str(value))
            )
    # 2. vault_* values the role's defaults read (e.g. doks_cluster_secrets).
    with open(os.path.join(ROOT, "roles", role, "defaults", "main.yml"), encoding="utf-8") as f:
        needs.extend(
            (name, "roles/%s/defaults/main.yml reads it" % role) for name in sorted(set(VAULT_RE.findall(f.read())))
        )
    # 3. role variables without a default value that its preflight unconditionally requires to be non-empty and the
    #    inventory does not set.
    defaults = load("roles", role, "defaults", "main.yml")
    preflight = load("roles", role, "tasks", "preflight.yml")
    required = re.compile(r"^(%s_\w+) \| (?:default\('', true\) \| )?length > 0$" % role)
    for task in preflight:
        if "ansible.builtin.assert" not in task or "when" in task:
            continue
        that = task["ansible.builtin.assert"]["that"]
        for cond in [that] if isinstance(that, str) else that:
            match = required.match(cond.strip())
            if match and match.group(1) not in prod_vars and not defaults.get(match.group(1)):
                needs.append((match.group(1), "roles/%s/tasks/preflight.yml requires it" % role))
    return needs


def test_wrapper_playbook_imports_the_collection_site():
    assert load("awx", "site.yml") == [{"ansible.builtin.import_playbook": COLLECTION + ".site"}]
    assert os.path.isfile(os.path.join(PLAYBOOKS, "site.yml"))


def test_awx_collection_requirements_pin_this_collection_at_its_version():
    galaxy = load("galaxy.yml")
    reqs = {c["name"]: c for c in load("awx", "collections", "requirements.yml")["collections"]}
    assert str(reqs[COLLECTION]["version"]) == galaxy["version"]


def test_job_templates_run_an_existing_playbook(awx):
    path = os.path.join(ROOT, awx["playbook"])
    assert os.path.isfile(path), "job templates point at %s, which does not exist" % awx["playbook"]
    for entry in load(awx["playbook"]):
        target = entry["ansible.builtin.import_playbook"]
        namespace, name, playbook = target.split(".", 2)
        assert "%s.%s" % (namespace, name) == COLLECTION
        assert os.path.isfile(os.path.join(PLAYBOOKS, playbook + ".yml")), target
    assert os.path.isfile(os.path.join(ROOT, awx["inventory"]["source_path"], "hosts.yml"))


def test_stage_tags_exist_in_site_and_select_the_stage_roles(awx):
    index = tag_index()
    for stage in awx["stages"]:
        for tag in stage["tags"]:
            assert tag in index, "stage %s: tag %s is on no role of playbooks/site.yml (%s)" % (
                stage["name"],
                tag,
                sorted(index),
            )
        selected = set().union(*(index[tag] for tag in stage["tags"]))
        assert selected == set(stage["roles"]), "stage %s: its tags select %s" % (stage["name"], sorted(selected))


def test_every_role_of_site_has_a_stage(awx):
    roles = {role_name(entry) for play in site_plays() for entry in play.get("roles", [])}
    staged = {role for stage in awx["stages"] for role in stage["roles"]}
    assert roles == staged
    names = [stage["name"] for stage in awx["stages"]]
    assert len(names) == len(set(names))


def test_stages_use_defined_credential_types(awx, credential_types):
    for stage in awx["stages"]:
        for cred in stage["credentials"]:
            assert cred in credential_types, "stage %s uses undefined credential type %s" % (stage["name"], cred)
        assert len(stage["credentials"]) == len(set(stage["credentials"]))


def test_every_secret_a_stage_needs_is_injected(awx, credential_types):
    prod_vars = load("inventories", "production", "group_vars", "all", "main.yml")
    missing = []
    for stage in awx["stages"]:
        injected = injected_extra_vars(stage, credential_types)
        for role in stage["roles"]:
            for name, why in role_secret_needs(role, prod_vars):
                if name not in injected:
                    missing.append("stage %s (role %s): %s (%s)" % (stage["name"], role, name, why))
    assert not missing, "not injected by the stage's credential types:\n" + "\n".join(missing)


def test_the_needs_are_found_at_all(awx):
    """Guard the test above against finding nothing (e.g. a renamed inventory variable)."""
    prod_vars = load("inventories", "production", "group_vars", "all", "main.yml")
    needs = {
        role: {need[0] for need in role_secret_needs(role, prod_vars)}
        for role in {r for stage in awx["stages"] for r in stage["roles"]}
    }
    assert {"vault_do_api_token", "vault_spaces_access_key", "vault_spaces_secret_key"} <= needs["do_network"]
    assert "vault_supabase_db_url" in needs["supabase_schema"]
    assert {"vault_anthropic_api_key", "vault_litellm_master_key", "vault_n8n_encryption_key"} <= needs["doks_cluster"]
    assert {
        "vault_n8n_url",
        "vault_n8n_api_key",
        "vault_n8n_owner_email",
        "vault_n8n_owner_password",
        "vault_supabase_db_url",
    } <= needs["n8n_workflows"]
    assert {
        "vault_traefik_acme_email",
        "vault_traefik_dashboard_users",
        "vault_traefik_n8n_admin_source_ranges",
    } <= needs["traefik"]


def test_injectors_use_only_their_fields_and_every_field_is_injected(credential_types):
    for name, ct in credential_types.items():
        fields = {f["id"] for f in ct["fields"]}
        used = set()
        for kind, injector in ct["injectors"].items():
            assert kind in ("env", "extra_vars"), "%s: unexpected injector %s" % (name, kind)
            for key, template in injector.items():
                assert isinstance(template, str), "%s: AWX renders injector values as strings (%s)" % (name, key)
                refs = set(JINJA_NAME_RE.findall(template))
                assert refs and refs <= fields, "%s: %s uses %s, fields are %s" % (name, key, refs, sorted(fields))
                used |= refs
                if kind == "env":
                    assert not key.startswith("ANSIBLE_"), "%s: AWX refuses ANSIBLE_* env injectors" % name
        assert used == fields, "%s: fields never injected: %s" % (name, sorted(fields - used))


def test_credential_fields_have_a_source_variable(credential_types):
    for name, ct in credential_types.items():
        for field in ct["fields"]:
            assert re.match(r"^[a-z_]\w*$", field["source"]), (name, field)
            assert set(field) <= {"id", "label", "secret", "multiline", "required", "source", "help_text"}, field


def test_secrets_are_not_plain_template_variables(awx):
    tasks = list(role_tasks().values())
    templates = [t for t in tasks if any(k in t for k in ("awx.awx.job_template", "awx.awx.workflow_job_template"))]
    assert len(templates) >= 3
    for task in templates:
        args = task.get("awx.awx.job_template") or task.get("awx.awx.workflow_job_template")
        assert "extra_vars" not in args and "survey_spec" not in args, task["name"]
    for task in tasks:
        if "awx.awx.credential" in task or "vars" in task and "lookup" in str(task.get("vars")):
            assert task.get("no_log") is True, "%s handles secret values: no_log: true" % task["name"]


def test_the_playbook_only_runs_the_role():
    plays = load("playbooks", "awx_configure.yml")
    assert len(plays) == 1
    assert "tasks" not in plays[0] and "vars" not in plays[0] and "vars_files" not in plays[0]
    assert [role_name(entry) for entry in plays[0]["roles"]] == ["awx_configure"]


def test_job_templates_follow_the_stages(awx):
    """The role builds the templates and the workflow from awx_configure_stages (no stage list of its own)."""
    tasks = role_tasks()
    per_stage = tasks["Create one job template per stage"]
    assert per_stage["loop"] == "{{ awx_configure_stages }}"
    assert per_stage["awx.awx.job_template"]["playbook"] == "{{ awx_configure_playbook }}"
    assert per_stage["awx.awx.job_template"]["job_tags"] == "{{ item.tags | join(',') }}"
    assert per_stage["awx.awx.job_template"]["credentials"] == "{{ item.credentials }}"
    assert tasks["Chain the stages after the approval, in site.yml's order"]["loop"] == "{{ awx_configure_stages }}"


def test_stages_follow_site_order(awx):
    order = [role_name(entry) for play in site_plays() for entry in play.get("roles", [])]
    staged = [stage["roles"][0] for stage in awx["stages"]]
    assert staged == [role for role in order if role in staged]


def test_production_inventory_has_hosts_for_every_stage(awx):
    hosts = load("inventories", "production", "hosts.yml")
    groups = set(hosts["all"].get("children", {}))
    for play in site_plays():
        assert play["hosts"] in groups | {"localhost", "all"}, "no group %s in inventories/production" % play["hosts"]


def test_list_valued_secrets_are_converted(credential_types):
    prod_vars = load("inventories", "production", "group_vars", "all", "main.yml")
    injected = {name for ct in credential_types.values() for name in ct["injectors"].get("extra_vars", {})}
    for key, value in prod_vars.items():
        role = next((r for r in os.listdir(os.path.join(ROOT, "roles")) if key.startswith(r + "_")), None)
        if role is None or not isinstance(value, str):
            continue
        spec = load("roles", role, "meta", "argument_specs.yml")["argument_specs"]["main"]["options"].get(key, {})
        if spec.get("type") == "list" and value.strip() in {"{{ %s }}" % name for name in injected}:
            pytest.fail("%s (a list) is set from an injected string: %s" % (key, value))


@pytest.mark.parametrize("key,playbook", [("verify", "verify"), ("destroy", "destroy")])
def test_verify_and_destroy_templates_run_existing_playbooks(awx, key, playbook, credential_types):
    definition = awx[key]
    assert load(definition["playbook"]) == [{"ansible.builtin.import_playbook": "%s.%s" % (COLLECTION, playbook)}]
    assert os.path.isfile(os.path.join(PLAYBOOKS, playbook + ".yml"))
    prod_vars = load("inventories", "production", "group_vars", "all", "main.yml")
    injected = injected_extra_vars(definition, credential_types)
    missing = [
        "%s (role %s): %s" % (key, role, name)
        for role in definition["roles"]
        for name, why in role_secret_needs(role, prod_vars)
        if name not in injected
    ]
    assert not missing, "not injected by the template's credential types:\n" + "\n".join(missing)


def test_destroy_runs_only_behind_an_approval(awx):
    tasks = role_tasks()
    template = tasks["Create the destroy job template (run only through the destroy workflow's approval)"]
    assert template["awx.awx.job_template"]["playbook"] == "{{ awx_configure_destroy.playbook }}"
    workflow = tasks["Create the destroy workflow (variables at launch -> approval -> destroy)"][
        "awx.awx.workflow_job_template"
    ]
    assert workflow["ask_variables_on_launch"] is True  # workbench_destroy_confirm is given at launch
    nodes = {n["identifier"]: n for n in workflow["workflow_nodes"]}
    assert nodes["approval"]["unified_job_template"]["type"] == "workflow_approval"
    assert nodes["approval"]["related"]["success_nodes"] == [{"identifier": "destroy"}]
    assert nodes["destroy"]["unified_job_template"]["name"] == "{{ awx_configure_destroy.name }}"
    # nothing else leads to the destroy node, and no other workflow names the destroy template
    leads = [
        n["identifier"]
        for n in workflow["workflow_nodes"]
        for key in ("success_nodes", "failure_nodes", "always_nodes")
        for target in n.get("related", {}).get(key, [])
        if target["identifier"] == "destroy"
    ]
    assert leads == ["approval"]
    assert "awx_configure_destroy" not in str(tasks["Start the workflow with the plan and the approval"])
    assert "awx_configure_destroy" not in str(tasks["Chain the stages after the approval, in site.yml's order"])
    # the playbook itself refuses without the confirmation
    with open(os.path.join(PLAYBOOKS, "destroy.yml"), encoding="utf-8") as f:
        assert "workbench_destroy_confirm" in f.read()


def test_deploy_workflow_ends_with_verify(awx):
    tasks = role_tasks()
    chain = tasks["Chain the stages after the approval, in site.yml's order"]
    assert "'identifier': 'verify'" in chain["vars"]["__awx_configure_node"]["related"]["success_nodes"]
    last = tasks["End the workflow with the verify playbook"]["vars"]["__awx_configure_verify_node"]
    assert last["identifier"] == "verify" and last["unified_job_template"]["name"] == "{{ awx_configure_verify.name }}"
