"""The input rules of litellm_gateway (plugin_utils._inputs_litellm_gateway), through the role_input_problems filter.

The process target's venv is a stand-in (tmp_path/venv/bin/python, a script that prints a LiteLLM version or fails)
and redis-server an executable script, so no LiteLLM, Redis or cluster is needed. Every problem is checked for the
secret values: none may carry one.
"""

from __future__ import annotations

import stat

import pytest

from ansible_collections.insightpulseai.workbench.plugins.filter.role_input_problems import role_input_problems
from ansible_collections.insightpulseai.workbench.plugins.plugin_utils import _inputs_litellm_gateway as rules

MASTER = "sk-unit-master-key-0123"
REDIS = "unit-redis-password-4567"
ANTHROPIC = "sk-ant-unit-key-89ab"
OPENAI = "sk-openai-unit-key-cdef"
GEMINI = "gemini-unit-key-0246"
LF_PUBLIC = "pk-lf-unit-public-1357"
LF_SECRET = "sk-lf-unit-secret-9bdf"
DB_PASSWORD = "unit-db-password-ace0"
DATABASE = "postgresql://litellm:%s@db.internal:5432/litellm" % DB_PASSWORD
SECRETS = (MASTER, REDIS, ANTHROPIC, OPENAI, GEMINI, LF_PUBLIC, LF_SECRET, DB_PASSWORD)

MODELS = [
    dict(name="claude-sonnet-4-5", model="anthropic/claude-sonnet-4-5-20250929", api_key_env="ANTHROPIC_API_KEY",
         input_cost_per_million=3.0, output_cost_per_million=15.0, rpm=500, tpm=10000),
    dict(name="gpt-4o-mini", model="openai/gpt-4o-mini", api_key_env="OPENAI_API_KEY",
         input_cost_per_million=0.15, output_cost_per_million=0.60, rpm=500, tpm=10000),
    dict(name="gemini-1.5-flash", model="gemini/gemini-1.5-flash", api_key_env="GEMINI_API_KEY",
         input_cost_per_million=0.075, output_cost_per_million=0.30, rpm=500, tpm=10000),
    dict(name="gpt-3.5-turbo", model="openai/gpt-3.5-turbo", api_key_env="OPENAI_API_KEY",
         input_cost_per_million=0.50, output_cost_per_million=1.50, rpm=500, tpm=10000),
]  # fmt: skip
KEYS = dict(ANTHROPIC_API_KEY=ANTHROPIC, OPENAI_API_KEY=OPENAI, GEMINI_API_KEY=GEMINI)
NO_KEYS = dict(ANTHROPIC_API_KEY="", OPENAI_API_KEY="", GEMINI_API_KEY="")
COMMON = dict(
    litellm_gateway_state="present",
    litellm_gateway_version="1.108.7",
    litellm_gateway_langfuse_public_key=LF_PUBLIC,
    litellm_gateway_langfuse_secret_key=LF_SECRET,
    litellm_gateway_langfuse_host="https://cloud.langfuse.com",
    litellm_gateway_database_url="",
    litellm_gateway_models=MODELS,
    litellm_gateway_fallback_chain=["claude-sonnet-4-5", "gpt-4o-mini", "gemini-1.5-flash"],
    litellm_gateway_num_retries=2,
    litellm_gateway_retry_policy=dict(InternalServerErrorRetries=1, TimeoutErrorRetries=1, RateLimitErrorRetries=0),
    litellm_gateway_timeout=60,
    litellm_gateway_allowed_fails=3,
    litellm_gateway_cooldown_time=30,
    litellm_gateway_user_rpm_limit=500,
    litellm_gateway_user_tpm_limit=10000,
    litellm_gateway_cache=True,
    litellm_gateway_cache_ttl=3600,
    litellm_gateway_startup_timeout=120,
    litellm_gateway_k8s_wait_timeout=300,
    # the process target's, also set (unchecked) on the kubernetes target, as the role's defaults are
    litellm_gateway_host="127.0.0.1",
    litellm_gateway_port=4000,
    litellm_gateway_redis_port=6380,
    litellm_gateway_stand_in=True,
    litellm_gateway_stand_in_base_port=4100,
    # the kubernetes target's, also set (unchecked) on the process target
    litellm_gateway_k8s_render_dir="",
    litellm_gateway_k8s_namespace="litellm",
    litellm_gateway_k8s_name="litellm-gateway",
    litellm_gateway_k8s_image="ghcr.io/berriai/litellm-non_root:main-v1.108.7",
    litellm_gateway_k8s_redis_image="docker.io/library/redis:7.2.5-alpine",
    litellm_gateway_k8s_run_as_user=65534,
    litellm_gateway_k8s_replicas=3,
    litellm_gateway_k8s_max_replicas=6,
    litellm_gateway_k8s_cpu_utilization=70,
    litellm_gateway_k8s_resources={"requests": {"cpu": "500m", "memory": "512Mi"}, "limits": {"cpu": "2000m"}},
    litellm_gateway_k8s_redis_resources={"requests": {"cpu": "100m", "memory": "256Mi"}},
    litellm_gateway_k8s_hostname="litellm.insightpulseai.net",
    litellm_gateway_k8s_ingress_class="traefik",
    litellm_gateway_k8s_tls_certresolver="letsencrypt",
    litellm_gateway_k8s_ingress_namespace="traefik",
    litellm_gateway_k8s_client_namespaces=["ai-workbench", "n8n", "monitoring"],
)


