# shellcheck shell=bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by scripts/setup.sh and scripts/install-*.sh so that a long step is never minutes of silence.
#   run_with_progress LABEL DIRS CMD [ARG...]
# runs CMD and, every PROGRESS_INTERVAL seconds (default 30) while it runs, prints to stderr
#   "LABEL: still running, N s so far, DIRS hold M MB"
# (DIRS: one or more directories separated by ':', e.g. the target and npm's download cache), then returns CMD's
# exit status.
run_with_progress() {
  local label=$1 dirs=$2 pid start=$SECONDS next size
  local -a paths
  IFS=: read -ra paths <<< "$dirs"
  shift 2
  "$@" &
  pid=$!
  next=$((SECONDS + ${PROGRESS_INTERVAL:-30}))
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if [ "$SECONDS" -ge "$next" ] && kill -0 "$pid" 2>/dev/null; then
      # du fails (exit 1) when files vanish under it, as they do while pip or npm works: never let that end the install
      size=$( { du -smc "${paths[@]}" 2>/dev/null || true; } | tail -n 1 | cut -f1)
      printf '\033[1m%s\033[0m still running, %d s so far, %s: %s MB\n' "$label" $((SECONDS - start)) "${dirs//:/ + }" "${size:-0}" >&2
      next=$((SECONDS + ${PROGRESS_INTERVAL:-30}))
    fi
  done
  wait "$pid"
}

# free_mb DIR: the MB free on the filesystem that holds DIR (or its nearest existing parent).
free_mb() {
  local dir=$1
  while [ ! -d "$dir" ]; do dir=$(dirname "$dir"); done
  df -Pm "$dir" | awk 'NR == 2 {print $4}'
}
