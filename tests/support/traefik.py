"""The real Traefik Proxy (scripts/install-traefik.sh puts it in the versioned tool cache), run on loopback with the
file provider over a dynamic configuration a test writes, for proving how routers and middlewares route."""

import os
import subprocess
import time
import http.client

import yaml

TRAEFIK_VERSION = "3.7.12"
TRAEFIK = os.path.join(
    os.environ.get("WORKBENCH_CACHE") or os.path.expanduser("~/.cache/insightpulseai-workbench"),
    "traefik-%s" % TRAEFIK_VERSION,
    "bin",
    "traefik",
)


class Traefik(object):
    """``traefik`` with one plain-HTTP entry point named ``websecure`` on 127.0.0.1:port (TLS is not what these
    tests are about) and the file provider on ``dynamic`` (a dict, written as YAML)."""

    def __init__(self, workdir, port, dynamic, static_args=()):
        self.workdir = workdir
        self.static_args = list(static_args)
        self.port = port
        self.dynamic_file = os.path.join(workdir, "dynamic.yml")
        with open(self.dynamic_file, "w") as f:
            yaml.safe_dump(dynamic, f)
        self.log = os.path.join(workdir, "traefik.log")
        self.proc = None

    def start(self, ready_host, ready_path, timeout=30):
        """Start and wait until the router for ready_host/ready_path answers (anything but 404 from no router)."""
        args = [
            TRAEFIK,
            "--entryPoints.websecure.address=127.0.0.1:%d" % self.port,
            "--providers.file.filename=%s" % self.dynamic_file,
            "--global.checkNewVersion=false",
            "--global.sendAnonymousUsage=false",
            "--log.level=INFO",
            "--log.filePath=%s" % self.log,
        ] + self.static_args
        self.proc = subprocess.Popen(
            args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("traefik exited: %s" % self.log_text())
            try:
                if self.request("GET", ready_path, ready_host)[0] != 404:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(
            "traefik did not route %s%s within %ss: %s" % (ready_host, ready_path, timeout, self.log_text())
        )

    def request(self, method, path, host, source="127.0.0.1", headers=None, proxy_client=None):
        """(status, body) of one request from the loopback address ``source``; with ``proxy_client`` (an IPv4
        address) the connection starts with a PROXY protocol v1 header naming it as the client, as a load balancer
        in front of Traefik sends it."""
        conn = (_ProxyProtocolConnection if proxy_client else http.client.HTTPConnection)(
            "127.0.0.1", self.port, timeout=10, source_address=(source, 0)
        )
        conn.proxy_client = proxy_client
        try:
            conn.request(
                method,
                path,
                body=b"{}" if method in ("POST", "PUT", "PATCH") else None,
                headers=dict({"Host": host, "Content-Type": "application/json"}, **(headers or {})),
            )
            resp = conn.getresponse()
            return resp.status, resp.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def log_text(self):
        try:
            with open(self.log) as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class _ProxyProtocolConnection(http.client.HTTPConnection):
    """An HTTP connection that first sends a PROXY protocol v1 line (what DigitalOcean's load balancer sends)."""

    proxy_client = None

    def connect(self):
        super().connect()
        self.sock.sendall(("PROXY TCP4 %s %s 40000 %d\r\n" % (self.proxy_client, self.host, self.port)).encode())
