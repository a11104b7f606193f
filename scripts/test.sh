#!/usr/bin/env bash
# The quality gates of `make test`, one function each; `scripts/test.sh all` runs them in order and
# prints how long each took. Every stage fails the run on the first error.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/.venv/bin:$PATH" ANSIBLE_CONFIG="$ROOT/ansible.cfg" ANSIBLE_HOME="$ROOT/.ansible"
export PYTHONDONTWRITEBYTECODE=1

stage_lint()        { scripts/lint.sh && python scripts/role_docs.py --check && stage_ruff; }
# the Python: formatted as ruff formats it, and clean by its rules (ruff.toml); `ruff format . && ruff check --fix .` fixes most
stage_ruff()        { ruff format --check --quiet . && ruff check --quiet . && echo "ruff: PASSED"; }
stage_sanity()      { scripts/sanity.sh; }
# Tests that need the contract data (../shared/contracts, see tests/fakes/contracts.py) skip without it; each
# stage writes how many did to .tmp/contract-skips/<stage>, and the run's last lines add them up.
SKIPS=$ROOT/.tmp/contract-skips
CONTRACTS="python tests/fakes/contracts.py"
pytest_stage() { WORKBENCH_CONTRACT_SKIPS_FILE=$SKIPS/$1 python -m pytest -q -p no:cacheprovider "${@:2}"; }
stage_unit()        { pytest_stage unit tests/unit; }
# the 25 slowest tests are listed at the end: where the suite's time goes
stage_integration() { pytest_stage integration -n "${WORKBENCH_TEST_WORKERS:-2}" --dist loadfile --durations=25 tests/integration tests/fakes/tests; }
stage_molecule() {
  local config scenario why
  for config in molecule/*/molecule.yml; do
    scenario=$(basename "$(dirname "$config")")
    # the whole-site scenario installs the stand-in charts assembled from the chart contracts
    if [ "$scenario" = default ] && ! why=$($CONTRACTS check helm-charts/traefik-41.3.0.values.yaml \
        helm-charts/traefik-41.3.0.values.schema.json helm-charts/n8n-8gears-1.1.0.values.yaml); then
      echo "== molecule test -s $scenario SKIPPED: it $why"
      echo 1 > "$SKIPS/molecule"
      continue
    fi
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

contract_summary() {
  local total=0 f
  for f in "$SKIPS"/*; do
    if [ -f "$f" ]; then total=$((total + $(cat "$f"))); fi
  done
  if [ "$total" -gt 0 ]; then $CONTRACTS summary "$total"; fi
}

rm -rf "$SKIPS"; mkdir -p "$SKIPS"
timings=()
case "${1:-all}" in
  all) for s in lint sanity unit integration molecule; do run "$s"; done ;;
  lint|sanity|unit|integration|molecule) run "$1" ;;
  *) echo "usage: $0 [all|lint|sanity|unit|integration|molecule]" >&2; exit 2 ;;
esac
echo "::: timings"; printf '  %s\n' "${timings[@]}"
contract_summary