def executable(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.fixture
def venv(tmp_path):
    """A stand-in venv whose python answers the version question with $FAKE_LITELLM (1.108.7 by default), or fails
    (no litellm in it) when it is 'missing'."""
    executable(
        tmp_path / "venv" / "bin" / "python",
        '#!/bin/sh\n[ "${FAKE_LITELLM:-1.108.7}" = missing ] && { echo "PackageNotFoundError: litellm" >&2; exit 1; }\n'
        'echo "${FAKE_LITELLM:-1.108.7}"\n',
    )
    return str(tmp_path / "venv")


@pytest.fixture
def kubernetes(tmp_path):
    """The problems of the kubernetes target's valid variables with ``changes``."""
    kubeconfig = tmp_path / "kubeconfig"
    kubeconfig.write_text("apiVersion: v1\nkind: Config\n")
    base = dict(
        COMMON,
        litellm_gateway_target="kubernetes",
        litellm_gateway_master_key=MASTER,
        litellm_gateway_redis_password=REDIS,
        litellm_gateway_provider_api_keys=KEYS,
        litellm_gateway_k8s_kubeconfig=str(kubeconfig),
    )
    return lambda check_mode=False, **changes: found(dict(base, **changes), check_mode)


@pytest.fixture
def process(tmp_path, venv):
    """The problems of the process target's valid variables (no keys: stand-ins answer) with ``changes``."""
    base = dict(
        COMMON,
        litellm_gateway_target="process",
        litellm_gateway_master_key="",
        litellm_gateway_redis_password="",
        litellm_gateway_provider_api_keys=NO_KEYS,
        litellm_gateway_state_dir=str(tmp_path / "state"),
        litellm_gateway_env_file=str(tmp_path / "state" / "local.env"),
        litellm_gateway_venv=venv,
        litellm_gateway_redis_server=executable(tmp_path / "bin" / "redis-server", "#!/bin/sh\nexit 0\n"),
        litellm_gateway_k8s_kubeconfig="/nonexistent/kubeconfig",
    )
    return lambda **changes: found(dict(base, **changes))


def found(values, check_mode=False):
    problems = role_input_problems(values, "litellm_gateway", check_mode)
    for secret in SECRETS:
        assert all(secret not in p for p in problems), problems
    return problems


def one(problems):
    assert len(problems) == 1, problems
    return problems[0]


# -- the valid sets -------------------------------------------------------------------------------------------------


def test_the_kubernetes_set_passes(kubernetes):
    assert kubernetes() == []


def test_the_process_set_passes(process):
    assert process() == []


def test_every_secret_variable_is_a_secret():
    assert set(rules.SECRETS) == {
        "litellm_gateway_master_key",
        "litellm_gateway_provider_api_keys",
        "litellm_gateway_langfuse_public_key",
        "litellm_gateway_langfuse_secret_key",
        "litellm_gateway_redis_password",
        "litellm_gateway_database_url",
    }


# -- version ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["", "latest", "v1.108.7", "1.108", "1.108.7rc1", 1.5])
def test_the_version_is_a_release_version(kubernetes, value):
    assert one(kubernetes(litellm_gateway_version=value)) == (
        "litellm_gateway_version=%s is not a LiteLLM release version such as 1.108.7." % rules.show(str(value))
    )


@pytest.mark.parametrize("value", ["1.82.7", "1.82.8"])
def test_a_compromised_release_is_refused(kubernetes, value):
    assert one(kubernetes(litellm_gateway_version=value)) == (
        "litellm_gateway_version=%s is a known compromised LiteLLM release (1.82.7, 1.82.8); use 1.108.7." % value
    )


def test_another_release_is_accepted(kubernetes):
    assert kubernetes(litellm_gateway_version="1.109.0") == []


# -- models -----------------------------------------------------------------------------------------------------------


def test_there_is_a_model(kubernetes):
    assert kubernetes(litellm_gateway_models=[], litellm_gateway_fallback_chain=[]) == [
        "litellm_gateway_models must name each model once; names given: [] (the gateway serves at least one)."
    ]


def test_each_model_is_named_once(kubernetes):
    twice = [dict(name="m", model="openai/a", api_key_env="OPENAI_API_KEY")] * 2
    assert one(kubernetes(litellm_gateway_models=twice, litellm_gateway_fallback_chain=[])) == (
        "litellm_gateway_models must name each model once; names given: ['m', 'm'] (m more than once)."
    )


def test_the_models_are_a_list_of_mappings(kubernetes):
    assert "litellm_gateway_models=" in one(kubernetes(litellm_gateway_models="m", litellm_gateway_fallback_chain=[]))
    problems = kubernetes(litellm_gateway_models=MODELS + ["gpt-5"])
    assert "litellm_gateway_models: item 5 is not a mapping" in problems[0]


@pytest.mark.parametrize(
    "change, shown",
    [
        (dict(model="gpt-4o"), 'm has model="gpt-4o"'),
        (dict(model="openai/gpt 4o"), 'm has model="openai/gpt 4o"'),
        (dict(api_base="localhost:9/v1"), 'm has api_base="localhost:9/v1"'),
        (dict(api_base="ftp://example.org/v1"), 'm has api_base="ftp://example.org/v1"'),
    ],
)
def test_a_model_has_an_upstream_and_an_http_endpoint(kubernetes, change, shown):
    model = dict(dict(name="m", model="openai/gpt-4o", api_key_env="OPENAI_API_KEY"), **change)
    assert one(kubernetes(litellm_gateway_models=[model], litellm_gateway_fallback_chain=[])) == (
        "litellm_gateway_models: %s: model must be a LiteLLM provider/model (such as openai/gpt-4o-mini) and "
        "api_base, when set, an http:// or https:// URL." % shown
    )


@pytest.mark.parametrize("api_base", ["", None, "http://127.0.0.1:9/v1", "https://eu.api.example.org/v1beta"])
def test_an_endpoint_when_set_is_an_http_url(kubernetes, api_base):
    model = dict(name="m", model="openai/gpt-4o", api_key_env="OPENAI_API_KEY", api_base=api_base)
    assert kubernetes(litellm_gateway_models=[model], litellm_gateway_fallback_chain=[]) == []


@pytest.mark.parametrize(
    "change, shown",
    [
        (dict(rpm=0), "m (rpm=0, tpm=unset, costs 0/0)"),
        (dict(tpm=-5, rpm=10), "m (rpm=10, tpm=-5, costs 0/0)"),
        (dict(input_cost_per_million=-1), "m (rpm=unset, tpm=unset, costs -1/0)"),
        (dict(output_cost_per_million=-0.5), "m (rpm=unset, tpm=unset, costs 0/-0.5)"),
    ],
)
def test_limits_are_positive_and_costs_not_negative(kubernetes, change, shown):
    model = dict(dict(name="m", model="openai/a", api_key_env="OPENAI_API_KEY"), **change)
    assert one(kubernetes(litellm_gateway_models=[model], litellm_gateway_fallback_chain=[])) == (
        "litellm_gateway_models: limits (rpm, tpm) must be positive and costs (USD per million tokens) not "
        "negative: %s." % shown
    )


def test_free_models_without_limits_are_accepted(kubernetes):
    model = dict(name="m", model="openai/a", api_key_env="OPENAI_API_KEY", rpm=1, input_cost_per_million=0)
    assert kubernetes(litellm_gateway_models=[model], litellm_gateway_fallback_chain=[]) == []


# -- provider keys ----------------------------------------------------------------------------------------------------


def test_provider_keys_are_named_by_environment_variables(kubernetes):
    keys = dict(KEYS, **{"mistral key": "sk-mistral-unit-s3cr3t"})
    problem = one(kubernetes(litellm_gateway_provider_api_keys=keys))
    assert problem == (
        'litellm_gateway_provider_api_keys has ["mistral key"]: its keys are environment variable names (upper-case '
        "letters, digits and '_'); the values are not shown."
    )
    assert "sk-mistral-unit-s3cr3t" not in problem


def test_every_model_reads_a_known_provider_key(kubernetes):
    model = dict(name="x", model="mistral/a", api_key_env="MISTRAL_API_KEY")
    problems = kubernetes(litellm_gateway_models=[model], litellm_gateway_fallback_chain=[])
    assert problems[0] == (
        "litellm_gateway_models: Unknown api_key_env: x reads MISTRAL_API_KEY; litellm_gateway_provider_api_keys has "
        "ANTHROPIC_API_KEY, GEMINI_API_KEY, OPENAI_API_KEY."
    )


def test_provider_keys_are_a_mapping_and_never_shown(kubernetes):
    problems = kubernetes(litellm_gateway_provider_api_keys=[ANTHROPIC])
    assert problems[0].startswith("litellm_gateway_provider_api_keys (a secret of ")
    assert "must be a mapping of environment variable names to provider keys" in problems[0]


# -- fallback chain ---------------------------------------------------------------------------------------------------


def test_the_fallback_chain_names_known_models(kubernetes):
    assert one(kubernetes(litellm_gateway_fallback_chain=["claude-sonnet-4-5", "gpt-5", "gpt-5"])) == (
        "litellm_gateway_fallback_chain names ['gpt-5']; the models are ['claude-sonnet-4-5', 'gpt-4o-mini', "
        "'gemini-1.5-flash', 'gpt-3.5-turbo']."
    )


def test_the_fallback_chain_names_each_model_once(kubernetes):
    problem = one(kubernetes(litellm_gateway_fallback_chain=["gpt-4o-mini", "gemini-1.5-flash", "gpt-4o-mini"]))
    assert problem.startswith("litellm_gateway_fallback_chain names a model twice (gpt-4o-mini): ")


def test_no_fallback_chain_is_accepted(kubernetes):
    assert kubernetes(litellm_gateway_fallback_chain=[]) == []


# -- master key, Langfuse, database -----------------------------------------------------------------------------------


def test_the_master_key_starts_with_sk(kubernetes):
    assert one(kubernetes(litellm_gateway_master_key="pk-unit-master-s3cr3t")) == (
        "litellm_gateway_master_key (a secret of 21 characters, not shown) must start with \"sk-\" (LiteLLM rejects "
        "other master keys)."
    )


def test_an_empty_master_key_is_generated_on_the_process_target(process):
    assert process(litellm_gateway_master_key="") == []


@pytest.mark.parametrize(
    "empty",
    ["litellm_gateway_langfuse_public_key", "litellm_gateway_langfuse_secret_key"],
)
def test_both_langfuse_keys_or_neither(kubernetes, empty):
    assert one(kubernetes(**{empty: ""})) == (
        "Set both litellm_gateway_langfuse_public_key and litellm_gateway_langfuse_secret_key for Langfuse tracing, "
        "or neither (%s is empty; the keys are not shown)." % empty
    )


def test_no_langfuse_is_accepted(kubernetes):
    assert kubernetes(litellm_gateway_langfuse_public_key="", litellm_gateway_langfuse_secret_key="") == []


@pytest.mark.parametrize("host", ["cloud.langfuse.com", "", "https://cloud langfuse.com"])
def test_the_langfuse_host_is_an_http_url(kubernetes, host):
    assert one(kubernetes(litellm_gateway_langfuse_host=host)) == (
        "litellm_gateway_langfuse_host=%s is not an http:// or https:// URL." % rules.show(host)
    )


def test_a_database_url_is_accepted(kubernetes):
    assert kubernetes(litellm_gateway_database_url=DATABASE) == []


@pytest.mark.parametrize(
    "url, says",
    [
        ("mysql://litellm:%s@127.0.0.1:9/litellm" % DB_PASSWORD, "litellm_gateway_database_url: not a PostgreSQL"),
        (
            "host=db.internal user=litellm password=%s dbname=litellm" % DB_PASSWORD,
            "litellm_gateway_database_url is not a postgresql:// URI",
        ),
        ("postgresql://:%s@db.internal/litellm" % DB_PASSWORD, "litellm_gateway_database_url names no user"),
    ],
)
def test_the_database_url_is_a_postgresql_uri_naming_its_login(kubernetes, url, says):
    problem = one(kubernetes(litellm_gateway_database_url=url))
    assert problem.startswith(says), problem
    assert url not in problem


# -- router settings --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, least, what", rules.COUNTS)
def test_counts_have_a_least_value(kubernetes, name, least, what):
    assert kubernetes(**{name: least}) == []
    assert one(kubernetes(**{name: least - 1})) == "%s=%d must be %s of at least %d." % (name, least - 1, what, least)


def test_the_retry_policy_names_litellm_error_classes(kubernetes):
    problem = one(kubernetes(litellm_gateway_retry_policy=dict(TimeoutErrorRetries=1, SlowErrorRetries=2)))
    assert problem.startswith("litellm_gateway_retry_policy has SlowErrorRetries: LiteLLM's retry_policy knows ")


@pytest.mark.parametrize("value", [-1, "many", True, 1.5])
def test_the_retry_policy_maps_to_retries(kubernetes, value):
    assert one(kubernetes(litellm_gateway_retry_policy=dict(TimeoutErrorRetries=value))) == (
        "litellm_gateway_retry_policy.TimeoutErrorRetries=%s must be a number of retries of at least 0."
        % rules.show(value)
    )


def test_every_error_class_is_accepted(kubernetes):
    assert kubernetes(litellm_gateway_retry_policy=dict.fromkeys(rules.RETRY_POLICY_KEYS, 0)) == []


# -- process target ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["0.0.0.0", "::1", "192.168.1.10"])
def test_the_process_target_listens_on_loopback(process, host):
    assert one(process(litellm_gateway_host=host)) == (
        "litellm_gateway_host=%s: the process target listens on loopback only (127.0.0.1 or localhost)." % host
    )


def test_localhost_is_loopback(process):
    assert process(litellm_gateway_host="localhost") == []


@pytest.mark.parametrize("name", ["litellm_gateway_state_dir", "litellm_gateway_env_file"])
def test_the_process_target_paths_are_set(process, name):
    assert one(process(**{name: ""})) == '%s="" must be set (a path on this host).' % name


@pytest.mark.parametrize(
    "changes, expected",
    [
        (dict(litellm_gateway_port=0), "litellm_gateway_port=0 must be a TCP port from 1 to 65535."),
        (
            dict(litellm_gateway_redis_port=70000),
            "litellm_gateway_redis_port=70000 must be a TCP port from 1 to 65535.",
        ),
        (
            dict(litellm_gateway_stand_in_base_port=65534),
            "litellm_gateway_stand_in_base_port=65534 must be a TCP port from 1 to 65532: the stand-in of the model at "
            "index n listens on it + n (4 models).",
        ),
        (
            dict(litellm_gateway_redis_port=4000),
            "litellm_gateway_port=4000 and litellm_gateway_redis_port=4000 take the same port: the proxy, its Redis "
            "and the stand-ins (litellm_gateway_stand_in_base_port + one per model) each need a port of their own.",
        ),
        (
            dict(litellm_gateway_port=4102),
            "litellm_gateway_port=4102 and litellm_gateway_stand_in_base_port=4100 (+2, the stand-in of "
            "gemini-1.5-flash) take the same port: the proxy, its Redis and the stand-ins "
            "(litellm_gateway_stand_in_base_port + one per model) each need a port of their own.",
        ),
    ],
)
def test_the_process_target_ports_are_valid_and_distinct(process, changes, expected):
    assert one(process(**changes)) == expected


def test_stand_ins_right_after_the_other_ports_are_accepted(process):
    assert (
        process(litellm_gateway_port=4000, litellm_gateway_redis_port=4001, litellm_gateway_stand_in_base_port=4002)
        == []
    )


def test_without_stand_ins_every_model_needs_a_key(process):
    keys = dict(NO_KEYS, OPENAI_API_KEY=OPENAI)
    assert one(process(litellm_gateway_stand_in=False, litellm_gateway_provider_api_keys=keys)) == (
        "No provider key for ['claude-sonnet-4-5', 'gemini-1.5-flash'] and litellm_gateway_stand_in is false. Set "
        "their keys in litellm_gateway_provider_api_keys (vault or the environment) or allow the local stand-ins."
    )
    assert process(litellm_gateway_stand_in=False, litellm_gateway_provider_api_keys=KEYS) == []


@pytest.mark.parametrize(
    "litellm, why",
    [("1.82.6", "found 1.82.6"), ("missing", "no litellm in it")],
)
def test_the_venv_holds_the_pinned_release(process, monkeypatch, venv, litellm, why):
    monkeypatch.setenv("FAKE_LITELLM", litellm)
    assert one(process()) == (
        "litellm_gateway_venv=%s does not hold litellm 1.108.7 (%s). Run scripts/install-litellm.sh (make setup "
        "does), which installs it to $WORKBENCH_CACHE/litellm-1.108.7." % (venv, why)
    )


def test_a_missing_venv_is_named(process):
    assert one(process(litellm_gateway_venv="/nonexistent/litellm-1.108.7")).startswith(
        "litellm_gateway_venv=/nonexistent/litellm-1.108.7 does not hold litellm 1.108.7 (no venv). "
    )


def test_redis_server_is_an_executable(process, tmp_path):
    plain = tmp_path / "redis-server.txt"
    plain.write_text("")
    for path in ("/nonexistent/redis-server", str(plain), str(tmp_path)):
        assert one(process(litellm_gateway_redis_server=path)) == (
            "litellm_gateway_redis_server=%s is not an executable. Install Debian's redis-server (`apt-get install "
            "redis-server`; scripts/install-litellm.sh does it when run as root)." % path
        )


def test_stopping_the_processes_needs_no_venv_or_redis(process):
    assert (
        process(
            litellm_gateway_state="absent",
            litellm_gateway_venv="/nonexistent/venv",
            litellm_gateway_redis_server="/nonexistent/redis-server",
        )
        == []
    )


def test_the_kubernetes_inputs_are_not_checked_on_the_process_target(process):
    assert process(litellm_gateway_k8s_namespace="LiteLLM", litellm_gateway_k8s_replicas=0) == []


# -- kubernetes target ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("litellm_gateway_k8s_namespace", "", "must be a Kubernetes namespace (lower-case"),
        ("litellm_gateway_k8s_namespace", "LiteLLM", "must be a Kubernetes namespace (lower-case"),
        ("litellm_gateway_k8s_name", "litellm_gateway", "must be the name of the gateway's objects"),
        (
            "litellm_gateway_k8s_name",
            "l" * 58,
            "must be the name of the gateway's objects, which its Redis objects extend with -redis",
        ),
        ("litellm_gateway_k8s_ingress_namespace", "", "must be the ingress controller's namespace"),
        ("litellm_gateway_k8s_ingress_class", "Traefik!", "must be a Kubernetes object name"),
        ("litellm_gateway_k8s_tls_certresolver", "lets encrypt", "must be a certificate resolver name"),
        ("litellm_gateway_k8s_hostname", "", "is not a fully qualified DNS name"),
        ("litellm_gateway_k8s_hostname", "litellm", "is not a fully qualified DNS name"),
        ("litellm_gateway_k8s_image", "", "must be a container image reference"),
        ("litellm_gateway_k8s_image", "ghcr.io/berriai/litellm non root:main", "must be a container image reference"),
        ("litellm_gateway_k8s_redis_image", "Redis:7", "must be a container image reference"),
        ("litellm_gateway_k8s_replicas", 0, "must be a replica count of at least 1"),
        ("litellm_gateway_k8s_max_replicas", 2, "must be a replica count of at least 3 (litellm_gateway_k8s_replicas"),
        ("litellm_gateway_k8s_cpu_utilization", 150, "must be a percentage from 1 to 100"),
        ("litellm_gateway_k8s_cpu_utilization", 0, "must be a percentage from 1 to 100"),
        ("litellm_gateway_k8s_run_as_user", 0, "must be a non-root UID of at least 1"),
    ],
)
def test_kubernetes_names_images_and_counts(kubernetes, name, value, expected):
    problem = one(kubernetes(**{name: value}))
    assert problem.startswith("%s=%s %s" % (name, rules.show(value), expected)), problem


