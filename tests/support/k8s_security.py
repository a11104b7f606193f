"""Security checks over Kubernetes objects, shared by the integration tests and the whole-site scenario's verify
(molecule/default/verify.yml):

- no Secret carries ``kubectl.kubernetes.io/last-applied-configuration`` (a client-side apply copies every value of
  the Secret into it, and ``kubectl describe`` prints it);
- every pod a workload would run meets the "restricted" Pod Security Standard (Kubernetes v1.32, the checks of
  k8s.io/pod-security-admission for the baseline and restricted levels), checked per container, init and ephemeral
  containers included;
- the workbench's own rules on top: a read-only root filesystem, and no service account token in pods that do not
  talk to the Kubernetes API, except where ``API_CLIENTS``/``WRITABLE_ROOT`` say so (each role's README says why).

The checks read plain objects (dicts): the API fake's store (an independent read), a helm release's rendered
manifest, or what ``python -m support.k8s_security --kubeconfig PATH`` lists from any API server (exit 1 and one
line per violation when something fails).
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import os
import shutil
import subprocess
import sys

import yaml

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"

# (kind, namespace, name) of the workloads whose pods need the Kubernetes API: they keep their token.
API_CLIENTS = frozenset({("Deployment", "traefik", "traefik")})
# (kind, namespace, name, container) allowed a writable root filesystem. None: every image the workbench runs copes
# with a read-only one, given emptyDirs where it writes (see the roles' READMEs).
WRITABLE_ROOT = frozenset()

# The pod template of each workload kind, as a path from the object.
TEMPLATE_PATHS = {
    "Deployment": ("spec", "template"),
    "ReplicaSet": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "ReplicationController": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "Pod": (),
}
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")
# Pod Security Standards, "restricted" (v1.32).
RESTRICTED_VOLUME_TYPES = frozenset(
    {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}
)
RESTRICTED_ADD_CAPABILITIES = frozenset({"NET_BIND_SERVICE"})
ALLOWED_SECCOMP = frozenset({"RuntimeDefault", "Localhost"})
ALLOWED_SELINUX_TYPES = frozenset({"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"})
SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",
        "net.ipv4.tcp_keepalive_time",
        "net.ipv4.tcp_fin_timeout",
        "net.ipv4.tcp_keepalive_intvl",
        "net.ipv4.tcp_keepalive_probes",
    }
)
APPARMOR_ANNOTATION = "container.apparmor.security.beta.kubernetes.io/"


# --- Secrets -------------------------------------------------------------------------------------------------------


def annotated_secrets(secrets):
    """``namespace/name`` of every Secret among ``secrets`` that carries the client-side apply annotation."""
    return sorted(
        "%s/%s" % (s["metadata"].get("namespace"), s["metadata"]["name"])
        for s in secrets
        if LAST_APPLIED in (s["metadata"].get("annotations") or {})
    )


def client_side_apply(kubeconfig, manifest, home):
    """``kubectl apply -f -`` (client-side, as older versions of the roles or an operator by hand did): the object
    gets the last-applied-configuration annotation. Returns kubectl's output; fails the test when kubectl does."""
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        raise AssertionError("kubectl is not installed (it comes with the machine image; apt-get install kubectl)")
    proc = subprocess.run(
        [kubectl, "--kubeconfig", kubeconfig, "--cache-dir", os.path.join(str(home), "kube-cache"), "apply", "-f", "-"],
        input=manifest if isinstance(manifest, str) else yaml.safe_dump_all(manifest),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=dict(os.environ, HOME=str(home)),
    )
    if proc.returncode != 0:
        raise AssertionError("kubectl apply failed (%d): %s" % (proc.returncode, proc.stderr))
    return proc.stdout


# --- Workloads -----------------------------------------------------------------------------------------------------


def helm_release_record(secret):
    """helm's release record from its storage Secret (base64 of gzip of JSON, in the Secret's base64 data)."""
    raw = base64.b64decode(base64.b64decode(secret["data"]["release"]))
    return json.loads(gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw)


def helm_manifest_objects(secret):
    """The objects a helm release renders: its manifest, and its hooks but the ``test`` ones (helm runs those only
    on ``helm test``, which the workbench never does)."""
    record = helm_release_record(secret)
    documents = [record.get("manifest") or ""]
    for hook in record.get("hooks") or []:
        if not set(hook.get("events") or []) <= {"test", "test-success", "test-failure"}:
            documents.append(hook.get("manifest") or "")
    release = "helm release %s/%s v%s" % (record.get("namespace"), record.get("name"), record.get("version"))
    objects = []
    for document in documents:
        for obj in yaml.safe_load_all(document):
            if isinstance(obj, dict) and obj.get("kind"):
                obj.setdefault("metadata", {}).setdefault("namespace", record.get("namespace"))
                objects.append((release, obj))
    return objects


