"""The served OpenAPI document is valid OpenAPI 3.1 and says, for every operation, what success
looks like (tests/integration/test_schema_fuzz.py holds the running API to it)."""

import jsonschema
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from app import app
from chalicelib.domain.fields import Schemaless
from chalicelib.domain.objects import list_of
from chalicelib.http.openapi import build_openapi
from chalicelib.http.routing import ApiBlueprint

METHODS = ("get", "post", "put", "patch", "delete")


def _operations(document):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


@pytest.fixture
def document(api):
    response = api.get("/openapi.json")
    assert response.status == 200
    assert response.headers["content-type"].startswith("application/json")
    return response.json


def test_the_served_document_is_valid_openapi_3_1(document):
    assert document["openapi"] == "3.1.0"
    validate(document, cls=OpenAPIV31SpecValidator)


def test_the_validator_would_notice_a_broken_document(document):
    document["paths"]["/me"]["get"]["responses"]["200"] = {"content": {}}  # no description
    with pytest.raises(OpenAPIValidationError):
        validate(document, cls=OpenAPIV31SpecValidator)


def test_every_operation_documents_its_success_and_its_errors(document):
    for path, method, operation in _operations(document):
        successes = [code for code in operation["responses"] if code.startswith("2")]
        assert len(successes) == 1, f"{method} {path}: {successes}"
        (success,) = successes
        assert "default" not in operation["responses"], f"{method} {path} accepts any status"
        for code in ("400", "401", "403", "404", "422", "429"):
            assert "$ref" in operation["responses"][code], f"{method} {path} lacks {code}"
        if success == "204":
            assert "content" not in operation["responses"]["204"]
            continue
        (media,) = operation["responses"][success]["content"].values()
        assert media["schema"], f"{method} {path} documents no response schema"
        if method == "get":
            assert "304" in operation["responses"]
            assert operation["responses"][success]["headers"]["ETag"]["required"] is True


def test_errors_are_shared_responses_in_our_shape(document):
    shared = document["components"]["responses"]
    assert document["paths"]["/me"]["get"]["responses"]["404"] == {"$ref": "#/components/responses/NotFound"}
    error = shared["NotFound"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/Error"}
    assert shared["TooManyRequests"]["headers"]["Retry-After"]["required"] is True


def test_creates_answer_201_and_deletes_204(document):
    assert "201" in document["paths"]["/events"]["post"]["responses"]
    assert "201" in document["paths"]["/events/{event_id}/tickets"]["post"]["responses"]
    assert "201" in document["paths"]["/events/{event_id}/tracks"]["post"]["responses"]
    assert "201" in document["paths"]["/auth/signup"]["post"]["responses"]
    assert "204" in document["paths"]["/events/{event_id}"]["delete"]["responses"]
    assert "204" in document["paths"]["/auth/logout"]["post"]["responses"]
    assert "200" in document["paths"]["/auth/login"]["post"]["responses"]


def test_bodies_and_options_are_described(document):
    create_event = document["paths"]["/events"]["post"]["requestBody"]
    assert create_event["required"] is True
    schema = create_event["content"]["application/json"]["schema"]
    assert set(schema["required"]) == {"name", "starts_at", "ends_at", "timezone"}
    listing = document["paths"]["/public/events"]["get"]
    listed = {p["name"] for p in listing["parameters"] if p["in"] == "query"}
    assert listed == {"limit", "cursor", "when", "q"}
    assert "X-Next-Cursor" in listing["responses"]["200"]["headers"]
    patch = document["paths"]["/events/{event_id}"]["patch"]
    assert {"name": "If-Match", "in": "header"}.items() <= patch["parameters"][-1].items()
    # Operations that read no body document none; mark-paid's body may be left out.
    assert "requestBody" not in document["paths"]["/auth/logout"]["post"]
    mark_paid = document["paths"]["/events/{event_id}/orders/{order_id}/mark-paid"]["post"]
    assert mark_paid["requestBody"]["required"] is False
    assert document["paths"]["/events/{event_id}"]["patch"]["requestBody"]["required"] is True


def test_named_schemas_are_shared_components_and_valid_json_schema(document):
    schemas = document["components"]["schemas"]
    assert {"Event", "Ticket", "Track", "Session", "Order", "Error", "User"} <= set(schemas)
    for name, schema in schemas.items():
        jsonschema.Draft202012Validator.check_schema(schema)
        assert "title" in schema, name
    event = document["paths"]["/events/{event_id}"]["get"]["responses"]["200"]["content"]
    assert event["application/json"]["schema"] == {"$ref": "#/components/schemas/MemberEvent"}
    assert {"Allowed", "MemberEvent"} <= set(schemas)


def test_an_event_as_served_matches_its_documented_schema(api, signup, make_event, document):
    token = signup("schema@example.com")
    event = make_event(token)

    def check(value, name):
        schema = {"components": document["components"], "$ref": f"#/components/schemas/{name}"}
        jsonschema.validate(value, schema, cls=jsonschema.Draft202012Validator)

    check(event, "Event")
    member_view = api.get(f"/events/{event['id']}", token=token).json
    check(member_view, "MemberEvent")
    check(api.get("/me", token=token).json, "Me")
    with pytest.raises(jsonschema.ValidationError):
        check({**event, "state": "archived"}, "Event")
    with pytest.raises(jsonschema.ValidationError):
        check({**member_view, "allowed": {**member_view["allowed"], "track": {"read": "yes"}}}, "MemberEvent")


def test_two_schemas_with_one_title_are_refused():
    bp = ApiBlueprint("clash")
    first = Schemaless({"title": "Thing", "type": "object"})
    second = Schemaless({"title": "Thing", "type": "array"})

    @bp.route("/a", response=first)
    def a() -> dict:
        return {}

    @bp.route("/b", response=list_of(second))
    def b() -> list:
        return []

    from chalice import Chalice

    clash = Chalice(app_name="clash")
    clash.register_blueprint(bp)
    with pytest.raises(ValueError, match="Thing"):
        build_openapi(clash)
    assert build_openapi(app)["components"]["schemas"]
