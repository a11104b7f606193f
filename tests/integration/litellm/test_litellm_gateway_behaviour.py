"""The rendered config in a real LiteLLM proxy (process target), against fake providers that speak each provider's
own API: which upstream answers, fallbacks, auth, rate limits, the Redis cache, metrics, Langfuse, and secrets.

Fixtures: conftest.keyed_gateway (every provider key set, endpoints pointed at the fakes), conftest.providers.
"""

import base64
import hashlib
import os
import re
import stat
import time

import yaml

import litellm_support as ls

PROTOCOL = {
    "claude-sonnet-4-5": "anthropic",
    "gpt-4o-mini": "openai",
    "gemini-1.5-flash": "gemini",
    "gpt-3.5-turbo": "openai",
}
KEY_ENV = {
    "claude-sonnet-4-5": "ANTHROPIC_API_KEY",
    "gpt-4o-mini": "OPENAI_API_KEY",
    "gemini-1.5-flash": "GEMINI_API_KEY",
    "gpt-3.5-turbo": "OPENAI_API_KEY",
}


def sha256(text):
    return hashlib.sha256(text.encode()).hexdigest()


def test_each_model_is_served_by_its_provider_with_its_key(keyed_gateway, providers):
    key = keyed_gateway.secrets["LITELLM_MASTER_KEY"]
    for name in ("claude-sonnet-4-5", "gpt-4o-mini", "gemini-1.5-flash"):
        before = providers.stats(name)
        res = ls.chat(keyed_gateway.url, name, ls.unique(), key)
        assert res.status == 200, res.body
        assert res.text.startswith("[%s]" % name), res.text
        after = providers.stats(name)
        assert after["hits"] == before["hits"] + 1
        # the proxy spoke the provider's own API ...
        assert after["by_protocol"].get(PROTOCOL[name], 0) == before["by_protocol"].get(PROTOCOL[name], 0) + 1
        # ... with the key it read from its environment (os.environ/<NAME> in the config)
        assert after["key_sha256"] == sha256(keyed_gateway.secrets[KEY_ENV[name]])
        assert res.headers["x-litellm-model-group"] == name
        assert res.headers["x-litellm-attempted-fallbacks"] == "0"


def test_fallback_chain_claude_then_gpt4o_mini_then_gemini(keyed_gateway, providers):
    key = keyed_gateway.secrets["LITELLM_MASTER_KEY"]
    policy = yaml.safe_load(keyed_gateway.read("config.yaml"))["router_settings"]["retry_policy"]
    max_attempts = 1 + policy["InternalServerErrorRetries"]
    try:
        # Claude's endpoint fails: GPT-4o-mini's answers.
        providers.fail("claude-sonnet-4-5", 500)
        claude0, mini0, gemini0 = (providers.stats(n) for n in ("claude-sonnet-4-5", "gpt-4o-mini", "gemini-1.5-flash"))
        res = ls.chat(keyed_gateway.url, "claude-sonnet-4-5", ls.unique("fb1"), key)
        assert res.status == 200, res.body
        assert res.text.startswith("[gpt-4o-mini]"), res.text
        assert res.headers["x-litellm-model-group"] == "gpt-4o-mini"
        claude1, mini1, gemini1 = (providers.stats(n) for n in ("claude-sonnet-4-5", "gpt-4o-mini", "gemini-1.5-flash"))
        tried = claude1["failed_hits"] - claude0["failed_hits"]
        assert 1 <= tried <= max_attempts, tried
        assert mini1["hits"] - mini0["hits"] == 1 and mini1["failed_hits"] == mini0["failed_hits"]
        assert gemini1["hits"] == gemini0["hits"]

        # GPT-4o-mini's fails too: Gemini's answers.
        providers.fail("gpt-4o-mini", 500)
        res = ls.chat(keyed_gateway.url, "claude-sonnet-4-5", ls.unique("fb2"), key)
        assert res.status == 200, res.body
        assert res.text.startswith("[gemini-1.5-flash]"), res.text
        assert res.headers["x-litellm-model-group"] == "gemini-1.5-flash"
        claude2, mini2, gemini2 = (providers.stats(n) for n in ("claude-sonnet-4-5", "gpt-4o-mini", "gemini-1.5-flash"))
        assert claude2["failed_hits"] > claude1["failed_hits"]
        assert mini2["failed_hits"] > mini1["failed_hits"]
        assert (
            gemini2["hits"] - gemini1["hits"] == 1
            and gemini2["by_protocol"]["gemini"] == gemini1["by_protocol"].get("gemini", 0) + 1
        )

        # All three fail: the caller gets an error, not a made-up answer.
        providers.fail("gemini-1.5-flash", 500)
        res = ls.chat(keyed_gateway.url, "claude-sonnet-4-5", ls.unique("fb3"), key)
        assert res.status >= 500, (res.status, res.body)
    finally:
        providers.heal()

    # Healed: the primary answers again (no lasting cooldown of a single deployment).
    res = ls.chat(keyed_gateway.url, "claude-sonnet-4-5", ls.unique("healed"), key)
    assert res.status == 200 and res.text.startswith("[claude-sonnet-4-5]"), (res.status, res.body)


