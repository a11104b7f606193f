"""API errors, rendered as the metav1.Status bodies a real API server sends."""

from __future__ import annotations

import json


class ApiError(Exception):
    def __init__(self, code, reason, message, details=None):
        super().__init__(message)
        self.code, self.reason, self.message, self.details = code, reason, message, details

    def status(self):
        body = dict(
            kind="Status",
            apiVersion="v1",
            metadata={},
            status="Failure",
            message=self.message,
            reason=self.reason,
            code=self.code,
        )
        if not self.reason:  # errors that are not StatusErrors (e.g. from storage) carry no reason
            del body["reason"]
        if self.details is not None:
            body["details"] = self.details
        return body


def _details(rt, name, **extra):
    details = dict(name=name, kind=rt.plural, **extra)
    if rt.group:
        details["group"] = rt.group
    return details


def not_found(rt, name):
    return ApiError(404, "NotFound", '%s "%s" not found' % (rt.group_resource, name), _details(rt, name))


def namespace_not_found(namespace):
    return ApiError(404, "NotFound", 'namespaces "%s" not found' % namespace, dict(name=namespace, kind="namespaces"))


def namespace_terminating(namespace, rt, name):
    return ApiError(
        403,
        "Forbidden",
        '%s "%s" is forbidden: unable to create new content in namespace %s because it is being '
        'terminated' % (rt.group_resource, name, namespace),
        dict(
            _details(rt, name),
            causes=[
                dict(
                    reason="NamespaceTerminating",
                    field="metadata.namespace",
                    message="namespace %s is being terminated" % namespace,
                )
            ],
        ),
    )


def already_exists(rt, name):
    return ApiError(409, "AlreadyExists", '%s "%s" already exists' % (rt.group_resource, name), _details(rt, name))


MODIFIED = "the object has been modified; please apply your changes to the latest version and try again"


def conflict(rt, name, why=MODIFIED):
    return ApiError(
        409,
        "Conflict",
        'Operation cannot be fulfilled on %s "%s": %s' % (rt.group_resource, name, why),
        _details(rt, name),
    )


def apply_conflict(rt, name, conflicts):
    causes = [
        dict(reason="FieldManagerConflict", message='conflict with "%s"' % manager, field=field)
        for manager, field in conflicts
    ]
    lines = ['conflict with "%s": %s' % (manager, field) for manager, field in conflicts]
    if len(lines) == 1:
        message = "Apply failed with 1 conflict: " + lines[0]
    else:
        message = "Apply failed with %d conflicts: %s" % (len(lines), "\n".join("- " + x for x in lines))
    return ApiError(409, "Conflict", message, dict(_details(rt, name), causes=causes))


def invalid(rt, name, causes):
    """causes: [(field, message)]; a 422 like the real validation errors (kind, not plural, in the message)."""
    kind = "%s.%s" % (rt.kind, rt.group) if rt.group else rt.kind
    text = ", ".join("%s: %s" % (field, message) for field, message in causes)
    details = dict(
        name=name,
        kind=rt.kind,
        causes=[dict(reason="FieldValueInvalid", message=message, field=field) for field, message in causes],
    )
    if rt.group:
        details["group"] = rt.group
    if len(causes) > 1:
        text = "[%s]" % text
    return ApiError(422, "Invalid", '%s "%s" is invalid: %s' % (kind, name, text), details)


FIELD_MANAGER_MAX_LENGTH = 128


def check_patch_options(patch_kind, field_manager, force_given):
    """PatchOptions as the API server validates them before it looks at the object (ValidatePatchOptions): an apply
    needs a fieldManager, ``force`` belongs to apply only, a fieldManager is at most 128 printable characters. Each
    failure is a 422 Invalid on kind PatchOptions, group meta.k8s.io."""
    causes = []
    if patch_kind != "apply" and force_given:
        causes.append(("FieldValueForbidden", "force", "Forbidden: may not be specified for non-apply patch"))
    if patch_kind == "apply" and not field_manager:
        causes.append(("FieldValueRequired", "fieldManager", "Required value: is required for apply patch"))
    if field_manager and len(field_manager) > FIELD_MANAGER_MAX_LENGTH:
        causes.append(
            ("FieldValueTooLong", "fieldManager", "Too long: may not be more than %d bytes" % FIELD_MANAGER_MAX_LENGTH)
        )
    if field_manager and not field_manager.isprintable():
        causes.append(
            ("FieldValueInvalid", "fieldManager", "Invalid value: %s: must be printable" % json.dumps(field_manager))
        )
    if not causes:
        return
    text = ", ".join("%s: %s" % (field, message) for _reason, field, message in causes)
    raise ApiError(
        422,
        "Invalid",
        'PatchOptions.meta.k8s.io "" is invalid: %s' % (text if len(causes) == 1 else "[%s]" % text),
        dict(
            group="meta.k8s.io",
            kind="PatchOptions",
            causes=[dict(reason=reason, message=message, field=field) for reason, field, message in causes],
        ),
    )


def bad_request(message):
    return ApiError(400, "BadRequest", message)


def unauthorized():
    return ApiError(401, "Unauthorized", "Unauthorized")


def path_not_found():
    return ApiError(404, "NotFound", "the server could not find the requested resource", {})


def method_not_allowed():
    return ApiError(405, "MethodNotAllowed", "the server does not allow this method on the requested resource", {})


def unsupported_media_type(accepted):
    return ApiError(
        415,
        "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: " + ", ".join(accepted),
        {},
    )


def gone(message):
    return ApiError(410, "Expired", message)
