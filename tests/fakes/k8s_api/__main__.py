"""python -m tests.fakes.k8s_api --port N --token T [--kubeconfig PATH] [--ca-file PATH] [--http] [--no-traefik-crds]

Serves the Kubernetes API fake on 127.0.0.1 until SIGINT/SIGTERM. The kubeconfig and CA files are written before
the URL is printed, and the URL is printed once the fake accepts connections.
"""

from __future__ import annotations

import argparse
import signal
import sys

from . import FakeKubeAPI


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.k8s_api", description=__doc__.split("\n\n")[1])
    parser.add_argument("--port", type=int, default=58443, help="port on 127.0.0.1 (0: any free port)")
    parser.add_argument("--token", required=True, help="the bearer token clients must send")
    parser.add_argument("--kubeconfig", help="write a cluster-admin kubeconfig for the fake to this path")
    parser.add_argument("--ca-file", help="write the PEM of the fake's throw-away CA to this path (https only)")
    parser.add_argument("--http", action="store_true", help="plain http instead of https with a throw-away CA")
    parser.add_argument("--no-traefik-crds", action="store_true", help="start without the Traefik CRDs")
    args = parser.parse_args(argv)

    api = FakeKubeAPI(token=args.token, port=args.port, tls=not args.http, preload_crds=not args.no_traefik_crds)
    if args.kubeconfig:
        api.write_kubeconfig(args.kubeconfig)
    if args.ca_file:
        if not api.ca_pem:
            parser.error("--ca-file needs https (drop --http)")
        with open(args.ca_file, "wb") as f:
            f.write(api.ca_pem)

    def stop(*_args):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    print(api.url, flush=True)
    api.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
