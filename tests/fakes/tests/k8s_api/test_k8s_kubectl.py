"""The machine's kubectl (1.32) against the fake, through a generated kubeconfig (https, bearer token)."""

from __future__ import annotations

import base64
import json

import yaml

MANIFEST = """
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: default}
data: {greeting: hello}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports: [{containerPort: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: traefik.io/v1alpha1
kind: IngressRoute
metadata: {name: web, namespace: default}
spec:
  entryPoints: [websecure]
  routes:
    - match: Host(`web.example.test`)
      kind: Rule
      services: [{name: web, port: 80}]
"""


def test_get(kubectl):
    names = kubectl("get", "namespaces", "-o", "name").stdout.split()
    assert names == ["namespace/default", "namespace/kube-node-lease", "namespace/kube-public", "namespace/kube-system"]
    version = json.loads(kubectl("version", "-o", "json").stdout)
    assert version["serverVersion"]["gitVersion"].startswith("v1.32.")
    assert "ingressroutes" in kubectl("api-resources", "--api-group=traefik.io", "-o", "name").stdout


def test_apply_is_idempotent_and_updates(kubectl, k8s):
    first = kubectl("apply", "-f", "-", stdin=MANIFEST).stdout.splitlines()
    assert first == [
        "configmap/web-config created",
        "deployment.apps/web created",
        "service/web created",
        "ingressroute.traefik.io/web created",
    ]
    rv = k8s.resource_version
    second = kubectl("apply", "-f", "-", stdin=MANIFEST).stdout.splitlines()
    assert second == [line.replace("created", "unchanged") for line in first]
    assert k8s.resource_version == rv

    changed = MANIFEST.replace("nginx:1.27", "nginx:1.28").replace("hello", "bonjour")
    third = kubectl("apply", "-f", "-", stdin=changed).stdout.splitlines()
    assert third == [
        "configmap/web-config configured",
        "deployment.apps/web configured",
        "service/web unchanged",
        "ingressroute.traefik.io/web unchanged",
    ]
    dep = k8s.get("apps/v1", "deployments", "web", "default")
    (container,) = dep["spec"]["template"]["spec"]["containers"]
    assert container["image"] == "nginx:1.28" and container["ports"] == [{"containerPort": 80, "protocol": "TCP"}]
    applied = json.loads(dep["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
    assert applied["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.28"
    assert k8s.get("v1", "configmaps", "web-config", "default")["data"] == {"greeting": "bonjour"}

    # kubectl wait lists and then watches until the condition holds.
    waited = kubectl("wait", "--for=condition=Available", "deployment/web", "--timeout=20s")
    assert waited.stdout.strip() == "deployment.apps/web condition met"
    shown = yaml.safe_load(kubectl("get", "deployment", "web", "-o", "yaml").stdout)
    assert shown["status"]["readyReplicas"] == 2


def test_server_side_apply(kubectl, k8s):
    out = kubectl("apply", "--server-side", "-f", "-", stdin=MANIFEST).stdout.splitlines()
    assert out == [
        "configmap/web-config serverside-applied",
        "deployment.apps/web serverside-applied",
        "service/web serverside-applied",
        "ingressroute.traefik.io/web serverside-applied",
    ]
    rv = k8s.resource_version
    kubectl("apply", "--server-side", "-f", "-", stdin=MANIFEST)
    assert k8s.resource_version == rv  # a no-op apply stores nothing

    (entry,) = k8s.get("v1", "configmaps", "web-config", "default")["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"], entry["fieldsV1"]) == (
        "kubectl",
        "Apply",
        {"f:data": {"f:greeting": {}}},
    )

    other = kubectl(
        "apply",
        "--server-side",
        "--field-manager=someone-else",
        "-f",
        "-",
        stdin=MANIFEST.replace("hello", "hi"),
        check=False,
    )
    assert other.returncode != 0 and 'conflict with "kubectl": .data.greeting' in other.stderr
    kubectl(
        "apply",
        "--server-side",
        "--field-manager=someone-else",
        "--force-conflicts",
        "-f",
        "-",
        stdin=MANIFEST.replace("hello", "hi"),
    )
    assert k8s.get("v1", "configmaps", "web-config", "default")["data"] == {"greeting": "hi"}


def test_create_and_delete(kubectl, k8s):
    # `kubectl create namespace|secret` use typed clients that send protobuf.
    kubectl("create", "namespace", "team")
    kubectl("create", "secret", "generic", "creds", "-n", "team", "--from-literal=password=s3cr3t")
    secret = k8s.get("v1", "secrets", "creds", "team")
    assert base64.b64decode(secret["data"]["password"]) == b"s3cr3t" and secret["type"] == "Opaque"
    creates = [r["content_type"] for r in k8s.requests if r["method"] == "POST"]
    assert creates == ["application/vnd.kubernetes.protobuf"] * 2

    kubectl("apply", "-f", "-", stdin=MANIFEST)
    out = kubectl("delete", "-f", "-", stdin=MANIFEST).stdout.splitlines()
    assert out == [
        'configmap "web-config" deleted',
        'deployment.apps "web" deleted',
        'service "web" deleted',
        'ingressroute.traefik.io "web" deleted',
    ]
    assert k8s.list("apps/v1", "deployments", "default") == []
    assert k8s.list("apps/v1", "replicasets", "default") == []  # cascaded
    missing = kubectl("delete", "configmap", "web-config", check=False)
    assert missing.returncode == 1 and 'configmaps "web-config" not found' in missing.stderr

    kubectl("delete", "namespace", "team")
    assert k8s.get("v1", "namespaces", "team") is None and k8s.list("v1", "secrets", "team") == []
