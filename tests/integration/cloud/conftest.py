"""Fixtures of the cloud stages' tests (do_network, doks_cluster and the DigitalOcean modules).

The DigitalOcean API fake is wired to the Kubernetes API fake: the kubeconfig of every cluster the DO fake creates
points at the Kubernetes fake (with its CA and token), so a playbook goes on from creating the cluster to the
in-cluster tasks unchanged. moto's S3 server stands in for Spaces. Every DO fake fails the test at teardown if it
sent a response that breaks DigitalOcean's published contract.
"""

from __future__ import annotations

import os

import pytest

from cloud_support import DO_TOKEN, PROVISION_DELAY
from fakes.do_api import DOApiFake
from fakes.k8s_api import FakeKubeAPI
from fakes.s3 import ACCESS_KEY, SECRET_KEY, MotoServer

# Credentials a developer may have exported must never reach a test by env fallback.
_SCRUB = (
    "DO_API_KEY",
    "DO_OAUTH_TOKEN",
    "DIGITALOCEAN_TOKEN",
    "DIGITALOCEAN_ACCESS_TOKEN",
    "DO_API_URL",
    "AWS_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_URL",
    "EC2_URL",
    "S3_URL",
    "KUBECONFIG",
    "K8S_AUTH_KUBECONFIG",
)


@pytest.fixture
def k8s():
    """A fresh Kubernetes API fake (https, throw-away CA); tests read its store directly."""
    api = FakeKubeAPI(token="cloud-test-kube-token-0d5f8a").start()
    yield api
    api.stop()


@pytest.fixture
def make_do_fake(k8s, tmp_path):
    """Start DO API fakes (kubeconfigs pointing at ``k8s``); each fails the test at teardown on a contract violation."""
    ca_file = tmp_path / "k8s-ca.pem"
    ca_file.write_bytes(k8s.ca_pem)
    started = []

    def make(**kwargs):
        options = dict(
            provision_delay=PROVISION_DELAY, kube_server=k8s.url, kube_token=k8s.token, kube_ca_file=str(ca_file)
        )
        options.update(kwargs)
        fake = DOApiFake(DO_TOKEN, **options).start()
        started.append(fake)
        return fake

    yield make
    for fake in started:
        fake.stop()
    for fake in started:
        fake.assert_no_violations()


@pytest.fixture
def do_fake(make_do_fake):
    return make_do_fake()


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory):
    with MotoServer(log_file=str(tmp_path_factory.mktemp("moto") / "moto.log")) as server:
        yield server


@pytest.fixture
def s3(moto_server):
    """moto's S3 server with no buckets."""
    moto_server.reset()
    return moto_server


@pytest.fixture
def env(do_fake, tmp_path):
    """The environment of run_playbook: the DO fake by env fallback, and kubernetes.core's discovery cache
    ($TMPDIR/k8srcp-*.json) inside the test's directory."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    values = dict((key, "") for key in _SCRUB)
    values.update(DO_API_URL=do_fake.base_url + "/v2", DO_API_TOKEN=DO_TOKEN, TMPDIR=str(tmpdir))
    return values


@pytest.fixture
def s3_env(env, s3):
    return dict(env, S3_ENDPOINT_URL=s3.endpoint_url, AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY)


@pytest.fixture
def kubeconfig_path(tmp_path):
    return os.path.join(str(tmp_path), "kube", "config.yaml")
