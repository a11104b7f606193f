"""Stand-in Helm charts for offline runs against the Kubernetes API fake (charts cannot be downloaded here).

Each stand-in is this project's templates (``<name>-standin/templates``) plus the real chart's default values (and,
for Traefik, its values schema) copied from ../shared/contracts/helm-charts at assembly time: the contract files are
reference data and never committed. helm then renders the roles' values over the real defaults and validates them:

- traefik: against the real chart's values.schema.json;
- n8n: the 8gears chart ships no schema, so one is derived from its default values: every mapping the defaults spell
  out accepts only the keys they list (``additionalProperties: false``), mappings that are empty or null by default
  are free-form (``main.config``, ``extraEnv``, ``resources``...), and so are the Kubernetes objects passed through
  verbatim (``FREE_FORM``). A value the role sets under a key the real chart does not have fails the install.

  python tests/fakes/charts/standin.py traefik|n8n DEST_DIR     -> prints the chart directory
"""

from __future__ import annotations

import json
import os
import shutil
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
try:
    from fakes import contracts
except ImportError:  # run as a script: tests/ is not on sys.path
    sys.path.insert(0, os.path.dirname(os.path.dirname(HERE)))
    from fakes import contracts

CONTRACTS = contracts.path("helm-charts")

CHARTS = {
    "traefik": dict(version="41.3.0", app_version="v3.7.11", upstream="traefik/traefik",
                    values="traefik-41.3.0.values.yaml", schema="traefik-41.3.0.values.schema.json"),
    "n8n": dict(version="1.1.0", app_version="1.116.2", upstream="8gears/n8n",
                values="n8n-8gears-1.1.0.values.yaml", schema=None),
}

# Kubernetes objects the n8n chart copies into the manifests as they are: any key of theirs is valid.
FREE_FORM = ("podSecurityContext", "securityContext", "livenessProbe", "readinessProbe", "resources", "affinity",
             "nodeSelector", "lifecycle")


class ContractsMissing(Exception):
    pass


def contract_files(name):
    spec = CHARTS[name]
    files = [os.path.join(CONTRACTS, spec["values"])]
    if spec["schema"]:
        files.append(os.path.join(CONTRACTS, spec["schema"]))
    missing = contracts.missing(files)
    if missing:
        raise ContractsMissing(contracts.reason(missing))
    return files


def schema_from_defaults(value, key=None):
    """A JSON schema accepting only the keys the defaults spell out (see the module's docstring)."""
    if isinstance(value, dict) and value and key not in FREE_FORM:
        return {"type": ["object", "null"], "additionalProperties": False,
                "properties": dict((k, schema_from_defaults(v, k)) for k, v in value.items())}
    return {}


def assemble(name, dest, version=None):
    """The stand-in chart ``name`` in ``dest``/<name>; returns its directory."""
    spec = CHARTS[name]
    files = contract_files(name)
    chart = os.path.join(str(dest), name)
    shutil.copytree(os.path.join(HERE, "%s-standin" % name, "templates"), os.path.join(chart, "templates"))
    shutil.copyfile(files[0], os.path.join(chart, "values.yaml"))
    if spec["schema"]:
        shutil.copyfile(files[1], os.path.join(chart, "values.schema.json"))
    else:
        with open(files[0]) as f:
            schema = schema_from_defaults(yaml.safe_load(f))
        schema["$schema"] = "http://json-schema.org/draft-07/schema#"
        with open(os.path.join(chart, "values.schema.json"), "w") as f:
            json.dump(schema, f, indent=1, sort_keys=True)
    with open(os.path.join(chart, "Chart.yaml"), "w") as f:
        yaml.safe_dump({"apiVersion": "v2", "name": name, "version": version or spec["version"],
                        "appVersion": spec["app_version"],
                        "description": "Offline stand-in for %s (tests/fakes/charts/%s-standin)" % (spec["upstream"], name),
                        "type": "application"}, f, sort_keys=False)
    return chart


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in CHARTS:
        sys.exit("usage: %s %s DEST_DIR" % (sys.argv[0], "|".join(sorted(CHARTS))))
    try:
        print(assemble(sys.argv[1], sys.argv[2]))
    except ContractsMissing as exc:
        sys.exit(str(exc))
