"""The DigitalOcean API fake's contract checks against DigitalOcean's published OpenAPI spec.

Every test of this directory runs its fakes through the ``make_do_fake`` fixture, which fails the test at
teardown if the fake sent any response that violates the spec. The tests below show that the checks catch
what they should: a bad request, a deliberately wrong response, an operation the fake does not implement.
"""

from __future__ import annotations

import jsonschema
import pytest

from do_sandbox import Api, requires_contract
from fakes.do_api.contract import to_json_schema


def _valid(schema, direction, instance):
    return jsonschema.Draft4Validator(to_json_schema(schema, direction)).is_valid(instance)


# The OpenAPI 3.0 -> JSON Schema adaptation (no spec file needed).
def test_nullable_admits_null_in_both_directions():
    schema = {"type": "object", "properties": {"labels": {"type": "object", "nullable": True}}, "required": ["labels"]}
    for direction in ("request", "response"):
        assert _valid(schema, direction, {"labels": None})
        assert not _valid(schema, direction, {"labels": "x"})


def test_read_only_is_not_required_in_requests_and_write_only_not_in_responses():
    schema = {
        "type": "object",
        "required": ["id", "secret"],
        "properties": {"id": {"type": "string", "readOnly": True}, "secret": {"type": "string", "writeOnly": True}},
    }
    assert _valid(schema, "request", {"secret": "s"}) and not _valid(schema, "request", {"id": "i"})
    assert _valid(schema, "response", {"id": "i"}) and not _valid(schema, "response", {"secret": "s"})


def test_null_means_absent_for_optional_request_fields_only():
    schema = {
        "type": "object",
        "required": ["name"],
        "allOf": [{"type": "object", "properties": {"name": {"type": "string"}, "droplet_ids": {"type": "array"}}}],
    }
    assert _valid(schema, "request", {"name": "a", "droplet_ids": None})
    assert not _valid(schema, "request", {"name": None})  # required, declared in an allOf member
    assert not _valid(schema, "response", {"name": "a", "droplet_ids": None})


# Against the spec, through the running fake.
@requires_contract
@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/v2/vpcs", {"name": "has spaces", "region": "fra1"}, "name"),
        ("/v2/vpcs", {"name": "no-region"}, "'region' is a required property"),
        ("/v2/kubernetes/clusters", {"name": "c", "region": "fra1", "version": "latest"}, "'node_pools'"),
        (
            "/v2/firewalls",
            {"name": "fw", "inbound_rules": [{"protocol": "sctp", "ports": "1", "sources": {}}]},
            "inbound_rules/0/protocol",
        ),
        ("/v2/projects", {"name": "p", "purpose": "x", "environment": "Prod"}, "environment: 'Prod' is not one of"),
        ("/v2/apps", {"spec": {"name": "Not_Valid"}}, "spec/name"),
    ],
)
def test_a_request_the_spec_rejects_gets_422_naming_the_field(do_fake, path, body, field):
    status, error = Api(do_fake).post(path, body)
    assert status == 422
    assert error["id"] == "unprocessable_entity" and field in error["message"], error
    snapshot = do_fake.snapshot()
    assert not (snapshot["vpcs"] or snapshot["clusters"] or snapshot["firewalls"] or snapshot["apps"])


@requires_contract
def test_a_response_that_violates_the_spec_is_caught(do_fake):
    api = Api(do_fake)
    body = api.ok("POST", "/v2/vpcs", {"name": "sandbox", "region": "fra1"})
    vpc_id = body["vpc"]["id"]
    # Break the stored VPC behind the API's back, as a bug in the fake would.
    with do_fake.store.lock:
        do_fake.store.data["vpcs"][vpc_id]["created_at"] = "yesterday"

    status, error = api.get("/v2/vpcs/" + vpc_id)
    assert status == 500 and error["id"] == "server_error"
    assert "vpc/created_at: 'yesterday' is not a 'date-time'" in error["message"]
    assert do_fake.violations == [
        "GET /v2/vpcs/%s -> response 200 violates the contract: "
        "vpc/created_at: 'yesterday' is not a 'date-time'" % vpc_id
    ]
    with pytest.raises(AssertionError, match="contract violations"):
        do_fake.assert_no_violations()
    do_fake.violations.clear()  # seen: do not fail this test at teardown


@requires_contract
def test_an_operation_the_fake_does_not_implement_is_a_violation(do_fake):
    status, error = Api(do_fake).get("/v2/domains")
    assert (status, error["id"]) == (501, "not_implemented")
    assert do_fake.violations == ["GET /v2/domains -> the fake does not implement GET /v2/domains"]
    do_fake.violations.clear()


@requires_contract
def test_an_operation_the_spec_does_not_define_gets_404(do_fake):
    # The fake's route /v2/projects/{project_id} would match; the real API has no DELETE /v2/projects/default.
    status, error = Api(do_fake).call("DELETE", "/v2/projects/default")
    assert (status, error["id"]) == (404, "not_found")
    assert len(do_fake.snapshot()["projects"]) == 1


def test_without_the_spec_the_fake_runs_unchecked(make_do_fake, tmp_path):
    fake = make_do_fake(spec_path=str(tmp_path / "absent.json"))
    assert fake.contract is None
    # The spec's name pattern is not enforced any more; the fake's own rules still are.
    assert Api(fake).post("/v2/vpcs", {"name": "has spaces", "region": "fra1"})[0] == 201
    assert Api(fake).post("/v2/vpcs", {"name": "x", "region": "mars1"})[0] == 422
