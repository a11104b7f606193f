"""What the API server does to an object between decoding a write and storing it: validation of names and of
the few invariants clients trip over, defaulting (a subset: the fields clients read back or wait on), Secret
stringData folding, status ownership, and metadata.generation.

Everything not here is accepted as sent: there is no schema validation, no unknown-field rejection and no
admission webhook (see tests/fakes/README.md).
"""

from __future__ import annotations

import base64
import binascii
import copy
import ipaddress
import json
import re

from . import errors
from .selectors import match_label_selector_object

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")

# Namespaces are named by DNS-1123 labels, Services by DNS-1035 labels (a letter first), RBAC objects by any valid
# path segment, everything else by DNS-1123 subdomains.
_PATH_SEGMENT_NAMED = {"Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding"}
_WORKLOADS = {"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"}


class Allocator(object):
    """Service cluster IPs (10.96.0.0/12), node ports (30000-32767), load-balancer IPs (TEST-NET-3) and pod IPs."""

    def __init__(self):
        self._next_ip = int(ipaddress.ip_address("10.96.0.10"))
        self._next_pod_ip = int(ipaddress.ip_address("10.244.0.1"))
        self._next_port = 30000
        self._next_lb = 1

    def cluster_ip(self):
        self._next_ip += 1
        return str(ipaddress.ip_address(self._next_ip))

    def pod_ip(self):
        self._next_pod_ip += 1
        return str(ipaddress.ip_address(self._next_pod_ip))

    def node_port(self):
        self._next_port += 1
        return self._next_port

    def load_balancer_ip(self):
        self._next_lb += 1
        return "203.0.113.%d" % self._next_lb


def validate_name(rt, name):
    """None, or the message of the 422 a real server gives for ``name``."""
    if rt.kind in _PATH_SEGMENT_NAMED:
        if name in (".", "..") or "/" in name or "%" in name:
            return 'may not contain "/" or "%", and may not be "." or ".."'
        return None
    if rt.kind == "Namespace":
        if len(name) > 63 or not _DNS_LABEL.match(name):
            return (
                "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
                "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
                "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
            )
        return None
    if rt.kind == "Service":
        if len(name) > 63 or not _DNS_1035_LABEL.match(name):
            return (
                "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
                "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
                "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
            )
        return None
    if len(name) > 253 or not _DNS_SUBDOMAIN.match(name):
        return (
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
            "must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation "
            "is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
        )
    return None


def _image_pull_policy(image):
    """Always for an untagged or :latest image, else IfNotPresent (a digest pins the image like a tag)."""
    if "@" in image:
        return "IfNotPresent"
    last = image.rsplit("/", 1)[-1]
    return "IfNotPresent" if ":" in last and not last.endswith(":latest") else "Always"


def _default_probe(probe):
    if not isinstance(probe, dict):
        return
    for k, v in (("timeoutSeconds", 1), ("periodSeconds", 10), ("successThreshold", 1), ("failureThreshold", 3)):
        probe.setdefault(k, v)
    if isinstance(probe.get("httpGet"), dict):
        probe["httpGet"].setdefault("scheme", "HTTP")


def default_pod_spec(spec):
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")
    for container in (spec.get("containers") or []) + (spec.get("initContainers") or []):
        if container.get("image"):
            container.setdefault("imagePullPolicy", _image_pull_policy(container["image"]))
        container.setdefault("terminationMessagePath", "/dev/termination-log")
        container.setdefault("terminationMessagePolicy", "File")
        container.setdefault("resources", {})
        for port in container.get("ports") or []:
            port.setdefault("protocol", "TCP")
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            _default_probe(container.get(probe))
        for env in container.get("env") or []:
            field_ref = (env.get("valueFrom") or {}).get("fieldRef")
            if isinstance(field_ref, dict):
                field_ref.setdefault("apiVersion", "v1")
    for volume in spec.get("volumes") or []:
        for source in ("configMap", "secret"):
            if isinstance(volume.get(source), dict):
                volume[source].setdefault("defaultMode", 420)


