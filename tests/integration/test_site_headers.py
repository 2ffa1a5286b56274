"""The local stack serves the frontend with the deployed site's security headers."""

import requests


def test_frontend_is_served_with_security_headers(shared_local_stack):
    for path in ("/", "/js/app.js", "/config.json"):
        response = requests.get(f"{shared_local_stack.base_url}{path}", timeout=10)
        assert response.status_code == 200, path
        policy = response.headers["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["script-src"] == "'self'", path
        assert "unsafe-inline" not in policy
        assert directives["frame-ancestors"] == "'none'"
        assert shared_local_stack.ws_url in directives["connect-src"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert response.headers["X-Frame-Options"] == "DENY"


def test_api_errors_carry_no_stack_or_aws_ids(shared_local_stack):
    response = requests.get(f"{shared_local_stack.api_url}/no/such/route", timeout=10)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not any(name.lower().startswith("x-amz") for name in response.headers)
    assert "Traceback" not in response.text


def test_every_api_answer_forbids_content_sniffing(shared_local_stack):
    api = shared_local_stack.api_url
    answers = {
        "the app's": requests.get(f"{api}/public/events", timeout=10),
        "the app's error": requests.get(f"{api}/me", timeout=10),
        "the gateway's unknown route": requests.get(f"{api}/no/such/route", timeout=10),
        # A chunked body, without Content-Length.
        "the gateway's length required": requests.post(f"{api}/auth/login", data=iter([b"{}"]), timeout=10),
    }
    assert [answer.status_code for answer in answers.values()] == [200, 401, 404, 411]
    for what, answer in answers.items():
        assert answer.headers.get("X-Content-Type-Options") == "nosniff", what
        assert "Content-Security-Policy" not in answer.headers, what
