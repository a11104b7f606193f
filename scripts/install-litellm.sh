#!/usr/bin/env bash
# Installs the LiteLLM proxy into its own venv, outside the clone, and prints the venv path:
#   ${WORKBENCH_CACHE:-$HOME/.cache/insightpulseai-workbench}/litellm-<version>/
# Also makes sure Debian's redis-server is present (the proxy's response cache). Does nothing when both are there.
#
# Pinned to litellm[proxy]==1.108.7 (see ../shared/FIELD-NOTES.md, "LiteLLM proxy"): 1.82.7 and 1.82.8 are a known
# supply-chain compromise and are refused outright; 1.109+ need companion packages the registry lacks.
# `prisma` is installed beside it: without it the proxy answers a keyless request with 500 instead of 401; and
# prometheus-client and langfuse, which the role's config uses (litellm[proxy] does not bring them).
# A venv cannot be moved once built, so it is built in place and marked complete (.installed) last: a venv without
# the mark (an interrupted run) is removed and built again, never used. Concurrent runs wait for each other (flock).
set -euo pipefail
# shellcheck source=scripts/progress.sh
. "$(dirname "$0")/progress.sh"

LITELLM_VERSION=${LITELLM_VERSION:-1.108.7}
PRISMA_VERSION=${PRISMA_VERSION:-0.15.0}
PROMETHEUS_CLIENT_VERSION=${PROMETHEUS_CLIENT_VERSION:-0.26.0}
LANGFUSE_VERSION=${LANGFUSE_VERSION:-4.18.0}
case "$LITELLM_VERSION" in
  1.82.7|1.82.8)
    echo "litellm $LITELLM_VERSION is a known compromised release; refusing to install it." >&2
    exit 2 ;;
esac

CACHE=${WORKBENCH_CACHE:-$HOME/.cache/insightpulseai-workbench}
DEST=$CACHE/litellm-$LITELLM_VERSION
STAMP=$DEST/.installed
log() { printf '\033[1m[install-litellm]\033[0m %s\n' "$*" >&2; }

# The proxy plus what the role's config turns on: prometheus-client (callbacks: [prometheus]) and the langfuse SDK
# (success/failure callbacks when Langfuse keys are given), both within the ranges litellm declares.
PACKAGES=("litellm[proxy]==$LITELLM_VERSION" "prisma==$PRISMA_VERSION" "prometheus-client==$PROMETHEUS_CLIENT_VERSION"
          "langfuse==$LANGFUSE_VERSION")
want="${PACKAGES[*]}"
installed() { [ -x "$DEST/bin/litellm" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ]; }
# --need-mb: the disk space (MB) an install would need here, 0 when installed (scripts/setup.sh checks it first)
if [ "${1:-}" = --need-mb ]; then if installed; then echo 0; else echo 1200; fi; exit 0; fi
have_redis() { command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; }
if installed && have_redis; then echo "$DEST"; exit 0; fi

# Debian's redis-server (apt). Only the binary is used: the role starts its own instance on 127.0.0.1.
if ! have_redis; then
  if [ "$(id -u)" = 0 ]; then
    log "installing redis-server (apt)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
    # The package enables a system-wide instance on 6379; the workbench runs its own, so stop that one.
    if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
      systemctl disable --now redis-server >/dev/null 2>&1 || true
    fi
  else
    echo "redis-server is missing: run 'sudo apt-get install redis-server'." >&2
    exit 1
  fi
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.install-litellm.lock"
flock 9
if installed; then echo "$DEST"; exit 0; fi   # another run finished it while we waited
if [ -e "$DEST" ]; then
  log "$DEST is a half-finished or outdated install (no matching .installed mark): removing it and installing again"
  rm -rf "$DEST"
fi
have=$(free_mb "$CACHE")
if [ "$have" -lt 1200 ]; then
  echo "Not enough disk space for the LiteLLM venv: it needs about 1200 MB in $CACHE, and $have MB are free." >&2
  echo "Free some space, or put the tool cache on a larger disk: make local WORKBENCH_CACHE=/path/with/space" >&2
  exit 1
fi
PYTHON=${PYTHON:-python3}
log "installing $want into $DEST (about a minute)"
"$PYTHON" -m venv "$DEST"
run_with_progress "[install-litellm] pip install litellm[proxy]==$LITELLM_VERSION" "$DEST" \
  "$DEST/bin/pip" install -q --disable-pip-version-check --no-input "${PACKAGES[@]}"
installed=$("$DEST/bin/python" -c 'import importlib.metadata as m; print(m.version("litellm"))')
if [ "$installed" != "$LITELLM_VERSION" ]; then
  echo "pip installed litellm $installed, expected $LITELLM_VERSION" >&2
  exit 1
fi
echo "$want" > "$STAMP"
echo "$DEST"
