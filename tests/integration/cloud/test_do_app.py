"""do_app against the DigitalOcean API fake: an app spec is sent only when it differs (server-filled defaults
ignored), SECRET env values are never returned or logged, and a rotated secret is detected by fingerprint while an
unchanged one - which the real API returns only as ciphertext - is sent back as that ciphertext."""

from __future__ import annotations

import copy
import json

from cloud_support import FAST, Writes, four_steps, run_module

SECRET_VALUE = "service-role-Zq8v1xT4"
ROTATED = "service-role-rotated-9KpL2"


def app_args(**overrides):
    spec = {
        "name": "expense-api",
        "region": "fra",
        "services": [
            {
                "name": "api",
                "image": {"registry_type": "DOCR", "repository": "expense-api", "tag": "1.4.0"},
                "instance_count": 2,
                "http_port": 8080,
                "health_check": {"http_path": "/health", "initial_delay_seconds": 10, "period_seconds": 10},
                "envs": [
                    {"key": "SUPABASE_URL", "value": "https://abc.supabase.co", "scope": "RUN_TIME"},
                    {"key": "SUPABASE_SERVICE_ROLE_KEY", "type": "SECRET", "scope": "RUN_TIME"},
                ],
            }
        ],
    }
    args = dict(FAST, spec=spec, secrets={"SUPABASE_SERVICE_ROLE_KEY": SECRET_VALUE})
    args.update(overrides)
    return args


def stored(fake):
    (app,) = fake.snapshot()["apps"].values()
    return app


def env_of(spec, key, component=0):
    envs = spec["services"][component]["envs"] if component is not None else spec["envs"]
    return next(e for e in envs if e["key"] == key)


def test_create_check_apply_check_apply(do_fake, env):
    results = four_steps(do_fake, "do_app", app_args(), env, result_key="changes")
    app = stored(do_fake)
    assert results[1]["changes"] == ["create app expense-api"]
    assert results[1]["actions"] == results[1]["changes"] and results[3]["requests"] == {"reads": 1, "writes": 0}
    assert results[1]["deployment"]["phase"] == "ACTIVE"
    assert results[1]["app"]["id"] == app["id"] and results[1]["app"]["active_deployment"]["phase"] == "ACTIVE"
    assert len(app["_deployments"]) == 1  # nothing redeployed by the runs after the first apply
    assert app["spec"]["services"][0]["instance_count"] == 2
    assert app["spec"]["services"][0]["health_check"]["http_path"] == "/health"
    secret = env_of(app["spec"], "SUPABASE_SERVICE_ROLE_KEY")
    assert secret["type"] == "SECRET" and secret["value"] == SECRET_VALUE  # the fake stores what it got
    fingerprints = env_of(app["spec"], "WORKBENCH_SECRET_FINGERPRINTS", component=None)
    assert fingerprints["scope"] == "BUILD_TIME" and SECRET_VALUE not in fingerprints["value"]
    for result in results:
        assert SECRET_VALUE not in json.dumps(result)
    assert env_of(results[1]["app"]["spec"], "SUPABASE_SERVICE_ROLE_KEY")["value"] == "<secret>"


def test_instance_count_change_is_one_spec_update(do_fake, env):
    run_module("do_app", app_args(), env)
    args = app_args()
    args["spec"]["services"][0]["instance_count"] = 3
    with Writes(do_fake) as writes:
        results = four_steps(do_fake, "do_app", args, env)
    app = stored(do_fake)
    assert writes.seen == [("PUT", "/v2/apps/" + app["id"])]
    assert results[1]["changes"] == ["spec.services[api].instance_count: 2 -> 3"]
    assert app["spec"]["services"][0]["instance_count"] == 3 and len(app["_deployments"]) == 2


def test_defaults_filled_in_by_the_platform_are_not_differences(do_fake, env):
    args = app_args()
    run_module("do_app", args, env)
    # What App Platform adds to a spec it stores (the fake stores it verbatim): defaults the module must ignore.
    with do_fake.store.lock:
        (app,) = do_fake.store.data["apps"].values()
        spec = app["spec"]
        service = spec["services"][0]
        service["instance_size_slug"] = "apps-s-1vcpu-0.5gb"
        service["image"]["registry"] = ""
        service["health_check"].update(timeout_seconds=1, success_threshold=1, failure_threshold=9)
        for entry in service["envs"]:
            entry.setdefault("type", "GENERAL")
        spec["ingress"] = {"rules": [{"match": {"path": {"prefix": "/"}}, "component": {"name": "api"}}]}
    with Writes(do_fake) as writes:
        result = run_module("do_app", args, env)
    assert result["changed"] is False and writes.seen == []