def test_the_max_replicas_follow_the_replicas(kubernetes):
    assert kubernetes(litellm_gateway_k8s_replicas=1, litellm_gateway_k8s_max_replicas=1) == []
    problems = kubernetes(litellm_gateway_k8s_replicas=0, litellm_gateway_k8s_max_replicas=0)
    assert problems[1].startswith("litellm_gateway_k8s_max_replicas=0 must be a replica count of at least 1 ")


@pytest.mark.parametrize("value", ["", "le-staging_2"])
def test_the_cert_resolver_may_be_empty(kubernetes, value):
    assert kubernetes(litellm_gateway_k8s_tls_certresolver=value) == []


def test_an_unpinned_image_is_accepted(kubernetes):
    assert kubernetes(litellm_gateway_k8s_redis_image="redis") == []


def test_the_client_namespaces_are_dns_labels(kubernetes):
    assert one(kubernetes(litellm_gateway_k8s_client_namespaces=["n8n", "AI Workbench", 7])) == (
        'litellm_gateway_k8s_client_namespaces has "AI Workbench", 7: namespaces are DNS labels (lower-case letters, '
        "digits and '-')."
    )


@pytest.mark.parametrize("name", ["litellm_gateway_k8s_resources", "litellm_gateway_k8s_redis_resources"])
def test_resources_are_quantities(kubernetes, name):
    problem = one(kubernetes(**{name: {"requests": {"cpu": "half"}}}))
    assert problem.startswith(name + "=") and 'has requests.cpu="half", not a Kubernetes quantity' in problem
    assert "must be a mapping of requests and/or limits" in one(kubernetes(**{name: {"minimum": {"cpu": "1"}}}))


