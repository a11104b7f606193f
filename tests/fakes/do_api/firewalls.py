"""/v2/firewalls: cloud firewalls, their rules, tags and Droplets."""

from __future__ import annotations

from .api import ROUTER, accepted, new_id, no_content, not_found, now, ok, paginate
from .store import Store

TARGETS = ("addresses", "droplet_ids", "load_balancer_uids", "kubernetes_ids", "tags")


def _get(store, firewall_id):
    firewall = store.data["firewalls"].get(firewall_id)
    if firewall is None:
        raise not_found()
    return firewall


def _rule(rule, side):
    """A rule as stored and returned: only the targets that were given and are not empty."""
    targets = rule.get(side) or {}
    return {
        "protocol": rule["protocol"],
        "ports": rule["ports"],
        side: {k: list(targets[k]) for k in TARGETS if targets.get(k)},
    }


def _apply(store, firewall, body):
    firewall["name"] = body["name"]
    firewall["inbound_rules"] = [_rule(r, "sources") for r in body.get("inbound_rules") or []]
    firewall["outbound_rules"] = [_rule(r, "destinations") for r in body.get("outbound_rules") or []]
    firewall["droplet_ids"] = list(body.get("droplet_ids") or [])
    firewall["tags"] = list(body.get("tags") or [])
    # Every change is applied asynchronously: "waiting" until the delay has passed, then "succeeded".
    firewall["_busy_until"] = store.busy_until()


def render(firewall):
    out = Store.public(firewall)
    out["status"] = "waiting" if Store.is_busy(firewall) else "succeeded"
    return out


@ROUTER.route("GET", "/v2/firewalls")
def list_firewalls(store, req):
    firewalls = sorted(store.data["firewalls"].values(), key=lambda f: f["created_at"])
    return ok(paginate(req, [render(f) for f in firewalls], "firewalls"))


@ROUTER.route("POST", "/v2/firewalls")
def post_firewall(store, req):
    firewall_id = new_id()
    firewall = {"id": firewall_id, "created_at": now(), "pending_changes": []}
    _apply(store, firewall, req.json())
    store.data["firewalls"][firewall_id] = firewall
    return accepted({"firewall": render(firewall)})


@ROUTER.route("GET", "/v2/firewalls/{firewall_id}")
def get_firewall(store, req, firewall_id):
    return ok({"firewall": render(_get(store, firewall_id))})


@ROUTER.route("PUT", "/v2/firewalls/{firewall_id}")
def put_firewall(store, req, firewall_id):
    firewall = _get(store, firewall_id)
    _apply(store, firewall, req.json())
    return ok({"firewall": render(firewall)})


@ROUTER.route("DELETE", "/v2/firewalls/{firewall_id}")
def delete_firewall(store, req, firewall_id):
    _get(store, firewall_id)
    del store.data["firewalls"][firewall_id]
    return no_content()


def _members(field):
    """Handlers adding to / removing from a list field (tags, droplet_ids) by POST / DELETE."""

    def add(store, req, firewall_id):
        firewall = _get(store, firewall_id)
        for value in req.json()[field]:
            if value not in firewall[field]:
                firewall[field].append(value)
        return no_content()

    def remove(store, req, firewall_id):
        firewall = _get(store, firewall_id)
        firewall[field] = [v for v in firewall[field] if v not in req.json()[field]]
        return no_content()

    return add, remove


for _path, _field in (("tags", "tags"), ("droplets", "droplet_ids")):
    _add, _remove = _members(_field)
    ROUTER.route("POST", "/v2/firewalls/{firewall_id}/" + _path)(_add)
    ROUTER.route("DELETE", "/v2/firewalls/{firewall_id}/" + _path)(_remove)


@ROUTER.route("POST", "/v2/firewalls/{firewall_id}/rules")
def add_rules(store, req, firewall_id):
    firewall = _get(store, firewall_id)
    body = req.json()
    firewall["inbound_rules"] += [_rule(r, "sources") for r in body.get("inbound_rules") or []]
    firewall["outbound_rules"] += [_rule(r, "destinations") for r in body.get("outbound_rules") or []]
    return no_content()


@ROUTER.route("DELETE", "/v2/firewalls/{firewall_id}/rules")
def remove_rules(store, req, firewall_id):
    firewall = _get(store, firewall_id)
    body = req.json()
    drop_in = [_rule(r, "sources") for r in body.get("inbound_rules") or []]
    drop_out = [_rule(r, "destinations") for r in body.get("outbound_rules") or []]
    firewall["inbound_rules"] = [r for r in firewall["inbound_rules"] if r not in drop_in]
    firewall["outbound_rules"] = [r for r in firewall["outbound_rules"] if r not in drop_out]
    return no_content()
