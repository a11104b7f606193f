"""The API semantics of the fake, independent of HTTP: create/get/list/replace/patch/delete/watch on the store,
with the status codes and Status errors of a real API server (raised as errors.ApiError)."""

from __future__ import annotations

import base64
import copy
import datetime
import json
import random
import time
import uuid

from . import admission, controllers, errors
from . import patch as patches
from .apply import ApplyConflict, server_side_apply
from .resources import Registry
from .selectors import SelectorError, parse_field_selector, parse_label_selector
from .store import Expired, Store

PATCH_TYPES = {
    "application/json-patch+json": "json",
    "application/merge-patch+json": "merge",
    "application/strategic-merge-patch+json": "strategic",
    "application/apply-patch+yaml": "apply",
}
INITIAL_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")
_SAFE = "bcdfghjklmnpqrstvwxz2456789"


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _without_managed_times(obj):
    entries = obj["metadata"].get("managedFields")
    if not entries:
        return obj
    return dict(
        obj,
        metadata=dict(obj["metadata"], managedFields=[{k: v for k, v in e.items() if k != "time"} for e in entries]),
    )


def _refuse_resource_version(meta):
    """etcd3 storage refuses a create with a (parseable, non-zero) resourceVersion: a 500 without a reason."""
    if str(meta.get("resourceVersion", "")).isdigit() and int(meta["resourceVersion"]):
        raise errors.ApiError(500, "", "resourceVersion should not be set on objects to be created")


def _check_apply_configuration(rt, config):
    """What the field manager refuses in an apply configuration before merging it (versionCheckManager, then
    structuredMergeManager): another group/version/kind than the URL's - a missing apiVersion or kind too - and
    managedFields of its own."""
    api_version, kind = str(config.get("apiVersion") or ""), str(config.get("kind") or "")
    if (api_version, kind) != (rt.api_version, rt.kind):
        group, dummy, version = api_version.rpartition("/")
        raise errors.bad_request("invalid object type: %s/%s, Kind=%s" % (group, version, kind))
    if isinstance(config.get("metadata"), dict) and config["metadata"].get("managedFields") is not None:
        raise errors.bad_request("metadata.managedFields must be nil")


def _status_success(rt, obj):
    details = dict(name=obj["metadata"]["name"], kind=rt.plural, uid=obj["metadata"]["uid"])
    if rt.group:
        details["group"] = rt.group
    return dict(kind="Status", apiVersion="v1", metadata={}, status="Success", details=details)


