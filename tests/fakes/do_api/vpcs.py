"""/v2/vpcs: VPC networks, with the region default, RFC 1918 ranges and no overlaps."""

from __future__ import annotations

import ipaddress

from .api import ROUTER, created, new_id, no_content, not_found, now, ok, paginate, unprocessable
from .catalog import REGIONS
from .store import Store

PRIVATE = [ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]


def get_vpc(store, vpc_id):
    vpc = store.data["vpcs"].get(vpc_id)
    if vpc is None:
        raise not_found()
    return vpc


def _check_range(store, ip_range):
    try:
        network = ipaddress.ip_network(ip_range, strict=True)
    except ValueError:
        raise unprocessable("ip_range %r is not a network in CIDR notation" % ip_range)
    if network.version != 4 or not any(network.subnet_of(p) for p in PRIVATE):
        raise unprocessable("ip_range %s is not within a private (RFC 1918) range" % ip_range)
    if not 16 <= network.prefixlen <= 28:
        raise unprocessable("ip_range %s must be between /16 and /28" % ip_range)
    for other in store.data["vpcs"].values():
        if network.overlaps(ipaddress.ip_network(other["ip_range"])):
            raise unprocessable("ip_range %s overlaps VPC %s (%s)" % (ip_range, other["name"], other["ip_range"]))
    return str(network)


def _free_range(store):
    """A /20 in 10.0.0.0/8 that overlaps no existing VPC, as DO generates when ip_range is omitted."""
    taken = [ipaddress.ip_network(v["ip_range"]) for v in store.data["vpcs"].values()]
    for candidate in ipaddress.ip_network("10.104.0.0/13").subnets(new_prefix=20):
        if not any(candidate.overlaps(t) for t in taken):
            return str(candidate)
    raise unprocessable("no free /20 left for an automatic ip_range")


def _check_name(store, name, vpc_id=None):
    for other in store.data["vpcs"].values():
        if other["name"] == name and other["id"] != vpc_id:
            raise unprocessable("a VPC named %r already exists" % name)


def _make_default(store, vpc):
    for other in store.data["vpcs"].values():
        if other["region"] == vpc["region"]:
            other["default"] = other["id"] == vpc["id"]


def create_vpc(store, name, region, description="", ip_range=None):
    """Create a VPC (also used when a cluster is created in a region that has no default VPC yet)."""
    if region not in REGIONS:
        raise unprocessable("region %r is not available" % region)
    _check_name(store, name)
    vpc_id = new_id()
    vpc = {
        "id": vpc_id,
        "urn": "do:vpc:" + vpc_id,
        "name": name,
        "description": description,
        "region": region,
        "ip_range": _check_range(store, ip_range) if ip_range else _free_range(store),
        "default": False,
        "created_at": now(),
    }
    # The first VPC of a region becomes its default.
    first = not any(v["region"] == region for v in store.data["vpcs"].values())
    store.data["vpcs"][vpc_id] = vpc
    if first:
        _make_default(store, vpc)
    return vpc


def default_vpc(store, region):
    """The region's default VPC, created on demand as DO does for the first resource in a region."""
    for vpc in store.data["vpcs"].values():
        if vpc["region"] == region and vpc["default"]:
            return vpc
    return create_vpc(store, "default-" + region, region)


@ROUTER.route("GET", "/v2/vpcs")
def list_vpcs(store, req):
    vpcs = sorted(store.data["vpcs"].values(), key=lambda v: v["created_at"])
    return ok(paginate(req, [Store.public(v) for v in vpcs], "vpcs"))


@ROUTER.route("POST", "/v2/vpcs")
def post_vpc(store, req):
    body = req.json()
    vpc = create_vpc(store, body["name"], body["region"], body.get("description") or "", body.get("ip_range"))
    return created({"vpc": Store.public(vpc)})


@ROUTER.route("GET", "/v2/vpcs/{vpc_id}")
def read_vpc(store, req, vpc_id):
    return ok({"vpc": Store.public(get_vpc(store, vpc_id))})


def _update(store, vpc, body):
    if "name" in body and body["name"] is not None:
        _check_name(store, body["name"], vpc["id"])
        vpc["name"] = body["name"]
    if body.get("description") is not None:
        vpc["description"] = body["description"]
    if body.get("default") is True:
        _make_default(store, vpc)
    elif body.get("default") is False and vpc["default"]:
        raise unprocessable("the default VPC of a region cannot be unset; make another VPC the default instead")
    return ok({"vpc": Store.public(vpc)})


@ROUTER.route("PUT", "/v2/vpcs/{vpc_id}")
def put_vpc(store, req, vpc_id):
    return _update(store, get_vpc(store, vpc_id), req.json())


@ROUTER.route("PATCH", "/v2/vpcs/{vpc_id}")
def patch_vpc(store, req, vpc_id):
    return _update(store, get_vpc(store, vpc_id), req.json())


def members(store, vpc_id):
    clusters = [c for c in store.data["clusters"].values() if c["vpc_uuid"] == vpc_id]
    return [{"urn": "do:kubernetes:" + c["id"], "name": c["name"], "created_at": c["created_at"]} for c in clusters]


@ROUTER.route("DELETE", "/v2/vpcs/{vpc_id}")
def delete_vpc(store, req, vpc_id):
    vpc = get_vpc(store, vpc_id)
    if vpc["default"]:
        raise unprocessable("the default VPC of a region cannot be deleted")
    if members(store, vpc_id):
        raise unprocessable("VPC %s still has members; delete them first" % vpc["name"])
    del store.data["vpcs"][vpc_id]
    return no_content()


@ROUTER.route("GET", "/v2/vpcs/{vpc_id}/members")
def list_members(store, req, vpc_id):
    get_vpc(store, vpc_id)
    found = members(store, vpc_id)
    kind = req.query.get("resource_type")
    if kind:
        found = [m for m in found if m["urn"].split(":")[1] == kind]
    return ok(paginate(req, found, "members"))
