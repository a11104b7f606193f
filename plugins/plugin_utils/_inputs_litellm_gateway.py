# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the input rules of the litellm_gateway role (run by the role_input_problems filter from its preflight).

Names, images, quantities, URLs, ports, the kubeconfig and the database URL (through the one DSN parser) are checked by
the shared checks of ``_inputs``; the models, the fallback chain, the retry policy and the local ports by the rules
below. The process target runs on the controller (its defaults are the controller's paths, and the role resolves its
state directory there), so the pinned LiteLLM is asked of the venv's own python and redis-server is looked for there.
No secret value reaches a message: the master key, the provider keys, the Langfuse keys, the Redis password and the
database URL are named, never shown (a provider key by its environment variable name, a model by its name).
"""

from __future__ import annotations

import os
import re

from ansible_collections.insightpulseai.workbench.plugins.plugin_utils._inputs import (
    DNS_LABEL,
    HOSTNAME,
    _as_float,
    _as_int,
    is_url,
    run_command,
    show,
)

SECRETS = (
    "litellm_gateway_master_key",
    "litellm_gateway_provider_api_keys",
    "litellm_gateway_langfuse_public_key",
    "litellm_gateway_langfuse_secret_key",
    "litellm_gateway_redis_password",
    "litellm_gateway_database_url",
)
# A LiteLLM release as pip and the image tag (main-v<version>) take it.
RELEASE = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+$")
# Releases that must never run (a known supply-chain compromise; scripts/install-litellm.sh refuses them too), and the
# release to use instead (the role's default).
COMPROMISED = ("1.82.7", "1.82.8")
PINNED_RELEASE = "1.108.7"
# A model's upstream: LiteLLM's provider/model.
UPSTREAM = re.compile(r"^[A-Za-z0-9_.-]+/\S+$")
# The keys of litellm_gateway_provider_api_keys: the environment variables the proxy reads the keys from.
KEY_ENV = re.compile(r"^[A-Z_][A-Z0-9_]*$")
# The error classes of LiteLLM's retry_policy (litellm.types.router.RetryPolicy in 1.108.7).
RETRY_POLICY_KEYS = (
    "BadRequestErrorRetries",
    "AuthenticationErrorRetries",
    "TimeoutErrorRetries",
    "RateLimitErrorRetries",
    "ContentPolicyViolationErrorRetries",
    "InternalServerErrorRetries",
    "ServiceUnavailableErrorRetries",
    "NotFoundErrorRetries",
    "DefaultRetries",
)
# (variable, least value, what it counts) of the router, limit, cache and wait settings.
COUNTS = (
    ("litellm_gateway_num_retries", 0, "a number of retries"),
    ("litellm_gateway_timeout", 1, "a number of seconds"),
    ("litellm_gateway_allowed_fails", 0, "a number of failures"),
    ("litellm_gateway_cooldown_time", 0, "a number of seconds"),
    ("litellm_gateway_user_rpm_limit", 1, "a number of requests per minute"),
    ("litellm_gateway_user_tpm_limit", 1, "a number of tokens per minute"),
    ("litellm_gateway_cache_ttl", 1, "a number of seconds"),
    ("litellm_gateway_startup_timeout", 1, "a number of seconds"),
    ("litellm_gateway_k8s_wait_timeout", 1, "a number of seconds"),
)
# The process target listens where only this host reaches it (its URL is http://<host>:<port>, so no bare ::1).
PROCESS_HOSTS = ("127.0.0.1", "localhost")
# The Redis objects are named <litellm_gateway_k8s_name>-redis, a DNS label of at most 63 characters.
K8S_NAME_MAX = 63 - len("-redis")
INSTALL_HINT = "Run scripts/install-litellm.sh (make setup does), which installs it to $WORKBENCH_CACHE/litellm-%s"
REDIS_HINT = "Install Debian's redis-server (`apt-get install redis-server`; scripts/install-litellm.sh does it when run as root)"


def check(i):
    """The rules of litellm_gateway's inputs."""
    version(i)
    items = models(i)
    keys = provider_keys(i, items)
    fallback_chain(i, items)
    master_key = i.get("litellm_gateway_master_key", "")
    if master_key and not str(master_key).startswith("sk-"):
        i.bad("litellm_gateway_master_key", 'must start with "sk-" (LiteLLM rejects other master keys)')
    langfuse(i)
    if i.get("litellm_gateway_database_url", ""):
        # LiteLLM's own database: the proxy creates its tables there, so its login may own them
        i.dsn("litellm_gateway_database_url", uri=True, login=True, owner_allowed=True, password=False)
    router(i)
    target = i.get("litellm_gateway_target")
    present = i.get("litellm_gateway_state", "present") == "present"
    if target == "process":
        process(i, items, keys, present)
    elif target == "kubernetes":
        kubernetes(i)
        if present:
            kubernetes_secrets(i, items, keys)


