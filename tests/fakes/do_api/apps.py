"""/v2/apps: App Platform apps and their deployments.

Creating an app, updating its spec or asking for a deployment starts a deployment that is ``BUILDING`` for the
store's provision delay and then ``ACTIVE``; the deployment it replaces becomes ``SUPERSEDED`` (or ``CANCELED``
if it had not finished yet). The spec is stored as given: the fake fills in none of the defaults the real
App Platform adds.
"""

from __future__ import annotations

from .api import ROUTER, new_id, not_found, now, ok, paginate, unprocessable
from .catalog import APP_REGIONS
from .store import Store


def _get(store, app_id):
    app = store.data["apps"].get(app_id)
    if app is None:
        raise not_found()
    return app


def _deploy(store, app, cause):
    for previous in app["_deployments"]:
        if Store.is_busy(previous):
            previous["_canceled"] = True
    deployment = {
        "id": new_id(),
        "spec": app["spec"],
        "cause": cause,
        "created_at": now(),
        "updated_at": now(),
        "_busy_until": store.busy_until(),
    }
    app["_deployments"].append(deployment)
    app["last_deployment_created_at"] = deployment["created_at"]
    return deployment


def _phase(app, deployment):
    if deployment.get("_canceled"):
        return "CANCELED"
    if Store.is_busy(deployment):
        return "BUILDING"
    finished = [d for d in app["_deployments"] if not d.get("_canceled") and not Store.is_busy(d)]
    return "ACTIVE" if deployment is finished[-1] else "SUPERSEDED"


def render_deployment(app, deployment):
    out = Store.public(deployment)
    out["phase"] = _phase(app, deployment)
    out["phase_last_updated_at"] = deployment["updated_at"]
    done = 0 if out["phase"] in ("BUILDING", "CANCELED") else 1
    out["progress"] = {"success_steps": done, "pending_steps": 1 - done, "total_steps": 1}
    return out


def render(app):
    out = Store.public(app)
    rendered = [render_deployment(app, d) for d in app["_deployments"]]
    active = [d for d in rendered if d["phase"] == "ACTIVE"]
    building = [d for d in rendered if d["phase"] == "BUILDING"]
    if active:
        out["active_deployment"] = active[-1]
        out.update(
            live_url=app["default_ingress"],
            live_url_base=app["default_ingress"],
            live_domain=app["default_ingress"][len("https://") :],
        )
    if building:
        out["in_progress_deployment"] = building[-1]
    slug = app["spec"].get("region") or "nyc"
    out["region"] = {"slug": slug, "data_centers": [APP_REGIONS[slug]]}
    return out


def _check_spec(store, spec, app_id=None):
    for other in store.data["apps"].values():
        if other["spec"]["name"] == spec["name"] and other["id"] != app_id:
            raise unprocessable("an app named %r already exists" % spec["name"])


@ROUTER.route("GET", "/v2/apps")
def list_apps(store, req):
    apps = sorted(store.data["apps"].values(), key=lambda a: a["created_at"])
    return ok(paginate(req, [render(a) for a in apps], "apps"))


@ROUTER.route("POST", "/v2/apps")
def create_app(store, req):
    body = req.json()
    _check_spec(store, body["spec"])
    project_id = body.get("project_id")
    if project_id is None:
        project_id = next(p["id"] for p in store.data["projects"].values() if p["is_default"])
    elif project_id not in store.data["projects"]:
        raise unprocessable("project_id %s is not a project of this account" % project_id)
    app_id = new_id()
    app = {
        "id": app_id,
        "owner_uuid": store.data["account"]["uuid"],
        "project_id": project_id,
        "spec": body["spec"],
        "default_ingress": "https://%s-%s.ondigitalocean.app" % (body["spec"]["name"], app_id[:5]),
        "created_at": now(),
        "updated_at": now(),
        "_deployments": [],
    }
    _deploy(store, app, "initial deployment")
    store.data["apps"][app_id] = app
    # The real API answers 200 here, not 201 (see the spec).
    return ok({"app": render(app)})


@ROUTER.route("GET", "/v2/apps/{id}")
def read_app(store, req, id):  # noqa: A002 - the spec names this path parameter "id"
    return ok({"app": render(_get(store, id))})


@ROUTER.route("PUT", "/v2/apps/{id}")
def update_app(store, req, id):  # noqa: A002
    app = _get(store, id)
    spec = req.json()["spec"]
    _check_spec(store, spec, id)
    app.update(spec=spec, updated_at=now())
    _deploy(store, app, "app spec updated")
    return ok({"app": render(app)})


@ROUTER.route("DELETE", "/v2/apps/{id}")
def delete_app(store, req, id):  # noqa: A002
    _get(store, id)
    del store.data["apps"][id]
    return ok({"id": id})


@ROUTER.route("GET", "/v2/apps/{app_id}/deployments")
def list_deployments(store, req, app_id):
    app = _get(store, app_id)
    newest_first = [render_deployment(app, d) for d in reversed(app["_deployments"])]
    return ok(paginate(req, newest_first, "deployments"))


@ROUTER.route("POST", "/v2/apps/{app_id}/deployments")
def create_deployment(store, req, app_id):
    app = _get(store, app_id)
    deployment = _deploy(store, app, "manual" + (" (force build)" if req.json().get("force_build") else ""))
    return ok({"deployment": render_deployment(app, deployment)})


@ROUTER.route("GET", "/v2/apps/{app_id}/deployments/{deployment_id}")
def read_deployment(store, req, app_id, deployment_id):
    app = _get(store, app_id)
    for deployment in app["_deployments"]:
        if deployment["id"] == deployment_id:
            return ok({"deployment": render_deployment(app, deployment)})
    raise not_found()
