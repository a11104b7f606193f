"""Run the DigitalOcean API fake until interrupted: python -m tests.fakes.do_api --port N --token T."""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from .contract import SPEC_PATH
from .server import DOApiFake


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.fakes.do_api", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=58080, help="0 picks a free port (default: %(default)s)")
    parser.add_argument("--token", required=True, help="the only bearer token the fake accepts")
    parser.add_argument("--state-file", help="load the state from this JSON file and save it there after each change")
    parser.add_argument(
        "--provision-delay",
        type=float,
        default=1.0,
        help="seconds a new cluster stays provisioning (default: %(default)s)",
    )
    parser.add_argument("--kube-server", help="Kubernetes API URL that cluster kubeconfigs point at")
    parser.add_argument("--kube-token", help="bearer token that cluster kubeconfigs carry")
    parser.add_argument("--kube-ca-file", help="PEM CA bundle of --kube-server, embedded in kubeconfigs")
    parser.add_argument(
        "--spec", default=SPEC_PATH, help="OpenAPI contract (default: %(default)s); without it the fake runs unchecked"
    )
    parser.add_argument("--tls-dir", help="serve HTTPS with a self-signed certificate kept in this directory")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    fake = DOApiFake(
        args.token,
        host=args.host,
        port=args.port,
        state_file=args.state_file,
        provision_delay=args.provision_delay,
        kube_server=args.kube_server,
        kube_token=args.kube_token,
        kube_ca_file=args.kube_ca_file,
        spec_path=args.spec,
        tls_dir=args.tls_dir,
    )
    # SIGTERM (make sandbox-down) ends serve_forever the same way Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    checked = "checked against " + args.spec if fake.contract else "WITHOUT contract checks (spec not found)"
    print("DigitalOcean API fake on %s, %s" % (fake.base_url, checked), flush=True)
    try:
        fake.serve_forever()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        fake.stop()
    return 1 if fake.violations else 0


if __name__ == "__main__":
    sys.exit(main())