class Cluster(object):
    def __init__(self, crds=()):
        self.store = Store()
        self.registry = Registry()
        self.allocator = admission.Allocator()
        namespace_type = self.registry.lookup("", "v1", "namespaces")
        crd_type = self.registry.lookup("apiextensions.k8s.io", "v1", "customresourcedefinitions")
        for name in INITIAL_NAMESPACES:
            self.create_internal(namespace_type, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
        for crd in crds:
            self.create_internal(crd_type, crd)

    now = staticmethod(_now)

    # --- helpers -----------------------------------------------------------------------------------------------

    @staticmethod
    def _convert(rt, obj):
        """Objects of every served version of a type share storage (CRD conversion strategy None)."""
        obj["apiVersion"] = rt.api_version
        return obj

    def _matcher(self, rt, namespace, label_selector, field_selector):
        try:
            labels = parse_label_selector(label_selector)
            fields = parse_field_selector(field_selector, rt.group, rt.plural)
        except SelectorError as e:
            raise errors.bad_request(str(e))
        return lambda obj: (
            (namespace is None or obj["metadata"].get("namespace") == namespace)
            and labels(obj["metadata"].get("labels") or {})
            and fields(obj)
        )

    def _decode_body(self, rt, namespace, body):
        """Check a create/update body against the URL it was sent to, as the real handlers do."""
        if not isinstance(body, dict):
            raise errors.bad_request("the object provided is not a JSON object")
        api_version, kind = body.get("apiVersion"), body.get("kind")
        if rt.custom and not (api_version and kind):
            raise errors.bad_request("Object 'Kind' is missing in '%s'" % json.dumps(body)[:200])
        if api_version and api_version != rt.api_version:
            raise errors.bad_request(
                "the API version in the data (%s) does not match the expected API version (%s)"
                % (api_version, rt.api_version)
            )
        if kind and kind != rt.kind:
            raise errors.bad_request(
                "the kind in the data (%s) does not match the expected kind (%s)" % (kind, rt.kind)
            )
        obj = copy.deepcopy(body)
        obj["apiVersion"], obj["kind"] = rt.api_version, rt.kind
        meta = obj.setdefault("metadata", {})
        if not isinstance(meta, dict):
            raise errors.bad_request("metadata must be an object")
        if rt.namespaced:
            if meta.get("namespace") and meta["namespace"] != namespace:
                raise errors.bad_request(
                    "the namespace of the provided object does not match the namespace sent on the request"
                )
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        return obj

    def _check_namespace(self, rt, namespace, name):
        if not rt.namespaced:
            return
        ns = self.store.get("", "namespaces", None, namespace)
        if ns is None:
            raise errors.namespace_not_found(namespace)
        if "deletionTimestamp" in ns["metadata"]:
            raise errors.namespace_terminating(namespace, rt, name)

    @staticmethod
    def _check_preconditions(rt, obj, preconditions):
        meta = obj["metadata"]
        uid, rv = (preconditions or {}).get("uid"), (preconditions or {}).get("resourceVersion")
        if uid and uid != meta["uid"]:
            raise errors.conflict(
                rt,
                meta["name"],
                "Precondition failed: UID in precondition: %s, UID in object meta: %s" % (uid, meta["uid"]),
            )
        if rv and rv != meta["resourceVersion"]:
            raise errors.conflict(
                rt,
                meta["name"],
                "Precondition failed: ResourceVersion in precondition: %s, "
                "ResourceVersion in object meta: %s" % (rv, meta["resourceVersion"]),
            )

    # --- reads -------------------------------------------------------------------------------------------------

    def get(self, rt, namespace, name):
        with self.store.lock:
            obj = self.store.get(rt.group, rt.plural, namespace if rt.namespaced else None, name)
        if obj is None:
            raise errors.not_found(rt, name)
        return self._convert(rt, obj)

    def list(self, rt, namespace=None, label_selector=None, field_selector=None, limit=None, continue_token=None):
        matches = self._matcher(rt, namespace, label_selector, field_selector)
        with self.store.lock:
            items = [o for o in self.store.list(rt.group, rt.plural, namespace) if matches(o)]
            rv = self.store.resource_version
        if continue_token:
            try:
                token = json.loads(base64.b64decode(continue_token))
                after, rv = tuple(token["after"]), token["rv"]
            except (ValueError, KeyError, TypeError):
                raise errors.bad_request("continue key is not valid: %s" % continue_token)
            items = [o for o in items if (o["metadata"].get("namespace", ""), o["metadata"]["name"]) > after]
        meta = {"resourceVersion": str(rv)}
        if limit and len(items) > limit:
            last = items[limit - 1]["metadata"]
            meta["continue"] = base64.b64encode(
                json.dumps({"after": [last.get("namespace", ""), last["name"]], "rv": rv}).encode()
            ).decode()
            meta["remainingItemCount"] = len(items) - limit
            items = items[:limit]
        for obj in items:
            self._convert(rt, obj)
            if not rt.custom:  # typed lists carry no apiVersion/kind on their items
                obj.pop("apiVersion", None)
                obj.pop("kind", None)
        return {"kind": rt.kind + "List", "apiVersion": rt.api_version, "metadata": meta, "items": items}

    def watch(self, rt, namespace, label_selector, field_selector, resource_version, timeout, cancelled=lambda: False):
        """A generator of watch events ({"type", "object"}) for ``timeout`` seconds, until the server stops or
        until ``cancelled()`` (checked every second while idle) says the client has gone.

        Bad selectors and resource versions raise here, before the caller commits to a streaming response.
        """
        matches = self._matcher(rt, namespace, label_selector, field_selector)
        with self.store.lock:
            if resource_version in (None, "", "0"):  # "get state and start at most recent"
                since = self.store.resource_version
                pending = [(since, "ADDED", o) for o in self.store.list(rt.group, rt.plural, namespace)]
            else:
                try:
                    since = int(resource_version)
                except ValueError:
                    raise errors.bad_request("invalid resource version %r" % resource_version)
                pending = []
        return self._stream(rt, matches, since, pending, time.monotonic() + timeout, cancelled)

    def _stream(self, rt, matches, since, pending, deadline, cancelled):
        while True:
            for rv, event_type, obj in pending:
                since = max(since, rv)
                if matches(obj):
                    yield {"type": event_type, "object": self._convert(rt, obj)}
            try:
                pending = self._next_events(rt, since, deadline, cancelled)
            except Expired as e:
                yield {"type": "ERROR", "object": errors.gone(str(e)).status()}
                return
            if not pending:
                return

    def _next_events(self, rt, since, deadline, cancelled):
        """Block until there are events newer than ``since``; [] once the deadline passes, the server stops or the
        watch is cancelled."""
        with self.store.lock:
            while True:
                remaining = deadline - time.monotonic()
                if self.store.closed or remaining <= 0 or cancelled():
                    return []
                events = self.store.events_after(since, rt.group, rt.plural)
                if events:
                    return events
                self.store.lock.wait(min(remaining, 1.0))

    # --- writes ------------------------------------------------------------------------------------------------

    def create(self, rt, namespace, body, dry_run=False):
        obj = self._decode_body(rt, namespace, body)
        meta = obj["metadata"]
        if not meta.get("name"):
            if not meta.get("generateName"):
                raise errors.invalid(rt, "", [("metadata.name", "Required value: name or generateName is required")])
            meta["name"] = meta["generateName"] + "".join(random.choices(_SAFE, k=5))
        _refuse_resource_version(meta)
        with self.store.lock:
            self._check_namespace(rt, namespace, meta["name"])
            if self.store.get(rt.group, rt.plural, namespace, meta["name"]) is not None:
                raise errors.already_exists(rt, meta["name"])
            return self._create(rt, obj, dry_run)

    def _create(self, rt, obj, dry_run):
        obj = admission.admit(rt, obj, None, self.allocator)
        meta = obj["metadata"]
        meta["uid"] = str(uuid.uuid4())
        meta["creationTimestamp"] = self.now()
        for field in ("deletionTimestamp", "deletionGracePeriodSeconds", "resourceVersion"):
            meta.pop(field, None)
        if dry_run:
            return obj
        stored = self.store.put(rt.group, rt.plural, obj, "ADDED")
        controllers.reconcile(self, rt, stored)
        return self._convert(rt, stored)

    def replace(self, rt, namespace, name, body, dry_run=False):
        obj = self._decode_body(rt, namespace, body)
        if obj["metadata"].get("name") != name:
            raise errors.bad_request(
                "the name of the object (%s) does not match the name on the URL (%s)"
                % (obj["metadata"].get("name"), name)
            )
        with self.store.lock:
            old = self.store.get(rt.group, rt.plural, namespace, name)
            if old is None:
                raise errors.not_found(rt, name)
            rv = obj["metadata"].get("resourceVersion")
            if rv and rv != old["metadata"]["resourceVersion"]:
                raise errors.conflict(rt, name)
            return self._update(rt, old, admission.admit(rt, obj, old, self.allocator), dry_run)

    def patch(self, rt, namespace, name, content_type, body, dry_run=False, field_manager=None, force=False):
        """Returns (created, object): a server-side apply of a missing object creates it (201)."""
        kind = PATCH_TYPES.get(content_type)
        accepted = [t for t, k in PATCH_TYPES.items() if not (k == "strategic" and rt.custom)]
        if kind is None or content_type not in accepted:
            raise errors.unsupported_media_type(accepted)
        errors.check_patch_options(kind, field_manager, False)
        if not isinstance(body, (dict, list)) or (kind != "json") != isinstance(body, dict):
            raise errors.bad_request(
                "the body of a %s patch must be a JSON %s" % (content_type, "array" if kind == "json" else "object")
            )
        if kind == "apply":
            _check_apply_configuration(rt, body)
        with self.store.lock:
            old = self.store.get(rt.group, rt.plural, namespace if rt.namespaced else None, name)
            if kind == "apply":
                config = self._decode_body(rt, namespace, body)
                if config["metadata"].get("name", name) != name:
                    raise errors.bad_request(
                        "the name of the object (%s) does not match the name on the URL (%s)"
                        % (config["metadata"]["name"], name)
                    )
                config["metadata"]["name"] = name
                if old is None:
                    _refuse_resource_version(config["metadata"])
                    self._check_namespace(rt, namespace, name)
                    created = server_side_apply(None, config, rt.kind, field_manager, force, self.now())
                    return True, self._create(rt, dict(created, apiVersion=rt.api_version, kind=rt.kind), dry_run)
                rv = config["metadata"].get("resourceVersion")
                if rv and rv != old["metadata"]["resourceVersion"]:
                    raise errors.conflict(rt, name)
                try:
                    patched = server_side_apply(old, config, rt.kind, field_manager, force, self.now())
                except ApplyConflict as e:
                    raise errors.apply_conflict(rt, name, e.conflicts)
            else:
                if old is None:
                    raise errors.not_found(rt, name)
                try:
                    if kind == "json":
                        patched = patches.json_patch(old, body)
                    elif kind == "merge":
                        patched = patches.merge_patch(old, body)
                    else:
                        patched = patches.strategic_merge_patch(old, body, rt.kind)
                except patches.BadPatch as e:
                    raise errors.bad_request(str(e))
                except patches.PatchError as e:
                    raise errors.ApiError(422, "Invalid", str(e), {})
                if not isinstance(patched, dict) or not isinstance(patched.get("metadata"), dict):
                    raise errors.bad_request("the patch does not result in an object")
                rv = patched["metadata"].get("resourceVersion")
                if rv and rv != old["metadata"]["resourceVersion"]:
                    raise errors.conflict(rt, name)
            meta = patched["metadata"]
            if meta.get("name") != name or (rt.namespaced and meta.get("namespace") != namespace):
                raise errors.invalid(
                    rt,
                    name,
                    [("metadata.name", "Invalid value: %s: field is immutable" % json.dumps(meta.get("name")))],
                )
            return False, self._update(rt, old, admission.admit(rt, patched, old, self.allocator), dry_run)

    def _update(self, rt, old, new, dry_run):
        meta, old_meta = new["metadata"], old["metadata"]
        if meta.get("uid") and meta["uid"] != old_meta["uid"]:
            raise errors.conflict(
                rt,
                old_meta["name"],
                "Precondition failed: UID in precondition: %s, UID in object meta: %s" % (meta["uid"], old_meta["uid"]),
            )
        for field in ("uid", "creationTimestamp", "resourceVersion"):
            meta[field] = old_meta[field]
        if _without_managed_times(new) == _without_managed_times(old):
            # A no-op write stores nothing and keeps the resourceVersion; a server-side apply that changes nothing
            # but its managedFields timestamp is a no-op too (IgnoreManagedFieldsTimestampsTransformer).
            return self._convert(rt, old)
        if dry_run:
            return self._convert(rt, new)
        stored = self.store.put(rt.group, rt.plural, new, "MODIFIED")
        self._after_update(rt, stored)
        return self._convert(rt, stored)

    def _after_update(self, rt, stored):
        meta = stored["metadata"]
        if "deletionTimestamp" not in meta:
            controllers.reconcile(self, rt, stored)
        elif rt.kind == "Namespace":
            controllers.namespace_cleanup(self, meta["name"])
        elif not meta.get("finalizers"):
            self.finalize(rt, stored)

    def delete(self, rt, namespace, name, options, dry_run=False):
        with self.store.lock:
            obj = self.store.get(rt.group, rt.plural, namespace if rt.namespaced else None, name)
            if obj is None:
                raise errors.not_found(rt, name)
            self._check_preconditions(rt, obj, options.get("preconditions"))
            if dry_run:  # what the deletion would answer, without doing it
                pending = rt.kind == "Namespace" or obj["metadata"].get("finalizers")
                return self._convert(rt, obj) if pending else _status_success(rt, obj)
            return self._delete(rt, obj, self._propagation(options))

    def delete_collection(self, rt, namespace, label_selector, field_selector, options, dry_run=False):
        matches = self._matcher(rt, namespace, label_selector, field_selector)
        propagation = self._propagation(options)
        with self.store.lock:
            items = [o for o in self.store.list(rt.group, rt.plural, namespace) if matches(o)]
            if not dry_run:
                for obj in items:
                    self._delete(rt, obj, propagation)
        for obj in items:
            self._convert(rt, obj)
        return {
            "kind": rt.kind + "List",
            "apiVersion": rt.api_version,
            "metadata": {"resourceVersion": str(self.store.resource_version)},
            "items": items,
        }

    @staticmethod
    def _propagation(options):
        if options.get("propagationPolicy"):
            return options["propagationPolicy"]
        return "Orphan" if options.get("orphanDependents") else "Background"

    def _delete(self, rt, obj, propagation):
        meta = obj["metadata"]
        if rt.kind == "Namespace":
            # The namespace turns Terminating; the namespace controller empties and then removes it.
            if "deletionTimestamp" not in meta:
                meta["deletionTimestamp"] = self.now()
                obj["status"] = {"phase": "Terminating"}
                obj = self.store.put(rt.group, rt.plural, obj, "MODIFIED")
            controllers.namespace_cleanup(self, meta["name"])
            return self._convert(rt, obj)
        if meta.get("finalizers") or propagation == "Foreground":
            if "deletionTimestamp" not in meta:
                meta["deletionTimestamp"] = self.now()
                meta["deletionGracePeriodSeconds"] = 0
                if propagation == "Foreground":
                    meta["finalizers"] = (meta.get("finalizers") or []) + ["foregroundDeletion"]
                obj = self.store.put(rt.group, rt.plural, obj, "MODIFIED")
            if propagation == "Foreground":
                # The garbage collector deletes the dependents, then drops its finalizer.
                self._collect_garbage(obj, "Background")
                current = self.store.get(rt.group, rt.plural, meta.get("namespace"), meta["name"])
                current["metadata"]["finalizers"] = [
                    f for f in current["metadata"]["finalizers"] if f != "foregroundDeletion"
                ]
                if not current["metadata"]["finalizers"]:
                    del current["metadata"]["finalizers"]
                self._after_update(rt, self.store.put(rt.group, rt.plural, current, "MODIFIED"))
            elif propagation == "Orphan":
                self._collect_garbage(obj, "Orphan")
            return self._convert(rt, obj)
        self.finalize(rt, obj, propagation)
        return _status_success(rt, obj)

    def finalize(self, rt, obj, propagation="Background"):
        """Remove an object for good, then do what the garbage collector and the CRD/namespace controllers do."""
        meta = obj["metadata"]
        removed = self.store.remove(rt.group, rt.plural, meta.get("namespace"), meta["name"])
        self._collect_garbage(removed, propagation)
        if rt.kind == "CustomResourceDefinition":
            spec = removed["spec"]
            for cr in self.store.list(spec["group"], spec["names"]["plural"]):
                self.store.remove(
                    spec["group"], spec["names"]["plural"], cr["metadata"].get("namespace"), cr["metadata"]["name"]
                )
            self.refresh_custom_types()
        if rt.namespaced:
            controllers.namespace_cleanup(self, meta["namespace"])
        return removed

    def _collect_garbage(self, owner, propagation):
        uid = owner["metadata"]["uid"]
        live_uids = {o["metadata"]["uid"] for _g, _p, o in self.store.items()}
        for group, plural, obj in self.store.items():
            refs = obj["metadata"].get("ownerReferences") or []
            if not any(ref.get("uid") == uid for ref in refs):
                continue
            rt = self.registry.by_group_resource(group, plural)
            if rt is None:  # a custom resource whose CRD is going away with it
                continue
            remaining = [ref for ref in refs if ref.get("uid") != uid]
            if propagation == "Orphan" or any(ref.get("uid") in live_uids for ref in remaining):
                if remaining:
                    obj["metadata"]["ownerReferences"] = remaining
                else:
                    del obj["metadata"]["ownerReferences"]
                self.write_internal(rt, obj)
            elif "deletionTimestamp" not in obj["metadata"]:
                self._delete(rt, obj, "Background")

    # --- used by the controllers ---------------------------------------------------------------------------------

    def create_internal(self, rt, obj):
        with self.store.lock:
            return self._create(rt, obj, dry_run=False)

    def write_internal(self, rt, obj):
        """Store a controller's change. Controllers react to changes outside status, not to status writes."""
        with self.store.lock:
            meta = obj["metadata"]
            old = self.store.get(rt.group, rt.plural, meta.get("namespace"), meta["name"])
            if old is None:
                return None
            obj = dict(obj, metadata=dict(meta, resourceVersion=old["metadata"]["resourceVersion"]))
            if obj == old:
                return old
            stored = self.store.put(rt.group, rt.plural, obj, "MODIFIED")
            if {k: v for k, v in obj.items() if k != "status"} != {k: v for k, v in old.items() if k != "status"}:
                self._after_update(rt, stored)
            return stored

    def delete_internal(self, rt, obj):
        with self.store.lock:
            return self._delete(rt, obj, "Background")

    def refresh_custom_types(self):
        established = [
            crd
            for crd in self.store.list("apiextensions.k8s.io", "customresourcedefinitions")
            if any(
                c.get("type") == "Established" and c.get("status") == "True"
                for c in (crd.get("status") or {}).get("conditions") or []
            )
            and "deletionTimestamp" not in crd["metadata"]
        ]
        self.registry.set_crds(established)
