#!/usr/bin/env bash
# The local profile's life cycle, for `make local`, `make local-down` and `make clean`; each prints how long it took.
#   scripts/local.sh up      start the services and converge the site in ONE ansible-playbook run
#                            (playbooks/local_stack.yml then playbooks/site.yml), then print the summary
#   scripts/local.sh down    stop the gateway, n8n and PostgreSQL; their data is kept under .workbench/
#   scripts/local.sh clean   stop them and remove their data: .workbench/ and, as root, PostgreSQL's directory in
#                            the postgres user's home (local_stack_state=absent); then the sandbox, .tmp and tests/output
#   scripts/local.sh digest  print the digest of everything a converge depends on (see below)
#   scripts/local.sh inputs  print the same without the processes
# ANSIBLE_ARGS is added to every ansible-playbook run, with shell quoting, for example to move a taken port:
#   make local ANSIBLE_ARGS='-e local_stack_pg_port=54323'
#
# A warm `make local` skips the converge when nothing it depends on changed since the last successful one: the
# digest covers the collection's files (roles, playbooks, plugins, inventories, meta, ansible.cfg), the
# ANSIBLE_ARGS, the environment variables the roles and modules read, the installed tool versions, the env file,
# and the pids of the very processes that converge left running, which must all still answer (PostgreSQL, n8n,
# the gateway). A converge with the same inputs over the same processes changes nothing: the local Molecule scenario
# proves it (its idempotence step). What it does not see is a change made inside a service by hand (a workflow
# edited in n8n's editor): FULL=1 converges anyway, and so does any run after clean or a failure.
# After `make local-down` the same holds for the inputs without the processes: when they are unchanged, `make local`
# starts the services again with the commands the roles recorded (scripts/local_resume.py, all at once) instead of
# converging; the data they start from is the one the converge left (local-down keeps it). If any cannot start or
# answer, the converge runs (it starts only what is not running). tests/integration/test_local_stack_resume.py proves a
# converge after such a restart changes nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/.venv/bin:$PATH" ANSIBLE_CONFIG="$ROOT/ansible.cfg" ANSIBLE_HOME="$ROOT/.ansible"
# what a newcomer reads: the tasks that ran, not the hundred that had nothing to do
export ANSIBLE_DISPLAY_SKIPPED_HOSTS=${ANSIBLE_DISPLAY_SKIPPED_HOSTS:-false}
INVENTORY=inventories/local
extra=()
eval "extra=(${ANSIBLE_ARGS:-})"   # with shell quoting
log() { printf '\033[1m[local]\033[0m %s\n' "$*"; }
start=$SECONDS
STATE=.workbench
STAMP=$STATE/converged.digest
INPUTS=$STATE/converged.inputs
RECORDS=("$STATE/local_stack.resume.json" "$STATE/litellm/resume.json")
playbook() { ansible-playbook -i "$INVENTORY" "$@" ${extra[@]+"${extra[@]}"}; }

# What the converge depends on, without the processes: kept across `make local-down` (INPUTS), so that a `make local`
# after it, with the same inputs, only starts the services again (scripts/local_resume.py).
inputs_digest() {
  local cache=${WORKBENCH_CACHE:-$HOME/.cache/insightpulseai-workbench}
  {
    find roles playbooks plugins inventories meta ansible.cfg scripts/local_resume.py -type f ! -name '*.pyc' -print0 \
      | sort -z | xargs -0 sha256sum
    printf 'ANSIBLE_ARGS=%s\n' "${ANSIBLE_ARGS:-}"
    env | grep -E '^(ANSIBLE_|WORKBENCH_|LITELLM_|LANGFUSE_|N8N_|SUPABASE_|DO_|DIGITALOCEAN_|AWS_|K8S_|KUBECONFIG|HOME=|[A-Z]+_API_KEY=)' \
      | grep -v '^ANSIBLE_DISPLAY_SKIPPED_HOSTS=' | sort
    cat "$cache"/*/.complete "$cache"/*/.installed 2>/dev/null || true
    cat "$STATE/local.env" 2>/dev/null || true
  } | sha256sum | cut -d' ' -f1
}

