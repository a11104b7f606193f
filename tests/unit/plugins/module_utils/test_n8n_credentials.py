"""Credential identity, data validation and the update_data decision (no server)."""

import pytest

from ansible_collections.insightpulseai.workbench.plugins.module_utils import _n8n_credentials as crd
from ansible_collections.insightpulseai.workbench.plugins.module_utils._runtime import DriftError, SpecError

# GET /api/v1/credentials/schema/postgres on n8n 2.41.1 (abridged).
PG_SCHEMA = {
    "additionalProperties": False,
    "type": "object",
    "required": [],
    "properties": {
        "host": {"type": "string"},
        "database": {"type": "string"},
        "user": {"type": "string"},
        "password": {"type": "string"},
        "port": {"type": "number"},
        "allowUnauthorizedCerts": {"type": "boolean"},
        "ssl": {"type": "string", "enum": ["allow", "disable", "require"]},
    },
}
LIST = [
    {"id": "1", "name": "Workbench Postgres", "type": "postgres"},
    {"id": "2", "name": "Workbench Postgres", "type": "httpHeaderAuth"},
]


def test_identity_is_type_and_exact_name():
    assert crd.find(LIST, "postgres", "Workbench Postgres")["id"] == "1"
    assert crd.find(LIST, "postgres", "workbench postgres") is None
    with pytest.raises(crd.CredentialError, match=r"2 credentials of type postgres are named 'X' \(ids a, b\)"):
        crd.find(
            [{"id": "b", "name": "X", "type": "postgres"}, {"id": "a", "name": "X", "type": "postgres"}],
            "postgres",
            "X",
        )


def test_errors_are_the_runtime_kinds():
    with pytest.raises(DriftError) as err:
        crd.find([{"id": "b", "name": "X", "type": "postgres"}] * 2, "postgres", "X")
    assert err.value.kind == "drift" and err.value.written is False
    with pytest.raises(SpecError) as err:
        crd.check_data(PG_SCHEMA, {"hostname": "h"}, "postgres")
    assert err.value.kind == "spec" and isinstance(err.value, crd.CredentialError)


def test_valid_data_passes():
    crd.check_data(PG_SCHEMA, {"host": "h", "port": 5432, "password": "pw", "ssl": "disable"}, "postgres")


@pytest.mark.parametrize(
    "data,message",
    [
        ({"hostname": "h"}, "field(s) hostname that a postgres credential does not have"),
        ({"ssl": "verify-full"}, "data.ssl must be one of allow, disable, require"),
        ({"port": "5432"}, "data.port must be a number"),
        ({"allowUnauthorizedCerts": "yes"}, "data.allowUnauthorizedCerts must be a boolean"),
    ],
)
def test_invalid_data_names_the_field_never_the_value(data, message):
    data = dict(data, password="S3cret!")
    with pytest.raises(crd.CredentialError) as err:
        crd.check_data(PG_SCHEMA, data, "postgres")
    assert message in str(err.value)
    assert "S3cret!" not in str(err.value)


def test_required_fields():
    with pytest.raises(crd.CredentialError, match="lacks the required field"):
        crd.check_data(dict(PG_SCHEMA, required=["host"]), {"password": "x"}, "postgres")


@pytest.mark.parametrize(
    "current,state,update,expected",
    [
        (None, "present", "on_create", "create"),
        (None, "present", "always", "create"),
        ({"id": "1"}, "present", "on_create", "none"),
        ({"id": "1"}, "present", "always", "update_data"),
        ({"id": "1"}, "absent", "on_create", "delete"),
        (None, "absent", "always", "none"),
    ],
)
def test_update_data_decision(current, state, update, expected):
    assert crd.plan(current, state, update)[0] == expected


def test_views_never_hold_values():
    assert crd.data_view({"password": "x", "host": "y"}) == "<write-only: fields host, password; values not shown>"
    assert crd.summary({"id": "1", "name": "n", "type": "t", "data": {"password": "x"}}) == {
        "id": "1",
        "name": "n",
        "type": "t",
        "createdAt": None,
        "updatedAt": None,
    }
