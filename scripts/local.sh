#!/usr/bin/env bash
# The local profile's life cycle, for `make local`, `make local-down` and `make clean`; each prints how long it took.
#   scripts/local.sh up      start the services and converge the site in ONE ansible-playbook run
#                            (playbooks/local_stack.yml then playbooks/site.yml), then print the summary
#   scripts/local.sh down    stop the gateway, n8n and PostgreSQL; their data is kept under .workbench/
#   scripts/local.sh clean   stop them and remove their data: .workbench/ and, as root, PostgreSQL's directory in
#                            the postgres user's home (local_stack_state=absent); then the sandbox, .tmp and tests/output
# ANSIBLE_ARGS is added to every ansible-playbook run, with shell quoting, for example to move a taken port:
#   make local ANSIBLE_ARGS='-e local_stack_pg_port=54323'
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/.venv/bin:$PATH" ANSIBLE_CONFIG="$ROOT/ansible.cfg" ANSIBLE_HOME="$ROOT/.ansible"
# what a newcomer reads: the tasks that ran, not the hundred that had nothing to do
export ANSIBLE_DISPLAY_SKIPPED_HOSTS=${ANSIBLE_DISPLAY_SKIPPED_HOSTS:-false}
INVENTORY=inventories/local
eval "extra=(${ANSIBLE_ARGS:-})"
log() { printf '\033[1m[local]\033[0m %s\n' "$*"; }
start=$SECONDS
playbook() { ansible-playbook -i "$INVENTORY" "$@" ${extra[@]+"${extra[@]}"}; }

case "${1:-}" in
  up)
    log "starting PostgreSQL (seconds), n8n (10-20 s on its first start: the 'FAILED - RETRYING' lines count down"
    log "its readiness wait) and the LiteLLM gateway (about 10 s), then converging the schema, the gateway and the workflows"
    playbook playbooks/local_stack.yml playbooks/site.yml
    scripts/local-summary.sh
    log "make local took $((SECONDS - start)) s"
    ;;
  down|clean)
    state=stopped
    [ "$1" = clean ] && state=absent
    if [ -x .venv/bin/ansible-playbook ]; then
      playbook playbooks/gateway.yml playbooks/local_stack.yml -e litellm_gateway_state=absent -e local_stack_state=$state
    else
      log "nothing to stop: .venv is missing (make local never ran here)"
    fi
    if [ "$1" = clean ]; then
      scripts/sandbox.sh purge
      rm -rf .workbench .tmp tests/output
    fi
    log "make local-$1 took $((SECONDS - start)) s"
    ;;
  *)
    echo "usage: $0 up|down|clean" >&2
    exit 2
    ;;
esac
