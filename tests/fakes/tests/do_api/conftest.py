"""Fixtures of the DigitalOcean half of the offline cloud sandbox: the DO API fake and moto's S3 server."""

from __future__ import annotations

import pytest

from do_sandbox import KUBE_SERVER, KUBE_TOKEN, PROVISION_DELAY, TOKEN
from fakes.do_api import DOApiFake
from fakes.s3 import MotoServer


def _fake(**kwargs):
    options = dict(provision_delay=PROVISION_DELAY, kube_server=KUBE_SERVER, kube_token=KUBE_TOKEN)
    options.update(kwargs)
    return DOApiFake(TOKEN, **options)


@pytest.fixture
def make_do_fake():
    """Start DO API fakes with custom options; each fails the test at teardown if it broke the contract."""
    started = []

    def make(**kwargs):
        fake = _fake(**kwargs).start()
        started.append(fake)
        return fake

    yield make
    for fake in started:
        fake.stop()
    for fake in started:
        fake.assert_no_violations()


@pytest.fixture
def do_fake(make_do_fake):
    """A fresh DO API fake on an ephemeral port (plain HTTP)."""
    return make_do_fake()


@pytest.fixture
def do_module_args(do_fake):
    """The connection options of a community.digitalocean module pointed at the fake."""
    return {"baseurl": do_fake.base_url + "/v2", "oauth_token": TOKEN}


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory):
    with MotoServer(log_file=str(tmp_path_factory.mktemp("moto") / "moto.log")) as server:
        yield server


@pytest.fixture
def s3(moto_server):
    """moto's S3 server with no buckets."""
    moto_server.reset()
    return moto_server
