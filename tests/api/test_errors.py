"""Every error has the body of API.md, including Chalice's own (wrong method, malformed JSON)."""


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
    monkeypatch.setattr("chalicelib.http.auth.get_user_or_none", explode)
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
