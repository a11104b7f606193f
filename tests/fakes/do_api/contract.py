"""Check the DigitalOcean API fake's traffic against DigitalOcean's published OpenAPI 3.0 spec.

The spec lives outside the repository, in ../shared/contracts/digitalocean/openapi-subset.json (every ``$ref``
inlined). OpenAPI 3.0 Schema Objects are a dialect of JSON Schema draft 4, so each schema the fake needs is
adapted once (see ``to_json_schema``) and compiled into a ``jsonschema.Draft4Validator`` that is cached per
operation, direction and status code.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import threading
import uuid

import jsonschema

from .. import contracts

SPEC_PATH = contracts.path("digitalocean", "openapi-subset.json")
METHODS = ("get", "put", "post", "patch", "delete")

# Keywords that constrain a value, copied as they are (OpenAPI 3.0 uses draft 4's boolean exclusiveMinimum/Maximum).
_ASSERTIONS = (
    "type",
    "enum",
    "format",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
)

FORMATS = jsonschema.FormatChecker(formats=())


@FORMATS.checks("uuid", raises=ValueError)
def _is_uuid(value):
    return not isinstance(value, str) or bool(uuid.UUID(value))


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value):
    # RFC 3339 requires a date, a time and an offset; fromisoformat alone would also take a bare date.
    if isinstance(value, str):
        if "T" not in value.upper() or datetime.datetime.fromisoformat(value).tzinfo is None:
            raise ValueError("not an RFC 3339 date-time with an offset: %r" % value)
    return True


def spec_available(path=SPEC_PATH):
    return os.path.isfile(path)


def _property_schema(schema, name):
    """The schema of property ``name`` declared by ``schema`` itself or by one of its allOf members."""
    found = (schema.get("properties") or {}).get(name)
    if found is not None:
        return found
    for member in schema.get("allOf", ()):
        found = _property_schema(member, name)
        if found is not None:
            return found
    return None


def to_json_schema(schema, direction, inherited_required=frozenset()):
    """Adapt an OpenAPI 3.0 Schema Object into a JSON Schema draft 4 document for one direction.

    ``direction`` is "request" or "response":
    - ``nullable: true`` becomes ``anyOf: [<schema>, {type: null}]``;
    - a ``readOnly`` property is not required in a request, a ``writeOnly`` one not in a response (OpenAPI 3.0
      "Fixed Fields" of the Schema Object); a request may still carry a readOnly property, which the real API
      ignores;
    - in a request, ``null`` for a property that is not required is taken as "absent". DigitalOcean's API
      (Go) decodes it so, and clients rely on it: community.digitalocean's firewall module sends
      ``"droplet_ids": null`` in every rule's sources, where the spec declares a non-nullable array;
    - annotations (description, example, title, deprecated, discriminator, ...) are dropped.

    ``inherited_required`` carries the ``required`` names of an enclosing object into its allOf members, where
    the spec often declares the properties themselves.
    """
    if not isinstance(schema, dict):
        return schema
    out = {key: schema[key] for key in _ASSERTIONS if key in schema}
    own_required = set(schema.get("required", ()))
    required = own_required | set(inherited_required)

    hidden = "readOnly" if direction == "request" else "writeOnly"
    if own_required:
        kept = [name for name in schema["required"] if not (_property_schema(schema, name) or {}).get(hidden)]
        if kept:
            out["required"] = kept

    if "properties" in schema:
        out["properties"] = {}
        for name, sub in schema["properties"].items():
            converted = to_json_schema(sub, direction)
            if direction == "request" and name not in required:
                converted = {"anyOf": [converted, {"type": "null"}]}
            out["properties"][name] = converted
    if isinstance(schema.get("items"), dict):
        out["items"] = to_json_schema(schema["items"], direction)
    if "additionalProperties" in schema:
        extra = schema["additionalProperties"]
        out["additionalProperties"] = to_json_schema(extra, direction) if isinstance(extra, dict) else extra
    for key in ("anyOf", "oneOf"):
        if key in schema:
            out[key] = [to_json_schema(sub, direction) for sub in schema[key]]
    if "allOf" in schema:
        out["allOf"] = [to_json_schema(sub, direction, frozenset(required)) for sub in schema["allOf"]]
    if "not" in schema:
        out["not"] = to_json_schema(schema["not"], direction)

    if schema.get("nullable"):
        out = {"anyOf": [out, {"type": "null"}]}
    return out


def _describe(error):
    # Under anyOf/oneOf (the null alternatives added above, among others) report the alternative that came
    # closest, e.g. "environment: 'Prod' is not one of [...]" rather than "not valid under any of the given schemas".
    error = jsonschema.exceptions.best_match([error])
    where = "/".join(str(p) for p in error.absolute_path)
    return "%s: %s" % (where or "(body)", error.message)


class Operation(object):
    """One (method, path template) of the spec, with lazily compiled validators."""

    def __init__(self, contract, method, template, spec):
        self._contract = contract
        self.method = method.upper()
        self.template = template
        self.spec = spec

    def __repr__(self):
        return "%s %s" % (self.method, self.template)

    def request_errors(self, body):
        """Errors of a parsed JSON request body (None when the request had none) against the spec."""
        request_body = self.spec.get("requestBody")
        if request_body is None:
            return []
        if body is None:
            return ["(body): a request body is required"] if request_body.get("required") else []
        schema = (request_body.get("content", {}).get("application/json") or {}).get("schema")
        if schema is None:
            return []
        return self._errors(("request",), schema, "request", body)

    def response_errors(self, status, content_type, body):
        """Errors of a response (status, content type, parsed JSON body or raw text) against the spec."""
        responses = self.spec["responses"]
        key = str(status) if str(status) in responses else "default"
        if key not in responses:
            return ["status %d is not a documented response of %r" % (status, self)]
        content = responses[key].get("content") or {}
        if not content:
            return [] if body in (None, b"", "") else ["status %d has no body in the spec, the fake sent one" % status]
        if content_type not in content:
            return ["status %d: content type %r is not one of %s" % (status, content_type, sorted(content))]
        schema = content[content_type].get("schema")
        if schema is None or content_type != "application/json":
            return []
        return self._errors(("response", key, content_type), schema, "response", body)

    def _errors(self, key, schema, direction, instance):
        validator = self._contract.validator((self.method, self.template) + key, schema, direction)
        errors = sorted(validator.iter_errors(instance), key=lambda e: list(e.absolute_path))
        return [_describe(e) for e in errors]


class Contract(object):
    """The operations of one OpenAPI document, matched by concrete request paths."""

    def __init__(self, path=SPEC_PATH):
        with open(path) as f:
            spec = json.load(f)
        self.path = path
        self._routes = []
        for template, item in spec["paths"].items():
            pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$")
            ops = {m.upper(): Operation(self, m, template, item[m]) for m in METHODS if m in item}
            self._routes.append((template.count("{"), pattern, ops))
        # A literal segment beats a parameter: /v2/projects/default is not /v2/projects/{project_id}.
        self._routes.sort(key=lambda route: route[0])
        self._validators = {}
        self._lock = threading.Lock()

    def operation(self, method, path):
        """The Operation a request goes to, or None when the spec does not define it."""
        for _params, pattern, ops in self._routes:
            if pattern.match(path):
                return ops.get(method.upper())
        return None

    def validator(self, key, schema, direction):
        with self._lock:
            if key not in self._validators:
                self._validators[key] = jsonschema.Draft4Validator(
                    to_json_schema(schema, direction), format_checker=FORMATS
                )
            return self._validators[key]
