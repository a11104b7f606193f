"""The shared security checks (tests/support/k8s_security.py) catch what they are for: a pod that meets the restricted
Pod Security Standard passes, and each rule broken alone is named with the workload, the container and the field."""

from __future__ import annotations

import base64
import copy
import gzip
import json

import pytest

from support import k8s_security as sec

GOOD_CONTAINER = {
    "name": "app",
    "image": "example/app:1",
    "securityContext": {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    },
}
GOOD = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "apps"},
    "spec": {
        "template": {
            "metadata": {"labels": {"app": "web"}},
            "spec": {
                "automountServiceAccountToken": False,
                "securityContext": {
                    "runAsNonRoot": True,
                    "runAsUser": 1000,
                    "seccompProfile": {"type": "RuntimeDefault"},
                },
                "initContainers": [dict(copy.deepcopy(GOOD_CONTAINER), name="init")],
                "containers": [copy.deepcopy(GOOD_CONTAINER)],
                "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "cfg", "configMap": {"name": "c"}}],
            },
        }
    },
}


def violations(obj, **kwargs):
    found, checked = sec.workload_violations([("stored", obj)], **kwargs)
    assert checked == ["%s %s/%s (stored)" % (obj["kind"], obj["metadata"]["namespace"], obj["metadata"]["name"])]
    return found


def changed(edit):
    obj = copy.deepcopy(GOOD)
    edit(obj["spec"]["template"]["spec"], obj["spec"]["template"])
    return obj


def test_a_restricted_pod_passes():
    assert violations(GOOD) == []


