"""Bodies that are not JSON an API should take (found by schema fuzzing): json_body() turns each
into 400 malformed_json, for every route, before anything is stored."""

import pytest

SURROGATE_VALUE = b'{"name": "\\ud800", "starts_at": "2027-05-01T09:00:00+02:00"}'
HOSTILE = {
    "nested too deeply": b"[" * 100_000 + b"]" * 100_000,
    "objects nested too deeply": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    "lone surrogate in a value": SURROGATE_VALUE,
    "lone surrogate in a key": b'{"\\udfff": 1}',
    "low surrogate first": b'{"name": "\\udc00\\ud800"}',
    "NaN": b'{"name": NaN}',
    "Infinity": b'{"latitude": Infinity}',
    "-Infinity": b'{"latitude": -Infinity}',
    "integer of 5000 digits": b'{"quantity": ' + b"9" * 5000 + b"}",
    "not UTF-8": b'{"name": "\xe9"}',
}
EVENT = {
    "name": "Conf",
    "starts_at": "2027-05-01T09:00:00+02:00",
    "ends_at": "2027-05-03T18:00:00+02:00",
    "timezone": "Europe/Berlin",
}


@pytest.mark.parametrize("body", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_bodies_are_malformed_json(api, signup, body):
    token = signup()
    event = api.post("/events", EVENT, token=token).json

    for method, path in [
        ("POST", "/events"),
        ("PATCH", f"/events/{event['id']}"),
        ("POST", f"/events/{event['id']}/tickets"),
        ("POST", f"/events/{event['id']}/microlocations"),
        ("POST", "/auth/login"),
        ("POST", "/auth/signup"),
    ]:
        response = api.request(method, path, raw=body, token=token)
        assert response.status == 400, (method, path, response.json)
        assert response.error_code == "malformed_json"

    assert [e["name"] for e in api.get("/me/events", token=token).json] == ["Conf"]


def test_a_valid_pair_of_surrogates_is_text(api, signup):
    token = signup()
    response = api.request(
        "POST", "/events", raw=SURROGATE_VALUE.replace(b"\\ud800", b"\\ud83d\\ude00"), token=token
    )
    assert response.status == 422  # the pair is 😀; only ends_at and timezone are missing
    assert set(response.json["error"]["details"]) == {"ends_at", "timezone"}


def test_a_lone_surrogate_is_refused_where_it_would_be_stored(api, signup):
    token = signup()
    event = api.post("/events", EVENT, token=token).json

    response = api.request(
        "PATCH", f"/events/{event['id']}", raw=b'{"description": "ok \\ud800"}', token=token
    )

    assert response.status == 400
    assert "UTF-16" in response.json["error"]["message"]
    assert api.get(f"/events/{event['id']}", token=token).json["description"] == ""