def _default_workload(kind, spec):
    if kind in ("Deployment", "ReplicaSet", "StatefulSet"):
        spec.setdefault("replicas", 1)
    if kind == "Deployment":
        spec.setdefault("strategy", {"type": "RollingUpdate"})
        if spec["strategy"].get("type") == "RollingUpdate":
            rolling = spec["strategy"].setdefault("rollingUpdate", {})
            rolling.setdefault("maxUnavailable", "25%")
            rolling.setdefault("maxSurge", "25%")
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("progressDeadlineSeconds", 600)
    elif kind == "StatefulSet":
        spec.setdefault("podManagementPolicy", "OrderedReady")
        spec.setdefault("updateStrategy", {"type": "RollingUpdate"})
        if spec["updateStrategy"].get("type") == "RollingUpdate":
            spec["updateStrategy"].setdefault("rollingUpdate", {}).setdefault("partition", 0)
        spec.setdefault("revisionHistoryLimit", 10)
        spec.setdefault("persistentVolumeClaimRetentionPolicy", {"whenDeleted": "Retain", "whenScaled": "Retain"})
        for claim in spec.get("volumeClaimTemplates") or []:
            claim.setdefault("apiVersion", "v1")
            claim.setdefault("kind", "PersistentVolumeClaim")
            claim.setdefault("spec", {}).setdefault("volumeMode", "Filesystem")
    elif kind == "DaemonSet":
        spec.setdefault("updateStrategy", {"type": "RollingUpdate"})
        if spec["updateStrategy"].get("type") == "RollingUpdate":
            rolling = spec["updateStrategy"].setdefault("rollingUpdate", {})
            rolling.setdefault("maxUnavailable", 1)
            rolling.setdefault("maxSurge", 0)
        spec.setdefault("revisionHistoryLimit", 10)
    template = spec.get("template")
    if isinstance(template, dict) and isinstance(template.get("spec"), dict):
        default_pod_spec(template["spec"])


def _validate_workload(obj, old):
    spec = obj.get("spec") or {}
    selector = spec.get("selector")
    if not selector:
        return [("spec.selector", "Required value")]
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    if not match_label_selector_object(selector, labels):
        return [
            (
                "spec.template.metadata.labels",
                "Invalid value: %s: `selector` does not match template `labels`"
                % json.dumps(labels, separators=(",", ":")),
            )
        ]
    if old is not None and (old.get("spec") or {}).get("selector") != selector:
        return [
            ("spec.selector", "Invalid value: %s: field is immutable" % json.dumps(selector, separators=(",", ":")))
        ]
    return []


def _fold_secret(rt, name, obj):
    data = obj.get("data") or {}
    for key, value in data.items():
        if not _SECRET_KEY.match(key):
            raise errors.invalid(
                rt,
                name,
                [
                    (
                        "data[%s]" % key,
                        "Invalid value: %r: a valid config key must consist of "
                        "alphanumeric characters, '-', '_' or '.'" % key,
                    )
                ],
            )
        try:
            base64.b64decode(value, validate=True)
        except (binascii.Error, TypeError, ValueError):
            raise errors.bad_request(
                "Secret in version \"v1\" cannot be handled as a Secret: illegal base64 data in data[%s]" % key
            )
    for key, value in (obj.pop("stringData", None) or {}).items():
        data[key] = base64.b64encode(str(value).encode()).decode()
    if data:
        obj["data"] = data
    obj.setdefault("type", "Opaque")


def _service(obj, old, allocator):
    spec = obj.setdefault("spec", {})
    old_spec = (old or {}).get("spec") or {}
    spec.setdefault("type", "ClusterIP")
    kind = spec["type"]
    for port in spec.get("ports") or []:
        port.setdefault("protocol", "TCP")
        if kind != "ExternalName":
            port.setdefault("targetPort", port.get("port"))
    if kind == "ExternalName":
        return
    spec.setdefault("sessionAffinity", "None")
    if not spec.get("clusterIP") and old_spec.get("clusterIP"):
        spec["clusterIP"], spec["clusterIPs"] = old_spec["clusterIP"], old_spec.get("clusterIPs")
    if not spec.get("clusterIP"):
        spec["clusterIP"] = allocator.cluster_ip()
    spec.setdefault("clusterIPs", [spec["clusterIP"]])
    spec.setdefault("ipFamilies", ["IPv4"])
    spec.setdefault("ipFamilyPolicy", "SingleStack")
    spec.setdefault("internalTrafficPolicy", "Cluster")
    if kind in ("NodePort", "LoadBalancer"):
        spec.setdefault("externalTrafficPolicy", "Cluster")
        old_ports = {p.get("port"): p.get("nodePort") for p in old_spec.get("ports") or []}
        for port in spec.get("ports") or []:
            if not port.get("nodePort"):
                port["nodePort"] = old_ports.get(port.get("port")) or allocator.node_port()
    if kind == "LoadBalancer":
        spec.setdefault("allocateLoadBalancerNodePorts", True)


def _validate_service(obj, old):
    spec, old_spec = obj.get("spec") or {}, (old or {}).get("spec") or {}
    if (
        old_spec.get("clusterIP")
        and spec.get("clusterIP")
        and spec.get("type") != "ExternalName"
        and old_spec.get("type") != "ExternalName"
        and spec["clusterIP"] != old_spec["clusterIP"]
    ):
        return [
            (
                "spec.clusterIPs[0]",
                "Invalid value: []string{%s}: may not change once set" % json.dumps(spec["clusterIP"]),
            )
        ]
    if spec.get("type") != "ExternalName" and not spec.get("ports") and spec.get("clusterIP") != "None":
        return [("spec.ports", "Required value")]
    return []


