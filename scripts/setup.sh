#!/usr/bin/env bash
# Installs what the Makefile targets need on a fresh Debian 12 machine, and nothing twice:
# - PostgreSQL 15 server binaries (apt, when missing)
# - .venv with the pinned controller/test toolchain (requirements-dev.txt)
# - the collection link .ansible/collections/ansible_collections/insightpulseai/workbench -> this checkout
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

PG_BINDIR=/usr/lib/postgresql/15/bin
if [ ! -x "$PG_BINDIR/pg_ctl" ]; then
  if [ "$(id -u)" = 0 ]; then
    log "installing postgresql-15 (apt)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 postgresql-client-15 >/dev/null
  else
    echo "PostgreSQL 15 server binaries are missing: run 'sudo apt-get install postgresql-15'." >&2
    exit 1
  fi
fi

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 14) else 1)'; then
  echo "Python 3.11-3.13 is required (ansible-core 2.19); $PYTHON is $("$PYTHON" --version 2>&1)." >&2
  exit 1
fi

stamp=.venv/.requirements.sha
want=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "creating .venv with the pinned toolchain (requirements-dev.txt)"
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
  .venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
  echo "$want" > "$stamp"
fi

# Versioned tools in the cache outside the clone (a second run reuses them).
PYTHON=.venv/bin/python scripts/install-helm.sh >/dev/null
# Traefik Proxy: the tests run it over the routes the traefik role renders
PYTHON=.venv/bin/python scripts/install-traefik.sh >/dev/null
scripts/install-n8n.sh >/dev/null
# LiteLLM venv for the gateway's process target (also installs Debian's redis-server when run as root)
scripts/install-litellm.sh >/dev/null

link=.ansible/collections/ansible_collections/insightpulseai/workbench
if [ "$(readlink "$link" 2>/dev/null)" != "$ROOT" ]; then
  mkdir -p "$(dirname "$link")"
  ln -sfn "$ROOT" "$link"
fi
