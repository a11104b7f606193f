#!/usr/bin/env bash
# ansible-lint over the whole collection: production profile, offline (settings in .ansible-lint).
#   scripts/lint.sh [extra ansible-lint options or paths]
# Exit code = lint result. HOME, XDG_CACHE_HOME and ANSIBLE_HOME point into .tmp/ansible-lint so nothing is
# written outside the checkout. The collection is found through the link scripts/setup.sh makes in
# .ansible/collections (ansible.cfg's collections_path); its dependencies come bundled in .venv.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"   # ansible-lint reads .ansible-lint and ansible.cfg from the cwd
[ -x .venv/bin/ansible-lint ] || { echo "missing .venv/bin/ansible-lint: run scripts/setup.sh" >&2; exit 2; }
[ -L .ansible/collections/ansible_collections/insightpulseai/workbench ] \
  || { echo "missing the collection link in .ansible/collections: run scripts/setup.sh" >&2; exit 2; }

STATE=$ROOT/.tmp/ansible-lint
mkdir -p "$STATE/home" "$STATE/cache" "$STATE/ansible"
export HOME=$STATE/home XDG_CACHE_HOME=$STATE/cache ANSIBLE_HOME=$STATE/ansible
export ANSIBLE_CONFIG=$ROOT/ansible.cfg PATH=$ROOT/.venv/bin:$PATH
unset ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS

[ -t 1 ] || export NO_COLOR=1   # plain output in logs and CI
start=$SECONDS
set +e
ansible-lint --offline -c .ansible-lint "$@"
rc=$?
set -e
echo "ansible-lint: $([ "$rc" = 0 ] && echo PASSED || echo "FAILED (exit $rc)"), $((SECONDS - start)) s"
exit "$rc"
