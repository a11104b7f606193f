"""The DigitalOcean API fake's state: plain JSON-able dicts, one lock, optional persistence to a file.

Asynchronous states are not driven by timers: a resource records until when it is busy (``_busy_until``, epoch
seconds) and its state is computed when it is rendered. Reading never changes the stored state, so a test can
compare snapshots taken before and after a check-mode run.
"""

from __future__ import annotations

import copy
import json
import os
import threading
import time

from .api import new_id, now


def initial_state():
    account, default_project = new_id(), new_id()
    return {
        "account": {
            "uuid": account,
            "email": "sandbox@example.com",
            "name": "Sandbox",
            "droplet_limit": 25,
            "floating_ip_limit": 3,
            "email_verified": True,
            "status": "active",
            "status_message": "",
            "team": {"uuid": new_id(), "name": "My Team"},
        },
        "vpcs": {},
        "firewalls": {},
        "clusters": {},
        "registry": None,
        "subscription": None,
        "repositories": {},  # repository name -> {tag: manifest}
        "apps": {},
        "projects": {
            default_project: {
                "id": default_project,
                "owner_uuid": account,
                "owner_id": 1,
                "name": "first-project",
                "description": "",
                "purpose": "Just trying out DigitalOcean",
                "environment": "Development",
                "is_default": True,
                "created_at": now(),
                "updated_at": now(),
            }
        },
        "project_resources": {},  # urn -> {"project_id", "assigned_at"}
    }


class Store(object):
    """State plus the settings that shape responses (delays, the Kubernetes API a kubeconfig points at)."""

    def __init__(self, state_file=None, provision_delay=1.0, kube_server=None, kube_token=None, kube_ca_data=None):
        self.lock = threading.RLock()
        self.state_file = state_file
        self.provision_delay = provision_delay
        self.kube_server = kube_server
        self.kube_token = kube_token
        self.kube_ca_data = kube_ca_data  # base64 PEM, as in a kubeconfig's certificate-authority-data
        if state_file and os.path.exists(state_file):
            with open(state_file) as f:
                self.data = json.load(f)
        else:
            self.data = initial_state()

    def snapshot(self):
        """A deep copy of the whole state, for tests that compare before and after."""
        with self.lock:
            return copy.deepcopy(self.data)

    def save(self):
        if not self.state_file:
            return
        tmp = self.state_file + ".tmp"
        with open(tmp, "w") as f:
            json.dump(self.data, f, indent=1, sort_keys=True)
        os.replace(tmp, self.state_file)

    # Asynchronous states.
    def busy_until(self):
        """When an operation that starts now will have finished."""
        return time.time() + self.provision_delay

    @staticmethod
    def is_busy(resource):
        return time.time() < resource.get("_busy_until", 0)

    @staticmethod
    def public(resource):
        """A stored resource without the fake's bookkeeping keys (those starting with an underscore)."""
        return {k: copy.deepcopy(v) for k, v in resource.items() if not k.startswith("_")}
