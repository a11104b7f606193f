"""The Traefik chart's contract files (../shared/contracts/helm-charts) and the stand-in chart built from them
(tests/fakes/charts/standin.py)."""

from __future__ import annotations

import os

import pytest

from fakes.charts import standin
from support.ansible import run_playbook

CHART_VERSION = standin.CHARTS["traefik"]["version"]
APP_VERSION = standin.CHARTS["traefik"]["app_version"]
CONTRACTS = standin.CONTRACTS
VALUES_FILE = os.path.join(CONTRACTS, standin.CHARTS["traefik"]["values"])
SCHEMA_FILE = os.path.join(CONTRACTS, standin.CHARTS["traefik"]["schema"])


def contracts_or_skip():
    try:
        standin.contract_files("traefik")
    except standin.ContractsMissing as exc:
        pytest.skip(str(exc))


def assemble_standin(dest, version=CHART_VERSION):
    """The stand-in chart in ``dest``/traefik: our templates, a Chart.yaml, and the real values.yaml and
    values.schema.json copied from the contracts, so that helm renders over the real defaults and validates the
    values against the real schema."""
    contracts_or_skip()
    return standin.assemble("traefik", dest, version=version)


EMAIL = "ops@insightpulseai.net"
USERS = ["admin:$2b$05$Qm9uam91ciBsZXMgYW1pcuJpoTgg26fQpJKU3jd37jeXXJhT5NAn6"]


def render_values(**overrides):
    """The values the role passes to helm, rendered by the role itself (tasks/values.yml)."""
    extra = dict(traefik_acme_email=EMAIL, traefik_dashboard_users=USERS)
    extra.update(overrides)
    role = {"name": "insightpulseai.workbench.traefik", "tasks_from": "values.yml"}
    tasks = [
        {"name": "render", "ansible.builtin.include_role": role},
        {"name": "values", "ansible.builtin.debug": {"var": "__traefik_values"}},
    ]
    result = run_playbook(tasks=tasks, extra_vars=extra)
    assert result.rc == 0, result.failure() or result.stderr
    return result.task("values")["__traefik_values"]


def entrypoint_proxy_protocol_flags(values):
    """The Traefik flags the chart makes of ``ports.<name>.proxyProtocol`` (templates/_podtemplate.tpl of traefik
    41.3.0: ``--entryPoints.<name>.proxyProtocol.trustedIPs=<joined with ,>`` when the list is not empty, and
    ``--entryPoints.<name>.proxyProtocol.insecure`` when insecure is true)."""
    flags = []
    for name, port in sorted((values.get("ports") or {}).items()):
        proxy = (port or {}).get("proxyProtocol") or {}
        if proxy.get("trustedIPs"):
            flags.append("--entryPoints.%s.proxyProtocol.trustedIPs=%s" % (name, ",".join(proxy["trustedIPs"])))
        if proxy.get("insecure"):
            flags.append("--entryPoints.%s.proxyProtocol.insecure" % name)
    return flags
