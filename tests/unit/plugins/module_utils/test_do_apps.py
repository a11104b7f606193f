"""App spec comparison and secret fingerprints of do_app (module_utils/_do_apps.py)."""

import copy
import json

import pytest

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _do_apps as apps

FP = "WORKBENCH_SECRET_FINGERPRINTS"
SALT = b"0123456789abcdef"


def spec(**service_overrides):
    service = dict(
        name="api",
        image=dict(registry_type="DOCR", repository="expense-api"),
        instance_count=2,
        health_check=dict(http_path="/health"),
        envs=[
            dict(key="URL", value="https://x", scope="RUN_TIME"),
            dict(key="TOKEN", type="SECRET", value="s3cret", scope="RUN_TIME"),
        ],
    )
    service.update(service_overrides)
    return dict(name="expense-api", region="fra", services=[service])


def stored_after_create(desired):
    """What the fake stores after a create: the prepared spec, verbatim."""
    sent, changed = apps.prepare(desired, None, "fingerprint", FP, salt=SALT)
    assert changed == sorted(apps.secret_slots(desired))  # on create every secret is written
    return sent


def test_prepare_adds_a_fingerprint_record_without_the_secret():
    sent = stored_after_create(spec())
    record = sent["envs"][-1]
    assert record["key"] == FP and record["scope"] == "BUILD_TIME" and "s3cret" not in record["value"]
    assert set(json.loads(record["value"])["fp"]) == {"services/api/env/TOKEN"}


def test_unchanged_secret_is_sent_back_as_the_current_ciphertext():
    current = stored_after_create(spec())
    current["services"][0]["envs"][1]["value"] = "EV[1:abc:def]"  # what DigitalOcean returns
    sent, changed = apps.prepare(spec(), current, "fingerprint", FP)
    assert changed == [] and sent["services"][0]["envs"][1]["value"] == "EV[1:abc:def]"
    assert apps.differences(sent, current, changed, FP) == []


def test_changed_secret_is_detected():
    current = stored_after_create(spec())
    rotated = spec()
    rotated["services"][0]["envs"][1]["value"] = "rotated"
    sent, changed = apps.prepare(rotated, current, "fingerprint", FP)
    assert changed == ["services/api/env/TOKEN"] and sent["services"][0]["envs"][1]["value"] == "rotated"
    assert apps.differences(sent, current, changed, FP) == [
        "spec.envs[%s].value: (secret fingerprints updated)" % FP,
        "spec.services[api].envs[TOKEN].value: (secret changed)",
    ]


def test_secret_modes():
    current = stored_after_create(spec())
    rotated = spec()
    rotated["services"][0]["envs"][1]["value"] = "rotated"
    sent, changed = apps.prepare(rotated, current, "on_create", FP)
    assert changed == [] and sent["services"][0]["envs"][1]["value"] == "s3cret" and "envs" not in sent
    sent, changed = apps.prepare(spec(), current, "always", FP)
    assert changed == ["services/api/env/TOKEN"]


def test_a_record_from_someone_else_means_rewrite_once():
    current = stored_after_create(spec())
    current["envs"][0]["value"] = "not json"
    assert apps.prepare(spec(), current, "fingerprint", FP)[1] == ["services/api/env/TOKEN"]


def test_server_defaults_are_ignored():
    current = copy.deepcopy(stored_after_create(spec()))
    service = current["services"][0]
    service.update(instance_size_slug="apps-s-1vcpu-0.5gb", http_port=8080, routes=[dict(path="/")])
    service["image"].update(registry="", tag="latest")
    service["health_check"].update(timeout_seconds=1)
    service["envs"][0]["type"] = "GENERAL"
    current["ingress"] = dict(rules=[])
    sent, changed = apps.prepare(spec(), current, "fingerprint", FP)
    assert apps.differences(sent, current, changed, FP) == []


def test_explicit_defaults_match_a_server_that_omits_them():
    desired = spec(instance_count=1)
    desired["services"][0]["image"]["tag"] = "latest"
    desired["services"][0]["envs"][0]["type"] = "GENERAL"
    current = stored_after_create(spec())
    del current["services"][0]["instance_count"]
    sent, changed = apps.prepare(desired, current, "fingerprint", FP)
    assert apps.differences(sent, current, changed, FP) == []


def test_component_env_and_domain_removals_are_changes():
    current = stored_after_create(spec())
    current["workers"] = [dict(name="cron")]
    current["domains"] = [dict(domain="x.example.com")]
    current["services"][0]["envs"].append(dict(key="OLD", value="1"))
    sent, changed = apps.prepare(spec(), current, "fingerprint", FP)
    assert apps.differences(sent, current, changed, FP) == [
        "spec.services[api].envs[OLD]: remove",
        "spec.workers: remove cron",
        "spec.domains: remove x.example.com",
    ]


def test_value_and_list_changes_are_named():
    current = stored_after_create(spec())
    desired = spec(instance_count=3, health_check=dict(http_path="/ready"))
    desired["services"][0]["envs"][0]["scope"] = "RUN_AND_BUILD_TIME"
    sent, changed = apps.prepare(desired, current, "fingerprint", FP)
    assert apps.differences(sent, current, changed, FP) == [
        "spec.services[api].envs[URL].scope: RUN_TIME -> RUN_AND_BUILD_TIME",
        "spec.services[api].health_check.http_path: /health -> /ready",
        "spec.services[api].instance_count: 2 -> 3",
    ]


def test_masked_view_never_holds_a_secret():
    shown = json.dumps(apps.masked(stored_after_create(spec()), FP, ["services/api/env/TOKEN"]))
    assert "s3cret" not in shown and "<secret> (changed)" in shown and "<fingerprints>" in shown


def test_fill_secrets_by_component_or_key():
    desired = spec()
    desired["services"][0]["envs"][1].pop("value")
    assert apps.fill_secrets(desired, {"api/TOKEN": "a", "TOKEN": "b"})["services"][0]["envs"][1]["value"] == "a"
    assert apps.fill_secrets(desired, {"TOKEN": "b"})["services"][0]["envs"][1]["value"] == "b"
    assert "value" not in desired["services"][0]["envs"][1]  # the caller's spec is not changed


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda s: s.pop("name"), "at least a name"),
        (lambda s: s["services"].append(dict(name="api")), "duplicate names: api"),
        (lambda s: s["services"][0]["envs"][1].pop("value"), "SECRET without a value"),
        (lambda s: s["services"][0]["envs"].append(dict(key=FP, value="x")), "reserved"),
        (lambda s: s["services"][0]["envs"].append(dict(key="URL", value="y")), "duplicate keys: URL"),
        (lambda s: s["services"][0]["envs"][0].update(type="PLAIN"), "GENERAL or SECRET"),
    ],
)
def test_invalid_specs(mutate, message):
    desired = spec()
    mutate(desired)
    with pytest.raises(apps.SpecError, match=message):
        apps.validate_spec(desired, FP)


def test_registry_credentials_are_secret_slots():
    desired = spec(image=dict(registry_type="GHCR", registry="org", repository="x", registry_credentials="u:tok"))
    assert "services/api/image/registry_credentials" in apps.secret_slots(desired)
    current = stored_after_create(desired)
    current["services"][0]["image"]["registry_credentials"] = "EV[1:x:y]"
    sent, changed = apps.prepare(desired, current, "fingerprint", FP)
    assert changed == [] and sent["services"][0]["image"]["registry_credentials"] == "EV[1:x:y]"
    assert apps.differences(sent, current, changed, FP) == []