def version(i):
    """A LiteLLM release version, not one of the compromised releases."""
    value = str(i.get("litellm_gateway_version", ""))
    if not i.pattern(
        "litellm_gateway_version", RELEASE, "is not a LiteLLM release version such as %s" % PINNED_RELEASE, value
    ):
        return
    if value in COMPROMISED:
        i.fail(
            "litellm_gateway_version=%s is a known compromised LiteLLM release (%s); use %s"
            % (value, ", ".join(COMPROMISED), PINNED_RELEASE)
        )


def _number_text(value, unset):
    """A model's setting as the message shows it (``unset`` when it is not given)."""
    return unset if value is None else str(value)


def models(i):
    """Each model named once, with a LiteLLM provider/model upstream, an http(s) api_base if any, positive limits and
    costs that are not negative. Returns the models that are mappings (the other rules read them)."""
    value = i.get("litellm_gateway_models", [])
    if not isinstance(value, list):
        i.bad("litellm_gateway_models", "must be a list of models ({name, model, api_key_env, ...})")
        return []
    items = []
    for number, item in enumerate(value, 1):
        if isinstance(item, dict):
            items.append(item)
        else:
            i.fail("litellm_gateway_models: item %d is not a mapping ({name, model, api_key_env, ...})" % number)
    names = [str(m.get("name", "")) for m in items]
    repeated = sorted(set(n for n in names if names.count(n) > 1))
    if not value:
        i.fail("litellm_gateway_models must name each model once; names given: [] (the gateway serves at least one)")
    elif repeated:
        i.fail(
            "litellm_gateway_models must name each model once; names given: %s (%s more than once)"
            % (names, ", ".join(repeated))
        )
    malformed = []
    for m in items:
        if not UPSTREAM.match(str(m.get("model", ""))):
            malformed.append("%s has model=%s" % (m.get("name"), show(m.get("model"))))
        if m.get("api_base") and not is_url(m.get("api_base")):
            malformed.append("%s has api_base=%s" % (m.get("name"), show(m.get("api_base"))))
    if malformed:
        i.fail(
            "litellm_gateway_models: %s: model must be a LiteLLM provider/model (such as openai/gpt-4o-mini) and "
            "api_base, when set, an http:// or https:// URL" % ", ".join(malformed)
        )
    out_of_range = []
    for m in items:
        limits = [m.get(key) for key in ("rpm", "tpm") if m.get(key) is not None]
        costs = [m.get(key) for key in ("input_cost_per_million", "output_cost_per_million") if m.get(key) is not None]
        if any(_as_float(v) is None or _as_float(v) < 1 for v in limits) or any(
            _as_float(v) is None or _as_float(v) < 0 for v in costs
        ):
            out_of_range.append(
                "%s (rpm=%s, tpm=%s, costs %s/%s)"
                % (
                    m.get("name"),
                    _number_text(m.get("rpm"), "unset"),
                    _number_text(m.get("tpm"), "unset"),
                    _number_text(m.get("input_cost_per_million"), "0"),
                    _number_text(m.get("output_cost_per_million"), "0"),
                )
            )
    if out_of_range:
        i.fail(
            "litellm_gateway_models: limits (rpm, tpm) must be positive and costs (USD per million tokens) not "
            "negative: %s" % ", ".join(out_of_range)
        )
    return items


def provider_keys(i, items):
    """The provider keys are named by environment variables, and every model reads one of them. Returns the keys (a
    mapping; empty when the variable is not one)."""
    keys = i.get("litellm_gateway_provider_api_keys", {})
    if not isinstance(keys, dict):
        i.bad("litellm_gateway_provider_api_keys", "must be a mapping of environment variable names to provider keys")
        return {}
    bad = [str(k) for k in keys if not KEY_ENV.match(str(k))]
    if bad:
        i.fail(
            "litellm_gateway_provider_api_keys has %s: its keys are environment variable names (upper-case letters, "
            "digits and '_'); the values are not shown" % show(bad)
        )
    unknown = [m for m in items if m.get("api_key_env") not in keys]
    if unknown:
        i.fail(
            "litellm_gateway_models: Unknown api_key_env: %s; litellm_gateway_provider_api_keys has %s"
            % (
                ", ".join("%s reads %s" % (m.get("name"), m.get("api_key_env")) for m in unknown),
                ", ".join(sorted(str(k) for k in keys)) or "no key",
            )
        )
    return keys


