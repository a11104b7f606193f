#!/usr/bin/env bash
# Prints where the local workbench is, from .workbench/local.env, without printing secrets.
set -euo pipefail
cd "$(dirname "$0")/.."
env_file=.workbench/local.env
[ -f "$env_file" ] || { echo "no $env_file: run 'make local'" >&2; exit 1; }
echo
echo "Local AI Workbench is up. Connection details (secrets masked) from $env_file:"
while IFS='=' read -r key value; do
  [ -n "$key" ] || continue
  case "$key" in
    *KEY*|*PASSWORD*|*TOKEN*|*SECRET*) value='********' ;;
  esac
  value=$(printf '%s' "$value" | sed -E 's#(://[^:/@]+:)[^@]*@#\1********@#')
  printf '  %-22s %s\n' "$key" "$value"
done < "$env_file"
echo
echo "Use them with:  set -a; . $env_file; set +a;  psql \"\$WORKBENCH_PG_DSN\""
echo "Stop with:      make local-down"
