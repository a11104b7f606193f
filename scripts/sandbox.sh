#!/usr/bin/env bash
# The offline cloud sandbox: the DigitalOcean API fake, the Kubernetes API fake and moto's S3 server (for Spaces),
# on 127.0.0.1, started in the background with pidfiles.
#
#   scripts/sandbox.sh start     start what is not running yet; write the env file (KEY=value lines)
#   scripts/sandbox.sh stop      stop what `start` started (by pidfile; the DO fake's state and the ports are kept,
#                                but the Kubernetes fake keeps no state, so a later start resets the DO state too)
#   scripts/sandbox.sh status    show what runs
#   scripts/sandbox.sh purge     stop, then remove the state directory and the env file
#
# The env file holds DO_API_URL (with /v2), DO_API_TOKEN, KUBECONFIG (cluster-admin kubeconfig of the Kubernetes
# fake), S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY (what moto accepts), and SANDBOX_* details.
# Use it with `set -a; . .workbench/sandbox.env; set +a`. Clusters created in the DO fake get kubeconfigs that point
# at the Kubernetes fake.
#
# Settings (environment):
#   SANDBOX_DIR               state, logs, pidfiles, kubeconfig   (default .workbench/sandbox)
#   SANDBOX_ENV_FILE          the env file                         (default .workbench/sandbox.env)
#   SANDBOX_DO_PORT           DigitalOcean API fake port           (default 58080; 0 = a free port)
#   SANDBOX_K8S_PORT          Kubernetes API fake port             (default 58443; 0 = a free port)
#   SANDBOX_S3_PORT           moto S3 port                         (default 55000; 0 = a free port)
#   SANDBOX_PROVISION_DELAY   seconds a new DOKS cluster stays provisioning (default 1.0)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
PY=$ROOT/.venv/bin/python
DIR=$(realpath -m "${SANDBOX_DIR:-.workbench/sandbox}")
ENV_FILE=$(realpath -m "${SANDBOX_ENV_FILE:-.workbench/sandbox.env}")
DELAY=${SANDBOX_PROVISION_DELAY:-1.0}
SERVICES=(k8s doapi s3)
log() { printf '[sandbox] %s\n' "$*" >&2; }

alive() {  # alive NAME: the pidfile's process runs (and is ours: its command line names the service)
  local pidfile=$DIR/$1.pid pid
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && grep -qa "${2:-}" "/proc/$pid/cmdline" 2>/dev/null
}

marker() {
  case $1 in
    k8s) echo tests.fakes.k8s_api ;;
    doapi) echo tests.fakes.do_api ;;
    s3) echo moto_server ;;
  esac
}

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

port_of() {  # port_of NAME DEFAULT: the port recorded at start, else the setting
  if [ -f "$DIR/$1.port" ]; then cat "$DIR/$1.port"; return; fi
  local port=$2
  [ "$port" = 0 ] && port=$(free_port)
  echo "$port"
}

wait_http() {  # wait_http NAME URL: until the URL answers (any HTTP status), or the process died
  local name=$1 url=$2
  for _ in $(seq 1 150); do
    if ! alive "$name" "$(marker "$name")"; then
      log "$name exited; last lines of $DIR/$name.log:"; tail -n 20 "$DIR/$name.log" >&2 || true; return 1
    fi
    if "$PY" - "$url" <<'EOF' 2>/dev/null; then return 0; fi
import ssl, sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=1, context=ssl._create_unverified_context())
except urllib.error.HTTPError:
    pass
EOF
    sleep 0.2
  done
  log "$name did not answer on $url within 30 s"; return 1
}

launch() {  # launch NAME CMD...: in the background, detached, output to NAME.log, pid to NAME.pid
  local name=$1; shift
  nohup setsid "$@" >"$DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$DIR/$name.pid"
}