def _network_policy(spec):
    if "policyTypes" not in spec:
        spec["policyTypes"] = ["Ingress"] + (["Egress"] if spec.get("egress") else [])


def _validate_crd(name, obj):
    spec = obj.get("spec") or {}
    names = spec.get("names") or {}
    causes = []
    for field in ("plural", "kind"):
        if not names.get(field):
            causes.append(("spec.names.%s" % field, "Required value"))
    if not spec.get("group"):
        causes.append(("spec.group", "Required value"))
    if spec.get("scope") not in ("Namespaced", "Cluster"):
        causes.append(
            (
                "spec.scope",
                'Unsupported value: %s: supported values: "Cluster", "Namespaced"' % json.dumps(spec.get("scope")),
            )
        )
    versions = spec.get("versions") or []
    if not versions:
        causes.append(("spec.versions", "Invalid value: null: must have exactly one version marked as storage version"))
    elif sum(1 for v in versions if v.get("storage")) != 1:
        causes.append(
            (
                "spec.versions",
                "Invalid value: %s: must have exactly one version marked as storage version"
                % json.dumps(versions, separators=(",", ":"))[:80],
            )
        )
    if not causes and name != "%s.%s" % (names["plural"], spec["group"]):
        causes.append(("metadata.name", 'Invalid value: "%s": must be spec.names.plural+"."+spec.group' % name))
    return causes


def _spec_part(rt, obj):
    """What metadata.generation tracks: everything but metadata, and but status when status is a subresource."""
    return {k: v for k, v in obj.items() if k != "metadata" and not (k == "status" and rt.status_subresource)}


def admit(rt, obj, old, allocator):
    """Validate, default and normalise ``obj`` (a create when ``old`` is None). Returns the object to store.

    Server-owned metadata (uid, creationTimestamp, resourceVersion) is the caller's business.
    """
    obj = copy.deepcopy(obj)
    meta = obj["metadata"]
    name = meta["name"]
    problem = validate_name(rt, name)
    if problem:
        raise errors.invalid(rt, name, [("metadata.name", 'Invalid value: "%s": %s' % (name, problem))])
    for field in ("labels", "annotations"):
        if field in meta and not meta[field]:  # null or empty: omitted, as ObjectMeta's omitempty maps are
            del meta[field]

    if old is not None:
        if "managedFields" not in meta and old["metadata"].get("managedFields"):
            meta["managedFields"] = old["metadata"]["managedFields"]
        for field in ("deletionTimestamp", "deletionGracePeriodSeconds"):
            if field in old["metadata"]:
                meta[field] = old["metadata"][field]
            else:
                meta.pop(field, None)

    kind = rt.kind
    if kind == "Secret":
        _fold_secret(rt, name, obj)
    elif kind == "Namespace":
        meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = name
        obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
    elif kind == "Service":
        causes = _validate_service(obj, old)
        if causes:
            raise errors.invalid(rt, name, causes)
        _service(obj, old, allocator)
    elif kind in _WORKLOADS:
        causes = _validate_workload(obj, old)
        if causes:
            raise errors.invalid(rt, name, causes)
        _default_workload(kind, obj.setdefault("spec", {}))
    elif kind == "Pod":
        default_pod_spec(obj.setdefault("spec", {}))
    elif kind == "PersistentVolumeClaim":
        obj.setdefault("spec", {}).setdefault("volumeMode", "Filesystem")
    elif kind == "NetworkPolicy":
        _network_policy(obj.setdefault("spec", {}))
    elif kind == "CustomResourceDefinition":
        causes = _validate_crd(name, obj)
        if causes:
            raise errors.invalid(rt, name, causes)
        obj["spec"].setdefault("conversion", {"strategy": "None"})
    if kind in ("ConfigMap", "Secret") and old is not None and old.get("immutable"):
        if any(obj.get(k) != old.get(k) for k in ("data", "binaryData", "immutable")):
            raise errors.invalid(rt, name, [("data", "Forbidden: field is immutable when `immutable` is set")])

    if rt.status_subresource:
        if old is None:
            obj.pop("status", None)
            if not rt.custom:
                obj["status"] = _initial_status(kind)
        elif "status" in old:
            obj["status"] = copy.deepcopy(old["status"])
        else:
            obj.pop("status", None)

    if rt.generation:
        if old is None:
            meta["generation"] = 1
        else:
            generation = old["metadata"].get("generation", 1)
            meta["generation"] = generation + (1 if _spec_part(rt, obj) != _spec_part(rt, old) else 0)
    else:
        meta.pop("generation", None)
    return obj


def _initial_status(kind):
    if kind == "Namespace":
        return {"phase": "Active"}
    if kind == "Service":
        return {"loadBalancer": {}}
    if kind in ("Pod", "PersistentVolumeClaim"):
        return {"phase": "Pending"}
    return {}
