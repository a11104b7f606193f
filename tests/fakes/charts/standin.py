"""Stand-in Helm charts for offline runs against the Kubernetes API fake (charts cannot be downloaded here).

Each stand-in is this project's templates (``<name>-standin/templates``) plus the real chart's default values (and,
for Traefik, its values schema) copied from ../shared/contracts/helm-charts at assembly time: the contract files are
reference data and never committed. helm then renders the roles' values over the real defaults and validates them:

- traefik: against the real chart's values.schema.json;
- n8n: the 8gears chart ships no schema, so one is derived from its default values: every mapping the defaults spell
  out accepts only the keys they list (``additionalProperties: false``), mappings that are empty or null by default
  are free-form (``main.config``, ``extraEnv``, ``resources``...), and so are the Kubernetes objects passed through
  verbatim (``FREE_FORM``). A value the role sets under a key the real chart does not have fails the install. Keys the
  real chart's templates read but its values.yaml does not list (``TEMPLATE_ONLY``) are accepted as free-form.
  The Bitnami valkey sub-chart (``valkey.enabled``) is a stand-in sub-chart, ``valkey-standin``: its values.yaml
  holds the real sub-chart's defaults for the keys its templates read, and its schema is derived the same way
  (plus ``enabled`` and ``global``, which helm hands every sub-chart).

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
    "traefik": dict(
        version="41.3.0",
        app_version="v3.7.11",
        upstream="traefik/traefik",
        values="traefik-41.3.0.values.yaml",
        schema="traefik-41.3.0.values.schema.json",
    ),
    "n8n": dict(
        version="1.1.0",
        app_version="1.116.2",
        upstream="8gears/n8n",
        values="n8n-8gears-1.1.0.values.yaml",
        schema=None,
        subcharts=[
            dict(
                name="valkey",
                version="2.4.7",
                app_version="8.0.2",
                upstream="bitnami/valkey",
                condition="valkey.enabled",
            )
        ],
    ),
}

# Kubernetes objects the n8n chart copies into the manifests as they are: any key of theirs is valid.
FREE_FORM = (
    "podSecurityContext",
    "securityContext",
    "containerSecurityContext",
    "livenessProbe",
    "readinessProbe",
    "resources",
    "affinity",
    "nodeSelector",
    "lifecycle",
)


# Keys the 8gears chart 1.1.0's templates read although its values.yaml does not list them, by parent path
# (templates/deployment.worker.yaml reads worker.extraVolumes and worker.extraVolumeMounts).
TEMPLATE_ONLY = {("worker",): ("extraVolumes", "extraVolumeMounts")}


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


def schema_from_defaults(value, key=None, path=(), open_keys=()):
    """A JSON schema accepting only the keys the defaults spell out (see the module's docstring); the top-level keys
    in ``open_keys`` (the sub-charts', validated by their own schema) take anything."""
    if isinstance(value, dict) and value and key not in FREE_FORM and not (len(path) == 1 and key in open_keys):
        properties = dict((k, schema_from_defaults(v, k, path + (k,), open_keys)) for k, v in value.items())
        properties.update((k, {}) for k in TEMPLATE_ONLY.get(path, ()))
        return {"type": ["object", "null"], "additionalProperties": False, "properties": properties}
    return {}


def _write_schema(defaults_file, dest, open_keys=(), extra_keys=()):
    with open(defaults_file) as f:
        schema = schema_from_defaults(yaml.safe_load(f), open_keys=open_keys)
    schema["properties"].update((k, {}) for k in extra_keys)
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    with open(dest, "w") as f:
        json.dump(schema, f, indent=1, sort_keys=True)


def _write_chart_yaml(dest, name, version, app_version, upstream, dependencies=()):
    chart = {
        "apiVersion": "v2",
        "name": name,
        "version": version,
        "appVersion": app_version,
        "description": "Offline stand-in for %s (tests/fakes/charts/%s-standin)" % (upstream, name),
        "type": "application",
    }
    if dependencies:
        chart["dependencies"] = [
            dict(name=d["name"], version=d["version"], condition=d["condition"]) for d in dependencies
        ]
    with open(os.path.join(dest, "Chart.yaml"), "w") as f:
        yaml.safe_dump(chart, f, sort_keys=False)


def subchart_defaults(name):
    """The default values of the stand-in sub-chart ``name`` (tests/fakes/charts/<name>-standin/values.yaml)."""
    with open(os.path.join(HERE, "%s-standin" % name, "values.yaml")) as f:
        return yaml.safe_load(f)


def assemble(name, dest, version=None):
    """The stand-in chart ``name`` in ``dest``/<name>; returns its directory."""
    spec = CHARTS[name]
    files = contract_files(name)
    chart = os.path.join(str(dest), name)
    shutil.copytree(os.path.join(HERE, "%s-standin" % name, "templates"), os.path.join(chart, "templates"))
    shutil.copyfile(files[0], os.path.join(chart, "values.yaml"))
    subcharts = spec.get("subcharts") or []
    if spec["schema"]:
        shutil.copyfile(files[1], os.path.join(chart, "values.schema.json"))
    else:
        _write_schema(files[0], os.path.join(chart, "values.schema.json"), open_keys=[d["name"] for d in subcharts])
    _write_chart_yaml(chart, name, version or spec["version"], spec["app_version"], spec["upstream"], subcharts)
    for sub in subcharts:
        source = os.path.join(HERE, "%s-standin" % sub["name"])
        target = os.path.join(chart, "charts", sub["name"])
        shutil.copytree(os.path.join(source, "templates"), os.path.join(target, "templates"))
        shutil.copyfile(os.path.join(source, "values.yaml"), os.path.join(target, "values.yaml"))
        _write_schema(
            os.path.join(source, "values.yaml"),
            os.path.join(target, "values.schema.json"),
            extra_keys=("enabled", "global"),
        )
        _write_chart_yaml(target, sub["name"], sub["version"], sub["app_version"], sub["upstream"])
    return chart


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in CHARTS:
        sys.exit("usage: %s %s DEST_DIR" % (sys.argv[0], "|".join(sorted(CHARTS))))
    try:
        print(assemble(sys.argv[1], sys.argv[2]))
    except ContractsMissing as exc:
        sys.exit(str(exc))
