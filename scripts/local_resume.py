"""Start the local workbench's services again after `make local-down`, the way the last converge started them.

scripts/local.sh runs this instead of the converge when nothing the converge depends on changed since it last
succeeded (the inputs digest, see local.sh): the roles recorded each service's start command and readiness check in
a start record (local_stack: .workbench/local_stack.resume.json; litellm_gateway: .workbench/litellm/resume.json).
Here every service starts at once, and their readiness waits run side by side, so the restart takes as long as the
slowest service (n8n) instead of the sum of the starts plus a converge that would change nothing.

Usage: local_resume.py RECORD [RECORD ...]
Exit status:
  0  every service started and answers
  3  nothing was started: a record is missing or unreadable, or a port a service needs is already taken (the
     converge that follows then names the port and what holds it)
  1  a start failed or a service did not answer in time; what did start is left running for the converge that
     follows (it starts only what is not running)
A record is JSON: {"services": [{"name", "start": [argv], "host", "ports": [int], "ready": {"tcp": port} or
{"http": url}, "timeout": seconds}]}.
"""

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request


def say(message):
    """One progress line, in local.sh's style."""
    sys.stdout.write("\033[1m[local]\033[0m %s\n" % message)
    sys.stdout.flush()


def load(paths):
    """The services of every record, in order; ValueError names a record that is missing or malformed."""
    services = []
    for path in paths:
        try:
            with open(path) as f:
                record = json.load(f)
        except (OSError, ValueError) as exc:
            raise ValueError("no usable start record %s (%s)" % (path, exc))
        entries = record.get("services") if isinstance(record, dict) else None
        if not isinstance(entries, list):
            raise ValueError("start record %s has no list 'services'" % path)
        for entry in entries:
            ok = (
                isinstance(entry, dict)
                and isinstance(entry.get("name"), str)
                and isinstance(entry.get("start"), list)
                and entry["start"]
                and all(isinstance(a, str) for a in entry["start"])
                and isinstance(entry.get("ports"), list)
                and all(isinstance(p, int) for p in entry["ports"])
                and isinstance(entry.get("ready"), dict)
                and len(entry["ready"]) == 1
                and set(entry["ready"]) <= {"tcp", "http"}
                and isinstance(entry.get("timeout"), int)
            )
            if not ok:
                raise ValueError("start record %s has a malformed entry: %s" % (path, json.dumps(entry)[:200]))
            services.append(entry)
    return services


def answers_tcp(host, port, timeout=1.0):
    """Whether something accepts a TCP connection on host:port."""
    try:
        socket.create_connection((host, port), timeout=timeout).close()
        return True
    except OSError:
        return False


def ready(service):
    """Whether the service answers its readiness check now."""
    check = service["ready"]
    if "tcp" in check:
        return answers_tcp(service.get("host") or "127.0.0.1", int(check["tcp"]))
    try:
        with urllib.request.urlopen(check["http"], timeout=3) as resp:
            return resp.status == 200
    except (OSError, urllib.error.URLError):
        return False


def wait_ready(service, started, results):
    """Poll until the service is ready or its timeout passes; records the seconds it took, or None."""
    deadline = started + service["timeout"]
    while time.monotonic() < deadline:
        if ready(service):
            results[service["name"]] = time.monotonic() - started
            return
        time.sleep(0.25)
    results[service["name"]] = None


def main(argv):
    """Start every recorded service at once and wait for all of them; see the module docstring for the exit codes."""
    if not argv:
        sys.stderr.write(__doc__)
        return 2
    try:
        services = load(argv)
    except ValueError as exc:
        say("%s: converging instead" % exc)
        return 3
    taken = [
        "%d (%s)" % (port, s["name"])
        for s in services
        for port in s["ports"]
        if answers_tcp(s.get("host") or "127.0.0.1", port, timeout=0.5)
    ]
    if taken:
        say("port %s already taken: converging instead" % ", ".join(taken))
        return 3
    say(
        "starting %s again, as the last converge did (nothing it depends on changed)"
        % ", ".join(s["name"] for s in services)
    )
    started = time.monotonic()
    procs = [
        (
            s,
            subprocess.Popen(
                s["start"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True
            ),
        )
        for s in services
    ]
    failed = []
    for service, proc in procs:
        try:
            out = proc.communicate(timeout=service["timeout"])[0]
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            failed.append("%s: its start did not return within %d s" % (service["name"], service["timeout"]))
            continue
        if proc.returncode != 0:
            failed.append("%s: %s" % (service["name"], out.strip()[-500:]))
    if failed:
        say("a start failed: %s" % "; ".join(failed))
        return 1
    results = {}
    waits = [threading.Thread(target=wait_ready, args=(s, started, results)) for s in services]
    for t in waits:
        t.start()
    for t in waits:
        t.join()
    late = [s["name"] for s in services if results.get(s["name"]) is None]
    say(
        "ready: %s"
        % ", ".join("%s %.1f s" % (s["name"], results[s["name"]]) for s in services if s["name"] not in late)
    )
    if late:
        say("not ready in time: %s" % ", ".join(late))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