# The inputs and the processes the last converge (or resume) left running (PostgreSQL's postmaster, n8n, the gateway's).
digest() {
  {
    inputs_digest
    head -qn 1 "$STATE"/pg/data/postmaster.pid "$STATE"/n8n/n8n.pid "$STATE"/litellm/run/*.pid 2>/dev/null || true
  } | sha256sum | cut -d' ' -f1
}

# Every service the env file names answers: PostgreSQL accepts a TCP connection, n8n is ready, the gateway is alive.
healthy() {
  [ -f "$STATE/local.env" ] || return 1
  python - "$STATE/local.env" <<'EOF'
import socket, sys, urllib.parse, urllib.request
env = dict(line.rstrip("\n").split("=", 1) for line in open(sys.argv[1]) if "=" in line)
checks = []
if "WORKBENCH_PG_DSN" in env:
    dsn = urllib.parse.urlsplit(env["WORKBENCH_PG_DSN"])
    socket.create_connection((dsn.hostname, dsn.port), timeout=2).close()
for key, path in (("N8N_URL", "/healthz/readiness"), ("LITELLM_URL", "/health/liveliness")):
    if key in env:
        with urllib.request.urlopen(env[key].rstrip("/") + path, timeout=3) as resp:
            assert resp.status == 200
EOF
}

case "${1:-}" in
  digest) digest ;;
  inputs) inputs_digest ;;
  up)
    want=$(digest)
    if [ -z "${FULL:-}" ] && [ "$(cat "$STAMP" 2>/dev/null)" = "$want" ] && healthy 2>/dev/null; then
      log "nothing changed since the last converge and every service answers: converge skipped (FULL=1 runs it)"
      scripts/local-summary.sh
      log "make local took $((SECONDS - start)) s"
      exit 0
    fi
    # after make local-down: the same inputs as the last converge, nothing running -> start the services as it did
    if [ -z "${FULL:-}" ] && [ "$(cat "$INPUTS" 2>/dev/null)" = "$(inputs_digest)" ]; then
      if python scripts/local_resume.py "${RECORDS[@]}" && healthy 2>/dev/null; then
        digest > "$STAMP"
        log "nothing changed since the last converge: the services were started again, converge skipped (FULL=1 runs it)"
        scripts/local-summary.sh
        log "make local took $((SECONDS - start)) s"
        exit 0
      fi
      log "the services could not simply be started again: converging"
    fi
    rm -f "$STAMP" "$INPUTS"
    log "starting PostgreSQL (seconds), n8n (10-20 s on its first start: the 'FAILED - RETRYING' lines count down"
    log "its readiness wait) and the LiteLLM gateway (about 10 s), then converging the schema, the gateway and the workflows"
    playbook playbooks/local_stack.yml playbooks/site.yml
    digest > "$STAMP"
    inputs_digest > "$INPUTS"
    scripts/local-summary.sh
    log "make local took $((SECONDS - start)) s"
    ;;
  down|clean)
    state=stopped
    [ "$1" = clean ] && state=absent
    # INPUTS stays: a `make local` with the same inputs then only starts the services again
    rm -f "$STAMP"
    [ "$1" = clean ] && rm -f "$INPUTS"
    if [ -x .venv/bin/ansible-playbook ]; then
      # the gateway's role only when it left a process here (its preflight alone is some 60 tasks)
      gateway=()
      if compgen -G "$STATE/litellm/run/*.pid" >/dev/null || [[ "${ANSIBLE_ARGS:-}" == *litellm_gateway_state_dir* ]]; then
        gateway=(playbooks/gateway.yml)
      fi
      # (the playbooks first: ansible-playbook takes no playbook after an option)
      playbook ${gateway[@]+"${gateway[@]}"} playbooks/local_stack.yml -e litellm_gateway_state=absent -e local_stack_state=$state
    else
      log "nothing to stop: .venv is missing (make local never ran here)"
    fi
    if [ "$1" = clean ]; then
      scripts/sandbox.sh purge
      rm -rf .workbench .tmp tests/output
    fi
    log "make $([ "$1" = down ] && echo local-down || echo clean) took $((SECONDS - start)) s"
    ;;
  *)
    echo "usage: $0 up|down|clean" >&2
    exit 2
    ;;
esac
