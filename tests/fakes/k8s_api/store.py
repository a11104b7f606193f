"""In-memory object storage with one global, monotonic resourceVersion (like etcd's revision) and an event
history for watches."""

from __future__ import annotations

import collections
import copy
import threading


class Expired(Exception):
    """The requested resourceVersion is older than the kept event history (410 Gone on a real server)."""


class Store(object):
    def __init__(self, history=5000):
        # Writers take this lock for a whole read-modify-write; watchers wait on it for new events.
        self.lock = threading.Condition(threading.RLock())
        self._objects = {}  # (group, plural, namespace or "", name) -> object
        self._rv = 1000
        self._events = collections.deque(maxlen=history)  # (rv, type, group, plural, object)
        self.closed = False

    @property
    def resource_version(self):
        return self._rv

    def get(self, group, plural, namespace, name):
        obj = self._objects.get((group, plural, namespace or "", name))
        return copy.deepcopy(obj) if obj is not None else None

    def list(self, group=None, plural=None, namespace=None):
        """Objects of group/plural (None: any), in namespace (None: all), in etcd key order."""
        keys = sorted(
            k
            for k in self._objects
            if (group is None or k[0] == group)
            and (plural is None or k[1] == plural)
            and (namespace is None or k[2] == namespace)
        )
        return [copy.deepcopy(self._objects[k]) for k in keys]

    def items(self):
        """(group, plural, object) for every stored object."""
        return [(k[0], k[1], copy.deepcopy(obj)) for k, obj in sorted(self._objects.items())]

    def put(self, group, plural, obj, event_type):
        """Store ``obj`` with a new resourceVersion; returns the stored copy."""
        with self.lock:
            self._rv += 1
            obj = copy.deepcopy(obj)
            obj["metadata"]["resourceVersion"] = str(self._rv)
            meta = obj["metadata"]
            self._objects[(group, plural, meta.get("namespace", ""), meta["name"])] = obj
            self._record(event_type, group, plural, obj)
            return copy.deepcopy(obj)

    def remove(self, group, plural, namespace, name):
        """Delete an object; returns it as the DELETED event carries it (with the deletion's resourceVersion)."""
        with self.lock:
            obj = self._objects.pop((group, plural, namespace or "", name))
            self._rv += 1
            obj["metadata"]["resourceVersion"] = str(self._rv)
            self._record("DELETED", group, plural, obj)
            return copy.deepcopy(obj)

    def _record(self, event_type, group, plural, obj):
        self._events.append((self._rv, event_type, group, plural, copy.deepcopy(obj)))
        self.lock.notify_all()

    def events_after(self, rv, group, plural):
        """Events of group/plural newer than ``rv``; Expired when the history no longer reaches back to rv."""
        if self._events and rv < self._events[0][0] - 1 and len(self._events) == self._events.maxlen:
            raise Expired("too old resource version: %d (%d)" % (rv, self._events[0][0] - 1))
        return [
            (erv, etype, copy.deepcopy(obj))
            for erv, etype, g, p, obj in self._events
            if erv > rv and (g, p) == (group, plural)
        ]

    def close(self):
        with self.lock:
            self.closed = True
            self.lock.notify_all()
