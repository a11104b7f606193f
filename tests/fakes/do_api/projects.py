"""/v2/projects: projects, the default project, and which project each resource (URN) belongs to."""

from __future__ import annotations

from .api import ROUTER, created, new_id, no_content, not_found, now, ok, paginate, precondition_failed, unprocessable

FIELDS = ("name", "description", "purpose", "environment")


def _default(store):
    return next(p for p in store.data["projects"].values() if p["is_default"])


def _get(store, project_id):
    if project_id == "default":
        return _default(store)
    project = store.data["projects"].get(project_id)
    if project is None:
        raise not_found()
    return project


def assign_to_default(store, urn):
    """New resources land in the default project, as on DigitalOcean."""
    store.data["project_resources"][urn] = {"project_id": _default(store)["id"], "assigned_at": now()}


def unassign(store, urn):
    store.data["project_resources"].pop(urn, None)


def _split(urn):
    """("kubernetes", "<id>") from "do:kubernetes:<id>"."""
    parts = urn.split(":", 2)
    return (parts[1], parts[2]) if len(parts) == 3 else (None, None)


def _self_link(req, urn):
    """The API URL of a resource the fake knows, or None (a Spaces bucket lives in the S3 emulation)."""
    kind, ident = _split(urn)
    if kind == "kubernetes":
        return "%s/v2/kubernetes/clusters/%s" % (req.base_url, ident)
    return None


def _exists(store, urn):
    kind, ident = _split(urn)
    if kind == "kubernetes":
        return ident in store.data["clusters"]
    # Spaces buckets are served by the S3 emulation, which this fake cannot see: taken on trust.
    return kind == "space"


def _resource(req, urn, assignment, status):
    out = {"urn": urn, "assigned_at": assignment["assigned_at"], "status": status}
    link = _self_link(req, urn)
    if link:
        out["links"] = {"self": link}
    return out


def _set_default(store, project):
    for other in store.data["projects"].values():
        other["is_default"] = other["id"] == project["id"]


def _update(store, project, body, partial):
    if not partial:
        missing = [k for k in FIELDS + ("is_default",) if body.get(k) is None]
        if missing:
            raise unprocessable("a project update (PUT) needs every field; missing: %s" % ", ".join(missing))
    for key in FIELDS:
        if body.get(key) is not None:
            project[key] = body[key]
    if body.get("is_default") is True:
        _set_default(store, project)
    elif body.get("is_default") is False and project["is_default"]:
        raise unprocessable("the default project cannot be unset; make another project the default instead")
    project["updated_at"] = now()
    return ok({"project": project})


@ROUTER.route("GET", "/v2/projects")
def list_projects(store, req):
    projects = sorted(store.data["projects"].values(), key=lambda p: p["created_at"])
    return ok(paginate(req, projects, "projects"))


@ROUTER.route("POST", "/v2/projects")
def create_project(store, req):
    body = req.json()
    for key in ("name", "purpose"):
        if not body.get(key):
            raise unprocessable("project %s is required" % key)
    project_id = new_id()
    project = {
        "id": project_id,
        "owner_uuid": store.data["account"]["uuid"],
        "owner_id": 1,
        "name": body["name"],
        "description": body.get("description") or "",
        "purpose": body["purpose"],
        "environment": body.get("environment") or "Development",
        "is_default": False,
        "created_at": now(),
        "updated_at": now(),
    }
    store.data["projects"][project_id] = project
    if body.get("is_default"):
        _set_default(store, project)
    return created({"project": project})


@ROUTER.route("GET", "/v2/projects/{project_id}")
def read_project(store, req, project_id):
    return ok({"project": _get(store, project_id)})


@ROUTER.route("PUT", "/v2/projects/{project_id}")
def put_project(store, req, project_id):
    return _update(store, _get(store, project_id), req.json(), partial=False)


@ROUTER.route("PATCH", "/v2/projects/{project_id}")
def patch_project(store, req, project_id):
    return _update(store, _get(store, project_id), req.json(), partial=True)


@ROUTER.route("DELETE", "/v2/projects/{project_id}")
def delete_project(store, req, project_id):
    project = _get(store, project_id)
    if project["is_default"]:
        raise precondition_failed("cannot delete the default project")
    if any(a["project_id"] == project["id"] for a in store.data["project_resources"].values()):
        raise precondition_failed("cannot delete a project with resources. move or remove the resources first")
    del store.data["projects"][project["id"]]
    return no_content()


@ROUTER.route("GET", "/v2/projects/{project_id}/resources")
def list_resources(store, req, project_id):
    project = _get(store, project_id)
    found = [
        _resource(req, urn, a, "ok")
        for urn, a in sorted(store.data["project_resources"].items())
        if a["project_id"] == project["id"]
    ]
    return ok(paginate(req, found, "resources"))


@ROUTER.route("POST", "/v2/projects/{project_id}/resources")
def assign_resources(store, req, project_id):
    project = _get(store, project_id)
    results = []
    for urn in req.json()["resources"]:
        if not _exists(store, urn):
            results.append({"urn": urn, "status": "not_found"})
            continue
        # Assigning moves a resource out of the project it was in.
        assignment = {"project_id": project["id"], "assigned_at": now()}
        store.data["project_resources"][urn] = assignment
        results.append(_resource(req, urn, assignment, "assigned"))
    return ok({"resources": results})
