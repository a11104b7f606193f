#!/bin/sh
# Runs n8n as a background process that outlives the Ansible run (local_stack role, tasks/n8n.yml).
#   n8nctl.sh status PIDFILE          exit 0 when PIDFILE names a live n8n process, 3 when not
#   n8nctl.sh start PIDFILE LOG BIN ENVFILE
#                                     start `BIN start` in its own session (setsid, stdin closed, output to LOG)
#                                     with the KEY=value lines of ENVFILE (n8n's settings, shell-quoted) exported,
#                                     write its pid to PIDFILE; secrets stay in ENVFILE, never in argv
#   n8nctl.sh stop PIDFILE            SIGTERM to the session (n8n and its task runner), SIGKILL after 30 s
# A stale PIDFILE (process gone, or the pid reused by something that is not n8n) counts as not running.
set -eu
cmd=${1:?usage: n8nctl.sh status|start|stop PIDFILE [LOG BIN ENVFILE]}
pidfile=${2:?PIDFILE missing}

running() {
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  case "$pid" in ''|*[!0-9]*) return 1 ;; esac
  kill -0 "$pid" 2>/dev/null || return 1
  # the pid must still be n8n (node .../n8n/bin/n8n start), not a recycled pid
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q 'n8n' || return 1
}

case "$cmd" in
  status)
    if running; then echo "running $pid"; exit 0; fi
    echo "stopped"; exit 3 ;;
  start)
    log=${3:?LOG missing}
    bin=${4:?BIN missing}
    envfile=${5:?ENVFILE missing}
    if running; then echo "already running $pid"; exit 0; fi
    [ -x "$bin" ] || { echo "n8n launcher $bin is missing: run scripts/install-n8n.sh" >&2; exit 2; }
    [ -r "$envfile" ] || { echo "n8n's environment $envfile is missing: converge with make local FULL=1" >&2; exit 2; }
    set -a
    # shellcheck disable=SC1090  # written by the local_stack role
    . "$envfile"
    set +a
    rm -f "$pidfile"
    # The session leader writes its own pid, then becomes n8n (the launcher and node both exec).
    # shellcheck disable=SC2016  # $$ and "$@" are expanded by the inner sh, on purpose
    setsid sh -c 'echo $$ > "$1"; shift; exec "$@"' n8nctl "$pidfile" "$bin" start >>"$log" 2>&1 </dev/null &
    i=0
    while [ ! -s "$pidfile" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    [ -s "$pidfile" ] || { echo "n8n did not start (see $log)" >&2; exit 1; }
    echo "started $(cat "$pidfile")" ;;
  stop)
    if ! running; then rm -f "$pidfile"; echo "not running"; exit 0; fi
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"; fi
    rm -f "$pidfile"
    echo "stopped $pid" ;;
  *)
    echo "unknown command $cmd" >&2; exit 2 ;;
esac