def latest_releases(secrets):
    """The newest release Secret of each helm release among ``secrets`` (label owner=helm)."""
    latest = {}
    for secret in secrets:
        labels = secret["metadata"].get("labels") or {}
        if labels.get("owner") != "helm" or not str(labels.get("version", "")).isdigit():
            continue
        key = (secret["metadata"].get("namespace"), labels.get("name"))
        if key not in latest or int(labels["version"]) > int(latest[key]["metadata"]["labels"]["version"]):
            latest[key] = secret
    return [latest[k] for k in sorted(latest)]


def pod_templates(obj):
    """(pod metadata, pod spec) of a workload object, or None when ``obj`` runs no pods."""
    path = TEMPLATE_PATHS.get(obj.get("kind"))
    if path is None:
        return None
    node = obj
    for key in path:
        node = (node or {}).get(key)
    node = node or {}
    return node.get("metadata") or {}, node.get("spec") or {}


def _containers(spec):
    for field in CONTAINER_LISTS:
        for container in spec.get(field) or []:
            yield field, container


def _context(container):
    return container.get("securityContext") or {}


def restricted_violations(workload, pod_meta, spec):
    """Every rule of the baseline and restricted Pod Security Standards that the pod breaks, one message each,
    naming ``workload``, the container and the field."""
    found = []
    pod = spec.get("securityContext") or {}

    def bad(where, field, why):
        found.append("%s%s: %s %s" % (workload, where, field, why))

    containers = list(_containers(spec))
    # baseline
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field):
            bad("", "spec." + field, "is true, must be unset or false")
    if (pod.get("windowsOptions") or {}).get("hostProcess"):
        bad("", "spec.securityContext.windowsOptions.hostProcess", "is true, must be unset or false")
    for name in sorted(s.get("name") for s in pod.get("sysctls") or [] if s.get("name") not in SAFE_SYSCTLS):
        bad("", "spec.securityContext.sysctls", "sets %s, not one of the safe sysctls" % name)
    for key, value in sorted((pod_meta.get("annotations") or {}).items()):
        if key.startswith(APPARMOR_ANNOTATION) and not (value == "runtime/default" or value.startswith("localhost/")):
            bad("", "metadata.annotations[%s]" % key, "is %r, must be runtime/default or localhost/*" % value)
    _check_profiles(pod, "spec.securityContext", "", bad)
    for volume in spec.get("volumes") or []:
        kinds = [k for k in volume if k != "name"]
        if not kinds or any(k not in RESTRICTED_VOLUME_TYPES for k in kinds):
            bad(
                "",
                "spec.volumes[%s]" % volume.get("name"),
                "is of type %s, restricted allows only %s"
                % ("/".join(kinds) or "none", ", ".join(sorted(RESTRICTED_VOLUME_TYPES))),
            )
    for field, container in containers:
        where = ", %s %s" % (field[:-1], container.get("name"))
        ctx = _context(container)
        if ctx.get("privileged"):
            bad(where, "securityContext.privileged", "is true, must be unset or false")
        if (ctx.get("windowsOptions") or {}).get("hostProcess"):
            bad(where, "securityContext.windowsOptions.hostProcess", "is true, must be unset or false")
        if ctx.get("procMount") not in (None, "Default"):
            bad(where, "securityContext.procMount", "is %r, must be unset or Default" % ctx["procMount"])
        for port in container.get("ports") or []:
            if port.get("hostPort"):
                bad(
                    where,
                    "ports[%s].hostPort" % port.get("containerPort"),
                    "is %s, must be unset or 0" % port["hostPort"],
                )
        _check_profiles(ctx, "securityContext", where, bad)
    # restricted
    pod_non_root = pod.get("runAsNonRoot")
    pod_seccomp = (pod.get("seccompProfile") or {}).get("type")
    if pod.get("runAsUser") == 0:
        bad("", "spec.securityContext.runAsUser", "is 0, must not be root")
    if pod_seccomp not in ALLOWED_SECCOMP | {None, "Unconfined"}:  # Unconfined: the baseline rule said so
        bad("", "spec.securityContext.seccompProfile.type", "is %r, must be RuntimeDefault or Localhost" % pod_seccomp)
    for field, container in containers:
        where = ", %s %s" % (field[:-1], container.get("name"))
        ctx = _context(container)
        if ctx.get("allowPrivilegeEscalation") is not False:
            bad(
                where,
                "securityContext.allowPrivilegeEscalation",
                "is %s, must be false" % json.dumps(ctx.get("allowPrivilegeEscalation", "unset")),
            )
        non_root = ctx.get("runAsNonRoot")
        if non_root is False or (non_root is None and pod_non_root is not True):
            bad(
                where,
                "securityContext.runAsNonRoot",
                "is %s (and the pod's is %s), one must be true and neither false"
                % (json.dumps(ctx.get("runAsNonRoot", "unset")), json.dumps(pod.get("runAsNonRoot", "unset"))),
            )
        if ctx.get("runAsUser") == 0:
            bad(where, "securityContext.runAsUser", "is 0, must not be root")
        seccomp = (ctx.get("seccompProfile") or {}).get("type")
        if seccomp not in ALLOWED_SECCOMP | {None, "Unconfined"}:
            bad(where, "securityContext.seccompProfile.type", "is %r, must be RuntimeDefault or Localhost" % seccomp)
        elif seccomp is None and pod_seccomp not in ALLOWED_SECCOMP | {"Unconfined"}:
            bad(
                where,
                "securityContext.seccompProfile.type",
                "is unset and so is the pod's: one must be RuntimeDefault or Localhost",
            )
        caps = ctx.get("capabilities") or {}
        if "ALL" not in (caps.get("drop") or []):
            bad(where, "securityContext.capabilities.drop", "is %s, must include ALL" % json.dumps(caps.get("drop")))
        added = sorted(set(caps.get("add") or []) - RESTRICTED_ADD_CAPABILITIES)
        if added:
            bad(
                where,
                "securityContext.capabilities.add",
                "adds %s, restricted allows only NET_BIND_SERVICE" % ", ".join(added),
            )
    return found


