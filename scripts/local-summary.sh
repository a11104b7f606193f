#!/usr/bin/env bash
# Prints where the local workbench is, from .workbench/local.env, without printing secrets, and the next three
# things to try (n8n's editor with the owner's login, a gateway call with curl, playbooks/verify.yml).
set -euo pipefail
cd "$(dirname "$0")/.."
state=.workbench
env_file=$state/local.env
[ -f "$env_file" ] || { echo "no $env_file: run 'make local'" >&2; exit 1; }
declare -A env=()
echo
echo "Local AI Workbench is up. Connection details (secrets masked) from $env_file:"
while IFS='=' read -r key value; do
  [ -n "$key" ] || continue
  env[$key]=$value
  case "$key" in
    *KEY*|*PASSWORD*|*TOKEN*|*SECRET*) value='********' ;;
  esac
  value=$(printf '%s' "$value" | sed -E 's#(://[^:/@]+:)[^@]*@#\1********@#')
  printf '  %-22s %s\n' "$key" "$value"
done < "$env_file"

# The n8n owner's login: from the env file when local_stack records it there, else the role's defaults (the
# generated password is kept in .workbench/n8n/owner.password, with the suffix the role adds for n8n's rules).
owner_email=${env[N8N_OWNER_EMAIL]:-owner@workbench.local}
owner_password=${env[N8N_OWNER_PASSWORD]:-}
if [ -z "$owner_password" ] && [ -f "$state/n8n/owner.password" ]; then
  owner_password="$(cat "$state/n8n/owner.password")Aa1"
fi

echo
echo "Next, try:"
if [ -n "${env[N8N_URL]:-}" ]; then
  echo "  1. Open ${env[N8N_URL]} in a browser and sign in as $owner_email, password $owner_password"
  echo "     (local only; the expense-approval and pipeline-trigger workflows are there, active)."
fi
if [ -n "${env[LITELLM_URL]:-}" ]; then
  echo "  2. Call the gateway (a local stand-in answers for models without a provider key):"
  echo "     set -a; . $env_file; set +a"
  echo "     curl -s \"\$LITELLM_URL/v1/chat/completions\" -H \"Authorization: Bearer \$LITELLM_MASTER_KEY\" \\"
  echo "       -H 'Content-Type: application/json' -d '{\"model\": \"claude-sonnet-4-5\", \"messages\": [{\"role\": \"user\", \"content\": \"Hello\"}]}'"
fi
if [ -n "${env[N8N_WEBHOOK_URL]:-}" ]; then
  echo "     Call a webhook (it refuses callers without the secret header):"
  echo "     curl -s -X POST \"\$N8N_WEBHOOK_URL/workbench/expense-approval\" -H \"\$N8N_WEBHOOK_AUTH_HEADER: \$N8N_WEBHOOK_AUTH_TOKEN\" \\"
  echo "       -H 'Content-Type: application/json' -d '{\"expense_id\": \"00000000-0000-4000-8000-000000000000\"}'"
fi
echo "  3. Run the seed's validation tests against this profile:"
echo "     .venv/bin/ansible-playbook playbooks/verify.yml -i inventories/local"
echo
echo "PostgreSQL:     set -a; . $env_file; set +a;  psql \"\$WORKBENCH_PG_DSN\""
echo "Stop with:      make local-down     (make clean also removes the data)"
