"""Benchmark of the local profile as a newcomer runs it: `make local`, `make local-down` and `make clean` in a private
clone of HEAD (tests/support/clone.py: a mode-0700 folder with a space, no ../shared), with every port of the profile
moved to free ones through ANSIBLE_ARGS, so this checkout's own `make local` is not disturbed.

Steps, each timed as the wall time of the make command:
  first   `make local` on the fresh clone (with the tools already in the cache, unless --cold)
  warm    `make local` again, services up, nothing changed: the converge is skipped
  full    `make local FULL=1`, services up: every task runs (and must change nothing)
  down    `make local-down`
  after   `make local` after local-down: nothing changed, so the services start again from the commands the last
          converge recorded (scripts/local_resume.py) and the converge is skipped
  clean   `make clean`; then no process, port or folder of the clone may be left
--cold gives the clone an empty tool cache (WORKBENCH_CACHE in the temporary folder), so `first` includes installing
n8n, Node, LiteLLM and helm (several minutes, about 5 GB, removed at the end).
Prints each step's seconds against the goals of issue #13, the ratio warm / full (the baseline measured in the same
run) and the machine's load. Exit status 1 when a step fails, the full re-run changes anything, or something is left.

Usage: .venv/bin/python scripts/bench_local.py [--cold] [--json PATH]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests"))

from support.clone import (
    clone_env,
    listening,
    local_profile_ports,
    private_clone,
    processes_mentioning,
    stand_in_ports,
)

GOALS = {"first": 480, "warm": 10, "after": 25}


class StepFailed(Exception):
    pass


def make(clone, env, target, **extra):
    started = time.perf_counter()
    proc = subprocess.run(
        ["make", target] + ["%s=%s" % kv for kv in extra.items()],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise StepFailed(
            "make %s failed (%d):\n%s\n%s" % (target, proc.returncode, proc.stdout[-3000:], proc.stderr[-2000:])
        )
    changed = [int(n) for n in re.findall(r"changed=(\d+)", proc.stdout)]
    return wall, sum(changed), proc.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cold", action="store_true", help="start from an empty tool cache (installs n8n, LiteLLM, helm)"
    )
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    top = tempfile.mkdtemp(prefix="wb-bench-local-")
    status, results, keep = 0, {}, False
    try:
        clone = private_clone(top)
        ansible_args, named = local_profile_ports(27100)
        ports = stand_in_ports(named)
        env = clone_env(clone, ansible_args)
        # a developer's own keys must not turn the stand-ins into paid providers
        for key in ("LITELLM_MASTER_KEY", "ANTHROPIC_API_KEY", "OPENAI_API_KEY", "GEMINI_API_KEY"):
            env.pop(key, None)
        if args.cold:
            env["WORKBENCH_CACHE"] = os.path.join(top, "cache")
        pg_dir = None
        try:
            for step, target, extra in (
                ("first", "local", {}),
                ("warm", "local", {}),
                ("full", "local", {"FULL": "1"}),
                ("down", "local-down", {}),
                ("after", "local", {}),
            ):
                wall, changed, out = make(clone, env, target, **extra)
                results[step] = {"seconds": round(wall, 1), "changed": changed}
                if step == "first":
                    pg_dir = os.path.realpath(os.path.join(clone, ".workbench", "pg"))
                if step in ("warm", "full") and changed:
                    print("FAIL: the %s re-run changed %d things" % (step, changed))
                    status = 1
                if step in ("warm", "after") and "converge skipped" not in out:
                    print("NOTE: the %s run did not skip the converge" % step)
        except StepFailed as exc:
            print("FAIL: %s" % exc)
            status = 1
        try:
            wall, _changed, _out = make(clone, env, "clean")
            results["clean"] = {"seconds": round(wall, 1)}
        except StepFailed as exc:
            # what runs there is still ours to stop: keep the clone for a `make clean` by hand
            print("FAIL: %s\nThe clone is kept: cd '%s' && make clean" % (exc, clone))
            status, keep = 1, True
        left = [
            p
            for p in (os.path.join(clone, ".workbench"), os.path.join(clone, ".tmp"), pg_dir)
            if p and os.path.lexists(p)
        ]
        left += ["process %d: %s" % p for p in processes_mentioning(clone, *([pg_dir] if pg_dir else []))]
        left += ["port %d" % p for p in ports if listening(p)]
        results["left_after_clean"] = left
        if left:
            print("FAIL: left after make clean: %s" % left)
            status = 1
    finally:
        if not keep:
            shutil.rmtree(top, ignore_errors=True)

    load = open("/proc/loadavg").read().split()[:3]
    print(
        "local profile (%s tool cache), %d CPUs, load average %s:"
        % ("cold" if args.cold else "warm", os.cpu_count(), " ".join(load))
    )
    for step in ("first", "warm", "full", "down", "after", "clean"):
        if step in results:
            goal = GOALS.get(step)
            print("  %-6s %7.1f s%s" % (step, results[step]["seconds"], "   (goal <= %d s)" % goal if goal else ""))
    if "warm" in results and "full" in results:
        print(
            "  warm / full = %.2f (the skipped converge against the full one, same run)"
            % (results["warm"]["seconds"] / results["full"]["seconds"])
        )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(dict(results, cold=args.cold, load=load), f, indent=1)
    return status


if __name__ == "__main__":
    sys.exit(main())
