#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Background processes of the litellm_gateway process target (tasks/service.yml): the LiteLLM proxy, its Redis and
# the stand-in providers. Each process runs in its own session, outlives the Ansible run and is known by a pidfile.
#   procctl.sh status PIDFILE MATCH
#       prints "running PID FINGERPRINT" (exit 0) when PIDFILE names a live process whose command line contains
#       MATCH, else "stopped" (exit 3). FINGERPRINT is what the process was started with (PIDFILE.fingerprint).
#   procctl.sh start PIDFILE MATCH LOG ENVFILE FINGERPRINT CMD [ARG...]
#       starts CMD in its own session (setsid, stdin closed, output appended to LOG), with the KEY=value lines of
#       ENVFILE exported when ENVFILE is not empty; records FINGERPRINT. Secrets stay in ENVFILE, never in argv.
#   procctl.sh stop PIDFILE MATCH
#       SIGTERM to the process (SIGKILL after 15 s), then removes the pidfile (a stale one too).
#   procctl.sh statuses RUNDIR NAME PIDFILE MATCH [NAME PIDFILE MATCH ...]
#       one line per process: "NAME running PID FINGERPRINT", "NAME stale" (a pidfile, no such process) or
#       "NAME stopped"; then "NAME other" for every other RUNDIR/NAME.pid (a process no longer configured).
# A stale PIDFILE (process gone, or the pid reused by another program) counts as not running.
set -eu
cmd=${1:?usage: procctl.sh status|start|stop PIDFILE MATCH ... | statuses NAME PIDFILE MATCH ...}

running() {
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile" 2>/dev/null) || return 1
  case "$pid" in ''|*[!0-9]*) return 1 ;; esac
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$match" || return 1
}

if [ "$cmd" = statuses ]; then
  rundir=${2:?RUNDIR missing}
  shift 2
  known=" "
  while [ $# -ge 3 ]; do
    name=$1 pidfile=$2 match=$3
    shift 3
    known="$known$name "
    if running; then echo "$name running $pid $(cat "$pidfile.fingerprint" 2>/dev/null || true)"
    elif [ -e "$pidfile" ]; then echo "$name stale"
    else echo "$name stopped"; fi
  done
  for pidfile in "$rundir"/*.pid; do
    [ -e "$pidfile" ] || continue
    name=$(basename "$pidfile" .pid)
    case "$known" in *" $name "*) ;; *) echo "$name other" ;; esac
  done
  exit 0
fi

pidfile=${2:?PIDFILE missing}
match=${3:?MATCH missing}
stamp=$pidfile.fingerprint

case "$cmd" in
  status)
    if running; then echo "running $pid $(cat "$stamp" 2>/dev/null || true)"; exit 0; fi
    echo "stopped"; exit 3 ;;
  start)
    log=${4:?LOG missing}
    envfile=${5?ENVFILE missing}
    fingerprint=${6:?FINGERPRINT missing}
    shift 6
    [ $# -gt 0 ] || { echo "no command to start" >&2; exit 2; }
    if running; then echo "already running $pid"; exit 0; fi
    [ -x "$1" ] || { echo "$1 is not executable" >&2; exit 2; }
    rm -f "$pidfile"
    mkdir -p "$(dirname "$pidfile")" "$(dirname "$log")"
    if [ -n "$envfile" ]; then set -a; . "$envfile"; set +a; fi
    # The session leader writes its own pid, then becomes the service (exec keeps the pid).
    # shellcheck disable=SC2016 # $$ and "$@" are for the inner shell
    setsid sh -c 'echo $$ > "$1"; shift; exec "$@"' procctl "$pidfile" "$@" >>"$log" 2>&1 </dev/null &
    i=0
    while [ ! -s "$pidfile" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    [ -s "$pidfile" ] || { echo "$1 did not start (see $log)" >&2; exit 1; }
    echo "$fingerprint" > "$stamp"
    echo "started $(cat "$pidfile")" ;;
  stop)
    if ! running; then rm -f "$pidfile" "$stamp"; echo "not running"; exit 0; fi
    kill -TERM "$pid" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; sleep 0.2; fi
    rm -f "$pidfile" "$stamp"
    echo "stopped $pid" ;;
  *)
    echo "unknown command $cmd" >&2; exit 2 ;;
esac
