"""Stand-ins for the controllers of a real cluster, run synchronously right after each stored write.

A write's response shows the object as stored, before any controller ran (as on a real server); a read right after
it sees the controllers' work: workloads report every replica ready, PersistentVolumeClaims are Bound, Pods Running,
LoadBalancer Services get an ingress IP, CRDs are Established. No Pods are created for workloads, no Node exists,
and nothing ever fails or takes time: waiting on anything succeeds on the first poll.
"""

from __future__ import annotations

import copy
import hashlib
import json

from .resources import BUILTIN

_TYPES = {t.kind: t for t in BUILTIN}
NODE_NAME = "workbench-fake-node"
_SAFE = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery/pkg/util/rand.SafeEncodeString's alphabet


def template_hash(template):
    """A pod-template-hash shaped like the real one (a uint32 in decimal, safe-encoded)."""
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).digest()
    return "".join(_SAFE[ord(c) % len(_SAFE)] for c in str(int.from_bytes(digest[:4], "big")))


def _condition(old_status, now, timestamps=("lastTransitionTime",), **fields):
    """A condition made of ``fields`` that keeps its timestamps for as long as those fields do not change."""
    for cond in (old_status or {}).get("conditions") or []:
        if all(cond.get(k) == v for k, v in fields.items()):
            return cond
    return dict(fields, **{t: now for t in timestamps})


def _nonzero(**counts):
    """Go's omitempty on int32 status fields."""
    return {k: v for k, v in counts.items() if v}


def _owned_by(obj, owner):
    return any(
        ref.get("uid") == owner["metadata"]["uid"] and ref.get("controller")
        for ref in obj["metadata"].get("ownerReferences") or []
    )


def reconcile(cluster, rt, obj):
    handler = _HANDLERS.get(rt.kind) if not rt.custom else None
    if handler and "deletionTimestamp" not in obj["metadata"]:
        handler(cluster, rt, obj)


