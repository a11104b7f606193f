# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: the input checks of the roles, in one place (controller side).

Not a public API. A role's preflight hands all its ``<role>_*`` variables to the ``role_input_problems`` filter,
which runs the role's rules (``_inputs_<role>.check(inputs)``) over an ``Inputs`` and returns the problems found:
one sentence each, naming the variable, showing its value (never a secret's) and saying what was expected. The
rules use the checks below (shared by every role: URLs, ports, DNS names, Kubernetes object names, e-mail addresses, images, versions,
durations, resources, tokens, DSNs through the one DSN parser, loopback addresses, files, executables, kubeconfigs,
the helm binary) and, where a module already knows a rule, call the module_utils function itself, so that each rule
is written once.
"""

from __future__ import annotations

import json
import os
import re
import subprocess

import yaml

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _pg_dsn

MISSING = object()

DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
# A Kubernetes object name (RFC 1123 subdomain): ingress classes, storage classes
SUBDOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$")
# The name of a Traefik certificate resolver (letsencrypt, le-staging)
CERT_RESOLVER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
# The addresses a service that must not be reachable from the network may listen on
LOOPBACK = ("127.0.0.1", "localhost", "::1")
# A container image reference: [registry[:port]/]path[:tag][@sha256:digest]
IMAGE = re.compile(
    r"^(?:[a-z0-9.-]+(?::[0-9]+)?/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$"
)
VERSION = re.compile(r"^v?[0-9]+\.[0-9]+\.[0-9]+(?:[-+][0-9A-Za-z.-]+)?$")
# An exact release as the install scripts take it (they put it in a directory name): 2.41.1, no v, no pre-release
RELEASE = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+$")
# Go's time.ParseDuration, as helm --timeout and Kubernetes take it (5m, 1h30m, 90s, 300ms)
DURATION = re.compile(r"^(?:[0-9]+(?:\.[0-9]+)?(?:ns|us|ms|s|m|h))+$")
# Kubernetes quantities: CPU (500m, 1, 0.5) and memory (256Mi, 1Gi, 1G, 1e3)
QUANTITY = re.compile(r"^[0-9]+(?:\.[0-9]+)?(?:m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei|e[0-9]+)?$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
EMAIL = re.compile(r"^[^@\s]+@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$")
# The sentence of a role whose messages are fixed: "<name>=<shown> is invalid: expected <what>."
INVALID = "is invalid: expected %s"
URL = re.compile(
    r"^(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<host>\[[0-9a-fA-F:.]+\]|[^/:?#\s@]+)(?::(?P<port>[0-9]+))?(?:[/?#]\S*)?$"
)


def show(value):
    """``value`` as a message shows it: JSON (strings quoted, so an empty or blank value is visible)."""
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return repr(value)


class Inputs(object):
    """The variables of one role, and the problems found in them.

    ``values`` maps variable names to values; ``secrets`` names the variables whose values are never shown (a
    message says how long the value is instead); ``check_mode`` is the run's, for rules on files an earlier stage
    writes (they do not exist yet in a plan); ``entry`` is the role's entry point being checked (a role with one per
    stage checks only that stage's inputs), None for all of them.
    """

    def __init__(self, values, check_mode=False, secrets=(), entry=None):
        self.values = dict(values or {})
        self.check_mode = bool(check_mode)
        self.secrets = frozenset(secrets)
        self.entry = entry
        self.problems = []

    # -- values -----------------------------------------------------------------------------------------------

    def get(self, name, default=None):
        """The value of ``name`` (``default`` when it is not set or null)."""
        value = self.values.get(name)
        return default if value is None else value

    def text(self, name):
        """The value of ``name`` as a stripped string ('' for none)."""
        value = self.get(name, "")
        return value.strip() if isinstance(value, str) else str(value)

    def flag(self, name):
        """The value of ``name`` as a boolean (Ansible's truthy strings included)."""
        value = self.get(name, False)
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "on", "y", "t")
        return bool(value)

    def show(self, name, value=MISSING):
        """``name=<value>`` for a message: the value as JSON, or, for a secret, only whether it is set and its length."""
        value = self.values.get(name) if value is MISSING else value
        if name in self.secrets:
            if value in (None, ""):
                return "%s (empty)" % name
            return "%s (a secret of %d characters, not shown)" % (name, len(str(value)))
        return "%s=%s" % (name, show(value))

    # -- problems ---------------------------------------------------------------------------------------------

    def bad(self, name, expected, value=MISSING):
        """Record that ``name`` is wrong: ``name=<value> <expected>``. Returns False (for ``return i.bad(...)``)."""
        self.problems.append("%s %s" % (self.show(name, value), expected.rstrip(".") + "."))
        return False

    def invalid(self, name, shown, expected):
        """Record ``<name>=<shown> is invalid: expected <expected>.`` (the wording of roles whose messages are fixed,
        backup and verify), where ``shown`` stands for a value that is never shown. Returns False."""
        return self.fail("%s=%s %s" % (name, shown, INVALID % expected))

    def fail(self, message):
        """Record a problem in words of its own (it must name the variables involved). Returns False."""
        self.problems.append(message.rstrip(".") + ".")
        return False

    def ok(self):
        """Whether no problem was found."""
        return not self.problems

    # -- checks shared by the roles (each returns whether the value passed) ------------------------------------

    def present(self, name, expected="must be set"):
        """A non-empty value (a blank string is empty)."""
        value = self.get(name)
        if value is None or (isinstance(value, str) and not value.strip()) or value in ([], {}):
            return self.bad(name, expected)
        return True

    def pattern(self, name, regex, expected, value=MISSING):
        """A string that matches ``regex`` (compiled or text) as a whole."""
        value = self.get(name) if value is MISSING else value
        regex = re.compile(regex) if isinstance(regex, str) else regex
        if not isinstance(value, str) or not regex.match(value) or value != value.strip():
            return self.bad(name, expected, value)
        return True

    def choice(self, name, choices, value=MISSING, expected=None):
        """One of ``choices`` (``expected``: the words of the problem instead of the list)."""
        value = self.get(name) if value is MISSING else value
        if value not in choices:
            return self.bad(name, expected or "must be one of %s" % ", ".join(show(c) for c in choices), value)
        return True

    def integer(self, name, minimum=None, maximum=None, value=MISSING, what="an integer", expected=None):
        """An integer (not a bool; a string of digits counts) within [minimum, maximum] (``expected``: the words of the
        problem instead of ``what`` and the range)."""
        value = self.get(name) if value is MISSING else value
        number = _as_int(value)
        if number is None or (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
            return self.bad(name, expected or "must be %s%s" % (what, _range_text(minimum, maximum)), value)
        return True

    def number(self, name, minimum=None, maximum=None, value=MISSING, exclusive_minimum=False):
        """A number (int or float, not a bool) within the bounds (``exclusive_minimum``: above ``minimum``)."""
        value = self.get(name) if value is MISSING else value
        number = _as_float(value)
        low = (
            minimum is not None
            and number is not None
            and (number <= minimum if exclusive_minimum else number < minimum)
        )
        if number is None or low or (maximum is not None and number > maximum):
            if exclusive_minimum and minimum is not None:
                expected = "must be a number above %s%s" % (
                    minimum,
                    "" if maximum is None else " and at most %s" % maximum,
                )
            else:
                expected = "must be a number%s" % _range_text(minimum, maximum)
            return self.bad(name, expected, value)
        return True

    def port(self, name, value=MISSING):
        """A TCP port 1-65535."""
        return self.integer(name, 1, 65535, value=value, what="a TCP port")

    def distinct_ports(self, names):
        """Ports that are each valid and all different (a port taken twice names both variables)."""
        seen = {}
        good = True
        for name in names:
            if not self.port(name):
                good = False
                continue
            number = _as_int(self.get(name))
            if number in seen:
                good = self.fail("%s and %s are both %d: each needs a port of its own" % (seen[number], name, number))
            else:
                seen[number] = name
        return good

    def url(self, name, schemes=("http", "https"), value=MISSING, expected=None):
        """An absolute URL with one of ``schemes`` and a host (no spaces, no user:password@)."""
        value = self.get(name) if value is MISSING else value
        if not is_url(value, schemes):
            return self.bad(
                name,
                expected or "must be a %s URL with a host (e.g. https://host.example.org)" % "/".join(schemes),
                value,
            )
        return True

    def dns_label(self, name, max_length=63, value=MISSING, what="a DNS label"):
        """A Kubernetes name (RFC 1123 label): lower-case letters, digits and '-', at most ``max_length``."""
        value = self.get(name) if value is MISSING else value
        if not isinstance(value, str) or not DNS_LABEL.match(value) or len(value) > max_length:
            return self.bad(
                name,
                "must be %s (lower-case letters, digits and '-', starting and ending with a letter or digit, at most %d)"
                % (what, max_length),
                value,
            )
        return True

    def object_name(self, name, value=MISSING):
        """A Kubernetes object name (a lower-case DNS subdomain: an ingress class, a storage class)."""
        return self.pattern(name, SUBDOMAIN, "must be a Kubernetes object name (a lower-case DNS subdomain)", value)

    def cert_resolver(self, name, value=MISSING):
        """The name of a Traefik certificate resolver: letters, digits, '-' and '_'."""
        return self.pattern(
            name, CERT_RESOLVER, "must be a certificate resolver name (letters, digits, '-' or '_')", value
        )

    def hostname(self, name, value=MISSING):
        """A fully qualified, lower-case DNS name (n8n.example.org)."""
        return self.pattern(
            name, HOSTNAME, "must be a fully qualified DNS name in lower case (e.g. n8n.example.org)", value
        )

    def image(self, name, value=MISSING, pinned=True):
        """A container image reference; ``pinned``: with a tag other than ``latest``, or a digest."""
        value = self.get(name) if value is MISSING else value
        if not isinstance(value, str) or not IMAGE.match(value):
            return self.bad(name, "must be a container image reference (registry/path:tag or @sha256:digest)", value)
        last = value.rsplit("/", 1)[-1]
        if pinned and "@" not in value and (":" not in last or last.endswith(":latest")):
            return self.bad(name, "must be pinned to a tag other than latest (or a digest)", value)
        return True

    def version(self, name, value=MISSING, expected="must be a release version (e.g. 1.2.3)", exact=False):
        """A semantic version ``1.2.3`` (``v`` prefix and pre-release allowed); ``exact``: only ``1.2.3``, as the
        install scripts take it."""
        return self.pattern(name, RELEASE if exact else VERSION, expected, value)

    def email(self, name, value=MISSING, expected="must be an e-mail address (e.g. owner@example.org)"):
        """An e-mail address: a mailbox, '@', and a domain with a top-level domain of letters."""
        return self.pattern(name, EMAIL, expected, value)

    def duration(self, name, value=MISSING):
        """A Go duration as helm and Kubernetes take it (5m, 1h30m, 90s)."""
        return self.pattern(name, DURATION, "must be a duration such as 300s, 5m or 1h30m", value)

    def resources(self, name, value=MISSING):
        """Kubernetes container resources: ``{requests: {cpu, memory}, limits: {cpu, memory}}`` quantities."""
        value = self.get(name) if value is MISSING else value
        if not isinstance(value, dict) or set(value) - {"requests", "limits"}:
            return self.bad(name, "must be a mapping of requests and/or limits", value)
        for kind, amounts in value.items():
            if not isinstance(amounts, dict) or set(amounts) - {"cpu", "memory", "ephemeral-storage"}:
                return self.bad(name, "must give %s as a mapping of cpu and/or memory" % kind, value)
            for key, amount in amounts.items():
                if not QUANTITY.match(str(amount)):
                    return self.bad(
                        name,
                        "has %s.%s=%s, not a Kubernetes quantity (500m, 1, 256Mi)" % (kind, key, show(amount)),
                        value,
                    )
        return True

    def secret(self, name, min_length=1, expected=None):
        """A secret of at least ``min_length`` characters, without surrounding blanks (its value is never shown)."""
        value = self.get(name)
        if not isinstance(value, str) or len(value) < min_length or value != value.strip():
            return self.bad(
                name, expected or ("must be set" if min_length <= 1 else "must be at least %d characters" % min_length)
            )
        return True

    def token(self, name, what="API token"):
        """A bearer token: set, one line, no blanks (never shown)."""
        value = self.get(name)
        if not isinstance(value, str) or not value.strip() or any(c.isspace() for c in value):
            return self.bad(
                name, "must be the %s (set it, or its environment variable), one word without blanks" % what
            )
        return True

    def dsn(self, name, value=MISSING, owner_allowed=False, password=True, uri=False, login=False, problem=None):
        """A PostgreSQL connection string libpq reads (the one parser: module_utils._pg_dsn); by default one that logs in
        with a password and not as the database owner; ``uri``: a postgresql:// URI only; ``login``: naming the user,
        the host and the database. The value is never shown: it may hold a password. ``problem``: the sentence to
        record instead of the parser's reason (for a role whose messages are fixed)."""
        value = self.get(name) if value is MISSING else value

        def fail(reason):
            return self.fail(problem or reason)

        try:
            parts = _pg_dsn.parts(value)
        except _pg_dsn.DsnError as exc:
            return fail("%s: %s" % (name, exc))
        if uri and not value.strip().lower().startswith(("postgresql://", "postgres://")):
            return fail(
                "%s is not a postgresql:// URI (e.g. postgresql://user:password@host:5432/db; the value is not shown "
                "because it may hold a password)" % name
            )
        if login:
            missing = [key for key in ("user", "host", "dbname") if not parts.get(key)]
            if missing:
                return fail("%s names no %s: give the login's user, host and database" % (name, ", ".join(missing)))
        if not owner_allowed and (not parts.get("user") or _pg_dsn.role_of(parts.get("user")) in _pg_dsn.OWNER_ROLES):
            return fail(
                "%s logs in as the database owner or a Supabase administrator (user %s): give the login of a role of "
                "its own (least privilege)" % (name, show(parts.get("user") or ""))
            )
        if password and not parts.get("password"):
            return fail(
                "%s has no password (user %s): give the login's password in it" % (name, show(parts.get("user")))
            )
        return True

    def loopback(self, name, what, hosts=LOOPBACK):
        """A listen address among ``hosts`` (loopback only): ``what`` is who listens there, for the message."""
        value = self.get(name)
        if value not in hosts:
            return self.fail(
                "%s=%s: %s listens on loopback only (%s)"
                % (name, value if isinstance(value, str) and value.strip() else show(value), what, _alternatives(hosts))
            )
        return True

    def executable(self, name, hint, value=MISSING, program=None):
        """A path on the controller of an executable file (``~`` expanded); ``hint`` says how to install it.
        ``program``: the file to look for in the directory the variable names (e.g. ``pg_ctl`` in a bin directory)."""
        value = self.get(name) if value is MISSING else value
        path = os.path.expanduser(value) if isinstance(value, str) and value.strip() else ""
        if path and program:
            path = os.path.join(path, program)
        if not path or not os.path.isfile(path) or not os.access(path, os.X_OK):
            shown = value if isinstance(value, str) and value.strip() else show(value)
            what = "has no executable %s" % program if program else "is not an executable"
            return self.fail("%s=%s %s. %s" % (name, shown, what, hint))
        return True

    def absolute_path(self, name, value=MISSING, what="path", expected=None):
        """An absolute path (``expected``: the words of the problem instead of ``what``)."""
        value = self.get(name) if value is MISSING else value
        if not isinstance(value, str) or not os.path.isabs(value):
            return self.bad(name, expected or "must be an absolute %s" % what, value)
        return True

    def file(self, name, value=MISSING, what="file", planned=False):
        """An absolute path of an existing file (``planned``: in check mode it may not exist yet)."""
        value = self.get(name) if value is MISSING else value
        if not self.absolute_path(name, value, what + " path"):
            return False
        if not os.path.isfile(value) and not (planned and self.check_mode):
            return self.bad(name, "names no %s (it does not exist or is not a regular file)" % what, value)
        return True

    def directory(self, name, value=MISSING, what="directory"):
        """An absolute path of an existing directory."""
        value = self.get(name) if value is MISSING else value
        if not self.absolute_path(name, value, what + " path"):
            return False
        if not os.path.isdir(value):
            return self.bad(name, "names no %s (it does not exist or is not a directory)" % what, value)
        return True

    def kubeconfig(self, name):
        """A kubeconfig on the controller (the stage runs there): unless empty (K8S_AUTH_KUBECONFIG, then
        ~/.kube/config); in check mode it may be the one doks_cluster will write, and the stage is planned instead."""
        path = self.text(name)
        if path and not self.check_mode and not os.path.isfile(os.path.expanduser(path)):
            return self.fail(
                "%s=%s is not a file. The production inventory hands over the kubeconfig the doks_cluster stage "
                "writes (doks_cluster_kubeconfig); run that stage first, or point %s at the cluster's kubeconfig"
                % (name, os.path.expanduser(path), name)
            )
        return True

    def helm(self, name):
        """The helm 3 binary: an executable that answers ``version --short`` with v3."""
        binary = self.text(name)
        if not binary:
            return self.bad(name, "must be the helm 3 binary (a path or a command on PATH). " + HELM_HINT)
        code, out, err = run_helm([binary, "version", "--short"])
        if code != 0:
            return self.fail("%s=%s does not run: %s. %s" % (name, binary, err, HELM_HINT))
        if not out.strip().startswith("v3."):
            return self.fail("%s=%s is %s. %s" % (name, binary, out.strip()[:40] or "no helm", HELM_HINT))
        return True

    def local_chart(self, name, chart, version, helm, repository):
        """A chart on the controller (``name`` neither empty nor an oci:// or http(s):// reference) exists and is
        ``chart`` at the version pinned by the variable ``version``, asked of the ``helm`` binary: helm ignores
        ``--version`` for a local chart, so another version would install silently. ``repository`` is where the
        chart comes from otherwise (for the message)."""
        ref = self.text(name)
        if not ref or CHART_REFERENCE.match(ref):
            return True
        if not os.path.exists(ref):
            return self.fail(
                "%s=%s does not exist on the controller (give a chart directory or .tgz, an oci:// reference, or leave "
                "it empty to install %s from %s)" % (name, ref, chart, repository)
            )
        code, out, err = run_helm([self.text(helm), "show", "chart", ref])
        try:
            meta = yaml.safe_load(out) if code == 0 else None
        except yaml.YAMLError as exc:
            meta, err = None, str(exc).splitlines()[0]
        if not isinstance(meta, dict):
            return self.fail("%s=%s is not a chart helm can read (helm show chart: %s)" % (name, ref, err))
        pinned = self.text(version)
        if str(meta.get("name", "")) != chart or str(meta.get("version", "")) != pinned:
            return self.fail(
                "%s=%s is chart %s %s, but %s pins %s %s"
                % (name, ref, meta.get("name", "?"), meta.get("version", "?"), version, chart, pinned)
            )
        return True


HELM_HINT = (
    "kubernetes.core.helm needs helm 3 (it passes `--all` to `helm list`, which helm 4 rejects); "
    "scripts/install-helm.sh installs helm 3.19.0"
)
# A chart given by reference (helm pulls it) rather than a path on the controller.
CHART_REFERENCE = re.compile(r"^(oci|https?)://")


def run_helm(argv):
    """Run a helm command on the controller: (return code, stdout, what went wrong); the code is None when helm could
    not be started."""
    return run_command(argv)


def run_command(argv, timeout=60):
    """Run a command on the controller (an operator's tool: helm, a venv's python): (return code, stdout, what went
    wrong); the code is None when it could not be started or did not end within ``timeout`` seconds."""
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603 - the operator's tool
    except (OSError, subprocess.SubprocessError) as exc:
        return None, "", str(exc)
    return out.returncode, out.stdout, out.stderr.strip() or "exit code %d" % out.returncode


def is_url(value, schemes=("http", "https")):
    """Whether ``value`` is an absolute URL with one of ``schemes``, a host and a valid port if any (no spaces, no
    user:password@): the rule of ``Inputs.url``, for values inside a list or mapping."""
    match = URL.match(value) if isinstance(value, str) else None
    return bool(
        match
        and match.group("scheme") in schemes
        and not (match.group("port") and not 0 < int(match.group("port")) < 65536)
    )


def _as_int(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.match(r"^-?[0-9]+$", value.strip()):
        return int(value.strip())
    return None


def _as_float(value):
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _alternatives(choices):
    """``a, b or c``."""
    choices = [str(c) for c in choices]
    return choices[0] if len(choices) == 1 else "%s or %s" % (", ".join(choices[:-1]), choices[-1])


def _range_text(minimum, maximum):
    if minimum is not None and maximum is not None:
        return " from %s to %s" % (minimum, maximum)
    if minimum is not None:
        return " of at least %s" % minimum
    if maximum is not None:
        return " of at most %s" % maximum
    return ""