def test_a_rotated_secret_is_detected_and_written(do_fake, env):
    run_module("do_app", app_args(), env)
    before = env_of(stored(do_fake)["spec"], "WORKBENCH_SECRET_FINGERPRINTS", component=None)["value"]
    rotated = app_args(secrets={"SUPABASE_SERVICE_ROLE_KEY": ROTATED})
    results = four_steps(do_fake, "do_app", rotated, env)
    assert (
        results[0]["changes"]
        == results[1]["changes"]
        == [
            "spec.envs[WORKBENCH_SECRET_FINGERPRINTS].value: (secret fingerprints updated)",
            "spec.services[api].envs[SUPABASE_SERVICE_ROLE_KEY].value: (secret changed)",
        ]
    )
    spec = stored(do_fake)["spec"]
    assert env_of(spec, "SUPABASE_SERVICE_ROLE_KEY")["value"] == ROTATED
    assert env_of(spec, "WORKBENCH_SECRET_FINGERPRINTS", component=None)["value"] != before
    for result in results:
        assert ROTATED not in json.dumps(result) and SECRET_VALUE not in json.dumps(result)


def test_encrypted_secrets_are_sent_back_as_read(do_fake, env):
    """The real API returns a SECRET value only as ciphertext and expects it back; emulate that in the fake's store."""
    run_module("do_app", app_args(), env)
    ciphertext = "EV[1:kq3bWc0mFHPn2JX+vIh6tw==:0sbnsGfnDDbQo5wSmQ7yQu3C+L4dF6cK]"
    with do_fake.store.lock:
        (app,) = do_fake.store.data["apps"].values()
        env_of(app["spec"], "SUPABASE_SERVICE_ROLE_KEY")["value"] = ciphertext
    with Writes(do_fake) as writes:
        assert run_module("do_app", app_args(), env)["changed"] is False  # fingerprint matches: not a change
    assert writes.seen == []
    # Another change: the PUT carries the ciphertext, not the plain secret, so the secret is kept as it is.
    args = app_args()
    args["spec"]["services"][0]["instance_count"] = 4
    result = run_module("do_app", args, env)
    assert result["changes"] == ["spec.services[api].instance_count: 2 -> 4"]
    assert env_of(stored(do_fake)["spec"], "SUPABASE_SERVICE_ROLE_KEY")["value"] == ciphertext


def test_on_create_never_rewrites_a_secret(do_fake, env):
    run_module("do_app", app_args(update_secrets="on_create"), env)
    spec = stored(do_fake)["spec"]
    assert "envs" not in spec  # no fingerprint record
    result = run_module(
        "do_app", app_args(update_secrets="on_create", secrets={"SUPABASE_SERVICE_ROLE_KEY": ROTATED}), env
    )
    assert result["changed"] is False
    assert env_of(stored(do_fake)["spec"], "SUPABASE_SERVICE_ROLE_KEY")["value"] == SECRET_VALUE


def test_removing_an_env_var_is_a_change(do_fake, env):
    args = app_args()
    run_module("do_app", args, env)
    smaller = copy.deepcopy(args)
    smaller["spec"]["services"][0]["envs"] = smaller["spec"]["services"][0]["envs"][1:]
    result = run_module("do_app", smaller, env)
    assert result["changes"] == ["spec.services[api].envs[SUPABASE_URL]: remove"]
    assert [e["key"] for e in stored(do_fake)["spec"]["services"][0]["envs"]] == ["SUPABASE_SERVICE_ROLE_KEY"]


def test_a_secret_without_value_fails_before_any_write(do_fake, env):
    with Writes(do_fake) as writes:
        result = run_module("do_app", app_args(secrets={}), env, expect_failure=True)
    assert "SUPABASE_SERVICE_ROLE_KEY] is a SECRET without a value" in result["msg"]
    assert writes.seen == []
    assert result["error_kind"] == "spec" and result["requests"] == {"reads": 0, "writes": 0}


def test_absent(do_fake, env):
    run_module("do_app", app_args(), env)
    results = four_steps(do_fake, "do_app", {"name": "expense-api", "state": "absent"}, env)
    assert results[1]["changes"] == ["delete"] and do_fake.snapshot()["apps"] == {}