def fallback_chain(i, items):
    """The fallback chain names models of litellm_gateway_models, each once."""
    chain = i.get("litellm_gateway_fallback_chain", [])
    if not isinstance(chain, list):
        i.bad("litellm_gateway_fallback_chain", "must be a list of model names")
        return
    names = [str(m.get("name", "")) for m in items]
    chain = [str(c) for c in chain]
    unknown = [c for n, c in enumerate(chain) if c not in names and c not in chain[:n]]
    repeated = [c for n, c in enumerate(chain) if chain.count(c) > 1 and c not in chain[:n]]
    if unknown:
        i.fail("litellm_gateway_fallback_chain names %s; the models are %s" % (unknown, names))
    elif repeated:
        i.fail(
            "litellm_gateway_fallback_chain names a model twice (%s): each model falls back to the ones after it; "
            "the models are %s" % (", ".join(repeated), names)
        )


def langfuse(i):
    """Both Langfuse keys or neither, and the server's URL."""
    public = str(i.get("litellm_gateway_langfuse_public_key", ""))
    secret = str(i.get("litellm_gateway_langfuse_secret_key", ""))
    if bool(public) != bool(secret):
        i.fail(
            "Set both litellm_gateway_langfuse_public_key and litellm_gateway_langfuse_secret_key for Langfuse "
            "tracing, or neither (%s is empty; the keys are not shown)"
            % ("litellm_gateway_langfuse_public_key" if not public else "litellm_gateway_langfuse_secret_key")
        )
    i.url("litellm_gateway_langfuse_host", expected="is not an http:// or https:// URL")


def router(i):
    """Retries, allowed fails and cooldowns 0 or more; timeouts, per-user limits and the cache TTL at least 1; the
    retry policy maps LiteLLM's error classes to retries."""
    for name, least, what in COUNTS:
        i.integer(name, least, what=what)
    policy = i.get("litellm_gateway_retry_policy", {})
    if not isinstance(policy, dict):
        i.bad("litellm_gateway_retry_policy", "must be a mapping of LiteLLM error classes to retries")
        return
    unknown = [str(k) for k in policy if k not in RETRY_POLICY_KEYS]
    if unknown:
        i.fail(
            "litellm_gateway_retry_policy has %s: LiteLLM's retry_policy knows the error classes %s"
            % (", ".join(unknown), ", ".join(RETRY_POLICY_KEYS))
        )
    for key, value in policy.items():
        if key in RETRY_POLICY_KEYS:
            i.integer("litellm_gateway_retry_policy.%s" % key, 0, value=value, what="a number of retries")


def process(i, items, keys, present):
    """The process target: loopback only, its paths set, its ports distinct, a provider key or a stand-in for every
    model, and (to start it) the pinned LiteLLM in the venv and redis-server."""
    i.loopback("litellm_gateway_host", "the process target", PROCESS_HOSTS)
    for name in ("litellm_gateway_state_dir", "litellm_gateway_env_file"):
        i.present(name, "must be set (a path on this host)")
    ports(i, items)
    if not i.flag("litellm_gateway_stand_in"):
        keyless = [str(m.get("name")) for m in items if not keys.get(m.get("api_key_env"))]
        if keyless:
            i.fail(
                "No provider key for %s and litellm_gateway_stand_in is false. Set their keys in "
                "litellm_gateway_provider_api_keys (vault or the environment) or allow the local stand-ins" % keyless
            )
    if present:
        venv(i)
        i.executable("litellm_gateway_redis_server", REDIS_HINT)


def ports(i, items):
    """The proxy's, its Redis' and the stand-ins' ports (the model at index n on the base port + n): in range, and
    none taken twice."""
    count = max(len(items), 1)
    good = i.port("litellm_gateway_port")
    good = i.port("litellm_gateway_redis_port") and good
    base = _as_int(i.get("litellm_gateway_stand_in_base_port"))
    if base is None or not 1 <= base <= 65536 - count:
        i.bad(
            "litellm_gateway_stand_in_base_port",
            "must be a TCP port from 1 to %d: the stand-in of the model at index n listens on it + n (%d models)"
            % (65536 - count, len(items)),
        )
        return
    if not good:
        return
    owners = [
        ("litellm_gateway_port=%d" % _as_int(i.get("litellm_gateway_port")), _as_int(i.get("litellm_gateway_port"))),
        (
            "litellm_gateway_redis_port=%d" % _as_int(i.get("litellm_gateway_redis_port")),
            _as_int(i.get("litellm_gateway_redis_port")),
        ),
    ]
    owners += [
        ("litellm_gateway_stand_in_base_port=%d (+%d, the stand-in of %s)" % (base, n, m.get("name")), base + n)
        for n, m in enumerate(items)
    ]
    taken = {}
    for label, port in owners:
        if port in taken:
            i.fail(
                "%s and %s take the same port: the proxy, its Redis and the stand-ins (litellm_gateway_stand_in_base_port "
                "+ one per model) each need a port of their own" % (taken[port], label)
            )
        else:
            taken[port] = label


