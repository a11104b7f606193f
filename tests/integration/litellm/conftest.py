"""Fixtures of the litellm_gateway tests: the pinned LiteLLM venv, fake providers, a captured Langfuse, and the
gateway itself (process target) wired to them."""

import http.server
import os
import secrets
import threading

import pytest
import yaml

import litellm_support as ls


@pytest.fixture(scope="session")
def litellm_venv():
    return ls.install_litellm()


@pytest.fixture(scope="module")
def providers():
    fakes = ls.FakeProviders().start()
    yield fakes
    fakes.stop()


class _Capture(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.requests.append(dict(path=self.path, headers=dict(self.headers), size=len(body)))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    do_GET = do_POST

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def langfuse():
    """A stand-in Langfuse server that records what the proxy's callback sends."""
    server = http.server.ThreadingHTTPServer((ls.HOST, 0), _Capture)
    server.requests = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = "http://%s:%d" % server.server_address
    yield server
    server.shutdown()
    server.server_close()


def seed_models(api_bases, **overrides):
    """The role's default models (the seed's names, providers and prices), pointed at the given endpoints."""
    with open(os.path.join(ls.ROLE, "defaults", "main.yml")) as f:
        models = yaml.safe_load(f)["litellm_gateway_models"]
    for m in models:
        m["api_base"] = api_bases[m["name"]]
        m.update(overrides.get(m["name"], {}))
    return models


@pytest.fixture(scope="module")
def keyed_gateway(litellm_venv, providers, langfuse):
    """The gateway with every provider key set (from the environment, as in production) and every provider
    endpoint pointed at a fake that speaks that provider's own API: Anthropic Messages, OpenAI chat completions,
    Gemini generateContent. Langfuse keys are set, its host is the capture server. The budget model gets a low
    rpm so the rate limit can be crossed quickly."""
    token = secrets.token_hex(12)
    secret_env = dict(
        LITELLM_MASTER_KEY="sk-master-" + token,
        ANTHROPIC_API_KEY="sk-ant-test-" + token,
        OPENAI_API_KEY="sk-openai-test-" + token,
        GEMINI_API_KEY="gemini-test-" + token,
        LANGFUSE_PUBLIC_KEY="pk-lf-test-" + token,
        LANGFUSE_SECRET_KEY="sk-lf-test-" + token,
    )
    api_bases = {
        "claude-sonnet-4-5": "http://%s:%d" % (ls.HOST, providers.port("claude-sonnet-4-5")),
        "gpt-4o-mini": "http://%s:%d/v1" % (ls.HOST, providers.port("gpt-4o-mini")),
        "gemini-1.5-flash": "http://%s:%d/v1beta" % (ls.HOST, providers.port("gemini-1.5-flash")),
        "gpt-3.5-turbo": "http://%s:%d/v1" % (ls.HOST, providers.port("gpt-3.5-turbo")),
    }
    gw = ls.Gateway(
        "it-litellm-keyed",
        env=secret_env,
        extra_vars=dict(
            litellm_gateway_models=seed_models(api_bases, **{ls.RATE_LIMITED_MODEL: {"rpm": ls.RATE_LIMIT_RPM}}),
            litellm_gateway_langfuse_host=langfuse.url,
        ),
    )
    gw.stop(remove=True)  # leftovers of an interrupted run
    res = gw.run()
    if res.failed:
        pytest.fail("the gateway stage failed:\n%s\n%s" % (res.stdout[-5000:], res.stderr[-2000:]))
    gw.secrets = secret_env
    gw.first_run = res
    yield gw
    gw.stop(remove=False)