def _check_profiles(ctx, prefix, where, bad):
    """The baseline rules on seccomp, AppArmor and SELinux of one security context (pod or container)."""
    if (ctx.get("seccompProfile") or {}).get("type") == "Unconfined":
        bad(where, prefix + ".seccompProfile.type", "is Unconfined")
    apparmor = (ctx.get("appArmorProfile") or {}).get("type")
    if apparmor not in (None, "RuntimeDefault", "Localhost"):
        bad(where, prefix + ".appArmorProfile.type", "is %r, must be RuntimeDefault or Localhost" % apparmor)
    selinux = ctx.get("seLinuxOptions") or {}
    if selinux.get("type", "") not in ALLOWED_SELINUX_TYPES:
        bad(where, prefix + ".seLinuxOptions.type", "is %r, not a container type" % selinux["type"])
    for field in ("user", "role"):
        if selinux.get(field):
            bad(where, prefix + ".seLinuxOptions." + field, "is set, must be unset")


def workbench_violations(workload, key, spec, service_accounts, api_clients=API_CLIENTS, writable_root=WRITABLE_ROOT):
    """The workbench's rules beyond the standard: every container's root filesystem read-only, and no service
    account token mounted (the pod's automountServiceAccountToken, else its service account's) unless the workload
    is one of ``api_clients``. ``key`` is (kind, namespace, name); ``service_accounts`` maps (namespace, name) to
    ServiceAccount objects."""
    found = []
    for field, container in _containers(spec):
        if (
            _context(container).get("readOnlyRootFilesystem") is not True
            and key + (container.get("name"),) not in writable_root
        ):
            found.append(
                "%s, %s %s: securityContext.readOnlyRootFilesystem is %s, must be true (or the exception "
                "named in support/k8s_security.py WRITABLE_ROOT)"
                % (
                    workload,
                    field[:-1],
                    container.get("name"),
                    json.dumps(_context(container).get("readOnlyRootFilesystem", "unset")),
                )
            )
    account = spec.get("serviceAccountName") or "default"
    mounted = spec.get("automountServiceAccountToken")
    origin = "the pod's automountServiceAccountToken"
    if mounted is None:
        sa = service_accounts.get((key[1], account))
        mounted = True if sa is None else sa.get("automountServiceAccountToken", True)
        origin = "service account %s's automountServiceAccountToken%s" % (account, "" if sa else " (not found)")
    if mounted and key not in api_clients:
        found.append(
            "%s: the service account token is mounted (%s is %s) but the pods do not use the Kubernetes "
            "API: set it false" % (workload, origin, json.dumps(mounted))
        )
    return found