def test_requests_without_a_valid_key_are_refused(keyed_gateway, providers):
    hits = {n: providers.hits(n) for n in ls.SEED_MODELS}
    res = ls.chat(keyed_gateway.url, "gpt-4o-mini", ls.unique(), key=None)
    assert res.status == 401, res.body
    # A wrong key: LiteLLM looks virtual keys up in its database; without one it answers 400 "No connected db."
    # (documented in ../shared/FIELD-NOTES.md). Either way nothing reaches a provider.
    res = ls.chat(keyed_gateway.url, "gpt-4o-mini", ls.unique(), key="sk-not-the-master-key")
    assert res.status in (400, 401), (res.status, res.body)
    assert {n: providers.hits(n) for n in ls.SEED_MODELS} == hits


def test_over_the_rate_limit_is_429(keyed_gateway, providers):
    key = keyed_gateway.secrets["LITELLM_MASTER_KEY"]
    ls.wait_for_minute_start()
    before = providers.hits(ls.RATE_LIMITED_MODEL)
    statuses, bodies = [], []
    for dummy in range(ls.RATE_LIMIT_RPM + 2):
        res = ls.chat(keyed_gateway.url, ls.RATE_LIMITED_MODEL, ls.unique("rpm"), key)
        statuses.append(res.status)
        bodies.append(res.body)
    served = statuses.count(200)
    assert set(statuses) == {200, 429}, statuses
    # never more than the model's rpm in one minute; once refused, every later request of the burst is refused
    assert 1 <= served <= ls.RATE_LIMIT_RPM, statuses
    assert statuses == [200] * served + [429] * (len(statuses) - served), statuses
    assert "rpm_limit': %d" % ls.RATE_LIMIT_RPM in bodies[-1], bodies[-1]
    # a refused request never reached the provider
    assert providers.hits(ls.RATE_LIMITED_MODEL) - before == served


def test_identical_request_is_answered_from_the_redis_cache(keyed_gateway, providers):
    key = keyed_gateway.secrets["LITELLM_MASTER_KEY"]
    prompt = ls.unique("cache")
    before = providers.hits("gpt-4o-mini")
    first = ls.chat(keyed_gateway.url, "gpt-4o-mini", prompt, key)
    assert first.status == 200, first.body
    assert providers.hits("gpt-4o-mini") == before + 1
    second = ls.chat(keyed_gateway.url, "gpt-4o-mini", prompt, key)
    assert second.status == 200, second.body
    assert second.text == first.text
    assert providers.hits("gpt-4o-mini") == before + 1  # the provider was not asked again
    cache_key = second.headers.get("x-litellm-cache-key")
    assert cache_key, second.headers
    # Independent read: the entry is in the gateway's Redis, with the configured TTL (1 h) counting down.
    password = keyed_gateway.read("redis.password")
    assert ls.redis_cli(password, "EXISTS", cache_key) == "1"
    ttl = int(ls.redis_cli(password, "TTL", cache_key))
    assert 3500 < ttl <= 3600, ttl
    # Control: a different prompt is not a cache hit.
    third = ls.chat(keyed_gateway.url, "gpt-4o-mini", ls.unique("cache"), key)
    assert third.status == 200 and providers.hits("gpt-4o-mini") == before + 2


