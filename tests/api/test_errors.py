"""Every error has the body of docs/api.md, including Chalice's own (wrong method, malformed JSON);
every answer carries the API's security headers."""

import pytest


def test_wrong_method_has_our_error_body(api, signup):
    response = api.request("PUT", "/me", token=signup())

    assert response.status == 405
    assert response.json["error"]["code"] == "method_not_allowed"
    assert response.json["error"]["message"]


def test_malformed_json_is_400_with_our_body(api):
    response = api.post("/auth/login", raw=b'{"email": ')

    assert response.status == 400
    assert response.json == {
        "error": {"code": "malformed_json", "message": response.json["error"]["message"], "details": {}}
    }


def test_unexpected_error_is_a_500_without_internals(api, signup, monkeypatch):
    from chalicelib.store import users

    def explode(*_args, **_kwargs):
        raise RuntimeError("secret internal detail arn:aws:dynamodb:us-east-1:123456789012:table/x")

    token = signup()
    monkeypatch.setattr(users, "get_user_or_none", explode)
    response = api.get("/me", token=token)

    assert response.status == 500
    assert response.json["error"]["code"] == "internal_error"
    assert "secret" not in response.body.decode() and "arn:" not in response.body.decode()


def test_oversized_body_is_413(api):
    response = api.post("/auth/login", raw=b'{"email": "' + b"a" * (1024 * 1024) + b'"}')

    assert response.status == 413
    assert response.error_code == "payload_too_large"


def test_cors_exposes_etag_and_allows_conditional_headers(api):
    response = api.get("/public/events")
    assert "ETag" in response.headers["access-control-expose-headers"]
    allowed = response.headers["access-control-allow-headers"]
    assert "If-Match" in allowed and "If-None-Match" in allowed


@pytest.fixture
def every_kind_of_answer(api, signup, make_event, monkeypatch):
    """(what, response) for a success of each kind, our errors and Chalice's own."""
    token = signup("answers@example.com", password="answers password")
    event = make_event(token)
    listed = api.get("/public/events")
    answers = [
        ("200 GET", api.get(f"/events/{event['id']}", token=token)),
        ("304", api.get("/public/events", headers={"If-None-Match": listed.headers["etag"]})),
        (
            "201",
            api.post("/auth/signup", {"email": "new@example.com", "password": "long enough", "name": "N"}),
        ),
        (
            "200 POST",
            api.post("/auth/login", {"email": "answers@example.com", "password": "answers password"}),
        ),
        ("text/csv", api.get(f"/events/{event['id']}/orders.csv", token=token)),
        ("400", api.post("/auth/login", raw=b'{"email": ')),
        ("401", api.get("/me")),
        ("404", api.get("/public/events/nope")),
        ("405 (Chalice's)", api.request("PUT", "/me", token=token)),
        ("413", api.post("/auth/login", raw=b'{"email": "' + b"a" * (1024 * 1024) + b'"}')),
        ("422", api.post("/events", {}, token=token)),
        ("204", api.post("/auth/logout", token=token)),
    ]
    monkeypatch.setattr("chalicelib.store.users.get_user_or_none", lambda *_: 1 / 0)
    answers.append(("500", api.get("/me", token=signup())))
    return answers


def test_every_api_answer_forbids_content_sniffing(every_kind_of_answer):
    statuses = {what: response.status for what, response in every_kind_of_answer}
    assert statuses["text/csv"] == 200 and statuses["405 (Chalice's)"] == 405 and statuses["500"] == 500
    for what, response in every_kind_of_answer:
        assert response.headers.get("x-content-type-options") == "nosniff", what
