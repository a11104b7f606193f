"""The gateway stage on the process target (the local profile): check -> apply -> check -> apply, independent reads
of what runs, restarts on change, stand-ins coming and going, stop, and bad input refused before any write.

No provider key is set here, so every model is answered by a local stand-in.
"""

import os
import shutil
import stat

import pytest
import yaml

import litellm_support as ls


@pytest.fixture(scope="module")
def gateway(litellm_venv):
    gw = ls.Gateway("it-litellm-process")
    gw.stop(remove=True)  # leftovers of an interrupted run
    yield gw
    gw.stop(remove=False)


def test_check_apply_check_apply(gateway):
    assert not os.path.exists(gateway.state_dir)

    plan = gateway.run(check=True, diff=True)
    assert not plan.failed, plan.stdout[-4000:]
    assert plan.changed > 0
    assert not os.path.exists(gateway.state_dir), "check mode wrote the state directory"
    assert not ls.port_open(ls.PROXY_PORT) and not ls.port_open(ls.REDIS_PORT)

    apply = gateway.run(diff=True)
    assert not apply.failed, apply.stdout[-4000:]
    assert apply.changed > 0

    again = gateway.run(check=True, diff=True)
    assert not again.failed and again.changed == 0, [t["name"] for t in again.tasks if t["result"].get("changed")]
    last = gateway.run()
    assert not last.failed and last.changed == 0, [t["name"] for t in last.tasks if t["result"].get("changed")]

    # Independent reads. The env file names the gateway, and its master key works.
    url = ls.env_file_value(gateway.env_file, "LITELLM_URL")
    key = ls.env_file_value(gateway.env_file, "LITELLM_MASTER_KEY")
    assert url == gateway.url
    assert key.startswith("sk-") and len(key) > 40
    assert stat.S_IMODE(os.stat(gateway.env_file).st_mode) == 0o600
    # Every seed model answers, each from its own stand-in.
    for name in ls.SEED_MODELS:
        res = ls.chat(url, name, ls.unique(), key)
        assert res.status == 200, res.body
        assert res.text.startswith("[%s]" % name), res.text
    assert ls.chat(url, "gpt-4o-mini", ls.unique(), None).status == 401
    # The config on disk: the seed's chain, limits and cache, and credentials only as references.
    config = yaml.safe_load(gateway.read("config.yaml"))
    assert [m["model_name"] for m in config["model_list"]] == list(ls.SEED_MODELS)
    assert config["router_settings"]["fallbacks"] == [
        {"claude-sonnet-4-5": ["gpt-4o-mini", "gemini-1.5-flash"]},
        {"gpt-4o-mini": ["gemini-1.5-flash"]},
    ]
    assert config["router_settings"]["routing_strategy"] == "usage-based-routing-v2"
    assert all(m["litellm_params"]["rpm"] == 500 and m["litellm_params"]["tpm"] == 10000 for m in config["model_list"])
    assert config["litellm_settings"]["cache_params"]["ttl"] == 3600
    assert config["litellm_settings"]["cache_params"]["password"] == "os.environ/REDIS_PASSWORD"
    assert config["general_settings"]["master_key"] == "os.environ/LITELLM_MASTER_KEY"
    assert "success_callback" not in config["litellm_settings"]  # no Langfuse keys, no Langfuse callback
    assert key not in gateway.read("config.yaml")
    # What runs: Redis and the proxy on loopback, one stand-in per model, each from its pidfile.
    for service in ["redis", "litellm"] + ["stand-in-" + n for n in ls.SEED_MODELS]:
        assert gateway.pid(service), service
    assert ls.redis_cli(gateway.read("redis.password"), "PING") == "PONG"


def test_a_config_change_restarts_only_the_proxy(gateway):
    proxy, redis = gateway.pid("litellm"), gateway.pid("redis")
    assert proxy and redis
    plan = gateway.run(check=True, litellm_gateway_cache_ttl=600)
    assert not plan.failed and plan.changed > 0
    assert gateway.pid("litellm") == proxy  # check mode left it alone
    res = gateway.run(litellm_gateway_cache_ttl=600)
    assert not res.failed, res.stdout[-4000:]
    assert changed_items(res, STOP) == ["litellm"] and changed_items(res, START) == ["litellm"]
    assert gateway.pid("litellm") not in (None, proxy)
    assert gateway.pid("redis") == redis
    assert yaml.safe_load(gateway.read("config.yaml"))["litellm_settings"]["cache_params"]["ttl"] == 600
    assert gateway.run(litellm_gateway_cache_ttl=600).changed == 0


