# -*- coding: utf-8 -*-
# Copyright: (c) 2026, InsightPulseAI
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""PRIVATE: DigitalOcean App Platform app specs as desired state. Not a public API.

Two facts of the App Platform API shape this:

1. The platform fills in defaults (instance sizes, ports, ingress rules, env scopes, ...) and returns them in the
   spec, so a spec read back never equals the one sent. ``differences()`` therefore compares only what the desired
   spec says: a key the desired spec leaves out is the platform's business - except whole components (services,
   workers, jobs, static sites, functions, databases), env vars and domains, which are matched by name and whose
   removal is a change. Known defaults (``instance_count`` 1, env ``scope``/``type``, image ``tag``) are applied to both
   sides.
2. Secret values (env vars of type SECRET, an image's ``registry_credentials``) are encrypted on first submission and
   read back only as ciphertext (``EV[...]``); the API asks clients to send that ciphertext back to keep a secret.
   So a secret cannot be compared with the API. With ``update_secrets=fingerprint`` the module keeps a salted
   PBKDF2-HMAC-SHA256 fingerprint of every secret in one app-level env var (``fingerprint_env``, scope BUILD_TIME):
   a secret whose fingerprint matches is sent back as the ciphertext read, so it is neither rewritten nor reported
   as a change; one whose fingerprint differs (or that is new) is sent in plain text and reported as changed. The
   secrets themselves are never stored, returned or shown.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _runtime

COMPONENT_LISTS = ("services", "workers", "jobs", "static_sites", "functions", "databases")
SECRET_MASK = "<secret>"
FINGERPRINT_ITERATIONS = 100000
UPDATE_SECRETS = ("fingerprint", "on_create", "always")
_ENV_DEFAULTS = {"scope": "RUN_AND_BUILD_TIME", "type": "GENERAL"}
_COMPONENT_DEFAULTS = {"instance_count": 1}
_IMAGE_DEFAULTS = {"tag": "latest"}


SpecError = _runtime.SpecError  # invalid desired spec: raised before anything is written


# ---------------------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------------------


def fill_secrets(spec, secrets):
    """A copy of ``spec`` where SECRET env vars without a value take it from ``secrets`` (keyed ``<component>/<KEY>``,
    or ``<KEY>``); the copy is what the module works with, so the caller's spec is never changed."""
    if not isinstance(spec, dict):
        raise SpecError("spec must be a mapping with at least a name (the app's name).")
    spec = copy.deepcopy(spec)
    for prefix, component in _components(spec):
        short = prefix.split("/", 1)[1] if "/" in prefix else None
        for env in component.get("envs") or []:
            if (
                not isinstance(env, dict)
                or str(env.get("type") or "GENERAL").upper() != "SECRET"
                or env.get("value") is not None
            ):
                continue
            key = env.get("key")
            if short and "%s/%s" % (short, key) in secrets:
                env["value"] = secrets["%s/%s" % (short, key)]
            elif key in secrets:
                env["value"] = secrets[key]
    return spec


def validate_spec(spec, fingerprint_env):
    """SpecError unless ``spec`` has a name, named and unique components, and valid env vars (every SECRET valued)."""
    if not isinstance(spec, dict) or not spec.get("name"):
        raise SpecError("spec must be a mapping with at least a name (the app's name).")
    for list_name in COMPONENT_LISTS:
        names = []
        for component in spec.get(list_name) or []:
            if not isinstance(component, dict) or not component.get("name"):
                raise SpecError("every entry of spec.%s needs a name, got %r." % (list_name, component))
            names.append(component["name"])
            _validate_envs(component.get("envs"), "spec.%s[%s].envs" % (list_name, component["name"]), fingerprint_env)
        dupes = sorted(set(n for n in names if names.count(n) > 1))
        if dupes:
            raise SpecError("spec.%s has duplicate names: %s." % (list_name, ", ".join(dupes)))
    _validate_envs(spec.get("envs"), "spec.envs", fingerprint_env)


def _validate_envs(envs, where, fingerprint_env):
    keys = []
    for env in envs or []:
        if not isinstance(env, dict) or not env.get("key"):
            raise SpecError("every entry of %s needs a key, got a %s." % (where, type(env).__name__))
        if env["key"] == fingerprint_env:
            raise SpecError("%s: %s is reserved for the module's secret fingerprints." % (where, fingerprint_env))
        kind = str(env.get("type") or "GENERAL").upper()
        if kind not in ("GENERAL", "SECRET"):
            raise SpecError("%s[%s].type must be GENERAL or SECRET, got %r." % (where, env["key"], env.get("type")))
        if kind == "SECRET" and not isinstance(env.get("value"), str):
            raise SpecError(
                "%s[%s] is a SECRET without a value: give it in secrets (from vault) or inline." % (where, env["key"])
            )
        keys.append(env["key"])
    dupes = sorted(set(k for k in keys if keys.count(k) > 1))
    if dupes:
        raise SpecError("%s has duplicate keys: %s." % (where, ", ".join(dupes)))


# ---------------------------------------------------------------------------------------------------------
# Secret slots and fingerprints
# ---------------------------------------------------------------------------------------------------------


def _components(spec):
    """(slot prefix, component dict) for the app level ("app") and every component."""
    yield "app", spec
    for list_name in COMPONENT_LISTS:
        for component in spec.get(list_name) or []:
            yield "%s/%s" % (list_name, component.get("name")), component


def _find_component(spec, prefix):
    for slot, component in _components(spec or {}):
        if slot == prefix:
            return component
    return None


def secret_slots(spec):
    """{slot id: (container dict, key in container)} for every secret value of a spec."""
    slots = {}
    for prefix, component in _components(spec):
        for env in component.get("envs") or []:
            if str(env.get("type") or "GENERAL").upper() == "SECRET":
                slots["%s/env/%s" % (prefix, env["key"])] = (env, "value")
        image = component.get("image") if prefix != "app" else None
        if isinstance(image, dict) and image.get("registry_credentials"):
            slots["%s/image/registry_credentials" % prefix] = (image, "registry_credentials")
    return slots


def fingerprint(salt, slot, value, iterations=FINGERPRINT_ITERATIONS):
    """The salted PBKDF2-HMAC-SHA256 fingerprint (base64) of one secret value in one slot."""
    digest = hashlib.pbkdf2_hmac("sha256", value.encode("utf-8"), salt + slot.encode("utf-8"), iterations, dklen=16)
    return base64.b64encode(digest).decode("ascii")


def read_fingerprints(spec, fingerprint_env):
    """The fingerprint record kept in the current spec, or None."""
    for env in (spec or {}).get("envs") or []:
        if env.get("key") == fingerprint_env:
            try:
                record = json.loads(env.get("value") or "")
                salt = base64.b64decode(record["salt"])
                return dict(
                    salt=salt, iterations=int(record.get("i", FINGERPRINT_ITERATIONS)), fp=dict(record.get("fp") or {})
                )
            except (ValueError, KeyError, TypeError):
                return None
    return None


def _record_value(salt, iterations, fps):
    return json.dumps(
        dict(v=1, salt=base64.b64encode(salt).decode("ascii"), i=iterations, fp=fps),
        sort_keys=True,
        separators=(",", ":"),
    )


def _current_secret(current, slot):
    """The value the current spec holds for a secret slot (ciphertext on DigitalOcean), or None."""
    if slot.endswith("/image/registry_credentials"):
        component = _find_component(current, slot[: -len("/image/registry_credentials")])
        return ((component or {}).get("image") or {}).get("registry_credentials")
    prefix, _sep, key = slot.rpartition("/env/")
    for env in (_find_component(current, prefix) or {}).get("envs") or []:
        if env.get("key") == key:
            return env.get("value")
    return None


def prepare(desired, current, update_secrets, fingerprint_env, salt=None):
    """The spec to send and the secret slots that change.

    Returns (spec, changed_slots). ``spec`` is a copy of ``desired`` where every secret that does not change carries
    the value the current spec holds (DigitalOcean's ciphertext), plus - with ``fingerprint`` - the fingerprint env
    var. ``changed_slots`` lists the secrets written in plain text (new, changed, or ``always``)."""
    spec = copy.deepcopy(desired)
    slots = secret_slots(spec)
    record = read_fingerprints(current, fingerprint_env) if update_secrets == "fingerprint" else None
    if record is not None:
        salt, iterations = record["salt"], record["iterations"]
    else:
        salt, iterations = salt or os.urandom(16), FINGERPRINT_ITERATIONS
    changed, fps = [], {}
    for slot, (container, key) in sorted(slots.items()):
        value = container[key]
        have = _current_secret(current, slot) if current else None
        if update_secrets == "fingerprint":
            fps[slot] = fingerprint(salt, slot, value, iterations)
        if have is None or update_secrets == "always":
            changed.append(slot)
        elif update_secrets == "on_create":
            container[key] = have
        elif record is not None and record["fp"].get(slot) == fps[slot]:
            container[key] = have
        else:
            changed.append(slot)
    if update_secrets == "fingerprint" and slots:
        envs = spec.setdefault("envs", [])
        envs.append(
            dict(key=fingerprint_env, scope="BUILD_TIME", type="GENERAL", value=_record_value(salt, iterations, fps))
        )
    return spec, changed


# ---------------------------------------------------------------------------------------------------------
# Comparison
# ---------------------------------------------------------------------------------------------------------


def _norm_scalar(value):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return value
    return str(value)


def _env_map(envs):
    out = {}
    for env in envs or []:
        item = dict(_ENV_DEFAULTS)
        item.update((k, v) for k, v in env.items() if v is not None)
        item["type"] = str(item["type"]).upper()
        item["scope"] = str(item["scope"]).upper()
        out[env.get("key")] = item
    return out


def _named(items, key="name"):
    return dict((item.get(key), item) for item in items or [] if isinstance(item, dict))


def differences(desired, current, secret_slots_changed=(), fingerprint_env=None):
    """Human-readable differences between what ``desired`` says and ``current`` (server defaults ignored).

    Secret values are never shown: a changed one reads ``(secret changed)``."""
    out = []
    changed = set(secret_slots_changed)
    _diff_component(desired, current or {}, "spec", "app", out, changed, fingerprint_env, top=True)
    return out


def _diff_component(want, have, path, prefix, out, changed, fingerprint_env, top=False):
    for key, value in sorted(want.items()):
        if value is None:
            continue
        here = "%s.%s" % (path, key)
        if key == "envs":
            _diff_envs(value, have.get("envs"), here, prefix, out, changed, fingerprint_env)
        elif top and key in COMPONENT_LISTS:
            _diff_components(key, value, have.get(key), here, out, changed, fingerprint_env)
        elif top and key == "domains":
            _diff_named_plain(value, have.get("domains"), "domain", here, out)
        elif key == "image" and isinstance(value, dict):
            image = dict(_IMAGE_DEFAULTS) if not value.get("digest") else {}
            image.update(have.get("image") or {})
            for ikey, ivalue in sorted(value.items()):
                if ikey == "registry_credentials":
                    if "%s/image/registry_credentials" % prefix in changed:
                        out.append("%s.registry_credentials: (secret changed)" % here)
                    continue
                _diff_value(ivalue, image.get(ikey), "%s.%s" % (here, ikey), out)
        else:
            default = _COMPONENT_DEFAULTS.get(key) if not top else None
            _diff_value(value, have.get(key, default), here, out)
    if top:
        for key in COMPONENT_LISTS:
            if key not in want and have.get(key):
                out.append("spec.%s: remove %s" % (key, ", ".join(sorted(c.get("name") for c in have[key]))))
        if "domains" not in want and have.get("domains"):
            out.append("spec.domains: remove %s" % ", ".join(sorted(str(d.get("domain")) for d in have["domains"])))
    if "envs" not in want and have.get("envs"):
        out.append("%s.envs: remove %s" % (path, ", ".join(sorted(str(e.get("key")) for e in have["envs"]))))


def _diff_components(list_name, want, have, path, out, changed, fingerprint_env):
    have_by_name = _named(have)
    for component in want:
        name = component["name"]
        here = "%s[%s]" % (path, name)
        if name not in have_by_name:
            out.append("%s: add" % here)
            continue
        _diff_component(component, have_by_name[name], here, "%s/%s" % (list_name, name), out, changed, fingerprint_env)
    wanted = set(c["name"] for c in want)
    for name in sorted(n for n in have_by_name if n not in wanted):
        out.append("%s[%s]: remove" % (path, name))


def _diff_envs(want, have, path, prefix, out, changed, fingerprint_env):
    want_map, have_map = _env_map(want), _env_map(have)
    for key, env in sorted(want_map.items()):
        here = "%s[%s]" % (path, key)
        if key not in have_map:
            out.append("%s: add%s" % (here, " (secret)" if env["type"] == "SECRET" else ""))
            continue
        current = have_map[key]
        for field in ("type", "scope"):
            if env[field] != current[field]:
                out.append("%s.%s: %s -> %s" % (here, field, current[field], env[field]))
        if env["type"] == "SECRET":
            if "%s/env/%s" % (prefix, key) in changed:
                out.append("%s.value: (secret changed)" % here)
        elif key == fingerprint_env:
            if env.get("value") != current.get("value"):
                out.append("%s.value: (secret fingerprints updated)" % here)
        elif _norm_scalar(env.get("value")) != _norm_scalar(current.get("value")):
            out.append("%s.value: %s -> %s" % (here, current.get("value"), env.get("value")))
    for key in sorted(k for k in have_map if k not in want_map):
        out.append("%s[%s]: remove" % (path, key))


def _diff_named_plain(want, have, key, path, out):
    have_by = _named(have, key)
    want_by = _named(want, key)
    for name, item in sorted(want_by.items()):
        if name not in have_by:
            out.append("%s[%s]: add" % (path, name))
        else:
            _diff_value(item, have_by[name], "%s[%s]" % (path, name), out)
    for name in sorted(n for n in have_by if n not in want_by):
        out.append("%s[%s]: remove" % (path, name))


def _diff_value(want, have, path, out):
    if isinstance(want, dict):
        if not isinstance(have, dict):
            out.append("%s: %s -> %s" % (path, _brief(have), _brief(want)))
            return
        for key, value in sorted(want.items()):
            if value is not None:
                _diff_value(value, have.get(key), "%s.%s" % (path, key), out)
    elif isinstance(want, list):
        if not isinstance(have, list) or len(have) != len(want):
            out.append("%s: %s -> %s" % (path, _brief(have), _brief(want)))
            return
        for index, (w, h) in enumerate(zip(want, have)):
            _diff_value(w, h, "%s[%d]" % (path, index), out)
    elif _norm_scalar(want) != _norm_scalar(have):
        out.append("%s: %s -> %s" % (path, _brief(have), _brief(want)))


def _brief(value):
    text = (
        json.dumps(value, sort_keys=True)
        if isinstance(value, (dict, list))
        else ("(unset)" if value is None else str(value))
    )
    return text if len(text) <= 120 else text[:117] + "..."


# ---------------------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------------------


def masked(spec, fingerprint_env, changed_slots=()):
    """A copy of a spec safe to show: secret values replaced by a marker, the fingerprint record shortened."""
    if not spec:
        return {}
    out = copy.deepcopy(spec)
    changed = set(changed_slots)
    for slot, (container, key) in secret_slots(out).items():
        container[key] = SECRET_MASK + (" (changed)" if slot in changed else "")
    for env in out.get("envs") or []:
        if env.get("key") == fingerprint_env:
            env["value"] = "<fingerprints>"
    return out


def app_view(app, fingerprint_env):
    """What the module returns of an API app object: ids, URLs, the active deployment and the masked spec."""
    if not app:
        return {}
    active = app.get("active_deployment") or {}
    return dict(
        id=app.get("id"),
        name=(app.get("spec") or {}).get("name"),
        project_id=app.get("project_id"),
        live_url=app.get("live_url"),
        default_ingress=app.get("default_ingress"),
        active_deployment=dict(id=active.get("id"), phase=active.get("phase")) if active else None,
        spec=masked(app.get("spec"), fingerprint_env),
    )


def deployment_id(app):
    """The id of the deployment an app's create/update started (pending or in progress), or None."""
    for key in ("pending_deployment", "in_progress_deployment"):
        if (app.get(key) or {}).get("id"):
            return app[key]["id"]
    return None
