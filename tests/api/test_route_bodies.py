"""The route wrapper reads a body from the route's definition only once the caller may use the
route, and hands the view the clean value."""


def test_a_caller_without_the_role_is_refused_before_the_body_is_read(api, signup, make_event):
    owner, stranger = signup(), signup()
    event = make_event(owner)
    path = f"/events/{event['id']}/tickets"

    refused = api.post(path, {"name": "", "price": 12}, token=stranger)
    assert refused.status == 403
    assert api.post(path, {"name": "", "price": 12}, token=owner).status == 422
    missing = api.post("/events/nope/tracks", {"surprise": True}, token=owner)
    assert missing.status in (403, 404), missing.json


def test_the_view_gets_the_clean_body(api, signup, make_event):
    owner = signup()
    event = make_event(owner, currency="eur", description=None)
    assert event["currency"] == "EUR" and event["description"] == ""
    track = api.post(f"/events/{event['id']}/tracks", {"name": "  Main  ", "color": "#AABBCC"}, token=owner)
    assert track.status == 201
    assert (track.json["name"], track.json["color"]) == ("Main", "#aabbcc")


def test_a_guard_above_the_route_is_refused_rather_than_silently_skipped():
    import pytest

    from chalicelib.http.access import staff_only
    from chalicelib.http.routing import ApiBlueprint

    bp = ApiBlueprint("misplaced")

    def view() -> dict:
        return {}

    with pytest.raises(TypeError, match=r"below @bp\.route"):
        staff_only(bp.route("/misplaced")(view))