def venv(i):
    """The venv holds the pinned LiteLLM (asked of the venv's own python)."""
    if not i.present("litellm_gateway_venv", "must be set (the venv scripts/install-litellm.sh installs)"):
        return
    wanted = str(i.get("litellm_gateway_version", ""))
    if not RELEASE.match(wanted):
        return  # refused above
    venv = i.text("litellm_gateway_venv")
    python = os.path.join(os.path.expanduser(venv), "bin", "python")
    code, out, _err = run_command([python, "-c", "import importlib.metadata as m; print(m.version('litellm'))"])
    found = out.strip().splitlines()[0].strip() if code == 0 and out.strip() else None
    if found == wanted:
        return
    if code is None:
        why = "no venv"
    elif found is None:
        why = "no litellm in it"
    else:
        why = "found " + found
    i.fail("litellm_gateway_venv=%s does not hold litellm %s (%s). %s" % (venv, wanted, why, INSTALL_HINT % wanted))


def kubernetes(i):
    """The kubernetes target: names, host name and images, the NetworkPolicy's namespaces, replicas, the user,
    resources, and the kubeconfig (unless the manifests are only rendered)."""
    i.dns_label("litellm_gateway_k8s_namespace", what="a Kubernetes namespace")
    i.dns_label(
        "litellm_gateway_k8s_name",
        K8S_NAME_MAX,
        what="the name of the gateway's objects, which its Redis objects extend with -redis",
    )
    i.dns_label("litellm_gateway_k8s_ingress_namespace", what="the ingress controller's namespace")
    i.object_name("litellm_gateway_k8s_ingress_class")
    if i.get("litellm_gateway_k8s_tls_certresolver", ""):
        i.cert_resolver("litellm_gateway_k8s_tls_certresolver")
    i.pattern(
        "litellm_gateway_k8s_hostname",
        HOSTNAME,
        "is not a fully qualified DNS name (lower case, e.g. litellm.example.org); the Ingress serves it",
    )
    for name in ("litellm_gateway_k8s_image", "litellm_gateway_k8s_redis_image"):
        i.image(name, pinned=False)
    clients = i.get("litellm_gateway_k8s_client_namespaces", [])
    if not isinstance(clients, list):
        i.bad("litellm_gateway_k8s_client_namespaces", "must be a list of namespaces")
    else:
        bad = [n for n in clients if not isinstance(n, str) or not DNS_LABEL.match(n)]
        if bad:
            i.fail(
                "litellm_gateway_k8s_client_namespaces has %s: namespaces are DNS labels (lower-case letters, digits "
                "and '-')" % ", ".join(show(n) for n in bad)
            )
    replicas(i)
    i.integer("litellm_gateway_k8s_run_as_user", 1, what="a non-root UID")
    i.resources("litellm_gateway_k8s_resources")
    i.resources("litellm_gateway_k8s_redis_resources")
    if not i.get("litellm_gateway_k8s_render_dir", ""):
        i.kubeconfig("litellm_gateway_k8s_kubeconfig")


def replicas(i):
    """At least one replica, the autoscaler's maximum not below it, a CPU target in percent."""
    i.integer("litellm_gateway_k8s_replicas", 1, what="a replica count")
    least = max(_as_int(i.get("litellm_gateway_k8s_replicas")) or 1, 1)
    most = _as_int(i.get("litellm_gateway_k8s_max_replicas"))
    if most is None or most < least:
        i.bad(
            "litellm_gateway_k8s_max_replicas",
            "must be a replica count of at least %d (litellm_gateway_k8s_replicas, the autoscaler's minimum)" % least,
        )
    i.integer("litellm_gateway_k8s_cpu_utilization", 1, 100, what="a percentage")


def kubernetes_secrets(i, items, keys):
    """The kubernetes target generates no secret: the master key, the Redis password and every model's provider key
    must be given (each is named, set or empty, never shown)."""
    master = bool(i.get("litellm_gateway_master_key", ""))
    redis = bool(i.get("litellm_gateway_redis_password", ""))
    missing = []
    for m in items:
        env = m.get("api_key_env")
        if not keys.get(env) and str(env) not in missing:
            missing.append(str(env))
    if not (master and redis and not missing):
        i.fail(
            "The kubernetes target needs litellm_gateway_master_key (%s), litellm_gateway_redis_password (%s) and a "
            "key in litellm_gateway_provider_api_keys for every model (empty: %s), from vault or the environment"
            % ("set" if master else "EMPTY", "set" if redis else "EMPTY", ", ".join(missing) or "none")
        )
