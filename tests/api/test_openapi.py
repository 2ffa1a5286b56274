"""The served OpenAPI document covers every route the app has."""

from app import app


def test_openapi_document_covers_every_route(api):
    response = api.get("/openapi.json")

    assert response.status == 200
    document = response.json
    assert document["openapi"].startswith("3.1")
    served = {(path, method) for path, methods in document["paths"].items() for method in methods}
    routed = {
        (path, method.lower())
        for path, methods in app.routes.items()
        for method in methods
        if method != "OPTIONS"
    }
    assert routed, "the app has no routes"
    assert routed - served == set(), "routes missing from openapi.json"
    assert served - routed == set(), "openapi.json documents routes that do not exist"


def test_public_operations_declare_no_security(api):
    document = api.get("/openapi.json").json
    assert document["paths"]["/auth/login"]["post"]["security"] == []
    assert "security" not in document["paths"]["/me"]["get"]
    assert document["security"] == [{"bearer": []}]