def _deployment(cluster, rt, dep):
    meta, spec = dep["metadata"], dep["spec"]
    namespace, now = meta["namespace"], cluster.now()
    rs_type = _TYPES["ReplicaSet"]
    template = copy.deepcopy(spec.get("template") or {})
    pod_hash = template_hash(template)
    owned = [rs for rs in cluster.store.list("apps", "replicasets", namespace) if _owned_by(rs, dep)]
    revisions = [
        int(rs["metadata"].get("annotations", {}).get("deployment.kubernetes.io/revision", "0")) for rs in owned
    ]
    current = next((rs for rs in owned if rs["metadata"].get("labels", {}).get("pod-template-hash") == pod_hash), None)
    replicas = spec.get("replicas", 1)
    if current is None:
        revision = str(max(revisions + [0]) + 1)
        labels = dict((template.get("metadata") or {}).get("labels") or {}, **{"pod-template-hash": pod_hash})
        template.setdefault("metadata", {})["labels"] = labels
        selector = copy.deepcopy(spec["selector"])
        selector.setdefault("matchLabels", {})["pod-template-hash"] = pod_hash
        current = cluster.create_internal(
            rs_type,
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": {
                    "name": "%s-%s" % (meta["name"], pod_hash),
                    "namespace": namespace,
                    "labels": labels,
                    "annotations": {
                        "deployment.kubernetes.io/desired-replicas": str(replicas),
                        "deployment.kubernetes.io/max-replicas": str(replicas + 1),
                        "deployment.kubernetes.io/revision": revision,
                    },
                    "ownerReferences": [
                        {
                            "apiVersion": "apps/v1",
                            "kind": "Deployment",
                            "name": meta["name"],
                            "uid": meta["uid"],
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "spec": {"replicas": replicas, "selector": selector, "template": template},
            },
        )
    else:
        revision = current["metadata"]["annotations"]["deployment.kubernetes.io/revision"]
        if current["spec"].get("replicas") != replicas:
            current["spec"]["replicas"] = replicas
            current["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] = str(replicas)
            current = cluster.write_internal(rs_type, current)
    # Older ReplicaSets are scaled to zero and the oldest pruned beyond revisionHistoryLimit.
    old = sorted(
        (rs for rs in owned if rs["metadata"]["uid"] != current["metadata"]["uid"]),
        key=lambda rs: int(rs["metadata"]["annotations"].get("deployment.kubernetes.io/revision", "0")),
    )
    for rs in old:
        if rs["spec"].get("replicas"):
            rs["spec"]["replicas"] = 0
            cluster.write_internal(rs_type, rs)
    for rs in old[: max(0, len(old) - spec.get("revisionHistoryLimit", 10))]:
        cluster.delete_internal(rs_type, rs)

    status = dict(
        observedGeneration=meta["generation"],
        **_nonzero(replicas=replicas, updatedReplicas=replicas, readyReplicas=replicas, availableReplicas=replicas),
    )
    old_status = dep.get("status")
    both = ("lastUpdateTime", "lastTransitionTime")
    status["conditions"] = [
        _condition(
            old_status,
            now,
            both,
            type="Available",
            status="True",
            reason="MinimumReplicasAvailable",
            message="Deployment has minimum availability.",
        ),
        _condition(
            old_status,
            now,
            both,
            type="Progressing",
            status="True",
            reason="NewReplicaSetAvailable",
            message='ReplicaSet "%s" has successfully progressed.' % current["metadata"]["name"],
        ),
    ]
    updated = copy.deepcopy(dep)
    updated["status"] = status
    updated["metadata"].setdefault("annotations", {})["deployment.kubernetes.io/revision"] = revision
    cluster.write_internal(rt, updated)


def _replicaset(cluster, rt, rs):
    replicas = rs["spec"].get("replicas", 1)
    status = dict(
        replicas=replicas,
        observedGeneration=rs["metadata"]["generation"],
        **_nonzero(fullyLabeledReplicas=replicas, readyReplicas=replicas, availableReplicas=replicas),
    )
    cluster.write_internal(rt, dict(rs, status=status))


def _statefulset(cluster, rt, sts):
    replicas = sts["spec"].get("replicas", 1)
    revision = "%s-%s" % (sts["metadata"]["name"], template_hash(sts["spec"].get("template") or {}))
    status = dict(
        observedGeneration=sts["metadata"]["generation"],
        replicas=replicas,
        availableReplicas=replicas,
        currentRevision=revision,
        updateRevision=revision,
        collisionCount=0,
        **_nonzero(readyReplicas=replicas, currentReplicas=replicas, updatedReplicas=replicas),
    )
    cluster.write_internal(rt, dict(sts, status=status))


def _daemonset(cluster, rt, ds):
    # One (imaginary) node: one pod, scheduled, ready, up to date.
    status = dict(
        observedGeneration=ds["metadata"]["generation"],
        currentNumberScheduled=1,
        numberMisscheduled=0,
        desiredNumberScheduled=1,
        numberReady=1,
        updatedNumberScheduled=1,
        numberAvailable=1,
    )
    cluster.write_internal(rt, dict(ds, status=status))


def _pod(cluster, rt, pod):
    now = cluster.now()
    spec = pod["spec"]
    old_status = pod.get("status") or {}
    started = old_status.get("startTime", now)
    conditions = [
        _condition(old_status, now, type=t, status="True", lastProbeTime=None)
        for t in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")
    ]
    status = dict(
        phase="Running",
        conditions=conditions,
        hostIP="10.0.0.2",
        hostIPs=[{"ip": "10.0.0.2"}],
        podIP=old_status.get("podIP") or cluster.allocator.pod_ip(),
        startTime=started,
        qosClass="BestEffort",
        containerStatuses=[
            dict(
                name=c["name"],
                image=c.get("image", ""),
                imageID="",
                containerID="fake://%s" % c["name"],
                ready=True,
                started=True,
                restartCount=0,
                state={"running": {"startedAt": started}},
            )
            for c in spec.get("containers") or []
        ],
    )
    status["podIPs"] = [{"ip": status["podIP"]}]
    updated = copy.deepcopy(pod)
    updated["spec"].setdefault("nodeName", NODE_NAME)
    updated["status"] = status
    cluster.write_internal(rt, updated)


def _pvc(cluster, rt, pvc):
    spec = pvc["spec"]
    updated = copy.deepcopy(pvc)
    updated["spec"].setdefault("volumeName", "pvc-%s" % pvc["metadata"]["uid"])
    status = dict(phase="Bound", accessModes=spec.get("accessModes") or [])
    storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage")
    if storage:
        status["capacity"] = {"storage": storage}
    updated["status"] = status
    cluster.write_internal(rt, updated)


def _service(cluster, rt, svc):
    status = {"loadBalancer": {}}
    if svc["spec"].get("type") == "LoadBalancer":
        ingress = (svc.get("status") or {}).get("loadBalancer", {}).get("ingress")
        status["loadBalancer"]["ingress"] = ingress or [{"ip": cluster.allocator.load_balancer_ip(), "ipMode": "VIP"}]
    cluster.write_internal(rt, dict(svc, status=status))


def _crd(cluster, rt, crd):
    now = cluster.now()
    spec, old_status = crd["spec"], crd.get("status") or {}
    names = dict(spec["names"])
    names.setdefault("singular", names["kind"].lower())
    names.setdefault("listKind", names["kind"] + "List")
    storage = [v["name"] for v in spec["versions"] if v.get("storage")]
    stored = list(old_status.get("storedVersions") or [])
    stored += [v for v in storage if v not in stored]
    conditions = [
        _condition(
            old_status, now, type="NamesAccepted", status="True", reason="NoConflicts", message="no conflicts found"
        ),
        _condition(
            old_status,
            now,
            type="Established",
            status="True",
            reason="InitialNamesAccepted",
            message="the initial names have been accepted",
        ),
    ]
    cluster.write_internal(
        rt, dict(crd, status=dict(conditions=conditions, acceptedNames=names, storedVersions=stored))
    )
    cluster.refresh_custom_types()


def namespace_cleanup(cluster, namespace):
    """The namespace controller: delete what a terminating namespace holds, then the namespace once empty."""
    ns = cluster.store.get("", "namespaces", None, namespace)
    if ns is None or "deletionTimestamp" not in ns["metadata"]:
        return
    for rt in cluster.registry.all_types():
        if rt.namespaced:
            for obj in cluster.store.list(rt.group, rt.plural, namespace):
                if "deletionTimestamp" not in obj["metadata"]:
                    cluster.delete_internal(rt, obj)
    remaining = any(
        cluster.store.list(rt.group, rt.plural, namespace) for rt in cluster.registry.all_types() if rt.namespaced
    )
    ns = cluster.store.get("", "namespaces", None, namespace)  # the deletions above may have finished the job
    if ns is not None and not remaining and not ns["metadata"].get("finalizers"):
        cluster.finalize(_TYPES["Namespace"], ns)


_HANDLERS = {
    "Deployment": _deployment,
    "ReplicaSet": _replicaset,
    "StatefulSet": _statefulset,
    "DaemonSet": _daemonset,
    "Pod": _pod,
    "PersistentVolumeClaim": _pvc,
    "Service": _service,
    "CustomResourceDefinition": _crd,
}
