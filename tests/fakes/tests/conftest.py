"""The fakes' own tests: each fake runs as a server, and the clients production uses (pydo, community.digitalocean,
boto3, kubectl, kubernetes.core, helm) are run against it; every answer is checked against ../shared/contracts."""

from support.fixtures import ansible_env, helm_binary, k8s, kubeconfig

# the shared fixtures, for pytest to find in this conftest
__all__ = ("ansible_env", "helm_binary", "k8s", "kubeconfig")
