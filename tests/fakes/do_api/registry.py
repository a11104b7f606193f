"""/v2/registry: the account's container registry, its subscription tier, repositories, tags and manifests.

Images cannot be pushed through the API; tests (and ``make sandbox``) add them with ``push_image``.
"""

from __future__ import annotations

import base64
import hashlib

from .api import ROUTER, ApiError, conflict, created, no_content, not_found, now, ok, paginate
from .catalog import REGISTRY_REGIONS, REGISTRY_TIERS


def _registry(store, name=None):
    registry = store.data["registry"]
    if registry is None or (name is not None and registry["name"] != name):
        raise not_found()
    return registry


def _subscription(store):
    subscription = store.data["subscription"]
    if subscription is None:
        raise not_found("no subscription: create a registry first")
    return dict(subscription, tier=REGISTRY_TIERS[subscription["tier"]])


def _render_registry(store):
    registry = dict(store.data["registry"])
    registry["storage_usage_bytes"] = sum(
        m["size_bytes"] for repo in store.data["repositories"].values() for m in repo.values()
    )
    registry["storage_usage_bytes_updated_at"] = now()
    registry["subscription"] = _subscription(store)
    return registry


def push_image(store, repository, tag, content=b""):
    """Record an image as ``docker push registry.digitalocean.com/<registry>/<repository>:<tag>`` would."""
    registry = _registry(store)
    manifests = store.data["repositories"].setdefault(repository, {})
    digest = "sha256:" + hashlib.sha256(b"%s:%s:%s" % (repository.encode(), tag.encode(), content)).hexdigest()
    for manifest in manifests.values():  # a tag points at one manifest at a time
        if tag in manifest["tags"]:
            manifest["tags"].remove(tag)
    manifest = manifests.setdefault(
        digest,
        {
            "registry_name": registry["name"],
            "repository": repository,
            "digest": digest,
            "compressed_size_bytes": 1000 + len(content),
            "size_bytes": 2000 + len(content),
            "updated_at": now(),
            "tags": [],
            "blobs": [{"digest": digest, "compressed_size_bytes": 1000 + len(content)}],
        },
    )
    manifest["tags"].append(tag)
    return digest


def _manifests(store, name, repository):
    _registry(store, name)
    if repository not in store.data["repositories"]:
        raise not_found()
    return sorted(store.data["repositories"][repository].values(), key=lambda m: m["digest"])


def _tags(store, name, repository):
    return [
        {
            "registry_name": name,
            "repository": repository,
            "tag": tag,
            "manifest_digest": m["digest"],
            "compressed_size_bytes": m["compressed_size_bytes"],
            "size_bytes": m["size_bytes"],
            "updated_at": m["updated_at"],
        }
        for m in _manifests(store, name, repository)
        for tag in sorted(m["tags"])
    ]


@ROUTER.route("GET", "/v2/registry")
def get_registry(store, req):
    _registry(store)
    return ok({"registry": _render_registry(store)})


@ROUTER.route("POST", "/v2/registry")
def create_registry(store, req):
    body = req.json()
    if store.data["registry"] is not None:
        raise conflict("this account already has a registry, %r" % store.data["registry"]["name"])
    store.data["registry"] = {
        "name": body["name"],
        "region": body.get("region") or REGISTRY_REGIONS[0],
        "created_at": now(),
    }
    store.data["subscription"] = {"tier": body["subscription_tier_slug"], "created_at": now(), "updated_at": now()}
    return created({"registry": _render_registry(store)})


@ROUTER.route("DELETE", "/v2/registry")
def delete_registry(store, req):
    _registry(store)
    store.data["registry"] = None
    store.data["repositories"] = {}
    for cluster in store.data["clusters"].values():
        cluster["registry_enabled"] = False
    return no_content()


@ROUTER.route("GET", "/v2/registry/subscription")
def get_subscription(store, req):
    return ok({"subscription": _subscription(store)})