CASES = {
    "privilege escalation unset": (
        lambda s, t: s["containers"][0]["securityContext"].pop("allowPrivilegeEscalation"),
        "container app: securityContext.allowPrivilegeEscalation is \"unset\", must be false",
    ),
    "init container may escalate": (
        lambda s, t: s["initContainers"][0]["securityContext"].update(allowPrivilegeEscalation=True),
        "initContainer init: securityContext.allowPrivilegeEscalation is true",
    ),
    "capabilities not dropped": (
        lambda s, t: s["containers"][0]["securityContext"].pop("capabilities"),
        "container app: securityContext.capabilities.drop is null, must include ALL",
    ),
    "a capability added": (
        lambda s, t: s["containers"][0]["securityContext"]["capabilities"].update(add=["NET_ADMIN"]),
        "securityContext.capabilities.add adds NET_ADMIN",
    ),
    "no seccomp anywhere": (
        lambda s, t: s["securityContext"].pop("seccompProfile"),
        "securityContext.seccompProfile.type is unset and so is the pod's",
        2,
    ),
    "seccomp unconfined in a container": (
        lambda s, t: s["containers"][0]["securityContext"].update(seccompProfile={"type": "Unconfined"}),
        "container app: securityContext.seccompProfile.type is Unconfined",
    ),
    "may run as root": (
        lambda s, t: s["securityContext"].pop("runAsNonRoot"),
        "securityContext.runAsNonRoot is \"unset\" (and the pod's is \"unset\")",
        2,
    ),
    "a container says root is fine": (
        lambda s, t: s["containers"][0]["securityContext"].update(runAsNonRoot=False),
        "container app: securityContext.runAsNonRoot is false",
    ),
    "uid 0": (lambda s, t: s["securityContext"].update(runAsUser=0), "spec.securityContext.runAsUser is 0"),
    "privileged": (
        lambda s, t: s["containers"][0]["securityContext"].update(privileged=True),
        "container app: securityContext.privileged is true",
    ),
    "host network": (lambda s, t: s.update(hostNetwork=True), "spec.hostNetwork is true"),
    "host port": (
        lambda s, t: s["containers"][0].update(ports=[{"containerPort": 80, "hostPort": 80}]),
        "container app: ports[80].hostPort is 80",
    ),
    "hostPath volume": (
        lambda s, t: s["volumes"].append({"name": "root", "hostPath": {"path": "/"}}),
        "spec.volumes[root] is of type hostPath",
    ),
    "unsafe sysctl": (
        lambda s, t: s["securityContext"].update(sysctls=[{"name": "kernel.msgmax", "value": "1"}]),
        "spec.securityContext.sysctls sets kernel.msgmax",
    ),
    "apparmor unconfined": (
        lambda s, t: t["metadata"].update(annotations={sec.APPARMOR_ANNOTATION + "app": "unconfined"}),
        "must be runtime/default or localhost/*",
    ),
    "selinux user": (
        lambda s, t: s["securityContext"].update(seLinuxOptions={"user": "system_u"}),
        "spec.securityContext.seLinuxOptions.user is set",
    ),
    "proc mount": (
        lambda s, t: s["containers"][0]["securityContext"].update(procMount="Unmasked"),
        "container app: securityContext.procMount is 'Unmasked'",
    ),
    "writable root": (
        lambda s, t: s["containers"][0]["securityContext"].pop("readOnlyRootFilesystem"),
        "container app: securityContext.readOnlyRootFilesystem is \"unset\", must be true",
    ),
    "token mounted": (
        lambda s, t: s.pop("automountServiceAccountToken"),
        "the service account token is mounted (service account default's automountServiceAccountToken "
        "(not found) is true)",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_broken_rule_is_named(case):
    """One message per container that breaks the rule (a pod-level setting taken away breaks it for both)."""
    edit, expected, count = (CASES[case] + (1,))[:3]
    found = violations(changed(edit))
    assert len(found) == count, found
    assert all(f.startswith("Deployment apps/web (stored)") and expected in f for f in found), found


def test_container_level_settings_satisfy_the_standard_too():
    """runAsNonRoot and seccomp may be set on every container instead of the pod (the Bitnami charts do that)."""

    def per_container(spec, _template):
        spec["securityContext"] = {}
        for container in spec["containers"] + spec["initContainers"]:
            container["securityContext"].update(runAsNonRoot=True, seccompProfile={"type": "RuntimeDefault"})

    assert violations(changed(per_container)) == []


def test_token_follows_the_service_account_and_the_exceptions():
    def uses_account(spec, _template):
        spec.pop("automountServiceAccountToken")
        spec["serviceAccountName"] = "app"

    obj = changed(uses_account)
    account = {
        "kind": "ServiceAccount",
        "metadata": {"name": "app", "namespace": "apps"},
        "automountServiceAccountToken": False,
    }
    assert violations(obj, service_accounts={("apps", "app"): account}) == []
    assert violations(obj, service_accounts={("apps", "app"): dict(account, automountServiceAccountToken=True)})
    assert violations(obj, service_accounts={}, api_clients={("Deployment", "apps", "web")}) == []
    writable = changed(lambda s, t: s["containers"][0]["securityContext"].pop("readOnlyRootFilesystem"))
    assert violations(writable, writable_root={("Deployment", "apps", "web", "app")}) == []


def test_helm_release_objects_and_annotated_secrets():
    manifest = "---\n" + json.dumps(GOOD) + "\n---\n# Source: x\n"
    hooks = [
        {"events": ["test"], "manifest": json.dumps({"kind": "Pod", "metadata": {"name": "t"}, "spec": {}})},
        {
            "events": ["pre-install"],
            "manifest": json.dumps(changed(lambda s, t: s.update(hostPID=True)) | {"metadata": {"name": "hook"}}),
        },
    ]
    record = {"name": "rel", "namespace": "apps", "version": 2, "manifest": manifest, "hooks": hooks}
    data = base64.b64encode(base64.b64encode(gzip.compress(json.dumps(record).encode()))).decode()
    secret = {
        "metadata": {
            "name": "sh.helm.release.v1.rel.v2",
            "namespace": "apps",
            "labels": {"owner": "helm", "name": "rel", "version": "2"},
        },
        "data": {"release": data},
    }
    older = copy.deepcopy(secret)
    older["metadata"]["labels"]["version"] = "1"
    assert sec.latest_releases([older, secret]) == [secret]
    objects = sec.helm_manifest_objects(secret)
    assert [o["metadata"]["name"] for _s, o in objects] == ["web", "hook"]  # the test hook is left out
    found, checked = sec.workload_violations(objects)
    assert checked == [
        "Deployment apps/web (helm release apps/rel v2)",
        "Deployment apps/hook (helm release apps/rel v2)",
    ]
    assert found == ["Deployment apps/hook (helm release apps/rel v2): spec.hostPID is true, must be unset or false"]

    plain = {"metadata": {"name": "a", "namespace": "n"}}
    annotated = {"metadata": {"name": "b", "namespace": "n", "annotations": {sec.LAST_APPLIED: "{}"}}}
    assert sec.annotated_secrets([plain, annotated]) == ["n/b"]
