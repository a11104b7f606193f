"""amazon.aws.s3_bucket against moto's S3 server, the sandbox's stand-in for a Spaces endpoint.

Spaces is S3-compatible: the collection manages its bucket with amazon.aws.s3_bucket and ``endpoint_url``.
The bucket's real state is read back independently with boto3.
"""

from __future__ import annotations

import boto3
import botocore.exceptions
import pytest

from fakes.s3 import ACCESS_KEY, SECRET_KEY
from support.ansible import run_playbook

BUCKET = "workbench-media"
REGION = "fra1"  # a Spaces region; moto takes it as a location constraint


@pytest.fixture
def bucket_args(s3):
    return {
        "name": BUCKET,
        "state": "present",
        "versioning": True,
        "endpoint_url": s3.endpoint_url,
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "region": REGION,
    }


@pytest.fixture
def boto(s3):
    return boto3.client(
        "s3",
        endpoint_url=s3.endpoint_url,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name=REGION,
    )


def run_bucket(args, check=False):
    result = run_playbook(tasks=[{"name": "bucket", "amazon.aws.s3_bucket": args}], check=check)
    assert result.rc == 0, result.stdout + result.stderr
    return result.task("bucket")


def bucket_names(boto):
    return [b["Name"] for b in boto.list_buckets()["Buckets"]]


def test_bucket_with_versioning_check_apply_check_apply(bucket_args, boto):
    # Upstream quirk: s3_bucket (amazon.aws 10.1.2) does not declare check mode support: skipped under --check.
    first_check = run_bucket(bucket_args, check=True)
    assert first_check.get("skipped") is True and first_check["changed"] is False
    assert bucket_names(boto) == []

    assert run_bucket(bucket_args)["changed"] is True
    assert bucket_names(boto) == [BUCKET]
    assert boto.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    assert boto.get_bucket_location(Bucket=BUCKET)["LocationConstraint"] == REGION

    assert run_bucket(bucket_args, check=True).get("skipped") is True
    assert run_bucket(bucket_args)["changed"] is False
    assert boto.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"


def test_versioning_suspended_then_bucket_removed(bucket_args, boto):
    run_bucket(bucket_args)
    assert run_bucket(dict(bucket_args, versioning=False))["changed"] is True
    assert boto.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Suspended"

    assert run_bucket(dict(bucket_args, state="absent"))["changed"] is True
    with pytest.raises(botocore.exceptions.ClientError, match="404"):
        boto.head_bucket(Bucket=BUCKET)
    assert run_bucket(dict(bucket_args, state="absent"))["changed"] is False