start() {
  mkdir -p "$DIR" "$(dirname "$ENV_FILE")"
  chmod 700 "$DIR"
  [ -f "$DIR/tokens" ] || {
    umask 077
    printf 'DO_API_TOKEN=%s\nKUBE_TOKEN=%s\n' "$("$PY" -c 'import secrets; print(secrets.token_hex(24))')" \
      "$("$PY" -c 'import secrets; print(secrets.token_hex(24))')" >"$DIR/tokens"
  }
  # shellcheck disable=SC1091
  . "$DIR/tokens"
  local k8s_port do_port s3_port
  k8s_port=$(port_of k8s "${SANDBOX_K8S_PORT:-58443}")
  do_port=$(port_of doapi "${SANDBOX_DO_PORT:-58080}")
  s3_port=$(port_of s3 "${SANDBOX_S3_PORT:-55000}")

  if alive k8s "$(marker k8s)"; then log "Kubernetes API fake already runs (pid $(cat "$DIR/k8s.pid"))"; else
    # The Kubernetes fake keeps nothing across restarts (empty store, new CA): start the DigitalOcean fake afresh
    # too, so no cluster of the old DO state points at a Kubernetes API that forgot it.
    if alive doapi "$(marker doapi)"; then stop_one doapi; fi
    if [ -f "$DIR/do-api.json" ]; then rm -f "$DIR/do-api.json"; log "reset the DigitalOcean fake's state (the Kubernetes fake restarts empty)"; fi
    echo "$k8s_port" >"$DIR/k8s.port"
    rm -f "$DIR/k8s-ca.pem"
    launch k8s "$PY" -m tests.fakes.k8s_api --port "$k8s_port" --token "$KUBE_TOKEN" \
      --kubeconfig "$DIR/kubeconfig" --ca-file "$DIR/k8s-ca.pem"
    wait_http k8s "https://127.0.0.1:$k8s_port/version"
    log "Kubernetes API fake on https://127.0.0.1:$k8s_port (pid $(cat "$DIR/k8s.pid"))"
  fi
  if alive doapi "$(marker doapi)"; then log "DigitalOcean API fake already runs (pid $(cat "$DIR/doapi.pid"))"; else
    echo "$do_port" >"$DIR/doapi.port"
    launch doapi "$PY" -m tests.fakes.do_api --port "$do_port" --token "$DO_API_TOKEN" \
      --state-file "$DIR/do-api.json" --provision-delay "$DELAY" \
      --kube-server "https://127.0.0.1:$k8s_port" --kube-token "$KUBE_TOKEN" --kube-ca-file "$DIR/k8s-ca.pem"
    wait_http doapi "http://127.0.0.1:$do_port/v2/account"
    log "DigitalOcean API fake on http://127.0.0.1:$do_port (pid $(cat "$DIR/doapi.pid"), state $DIR/do-api.json)"
  fi
  if alive s3 "$(marker s3)"; then log "moto S3 already runs (pid $(cat "$DIR/s3.pid"))"; else
    echo "$s3_port" >"$DIR/s3.port"
    launch s3 "$ROOT/.venv/bin/moto_server" -H 127.0.0.1 -p "$s3_port"
    wait_http s3 "http://127.0.0.1:$s3_port/moto-api/data.json"
    log "moto S3 on http://127.0.0.1:$s3_port (pid $(cat "$DIR/s3.pid"))"
  fi

  local access secret
  read -r access secret < <("$PY" -c 'import sys; sys.path.insert(0, "tests"); from fakes.s3 import ACCESS_KEY, SECRET_KEY; print(ACCESS_KEY, SECRET_KEY)')
  umask 077
  cat >"$ENV_FILE" <<EOF
# Written by scripts/sandbox.sh start ($(date -u +%Y-%m-%dT%H:%M:%SZ)); stop with scripts/sandbox.sh stop.
DO_API_URL=http://127.0.0.1:$do_port/v2
DO_API_TOKEN=$DO_API_TOKEN
KUBECONFIG=$DIR/kubeconfig
K8S_AUTH_KUBECONFIG=$DIR/kubeconfig
S3_ENDPOINT_URL=http://127.0.0.1:$s3_port
AWS_ACCESS_KEY_ID=$access
AWS_SECRET_ACCESS_KEY=$secret
SANDBOX_DIR=$DIR
SANDBOX_KUBE_SERVER=https://127.0.0.1:$k8s_port
EOF
  log "environment written to $ENV_FILE"
}

stop_one() {  # stop_one NAME: the process of NAME's pidfile (only if it is ours), then forget the pidfile
  local name=$1 pid
  if alive "$name" "$(marker "$name")"; then
    pid=$(cat "$DIR/$name.pid")
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid"; fi
    log "stopped $name (pid $pid)"
  fi
  rm -f "$DIR/$name.pid"
}

# Ports chosen at start are kept (NAME.port) so that a restart serves on the same ones; purge forgets them.
stop() {
  local name
  for name in "${SERVICES[@]}"; do stop_one "$name"; done
}

status() {
  local name rc=0
  for name in "${SERVICES[@]}"; do
    if alive "$name" "$(marker "$name")"; then echo "$name: running (pid $(cat "$DIR/$name.pid"), port $(cat "$DIR/$name.port"))"
    else echo "$name: stopped"; rc=3; fi
  done
  return $rc
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  purge)
    stop
    rm -rf "$DIR"
    # only an env file this script wrote
    if head -n 1 "$ENV_FILE" 2>/dev/null | grep -q '^# Written by scripts/sandbox.sh'; then rm -f "$ENV_FILE"; fi
    log "removed $DIR (and $ENV_FILE if this script wrote it)" ;;
  *) echo "usage: $0 start|stop|status|purge" >&2; exit 2 ;;
esac