@ROUTER.route("POST", "/v2/registry/subscription")
def update_subscription(store, req):
    _subscription(store)
    tier = req.json().get("tier_slug")
    if tier:
        store.data["subscription"].update(tier=tier, updated_at=now())
    return ok({"subscription": _subscription(store)})


@ROUTER.route("GET", "/v2/registry/docker-credentials")
def docker_credentials(store, req):
    _registry(store)
    token = "fake-registry-%s-token" % ("read-write" if req.flag("read_write") else "read-only")
    auth = base64.b64encode(("%s:%s" % (token, token)).encode()).decode()
    return ok({"auths": {"registry.digitalocean.com": {"auth": auth}}})


@ROUTER.route("POST", "/v2/registry/validate-name")
def validate_name(store, req):
    registry = store.data["registry"]
    if registry is not None and registry["name"] == req.json()["name"]:
        raise ApiError(409, "conflict", "The request could not be completed due to a conflict.")
    return no_content()


@ROUTER.route("GET", "/v2/registry/options")
def options(store, req):
    current = store.data["subscription"]
    tiers = [dict(tier, eligible=True, eligibility_reasons=[]) for tier in REGISTRY_TIERS.values()]
    if current is not None:
        # A tier must include at least as many repositories as exist (0 = unlimited).
        count = len(store.data["repositories"])
        for tier in tiers:
            if tier["included_repositories"] and tier["included_repositories"] < count:
                tier.update(eligible=False, eligibility_reasons=["OverRepositoryLimit"])
    return ok({"options": {"available_regions": REGISTRY_REGIONS, "subscription_tiers": tiers}})


def _repositories(store, name, v2):
    _registry(store, name)
    out = []
    for repository in sorted(store.data["repositories"]):
        manifests = _manifests(store, name, repository)
        latest = max(manifests, key=lambda m: m["updated_at"])
        entry = {"registry_name": name, "name": repository, "tag_count": sum(len(m["tags"]) for m in manifests)}
        if v2:
            entry.update(latest_manifest=dict(latest), manifest_count=len(manifests))
        else:
            tags = _tags(store, name, repository)
            if tags:
                entry["latest_tag"] = max(tags, key=lambda t: t["updated_at"])
        out.append(entry)
    return out


@ROUTER.route("GET", "/v2/registry/{registry_name}/repositories")
def list_repositories(store, req, registry_name):
    return ok(paginate(req, _repositories(store, registry_name, v2=False), "repositories"))


@ROUTER.route("GET", "/v2/registry/{registry_name}/repositoriesV2")
def list_repositories_v2(store, req, registry_name):
    return ok(paginate(req, _repositories(store, registry_name, v2=True), "repositories"))


@ROUTER.route("GET", "/v2/registry/{registry_name}/repositories/{repository_name}/tags")
def list_tags(store, req, registry_name, repository_name):
    return ok(paginate(req, _tags(store, registry_name, repository_name), "tags"))


@ROUTER.route("DELETE", "/v2/registry/{registry_name}/repositories/{repository_name}/tags/{repository_tag}")
def delete_tag(store, req, registry_name, repository_name, repository_tag):
    for manifest in _manifests(store, registry_name, repository_name):
        if repository_tag in manifest["tags"]:
            manifest["tags"].remove(repository_tag)
            return no_content()
    raise not_found()


@ROUTER.route("GET", "/v2/registry/{registry_name}/repositories/{repository_name}/digests")
def list_manifests(store, req, registry_name, repository_name):
    return ok(paginate(req, _manifests(store, registry_name, repository_name), "manifests"))


@ROUTER.route("DELETE", "/v2/registry/{registry_name}/repositories/{repository_name}/digests/{manifest_digest}")
def delete_manifest(store, req, registry_name, repository_name, manifest_digest):
    _manifests(store, registry_name, repository_name)
    manifests = store.data["repositories"][repository_name]
    if manifest_digest not in manifests:
        raise not_found()
    del manifests[manifest_digest]
    if not manifests:
        del store.data["repositories"][repository_name]
    return no_content()
