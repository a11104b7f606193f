"""moto's S3 emulation (``moto_server``) on 127.0.0.1, the S3-compatible endpoint that stands in for Spaces.

moto is the real thing here, not a fake of ours: a separate process, started and stopped by the tests (or by
``make sandbox``) through this helper. It accepts any access key pair; ``ACCESS_KEY``/``SECRET_KEY`` are the
ones the sandbox hands out.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

ACCESS_KEY = "sandbox-access-key"
SECRET_KEY = "sandbox-secret-key"


def free_port(host="127.0.0.1"):
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class MotoServer(object):
    """``with MotoServer() as s3: boto3.client("s3", endpoint_url=s3.endpoint_url, ...)``."""

    def __init__(self, port=None, host="127.0.0.1", log_file=None):
        self.host = host
        self.port = port or free_port(host)
        self.log_file = log_file
        self._proc = None

    @property
    def endpoint_url(self):
        return "http://%s:%d" % (self.host, self.port)

    def client(self, secret_key=SECRET_KEY, region="fra1"):
        """A boto3 S3 client of this server (moto takes any secret key with its access key)."""
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=secret_key,
            region_name=region,
        )

    def buckets(self, secret_key=SECRET_KEY):
        """The names of the buckets, as a client with ``secret_key`` lists them."""
        return [b["Name"] for b in self.client(secret_key).list_buckets()["Buckets"]]

    def env(self):
        """The environment an S3 client (boto3, amazon.aws) needs to reach this server."""
        return {
            "S3_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        }

    def start(self, timeout=30.0):
        moto_server = os.path.join(os.path.dirname(sys.executable), "moto_server")
        log = open(self.log_file, "ab") if self.log_file else subprocess.DEVNULL
        try:
            self._proc = subprocess.Popen(
                [moto_server, "-H", self.host, "-p", str(self.port)], stdout=log, stderr=subprocess.STDOUT
            )
        finally:
            if self.log_file:
                log.close()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(
                    "moto_server exited with %s before answering on %s" % (self._proc.returncode, self.endpoint_url)
                )
            try:
                # moto's own management API answers once the server is up.
                urllib.request.urlopen(self.endpoint_url + "/moto-api/data.json", timeout=1).close()
                return self
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("moto_server did not answer on %s within %.0fs" % (self.endpoint_url, timeout))

    def stop(self):
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None

    def reset(self):
        """Forget every bucket (moto's reset API), for a fresh state between tests."""
        request = urllib.request.Request(self.endpoint_url + "/moto-api/reset", method="POST")
        urllib.request.urlopen(request, timeout=5).close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