def test_the_kubeconfig_exists_unless_planned_or_rendered(kubernetes, tmp_path):
    assert one(kubernetes(litellm_gateway_k8s_kubeconfig="/nonexistent/kubeconfig")).startswith(
        "litellm_gateway_k8s_kubeconfig=/nonexistent/kubeconfig is not a file."
    )
    assert kubernetes(check_mode=True, litellm_gateway_k8s_kubeconfig="/nonexistent/kubeconfig") == []
    render = dict(litellm_gateway_k8s_render_dir=str(tmp_path / "out"))
    assert kubernetes(litellm_gateway_k8s_kubeconfig="/nonexistent/kubeconfig", **render) == []
    assert kubernetes(litellm_gateway_k8s_kubeconfig="") == []


@pytest.mark.parametrize(
    "changes, shown",
    [
        (
            dict(litellm_gateway_master_key=""),
            "litellm_gateway_master_key (EMPTY), litellm_gateway_redis_password (set)",
        ),
        (dict(litellm_gateway_redis_password=""), "litellm_gateway_redis_password (EMPTY)"),
        (dict(litellm_gateway_provider_api_keys=dict(KEYS, OPENAI_API_KEY="")), "(empty: OPENAI_API_KEY)"),
        (dict(litellm_gateway_provider_api_keys=NO_KEYS), "(empty: ANTHROPIC_API_KEY, OPENAI_API_KEY, GEMINI_API_KEY)"),
    ],
)
def test_the_kubernetes_target_needs_every_secret(kubernetes, changes, shown):
    problem = one(kubernetes(**changes))
    assert problem.startswith("The kubernetes target needs litellm_gateway_master_key (")
    assert shown in problem
    assert problem.endswith("from vault or the environment.")


def test_removing_the_kubernetes_objects_needs_no_secret(kubernetes):
    empty = dict(litellm_gateway_master_key="", litellm_gateway_redis_password="")
    assert kubernetes(litellm_gateway_state="absent", litellm_gateway_provider_api_keys=NO_KEYS, **empty) == []


def test_the_process_inputs_are_not_checked_on_the_kubernetes_target(kubernetes):
    assert kubernetes(litellm_gateway_host="0.0.0.0", litellm_gateway_port=0, litellm_gateway_venv="/nowhere") == []


def test_every_problem_is_reported_at_once(kubernetes):
    problems = kubernetes(
        litellm_gateway_version="latest",
        litellm_gateway_master_key="",
        litellm_gateway_k8s_namespace="LiteLLM",
        litellm_gateway_timeout=0,
    )
    assert [p.split("=")[0].split(" ")[0] for p in problems] == [
        "litellm_gateway_version",
        "litellm_gateway_timeout",
        "litellm_gateway_k8s_namespace",
        "The",
    ]
