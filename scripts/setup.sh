#!/usr/bin/env bash
# Installs what the Makefile targets need on a fresh Debian 12 machine, and nothing twice:
# - PostgreSQL 15 server binaries and redis-server (apt, when missing; as root, or through sudo)
# - .venv with the pinned controller/test toolchain (requirements-dev.txt)
# - helm 3, n8n (with Node 24) and the LiteLLM venv in the tool cache outside the clone (scripts/install-*.sh)
# - the collection link .ansible/collections/ansible_collections/insightpulseai/workbench -> this checkout
# First it checks, before anything is downloaded, what would make it fail half-way, and says what to do:
# root or sudo for apt, apt-get itself, the Python version, and the free disk space for what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
CACHE=${WORKBENCH_CACHE:-$HOME/.cache/insightpulseai-workbench}
# shellcheck source=scripts/progress.sh
. scripts/progress.sh
log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[setup] %s\033[0m\n' "$1" >&2; shift; for line in "$@"; do printf '        %s\n' "$line" >&2; done; exit 1; }

PG_BINDIR=/usr/lib/postgresql/15/bin
PYTHON=${PYTHON:-python3}

# --- preconditions -------------------------------------------------------------------------------------
command -v "$PYTHON" >/dev/null 2>&1 || die "$PYTHON is not installed." "Install Python 3.11-3.13 (Debian 12: apt-get install python3 python3-venv), or set PYTHON=/path/to/python3.11."
if ! "$PYTHON" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 14) else 1)'; then
  die "Python 3.11-3.13 is required (ansible-core 2.19); $PYTHON is $("$PYTHON" --version 2>&1)." \
    "Install one (Debian 12 ships 3.11), then run again with PYTHON=/path/to/python3.11."
fi
if [ ! -x .venv/bin/python ] && ! "$PYTHON" -c 'import ensurepip' 2>/dev/null; then
  die "$PYTHON cannot create virtual environments (the venv module's ensurepip is missing)." "Debian: apt-get install python3-venv"
fi

apt_packages=()
[ -x "$PG_BINDIR/pg_ctl" ] || apt_packages+=(postgresql-15 postgresql-client-15)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || apt_packages+=(redis-server)
sudo=()
if [ ${#apt_packages[@]} -gt 0 ]; then
  command -v apt-get >/dev/null 2>&1 || die "This machine has no apt-get (it is not Debian-like), and ${apt_packages[*]} must be installed." \
    "Install them with this system's package manager: the PostgreSQL 15 server (set local_stack_pg_bindir to its bin" \
    "directory if it is not $PG_BINDIR) and redis-server on PATH; then run make again."
  if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      die "Installing ${apt_packages[*]} needs root, and sudo is not installed." \
        "Run make as root once, or have an administrator run: apt-get install ${apt_packages[*]}"
    fi
    if ! sudo -n true 2>/dev/null && { [ ! -t 0 ] || ! sudo -v; }; then
      die "Installing ${apt_packages[*]} needs root, and this user ($(id -un)) may not use sudo here." \
        "Run make as root once, or have an administrator run: apt-get install ${apt_packages[*]}"
    fi
    sudo=(sudo)
  fi
fi

# Free disk space for what is missing, in MB (measured sizes plus a margin): checked before any download.
need_cache=$(( $(scripts/install-helm.sh --need-mb) + $(scripts/install-n8n.sh --need-mb) + $(scripts/install-litellm.sh --need-mb) ))
if [ "$need_cache" -gt 0 ] && [ "$(free_mb "$CACHE")" -lt "$need_cache" ]; then
  die "Not enough disk space for the tool cache: about $need_cache MB are needed in $CACHE (n8n alone is ~3 GB), and $(free_mb "$CACHE") MB are free." \
    "Free some space, or put the cache on a larger disk: make local WORKBENCH_CACHE=/path/with/space"
fi
if [ ! -x .venv/bin/python ] && [ "$(free_mb "$ROOT")" -lt 900 ]; then
  die "Not enough disk space for .venv: about 900 MB are needed in $ROOT, and $(free_mb "$ROOT") MB are free." "Free some space there."
fi

# --- installs ------------------------------------------------------------------------------------------
if [ ${#apt_packages[@]} -gt 0 ]; then
  log "installing ${apt_packages[*]} (apt${sudo[*]:+, through sudo})"
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
  # The redis package enables a system-wide instance on 6379; the workbench runs its own, so stop that one.
  if [[ " ${apt_packages[*]} " == *" redis-server "* ]] && command -v systemctl >/dev/null 2>&1 \
      && systemctl is-active --quiet redis-server 2>/dev/null; then
    "${sudo[@]}" systemctl disable --now redis-server >/dev/null 2>&1 || true
  fi
fi

# .venv (a bare venv first: its pip serves the tool installs), then the tools in the cache outside the clone
# (helm, n8n with Node, the LiteLLM venv) in the background while .venv gets its toolchain: the downloads and
# builds overlap instead of queueing (a cold setup is mostly n8n's npm install). A second run reuses everything.
stamp=.venv/.requirements.sha
want=$(sha256sum requirements-dev.txt | cut -d' ' -f1)
venv_todo=
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  venv_todo=1
  if [ -e .venv ] && [ ! -f "$stamp" ]; then log "resuming the unfinished .venv (no $stamp mark yet)"; fi
  [ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
fi
pids=()
for tool in helm traefik n8n litellm; do
  PYTHON=$ROOT/.venv/bin/python scripts/install-$tool.sh >/dev/null &
  pids+=("$!:$tool")
done
if [ -n "$venv_todo" ]; then
  log "installing the pinned toolchain into .venv (requirements-dev.txt, a minute or more)"
  run_with_progress "[setup] pip install -r requirements-dev.txt" .venv \
    .venv/bin/pip install -q --disable-pip-version-check -r requirements-dev.txt
  echo "$want" > "$stamp"
fi
failed=()
for entry in "${pids[@]}"; do
  wait "${entry%%:*}" || failed+=("scripts/install-${entry#*:}.sh")
done
[ ${#failed[@]} -eq 0 ] || die "${failed[*]} failed (see its messages above); run make again once the cause is fixed: a half-finished install is redone."

link=.ansible/collections/ansible_collections/insightpulseai/workbench
if [ "$(readlink "$link" 2>/dev/null)" != "$ROOT" ]; then
  mkdir -p "$(dirname "$link")"
  ln -sfn "$ROOT" "$link"
fi
