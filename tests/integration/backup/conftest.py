"""Fixtures of the backup playbook's tests: moto's S3 server for Spaces (with the bucket made by boto3) next to the
real PostgreSQL of tests/integration/conftest.py."""

from __future__ import annotations

import boto3
import pytest

from fakes.s3 import ACCESS_KEY, SECRET_KEY, MotoServer
from support.pg import execute

BUCKET = "ai-workbench-data"
REGION = "fra1"

# Credentials and endpoints a developer may have exported must never reach a test by env fallback.
_SCRUB = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_URL",
    "EC2_URL",
    "S3_URL",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_ACCESS_KEY",
    "AWS_SECRET_KEY",
    "PGPASSWORD",
    "PGPASSFILE",
)


@pytest.fixture(scope="session")
def moto_server(tmp_path_factory):
    with MotoServer(log_file=str(tmp_path_factory.mktemp("moto") / "moto.log")) as server:
        yield server


class Bucket(object):
    """The Spaces bucket as an independent boto3 client sees it."""

    def __init__(self, server):
        self.server = server
        self.name = BUCKET
        self.client = boto3.client(
            "s3",
            endpoint_url=server.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def create(self):
        self.client.create_bucket(Bucket=self.name, CreateBucketConfiguration={"LocationConstraint": REGION})
        return self

    def keys(self, prefix=""):
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.name, Prefix=prefix)
        return sorted(obj["Key"] for page in pages for obj in page.get("Contents", []))

    def put(self, key, body=b"not a dump"):
        self.client.put_object(Bucket=self.name, Key=key, Body=body)

    def get(self, key):
        obj = self.client.get_object(Bucket=self.name, Key=key)
        return obj["Body"].read(), obj.get("Metadata", {})


@pytest.fixture
def bucket(moto_server):
    """An empty ai-workbench-data bucket in a freshly reset moto."""
    moto_server.reset()
    return Bucket(moto_server).create()


@pytest.fixture
def source_db(db):
    """A fresh database (the Supabase bootstrap) with a table of five rows; yields its DSN."""
    execute(db, "CREATE TABLE public.backup_probe (id serial PRIMARY KEY, note text NOT NULL)")
    execute(db, "INSERT INTO public.backup_probe (note) SELECT 'row ' || g FROM generate_series(1, 5) AS g")
    return db


@pytest.fixture
def env(tmp_path, monkeypatch):
    """The extra environment of run_playbook. The scrubbed variables are removed from the inherited environment
    (an empty AWS_PROFILE would name a profile "")."""
    for key in _SCRUB:
        monkeypatch.delenv(key, raising=False)
    (tmp_path / "tmp").mkdir()
    return {"TMPDIR": str(tmp_path / "tmp")}