def workload_violations(objects, service_accounts=None, api_clients=API_CLIENTS, writable_root=WRITABLE_ROOT):
    """Every violation in ``objects``, a list of (source, object) pairs (source names where the object was read: the
    store, or a helm release); objects that run no pods, and those a controller owns (checked through their owner),
    are skipped. Returns (messages, workloads checked)."""
    if service_accounts is None:
        service_accounts = {
            (o["metadata"].get("namespace"), o["metadata"]["name"]): o
            for _source, o in objects
            if o.get("kind") == "ServiceAccount"
        }
    found, checked = [], []
    for source, obj in objects:
        template = pod_templates(obj)
        meta = obj.get("metadata") or {}
        if template is None or any(ref.get("controller") for ref in meta.get("ownerReferences") or []):
            continue  # runs no pods, or its pods come from its owner's template (a Deployment's ReplicaSets)
        key = (obj["kind"], meta.get("namespace"), meta.get("name"))
        workload = "%s %s/%s (%s)" % (key[0], key[1], key[2], source)
        checked.append(workload)
        found += restricted_violations(workload, *template)
        found += workbench_violations(workload, key, template[1], service_accounts, api_clients, writable_root)
    return found, checked


def fake_cluster_objects(api):
    """(source, object) of every workload and ServiceAccount stored in the Kubernetes API fake ``api`` (an
    independent read of its store), and of every object the latest revision of each helm release renders."""
    objects = []
    for api_version, plural, kind in (
        ("apps/v1", "deployments", "Deployment"),
        ("apps/v1", "statefulsets", "StatefulSet"),
        ("apps/v1", "daemonsets", "DaemonSet"),
        ("apps/v1", "replicasets", "ReplicaSet"),
        ("v1", "pods", "Pod"),
        ("v1", "serviceaccounts", "ServiceAccount"),
    ):
        for obj in api.list(api_version, plural):
            objects.append(("stored", dict(obj, kind=kind)))
    for secret in latest_releases(api.list("v1", "secrets")):
        objects += helm_manifest_objects(secret)
    return objects


# --- Against a live API server (molecule/default verify) -----------------------------------------------------------

LIVE_LISTS = (
    ("/api/v1/secrets", "Secret"),
    ("/api/v1/serviceaccounts", "ServiceAccount"),
    ("/api/v1/pods", "Pod"),
    ("/apis/apps/v1/deployments", "Deployment"),
    ("/apis/apps/v1/statefulsets", "StatefulSet"),
    ("/apis/apps/v1/daemonsets", "DaemonSet"),
    ("/apis/apps/v1/replicasets", "ReplicaSet"),
    ("/apis/batch/v1/jobs", "Job"),
    ("/apis/batch/v1/cronjobs", "CronJob"),
)


def live_objects(kubeconfig):
    """{kind: [objects]} of every namespace, read through the kubernetes client with ``kubeconfig``; a kind the
    server does not serve (the API fake has no batch group) is an empty list."""
    from kubernetes import config  # the toolchain's, as kubernetes.core uses
    from kubernetes.client.rest import ApiException

    api = config.new_client_from_config(config_file=kubeconfig)
    found = {}
    for path, kind in LIVE_LISTS:
        try:
            resp = api.call_api(
                path, "GET", auth_settings=["BearerToken"], _preload_content=False, _return_http_data_only=True
            )
        except ApiException as exc:
            if exc.status == 404:
                found[kind] = []
                continue
            raise
        found[kind] = [dict(o, kind=kind) for o in json.loads(resp.data)["items"]]
    api.close()
    return found


def check_live(kubeconfig):
    """Every violation on the cluster ``kubeconfig`` points at (Secrets with the annotation, workloads and helm
    releases), and the workloads checked."""
    live = live_objects(kubeconfig)
    problems = ["Secret %s carries %s" % (name, LAST_APPLIED) for name in annotated_secrets(live["Secret"])]
    objects = [("stored", o) for kind, items in live.items() if kind != "Secret" for o in items]
    for secret in latest_releases(live["Secret"]):
        objects += helm_manifest_objects(secret)
    found, checked = workload_violations(objects)
    return problems + found, checked


def main(argv=None):
    """``python -m support.k8s_security --kubeconfig PATH``: exit 0 when the cluster passes, 1 with the
    violations."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--kubeconfig", required=True)
    parser.add_argument(
        "--min-workloads",
        type=int,
        default=1,
        help="fail unless at least this many workloads were checked (a check of nothing is no check)",
    )
    args = parser.parse_args(argv)
    problems, checked = check_live(args.kubeconfig)
    if len(checked) < args.min_workloads:
        problems.append(
            "only %d workload(s) checked, expected at least %d: %s"
            % (len(checked), args.min_workloads, ", ".join(checked))
        )
    for line in checked:
        print("checked " + line)
    for line in problems:
        print("VIOLATION " + line)
    print("%d workloads, %d violations" % (len(checked), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
