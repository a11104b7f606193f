"""The resource types the fake serves: a fixed table of built-ins plus whatever stored CRDs define."""

from __future__ import annotations

import dataclasses
import re

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")


@dataclasses.dataclass(frozen=True)
class ResourceType:
    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool
    short_names: tuple = ()
    categories: tuple = ()
    verbs: tuple = ALL_VERBS
    # The real API server resets status on create and keeps it on update of the main resource: only
    # controllers (here: controllers.py) write it.
    status_subresource: bool = False
    # metadata.generation exists and is bumped when anything outside metadata and status changes.
    generation: bool = False
    custom: bool = False  # served because a CustomResourceDefinition defines it
    singular: str = ""  # spec.names.singular of a CRD; built-ins use the lower-cased kind

    @property
    def singular_name(self):
        return self.singular or self.kind.lower()

    @property
    def api_version(self):
        return "%s/%s" % (self.group, self.version) if self.group else self.version

    @property
    def group_resource(self):
        """How error messages name the type: ``deployments.apps``, ``configmaps``."""
        return "%s.%s" % (self.plural, self.group) if self.group else self.plural

    def discovery(self):
        """The APIResource entry of /api/v1 and /apis/<group>/<version>."""
        entry = dict(
            name=self.plural,
            singularName=self.singular_name,
            namespaced=self.namespaced,
            kind=self.kind,
            verbs=list(self.verbs),
        )
        if self.short_names:
            entry["shortNames"] = list(self.short_names)
        if self.categories:
            entry["categories"] = list(self.categories)
        return entry


def _t(
    group,
    version,
    plural,
    kind,
    namespaced=True,
    short=(),
    all_category=False,
    status=False,
    generation=False,
    verbs=ALL_VERBS,
):
    return ResourceType(
        group,
        version,
        plural,
        kind,
        namespaced,
        tuple(short),
        ("all",) if all_category else (),
        verbs,
        status,
        generation,
    )


BUILTIN = (
    _t(
        "",
        "v1",
        "namespaces",
        "Namespace",
        namespaced=False,
        short=["ns"],
        status=True,
        verbs=("create", "delete", "get", "list", "patch", "update", "watch"),
    ),
    _t("", "v1", "configmaps", "ConfigMap", short=["cm"]),
    _t("", "v1", "secrets", "Secret"),
    _t("", "v1", "serviceaccounts", "ServiceAccount", short=["sa"]),
    _t("", "v1", "services", "Service", short=["svc"], all_category=True, status=True),
    _t("", "v1", "pods", "Pod", short=["po"], all_category=True, status=True),
    _t("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", short=["pvc"], status=True),
    _t("apps", "v1", "deployments", "Deployment", short=["deploy"], all_category=True, status=True, generation=True),
    _t("apps", "v1", "statefulsets", "StatefulSet", short=["sts"], all_category=True, status=True, generation=True),
    _t("apps", "v1", "daemonsets", "DaemonSet", short=["ds"], all_category=True, status=True, generation=True),
    _t("apps", "v1", "replicasets", "ReplicaSet", short=["rs"], all_category=True, status=True, generation=True),
    _t("networking.k8s.io", "v1", "ingresses", "Ingress", short=["ing"], status=True, generation=True),
    _t("networking.k8s.io", "v1", "ingressclasses", "IngressClass", namespaced=False, generation=True),
    _t("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", short=["netpol"], generation=True),
    _t(
        "autoscaling",
        "v2",
        "horizontalpodautoscalers",
        "HorizontalPodAutoscaler",
        short=["hpa"],
        all_category=True,
        status=True,
        generation=True,
    ),
    _t("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", short=["pdb"], status=True, generation=True),
    _t("rbac.authorization.k8s.io", "v1", "roles", "Role"),
    _t("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding"),
    _t("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", namespaced=False),
    _t("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", namespaced=False),
    _t(
        "apiextensions.k8s.io",
        "v1",
        "customresourcedefinitions",
        "CustomResourceDefinition",
        namespaced=False,
        short=["crd", "crds"],
        status=True,
        generation=True,
    ),
)

# Group order of /apis on a real server (legacy core first, then by priority); custom groups follow, by name.
BUILTIN_GROUP_ORDER = (
    "",
    "apps",
    "autoscaling",
    "policy",
    "rbac.authorization.k8s.io",
    "networking.k8s.io",
    "apiextensions.k8s.io",
)


def types_from_crd(crd):
    """The ResourceTypes a CustomResourceDefinition serves (one per served version)."""
    spec = crd["spec"]
    names = spec["names"]
    return [
        ResourceType(
            group=spec["group"],
            version=v["name"],
            plural=names["plural"],
            kind=names["kind"],
            namespaced=spec.get("scope") == "Namespaced",
            short_names=tuple(names.get("shortNames") or ()),
            categories=tuple(names.get("categories") or ()),
            status_subresource="status" in (v.get("subresources") or {}),
            generation=True,
            custom=True,
            singular=names.get("singular", ""),
        )
        for v in spec.get("versions", [])
        if v.get("served", True)
    ]


def crd_preferred_version(crd):
    """kube-aggregator's priority for CRD versions: GA > beta > alpha, then higher numbers, then others by name."""

    def key(name):
        m = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", name)
        if not m:
            return (3, 0, 0, name)
        stage = {None: 0, "beta": 1, "alpha": 2}[m.group(2)]
        return (stage, -int(m.group(1)), -int(m.group(3) or 0), name)

    served = [v["name"] for v in crd["spec"].get("versions", []) if v.get("served", True)]
    return sorted(served, key=key)


class Registry(object):
    """Answers "which type is /apis/<group>/<version>/<plural>?" and builds discovery documents."""

    def __init__(self):
        self._builtin = {(t.group, t.version, t.plural): t for t in BUILTIN}
        self._custom = {}  # (group, version, plural) -> ResourceType
        self._custom_groups = {}  # group -> served versions, preferred first

    def set_crds(self, crds):
        """Replace the custom types by those of ``crds`` (the established CRDs in the store)."""
        self._custom, self._custom_groups = {}, {}
        for crd in crds:
            for t in types_from_crd(crd):
                self._custom[(t.group, t.version, t.plural)] = t
            versions = self._custom_groups.setdefault(crd["spec"]["group"], [])
            versions.extend(v for v in crd_preferred_version(crd) if v not in versions)

    def lookup(self, group, version, plural):
        return self._builtin.get((group, version, plural)) or self._custom.get((group, version, plural))

    def by_group_resource(self, group, plural):
        """Any served version of group/plural (the store keys objects by group and plural, not by version)."""
        for table in (self._builtin, self._custom):
            for (g, _v, p), t in table.items():
                if (g, p) == (group, plural):
                    return t
        return None

    def all_types(self):
        return list(self._builtin.values()) + list(self._custom.values())

    def group_versions(self):
        """[(group, [versions, preferred first])] in the order /apis lists them (core group excluded)."""
        result = []
        for g in BUILTIN_GROUP_ORDER[1:]:
            result.append((g, sorted({t.version for t in BUILTIN if t.group == g})))
        for g in sorted(self._custom_groups):
            if g not in BUILTIN_GROUP_ORDER:
                result.append((g, list(self._custom_groups[g])))
        return result

    def resources_of(self, group, version):
        return [t for t in self.all_types() if (t.group, t.version) == (group, version)]
