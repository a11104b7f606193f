"""Benchmark of the cloud stages (do_network + doks_cluster): DigitalOcean API requests of a no-op converge.

Runs playbooks/network.yml and playbooks/cluster.yml against the sandbox (the DigitalOcean API fake wired to the
Kubernetes API fake, and moto for Spaces), all in-process and on ephemeral ports:
1. the first converge - the baseline: every resource is created;
2. a no-op converge of the same inventory - the goal is reads only: zero DigitalOcean writes, zero objects stored
   in the Kubernetes fake (its resourceVersion does not move);
3. a no-op converge without the roles' verify phases, to show what the verification reads cost.
Requests are counted on the fakes' own request logs (not by the modules), per method and per API path.
Exit status 1 when the no-op converge wrote anything.

Usage: .venv/bin/python scripts/bench_do.py [--json PATH]
"""

import argparse
import base64
import collections
import json
import os
import re
import sys
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))
sys.path.insert(0, os.path.join(ROOT, ".ansible", "collections"))

from fakes.do_api import DOApiFake  # noqa: E402
from fakes.k8s_api import FakeKubeAPI  # noqa: E402
from fakes.s3 import ACCESS_KEY, SECRET_KEY, MotoServer  # noqa: E402
from support.ansible import run_playbook  # noqa: E402
from support.vault import VAULT_KEYS, handoffs  # noqa: E402

TOKEN = "bench-do-token"
ID = re.compile(r"/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def summarise(requests):
    by_method = collections.Counter(method for method, _path, _status in requests)
    by_path = collections.Counter("%s %s" % (method, ID.sub("/{id}", path)) for method, path, _status in requests)
    return dict(
        total=len(requests),
        reads=by_method.get("GET", 0),
        writes=len(requests) - by_method.get("GET", 0),
        by_method=dict(by_method),
        by_path=dict(sorted(by_path.items())),
    )


def converge(fake, k8s, inventory, playbook, env, extra_vars=None):
    start_do, start_k8s, rv = len(fake.requests), len(k8s.requests), k8s.resource_version
    started = time.perf_counter()
    result = run_playbook(playbook=playbook, inventory=inventory, env=env, extra_vars=extra_vars, timeout=900)
    elapsed = time.perf_counter() - started
    if result.rc != 0:
        raise SystemExit("converge failed: %s" % ((result.failure() or {}).get("msg") or result.stdout[-2000:]))
    k8s_requests = list(k8s.requests)[start_k8s:] if len(k8s.requests) >= start_k8s else list(k8s.requests)
    return dict(
        seconds=round(elapsed, 2),
        changed=result.changed,
        do=summarise(fake.requests[start_do:]),
        k8s=dict(
            total=len(k8s_requests),
            non_get=sum(1 for r in k8s_requests if r["method"] != "GET"),
            stored_writes=k8s.resource_version != rv,
        ),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", default=os.path.join(ROOT, ".tmp", "bench-do.json"))
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-do-", dir=os.path.join(ROOT, ".tmp"))
    with MotoServer(log_file=os.path.join(tmp, "moto.log")) as s3:
        k8s = FakeKubeAPI(token="bench-kube-token").start()
        ca = os.path.join(tmp, "k8s-ca.pem")
        with open(ca, "wb") as handle:
            handle.write(k8s.ca_pem)
        fake = DOApiFake(TOKEN, provision_delay=0.3, kube_server=k8s.url, kube_token=k8s.token, kube_ca_file=ca).start()
        try:
            host = dict(
                ansible_connection="local",
                ansible_python_interpreter="{{ ansible_playbook_python }}",
                do_network_spaces_endpoint_url=s3.endpoint_url,
                do_network_spaces_access_key=ACCESS_KEY,
                do_network_spaces_secret_key=SECRET_KEY,
                doks_cluster_kubeconfig_path=os.path.join(tmp, "kubeconfig"),
                doks_cluster_poll_interval=0.1,
                doks_cluster_apps_poll_interval=0.1,
            )
            host.update(
                handoffs(),
                doks_cluster_secret_values=dict((k, base64.b32encode(os.urandom(10)).decode()) for k in VAULT_KEYS),
            )
            inventory = os.path.join(tmp, "inventory.yml")
            with open(inventory, "w") as handle:
                yaml.safe_dump({"all": {"children": {"workbench_cloud": {"hosts": {"localhost": host}}}}}, handle)
            playbook = os.path.join(tmp, "cloud.yml")
            with open(playbook, "w") as handle:
                yaml.safe_dump(
                    [
                        {"ansible.builtin.import_playbook": os.path.join(ROOT, "playbooks", name)}
                        for name in ("network.yml", "cluster.yml")
                    ],
                    handle,
                )
            env = {"DO_API_URL": fake.base_url + "/v2", "DO_API_TOKEN": TOKEN, "TMPDIR": tmp}
            runs = dict(
                first=converge(fake, k8s, inventory, playbook, env),
                noop=converge(fake, k8s, inventory, playbook, env),
                noop_without_verify=converge(
                    fake,
                    k8s,
                    inventory,
                    playbook,
                    env,
                    extra_vars=dict(do_network_verify=False, doks_cluster_verify=False),
                ),
            )
        finally:
            fake.stop()
            k8s.stop()
    first, noop, bare = runs["first"], runs["noop"], runs["noop_without_verify"]
    print("cloud stages benchmark: DigitalOcean API requests per converge (counted by the fake)")
    print(
        "  first converge (baseline): %3d requests (%d reads, %d writes), %d changed tasks, %.1fs"
        % (first["do"]["total"], first["do"]["reads"], first["do"]["writes"], first["changed"], first["seconds"])
    )
    print(
        "  no-op converge:            %3d requests (%d reads, %d writes), %d changed tasks, %.1fs | %.2fx the baseline's requests"
        % (
            noop["do"]["total"],
            noop["do"]["reads"],
            noop["do"]["writes"],
            noop["changed"],
            noop["seconds"],
            float(noop["do"]["total"]) / first["do"]["total"],
        )
    )
    print(
        "  no-op without verify:      %3d requests (%d reads, %d writes), %.1fs"
        % (bare["do"]["total"], bare["do"]["reads"], bare["do"]["writes"], bare["seconds"])
    )
    print(
        "  Kubernetes API, no-op: %d requests (%d of them server-side apply PATCHes that store nothing); objects "
        "stored: %s" % (noop["k8s"]["total"], noop["k8s"]["non_get"], "yes" if noop["k8s"]["stored_writes"] else "none")
    )
    print("  no-op reads by path: " + ", ".join("%s x%d" % (path, n) for path, n in noop["do"]["by_path"].items()))
    os.makedirs(os.path.dirname(args.json), exist_ok=True)
    with open(args.json, "w") as handle:
        json.dump(runs, handle, indent=1)
    print("  written to %s" % os.path.relpath(args.json, ROOT))
    ok = noop["do"]["writes"] == 0 and noop["changed"] == 0 and not noop["k8s"]["stored_writes"]
    print("  goal (no-op converge reads only, changes nothing): %s" % ("met" if ok else "NOT MET"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
