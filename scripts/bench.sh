#!/usr/bin/env bash
# `make bench`: every benchmark of the collection; each prints ratios against a baseline measured in the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PATH" ANSIBLE_CONFIG="$PWD/ansible.cfg" ANSIBLE_HOME="$PWD/.ansible"
status=0
for bench in scripts/bench_*.py; do
  echo "::: $bench"
  python "$bench" || status=1
done
exit $status
