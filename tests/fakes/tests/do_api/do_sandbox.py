"""Constants and a small JSON client shared by the DigitalOcean sandbox tests and their conftest."""

from __future__ import annotations

import pytest
import requests

from fakes import contracts
from fakes.do_api.contract import SPEC_PATH, spec_available

TOKEN = "sandbox-do-token"
# Where cluster kubeconfigs point. Nothing listens there in these tests: they check the kubeconfig itself.
KUBE_SERVER = "https://127.0.0.1:58443"
KUBE_TOKEN = "sandbox-kube-token"
# Short, so that tests waiting for "running" stay fast, and long enough to observe "provisioning".
PROVISION_DELAY = 0.6

requires_contract = pytest.mark.skipif(
    not spec_available(),
    reason=contracts.reason([SPEC_PATH]),
)


class Api(object):
    """A thin JSON client of the fake; calls return (status, parsed body or None)."""

    def __init__(self, fake, token=TOKEN):
        self.base = fake.base_url
        self.session = requests.Session()
        if token:
            self.session.headers["Authorization"] = "Bearer " + token

    def call(self, method, path, body=None, **kwargs):
        response = self.session.request(method, self.base + path, json=body, timeout=10, **kwargs)
        return response.status_code, (response.json() if response.content else None)

    def ok(self, method, path, body=None):
        """The body of a call that must succeed (2xx)."""
        status, data = self.call(method, path, body)
        assert 200 <= status < 300, (method, path, status, data)
        return data

    def get(self, path, **kwargs):
        return self.call("GET", path, **kwargs)

    def post(self, path, body, **kwargs):
        return self.call("POST", path, body, **kwargs)