def test_a_provider_key_retires_its_stand_in(gateway):
    assert gateway.pid("stand-in-gpt-3.5-turbo")
    res = gateway.run(
        litellm_gateway_models=[m for m in seed() if m["name"] != "gpt-3.5-turbo"],
        litellm_gateway_fallback_chain=["claude-sonnet-4-5", "gpt-4o-mini", "gemini-1.5-flash"],
    )
    assert not res.failed, res.stdout[-4000:]
    assert gateway.pid("stand-in-gpt-3.5-turbo") is None  # its model is gone: its stand-in was stopped
    assert gateway.pid("stand-in-gpt-4o-mini")
    assert not os.path.exists(os.path.join(gateway.state_dir, "run", "stand-in-gpt-3.5-turbo.pid"))
    # With a key for Claude (a fake endpoint here), Claude's stand-in goes too and the real provider path is used.
    gateway.env["ANTHROPIC_API_KEY"] = "sk-ant-test-not-real"
    try:
        res = gateway.run()
        assert not res.failed, res.stdout[-4000:]
        assert gateway.pid("stand-in-claude-sonnet-4-5") is None
        config = yaml.safe_load(gateway.read("config.yaml"))
        claude = config["model_list"][0]["litellm_params"]
        assert claude["model"] == "anthropic/claude-sonnet-4-5-20250929"
        assert claude["api_key"] == "os.environ/ANTHROPIC_API_KEY"
        assert "sk-ant-test-not-real" in gateway.read("litellm.env")
    finally:
        gateway.env["ANTHROPIC_API_KEY"] = ""
    res = gateway.run()
    assert not res.failed and gateway.pid("stand-in-claude-sonnet-4-5")
    assert "ANTHROPIC_API_KEY" not in gateway.read("litellm.env")


def test_absent_stops_everything_and_keeps_the_state(gateway):
    key = gateway.master_key
    plan = gateway.run(check=True, litellm_gateway_state="absent")
    assert not plan.failed and plan.changed > 0
    assert gateway.pid("litellm")
    res = gateway.stop()
    assert not res.failed, res.stdout[-4000:]
    for service in ["redis", "litellm"] + ["stand-in-" + n for n in ls.SEED_MODELS]:
        assert gateway.pid(service) is None, service
    assert not ls.port_open(ls.PROXY_PORT) and not ls.port_open(ls.REDIS_PORT)
    assert not any(ls.port_open(p) for p in ls.PROVIDER_PORTS)
    assert gateway.stop().changed == 0
    # started again, it keeps its generated master key
    assert not gateway.run().failed
    assert gateway.master_key == key
    assert ls.chat(gateway.url, "claude-sonnet-4-5", ls.unique(), key).status == 200


STOP = "Stop the processes that are unwanted, stale or started with another configuration"
START = "Start the wanted processes that are not running"


def changed_items(res, task):
    """Names of the processes a looped task changed."""
    return [r["item"]["name"] for r in res.task(task).get("results", []) if r.get("changed")]


def seed():
    with open(os.path.join(ls.ROLE, "defaults", "main.yml")) as f:
        return yaml.safe_load(f)["litellm_gateway_models"]


@pytest.mark.parametrize(
    "extra, message",
    [
        (
            dict(litellm_gateway_fallback_chain=["claude-sonnet-4-5", "gpt-5-nonexistent"]),
            "litellm_gateway_fallback_chain names ['gpt-5-nonexistent']",
        ),
        (
            dict(litellm_gateway_version="1.82.7"),
            "litellm_gateway_version=1.82.7 is a known compromised LiteLLM release",
        ),
        (
            dict(litellm_gateway_host="0.0.0.0"),
            "litellm_gateway_host=0.0.0.0: the process target listens on loopback only",
        ),
        (
            dict(
                litellm_gateway_models=[dict(name="x", model="openai/x", api_key_env="MISTRAL_API_KEY")],
                litellm_gateway_fallback_chain=[],
            ),
            "Unknown api_key_env: x reads MISTRAL_API_KEY; litellm_gateway_provider_api_keys has ANTHROPIC_API_KEY",
        ),
        (
            dict(
                litellm_gateway_models=[dict(name="x", model="openai/x", api_key_env="OPENAI_API_KEY", rpm=0)],
                litellm_gateway_fallback_chain=[],
            ),
            "not negative: x (rpm=0, tpm=unset",
        ),
        (
            dict(litellm_gateway_venv="/nonexistent/litellm-1.108.7"),
            "litellm_gateway_venv=/nonexistent/litellm-1.108.7 does not hold litellm 1.108.7",
        ),
        (dict(litellm_gateway_stand_in=False), "No provider key for ['claude-sonnet-4-5', 'gpt-4o-mini'"),
        (dict(litellm_gateway_target="docker"), "litellm_gateway_target"),
    ],
)
def test_bad_input_is_refused_before_any_write(litellm_venv, extra, message):
    gw = ls.Gateway("it-litellm-bad-input")
    shutil.rmtree(gw.state_dir, ignore_errors=True)
    res = gw.run(**extra)
    assert res.failed
    failure = res.failure()
    assert failure is not None, res.stdout[-3000:]
    assert message in failure["msg"], failure["msg"]
    assert not os.path.exists(gw.state_dir)
