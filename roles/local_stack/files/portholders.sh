#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Which of the ports the local stack needs are already taken, and by whom (tasks/preflight.yml).
#   portholders.sh PORT VARIABLE PIDFILE [PORT VARIABLE PIDFILE ...]
# prints one line "PORT VARIABLE PROCESS PID" for each PORT that something listens on (any address, TCP) unless
# that something is the service the local stack itself started (the pid in the first line of PIDFILE: our
# postmaster.pid or n8n.pid), so a second run over running services finds nothing. PROCESS and PID are "-" when
# the listener belongs to a process this user cannot see. Needs `ss` (iproute2); without it nothing is printed.
set -eu
command -v ss >/dev/null 2>&1 || exit 0
while [ $# -ge 3 ]; do
  port=$1 variable=$2 pidfile=$3
  shift 3
  ours=$(head -n 1 "$pidfile" 2>/dev/null || true)
  line=$(ss -Hltnp "sport = :$port" 2>/dev/null | head -n 1)
  [ -n "$line" ] || continue
  pid=$(printf '%s' "$line" | sed -n 's/.*pid=\([0-9]*\).*/\1/p')
  name=$(printf '%s' "$line" | sed -n 's/.*users:(("\([^"]*\)".*/\1/p')
  [ -n "$pid" ] && [ "$pid" = "$ours" ] && continue
  echo "$port $variable ${name:--} ${pid:--}"
done
