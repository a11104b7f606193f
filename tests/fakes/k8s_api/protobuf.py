"""A minimal decoder for the Kubernetes protobuf wire format (application/vnd.kubernetes.protobuf).

client-go typed clients configured for protobuf (helm's release storage is one) send request bodies as the magic
``k8s\\0`` followed by a runtime.Unknown message whose ``raw`` field holds the object. Only the messages those
requests carry are described here: Secret, ConfigMap, Namespace and ServiceAccount (what helm's release storage and
``kubectl create secret|configmap|namespace|serviceaccount`` send), with ObjectMeta, and DeleteOptions. Field numbers are those of
k8s.io/api/core/v1/generated.proto and k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto.
Responses are always JSON, which client-go accepts (it asks for "protobuf, json").
"""

from __future__ import annotations

import base64
import datetime

MAGIC = b"k8s\x00"

# Schemas: field number -> (json name, type); types are scalars, a nested schema (dict), ("map", value type)
# or ("repeated", type).
TIME = {1: ("seconds", "int64"), 2: ("nanos", "int32")}
OWNER_REFERENCE = {
    1: ("kind", "string"),
    3: ("name", "string"),
    4: ("uid", "string"),
    5: ("apiVersion", "string"),
    6: ("controller", "bool"),
    7: ("blockOwnerDeletion", "bool"),
}
OBJECT_META = {
    1: ("name", "string"),
    2: ("generateName", "string"),
    3: ("namespace", "string"),
    4: ("selfLink", "string"),
    5: ("uid", "string"),
    6: ("resourceVersion", "string"),
    7: ("generation", "int64"),
    8: ("creationTimestamp", TIME),
    9: ("deletionTimestamp", TIME),
    10: ("deletionGracePeriodSeconds", "int64"),
    11: ("labels", ("map", "string")),
    12: ("annotations", ("map", "string")),
    13: ("ownerReferences", ("repeated", OWNER_REFERENCE)),
    14: ("finalizers", ("repeated", "string")),
}
SECRET = {
    1: ("metadata", OBJECT_META),
    2: ("data", ("map", "bytes")),
    3: ("type", "string"),
    4: ("stringData", ("map", "string")),
    5: ("immutable", "bool"),
}
CONFIG_MAP = {
    1: ("metadata", OBJECT_META),
    2: ("data", ("map", "string")),
    3: ("binaryData", ("map", "bytes")),
    4: ("immutable", "bool"),
}
NAMESPACE = {
    1: ("metadata", OBJECT_META),
    2: ("spec", {1: ("finalizers", ("repeated", "string"))}),
    3: ("status", {1: ("phase", "string")}),
}
OBJECT_REFERENCE = {
    1: ("kind", "string"),
    2: ("namespace", "string"),
    3: ("name", "string"),
    4: ("uid", "string"),
    5: ("apiVersion", "string"),
    6: ("resourceVersion", "string"),
    7: ("fieldPath", "string"),
}
SERVICE_ACCOUNT = {
    1: ("metadata", OBJECT_META),
    2: ("secrets", ("repeated", OBJECT_REFERENCE)),
    3: ("imagePullSecrets", ("repeated", {1: ("name", "string")})),
    4: ("automountServiceAccountToken", "bool"),
}
PRECONDITIONS = {1: ("uid", "string"), 2: ("resourceVersion", "string")}
DELETE_OPTIONS = {
    1: ("gracePeriodSeconds", "int64"),
    2: ("preconditions", PRECONDITIONS),
    3: ("orphanDependents", "bool"),
    4: ("propagationPolicy", "string"),
    5: ("dryRun", ("repeated", "string")),
}
TYPE_META = {1: ("apiVersion", "string"), 2: ("kind", "string")}
UNKNOWN = {
    1: ("typeMeta", TYPE_META),
    2: ("raw", "bytes"),
    3: ("contentEncoding", "string"),
    4: ("contentType", "string"),
}

