#!/usr/bin/env bash
# The quality gates of `make test`, one function each; `scripts/test.sh all` runs them in order and
# prints how long each took. Every stage fails the run on the first error.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/.venv/bin:$PATH" ANSIBLE_CONFIG="$ROOT/ansible.cfg" ANSIBLE_HOME="$ROOT/.ansible"
export PYTHONDONTWRITEBYTECODE=1

stage_lint()        { scripts/lint.sh && python scripts/role_docs.py --check; }
stage_sanity()      { scripts/sanity.sh; }
stage_unit()        { python -m pytest -q -p no:cacheprovider tests/unit; }
stage_integration() { python -m pytest -q -p no:cacheprovider -n "${WORKBENCH_TEST_WORKERS:-2}" --dist loadfile tests/integration; }
stage_molecule() {
  local config scenario
  for config in molecule/*/molecule.yml; do
    scenario=$(basename "$(dirname "$config")")
    echo "== molecule test -s $scenario"
    molecule test -s "$scenario"
  done
}

run() {
  local name=$1 start=$SECONDS
  echo "::: $name"
  "stage_$name"
  timings+=("$(printf '%-12s %4ds' "$name" $((SECONDS - start)))")
}

timings=()
case "${1:-all}" in
  all) for s in lint sanity unit integration molecule; do run "$s"; done ;;
  lint|sanity|unit|integration|molecule) run "$1" ;;
  *) echo "usage: $0 [all|lint|sanity|unit|integration|molecule]" >&2; exit 2 ;;
esac
echo "::: timings"; printf '  %s\n' "${timings[@]}"