def test_prometheus_metrics_need_the_master_key(keyed_gateway):
    key = keyed_gateway.secrets["LITELLM_MASTER_KEY"]
    assert ls.http("GET", keyed_gateway.url + "/metrics/").status == 401
    res = ls.http("GET", keyed_gateway.url + "/metrics/", key=key)
    assert res.status == 200
    requested = set(re.findall(r'litellm_proxy_total_requests_metric_total\{[^}]*requested_model="([^"]+)"', res.body))
    assert {"claude-sonnet-4-5", "gpt-4o-mini", "gemini-1.5-flash"} <= requested, requested


def test_langfuse_receives_traces_with_the_given_keys(keyed_gateway, langfuse):
    key = keyed_gateway.secrets["LITELLM_MASTER_KEY"]
    assert ls.chat(keyed_gateway.url, "gpt-4o-mini", ls.unique("trace"), key).status == 200
    expected = (
        "Basic "
        + base64.b64encode(
            (
                "%s:%s" % (keyed_gateway.secrets["LANGFUSE_PUBLIC_KEY"], keyed_gateway.secrets["LANGFUSE_SECRET_KEY"])
            ).encode()
        ).decode()
    )
    deadline = time.time() + 30
    while time.time() < deadline and not any(r["path"].startswith("/api/public") for r in langfuse.requests):
        time.sleep(0.5)
    traces = [r for r in langfuse.requests if r["path"].startswith("/api/public")]
    assert traces, [r["path"] for r in langfuse.requests]
    assert all(r["headers"].get("Authorization") == expected for r in traces)
    assert any(r["size"] > 0 for r in traces)


def test_config_and_processes_hold_no_secret(keyed_gateway):
    config = keyed_gateway.read("config.yaml")
    env = keyed_gateway.read("litellm.env")
    for name, value in keyed_gateway.secrets.items():
        assert value in env, name  # the proxy gets every secret ... (so the searches below are meaningful)
        assert value not in config, name  # ... but never through its config
        assert not any(value in cmd for cmd in ls.cmdlines()), name  # nor through a command line
        for log in os.listdir(os.path.join(keyed_gateway.state_dir, "log")):
            assert value not in keyed_gateway.read(os.path.join("log", log)), (name, log)
    assert "os.environ/ANTHROPIC_API_KEY" in config and "os.environ/LITELLM_MASTER_KEY" in config
    for name in ("litellm.env", "config.yaml", "redis.conf", "master.key", "redis.password", "local.env"):
        path = os.path.join(keyed_gateway.state_dir, name)
        if os.path.exists(path):
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, name
    # the default-verbosity run that built the gateway did not print them either
    for value in keyed_gateway.secrets.values():
        assert value not in keyed_gateway.first_run.stdout + keyed_gateway.first_run.stderr


def test_secrets_stay_out_of_vvv_output_and_a_rotated_master_key_takes_effect(keyed_gateway, providers):
    old = keyed_gateway.secrets["LITELLM_MASTER_KEY"]
    redis_password = keyed_gateway.read("redis.password")

    # A converged run at -vvv: every task runs (the secret-carrying ones included), nothing changes.
    res = keyed_gateway.run(verbosity=3, diff=True)
    assert res.rc == 0, res.stdout[-4000:]
    assert "Write the proxy's environment (secrets)" in res.stdout and "ESTABLISH LOCAL CONNECTION" in res.stdout
    out = res.stdout + res.stderr
    for name, value in list(keyed_gateway.secrets.items()) + [("REDIS_PASSWORD", redis_password)]:
        assert value not in out, "%s appears in the -vvv output" % name

    # Rotating the master key at -vvv: the env file and the proxy's environment change, the proxy restarts.
    new = "sk-rotated-" + os.urandom(12).hex()
    keyed_gateway.env["LITELLM_MASTER_KEY"] = new
    keyed_gateway.secrets["LITELLM_MASTER_KEY"] = new
    pid = keyed_gateway.pid("litellm")
    res = keyed_gateway.run(verbosity=3, diff=True)
    assert res.rc == 0, res.stdout[-4000:]
    out = res.stdout + res.stderr
    for value in [old, new, redis_password] + list(keyed_gateway.secrets.values()):
        assert value not in out
    assert keyed_gateway.pid("litellm") not in (None, pid)  # restarted
    assert ls.env_file_value(keyed_gateway.env_file, "LITELLM_MASTER_KEY") == new
    assert ls.chat(keyed_gateway.url, "gpt-4o-mini", ls.unique(), new).status == 200
    assert ls.chat(keyed_gateway.url, "gpt-4o-mini", ls.unique(), old).status in (400, 401)