MESSAGES = {
    ("v1", "Secret"): SECRET,
    ("v1", "ConfigMap"): CONFIG_MAP,
    ("v1", "Namespace"): NAMESPACE,
    ("v1", "ServiceAccount"): SERVICE_ACCOUNT,
    ("v1", "DeleteOptions"): DELETE_OPTIONS,
    ("meta.k8s.io/v1", "DeleteOptions"): DELETE_OPTIONS,
}


class ProtobufError(ValueError):
    pass


def _varint(data, pos):
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ProtobufError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(data):
    """(field number, wire type, value) for each field; length-delimited values come back as bytes."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
        elif wire == 2:
            length, pos = _varint(data, pos)
            value, pos = data[pos : pos + length], pos + length
            if pos > len(data):
                raise ProtobufError("truncated field %d" % number)
        elif wire == 1:
            value, pos = data[pos : pos + 8], pos + 8
        elif wire == 5:
            value, pos = data[pos : pos + 4], pos + 4
        else:
            raise ProtobufError("unsupported wire type %d" % wire)
        yield number, wire, value


def _scalar(kind, value):
    if kind == "string":
        return value.decode("utf-8")
    if kind == "bytes":
        return bytes(value)
    if kind == "bool":
        return bool(value)
    if kind in ("int64", "int32"):
        return value - (1 << 64) if value >= 1 << 63 else value
    raise ProtobufError("unsupported scalar type %s" % kind)


def _decode(data, schema):
    out = {}
    for number, _wire, value in _fields(data):
        if number not in schema:
            continue  # a field this decoder does not know: ignored, as proto3 does
        name, kind = schema[number]
        if isinstance(kind, dict):
            out[name] = _decode(value, kind)
        elif isinstance(kind, tuple) and kind[0] == "map":
            entry = {n: v for n, _w, v in _fields(value)}
            out.setdefault(name, {})[entry.get(1, b"").decode("utf-8")] = _scalar(kind[1], entry.get(2, b""))
        elif isinstance(kind, tuple) and kind[0] == "repeated":
            item = _decode(value, kind[1]) if isinstance(kind[1], dict) else _scalar(kind[1], value)
            out.setdefault(name, []).append(item)
        elif kind in ("string", "int64", "int32") and not value:
            continue  # Go writes non-pointer zero values; their JSON form (omitempty) leaves them out
        else:
            out[name] = _scalar(kind, value)
    return out


def _timestamp(value):
    moment = datetime.datetime.fromtimestamp(value.get("seconds", 0), datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _to_json_shapes(obj):
    """Turn decoded messages into the JSON the API would have received: base64 bytes, RFC 3339 times."""
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        for field in ("creationTimestamp", "deletionTimestamp"):
            if meta.get(field, {}).get("seconds"):
                meta[field] = _timestamp(meta[field])
            else:  # the zero time.Time, always written, is "null" in JSON
                meta.pop(field, None)
    for field in ("data", "binaryData"):  # map<string, bytes>: base64 in JSON (ConfigMap data is map<string, string>)
        if isinstance(obj.get(field), dict):
            obj[field] = {k: base64.b64encode(v).decode() if isinstance(v, bytes) else v for k, v in obj[field].items()}
    return obj


def decode(body):
    """Decode a protobuf request body into the JSON-shaped dict the API server would have decoded."""
    if not body.startswith(MAGIC):
        raise ProtobufError("missing the k8s protobuf magic prefix")
    envelope = _decode(body[len(MAGIC) :], UNKNOWN)
    type_meta = envelope.get("typeMeta", {})
    key = (type_meta.get("apiVersion", ""), type_meta.get("kind", ""))
    if key not in MESSAGES:
        raise ProtobufError("the fake does not decode protobuf %s %s" % key)
    obj = _to_json_shapes(_decode(envelope.get("raw", b""), MESSAGES[key]))
    obj["apiVersion"], obj["kind"] = key
    return obj
