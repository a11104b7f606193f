"""The traefik role's chart values against the real chart's contract (../shared/contracts/helm-charts): the values
helm would compute from them validate against traefik 41.3.0's values.schema.json, and every key the role sets is a
key of the chart's values.yaml (the schema leaves many objects open, so a misspelt key would pass it silently)."""

from __future__ import annotations

import copy

import jsonschema
import pytest

from traefik_chart import EMAIL, render_values

# Keys the chart's values.yaml does not list but passes through verbatim into a Kubernetes object
# (podSecurityContext is rendered with toYaml into the pod's securityContext).
PASS_THROUGH = {("podSecurityContext", "fsGroup"), ("podSecurityContext", "fsGroupChangePolicy")}


def coalesce(defaults, values):
    """What helm validates and renders: the chart's defaults with the given values merged in; a null value removes
    the key (helm's coalesceValues)."""
    merged = copy.deepcopy(defaults)
    for key, value in values.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = coalesce(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def unknown_keys(values, defaults, path=()):
    """Key paths set in ``values`` that the chart's values.yaml lacks. Below a key whose default is an empty map, a
    list or null the chart takes whatever it is given (certificatesResolvers, service.annotations, resources, ...),
    so nothing below such a key is checked."""
    found = []
    for key, value in values.items():
        here = path + (key,)
        if key not in defaults:
            if here not in PASS_THROUGH:
                found.append(".".join(here))
            continue
        default = defaults[key]
        if isinstance(value, dict) and isinstance(default, dict) and default:
            found += unknown_keys(value, default, here)
    return found


def schema_errors(values, chart_contract):
    defaults, schema = chart_contract
    validator = jsonschema.Draft202012Validator(schema)
    return sorted(
        "%s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message)
        for e in validator.iter_errors(coalesce(defaults, values))
    )


VARIANTS = {
    "defaults": {},
    "production ACME, TLS-ALPN challenge, storage class": dict(
        traefik_acme_environment="production",
        traefik_acme_challenge="tls",
        traefik_acme_storage_class="do-block-storage",
    ),
    "no ACME, no dashboard, no redirect": dict(
        traefik_acme_enabled=False, traefik_dashboard_enabled=False, traefik_redirect_to_https=False
    ),
    "fixed replicas, no PDB, no metrics": dict(
        traefik_autoscaling_enabled=False,
        traefik_replicas=1,
        traefik_pod_disruption_budget=False,
        traefik_metrics_enabled=False,
    ),
    "service annotations, ServiceMonitor, extra values": dict(
        traefik_service_annotations={"service.beta.kubernetes.io/do-loadbalancer-name": "workbench"},
        traefik_metrics_service_monitor=True,
        traefik_log_level="DEBUG",
        traefik_extra_values={"deployment": {"terminationGracePeriodSeconds": 30}},
    ),
}


@pytest.mark.parametrize("overrides", list(VARIANTS.values()), ids=list(VARIANTS))
def test_rendered_values_match_the_chart_contract(chart_contract, overrides):
    defaults = chart_contract[0]
    values = render_values(**overrides)
    assert schema_errors(values, chart_contract) == []
    assert unknown_keys(values, defaults) == []


def test_seed_settings_are_in_the_values(chart_contract):
    values = render_values()
    assert values["deployment"]["replicas"] is None  # the HPA owns the replica count
    assert values["autoscaling"]["enabled"] is True
    assert (values["autoscaling"]["minReplicas"], values["autoscaling"]["maxReplicas"]) == (2, 5)
    assert values["ports"]["web"]["http"]["redirections"]["entryPoint"] == {
        "to": "websecure",
        "scheme": "https",
        "permanent": True,
    }
    assert values["ports"]["websecure"]["http"]["middlewares"] == ["traefik-hsts@kubernetescrd"]
    assert values["ports"]["websecure"]["http"]["tls"] == {"enabled": True, "certResolver": "letsencrypt"}
    assert values["metrics"]["prometheus"]["entryPoint"] == "metrics"
    acme = values["certificatesResolvers"]["letsencrypt"]["acme"]
    assert acme == {
        "email": EMAIL,
        "caServer": "https://acme-staging-v02.api.letsencrypt.org/directory",
        "storage": "/data/acme.json",
        "httpChallenge": {"entryPoint": "web"},
    }
    assert values["persistence"]["enabled"] is True and values["persistence"]["path"] == "/data"
    assert (
        set(values["readinessProbe"])
        == set(values["livenessProbe"])
        == {"failureThreshold", "initialDelaySeconds", "periodSeconds", "successThreshold", "timeoutSeconds"}
    )
    assert values["api"]["dashboard"] is True and values["ingressRoute"]["dashboard"]["enabled"] is False
    # the dashboard's users never go into the chart values
    assert "$2b$" not in repr(values)
    production = render_values(traefik_acme_environment="production")
    assert (
        production["certificatesResolvers"]["letsencrypt"]["acme"]["caServer"]
        == "https://acme-v02.api.letsencrypt.org/directory"
    )


def test_the_checks_catch_what_they_are_for(chart_contract):
    """The two checks catch different mistakes: the schema closes some objects, values.yaml names every key."""
    defaults = chart_contract[0]
    # autoscaling is closed in the schema: a misspelt key there is a schema error
    values = render_values(traefik_extra_values={"autoscaling": {"maxReplica": 7}})
    assert any("'maxReplica' was unexpected" in e for e in schema_errors(values, chart_contract))
    # deployment is open in the schema: only the key check sees the typo
    values = render_values(traefik_extra_values={"deployment": {"replica": 3}})
    assert schema_errors(values, chart_contract) == []
    assert unknown_keys(values, defaults) == ["deployment.replica"]
    # a wrong type is a schema error
    values = render_values(traefik_extra_values={"deployment": {"replicas": "three"}})
    assert any(e.startswith("deployment/replicas:") for e in schema_errors(values, chart_contract))
