"""GET /events/{id} tells the caller what they may do in the event (``allowed``), and it says
exactly what the routes let through: every operation listed as allowed passes the guard (not 403),
every one listed as refused gets 403."""

import copy

import pytest

from chalicelib.domain.permissions import DEFAULT_MATRIX

# A tag of no resource: a guarded write that passes its guard answers 412 and changes nothing.
FOREIGN_TAG = {"If-Match": '"1-000000000000"'}
MISSING = "0" * 32

# (area, operation) -> one request that needs it. Bodies are invalid or targets missing, so a
# request that passes its guard answers 4xx (never 403) and writes nothing.
PROBES = {
    ("event", "read"): ("GET", "", None, {}),
    ("event", "update"): ("PATCH", "", {"name": "Renamed"}, FOREIGN_TAG),
    ("event", "delete"): ("DELETE", "", None, FOREIGN_TAG),
    ("tickets", "read"): ("GET", "/tickets", None, {}),
    ("tickets", "write"): ("POST", "/tickets", {}, {}),
    ("team", "manage"): ("GET", "/roles", None, {}),
    ("orders", "read"): ("GET", "/orders", None, {}),
    ("orders", "manage"): ("GET", "/orders.csv", None, {}),
    ("activity", "read"): ("GET", "/activity", None, {}),
    ("codes", "manage"): ("POST", "/codes", {}, {}),
    ("messages", "send"): ("POST", "/messages", {}, {}),
    ("attendee", "read"): ("GET", "/checkin-list", None, {}),
    ("attendee", "update"): ("POST", "/checkins", {}, {}),
    **{
        (service, operation): probe
        for service, path in [
            ("track", "tracks"),
            ("session", "sessions"),
            ("speaker", "speakers"),
            ("sponsor", "sponsors"),
            ("microlocation", "microlocations"),
        ]
        for operation, probe in {
            "create": ("POST", f"/{path}", {}, {}),
            "read": ("GET", f"/{path}", None, {}),
            "update": ("PATCH", f"/{path}/{MISSING}", {"name": "x"}, {}),
            "delete": ("DELETE", f"/{path}/{MISSING}", None, {}),
        }.items()
    },
}

EXPECTED_GRANTS = {
    "organizer": set(PROBES),
    "coorganizer": {
        ("event", "read"),
        ("event", "update"),
        ("tickets", "read"),
        ("tickets", "write"),
        ("orders", "read"),
        ("codes", "manage"),
        ("attendee", "read"),
        ("attendee", "update"),
        *(
            (s, op)
            for s in ("track", "session", "speaker", "sponsor", "microlocation")
            for op in ("read", "update")
        ),
    },
    "track_organizer": {("event", "read"), ("tickets", "read"), ("track", "read"), ("track", "update")},
    "moderator": {("event", "read"), ("tickets", "read"), ("track", "read")},
    # Door staff: the event's name and what they may do, the check-in list and scanning.
    "checkin": {("event", "read"), ("attendee", "read"), ("attendee", "update")},
}


def _probe(api, event_id, token, area, operation):
    method, suffix, body, headers = PROBES[(area, operation)]
    return api.request(method, f"/events/{event_id}{suffix}", body=body, token=token, headers=headers)


def _granted(allowed):
    return {(area, op) for area, ops in allowed.items() for op, granted in ops.items() if granted}


@pytest.fixture
def event_with(api, signup, make_event, grant_role):
    """An event and a token for the caller holding ``role`` in it ("admin": platform staff)."""

    def make(role, make_staff=None):
        organizer = signup("owner@example.com")
        event_id = make_event(organizer)["id"]
        if role == "organizer":
            return event_id, organizer
        if role == "admin":
            return event_id, make_staff("admin@example.com", super_admin=False)
        member = signup(f"{role}@example.com")
        grant_role(event_id, organizer, member, role)
        return event_id, member

    return make


@pytest.mark.parametrize(
    "role", ["organizer", "coorganizer", "track_organizer", "moderator", "checkin", "admin"]
)
def test_allowed_is_what_the_routes_let_through(api, event_with, make_staff, role):
    event_id, token = event_with(role, make_staff)

    response = api.get(f"/events/{event_id}", token=token)

    assert response.status == 200
    allowed = response.json["allowed"]
    assert {(area, op) for area, ops in allowed.items() for op in ops} == set(PROBES)
    assert _granted(allowed) == (set(PROBES) if role == "admin" else EXPECTED_GRANTS[role])
    for (area, operation), granted in ((key, key in _granted(allowed)) for key in PROBES):
        answer = _probe(api, event_id, token, area, operation)
        if granted:
            assert answer.status != 403, (area, operation, answer.json)
            assert answer.status < 500, (area, operation, answer.json)
        else:
            assert answer.status == 403, (area, operation, answer.status)
    still = api.get(f"/events/{event_id}", token=token)
    assert still.status == 200 and still.json["name"] == response.json["name"]


def test_a_changed_matrix_changes_allowed_and_the_etag(api, event_with, make_staff):
    event_id, moderator = event_with("moderator")
    before = api.get(f"/events/{event_id}", token=moderator)
    assert before.json["allowed"]["speaker"]["read"] is False
    matrix = copy.deepcopy(DEFAULT_MATRIX)
    matrix["moderator"]["speaker"]["read"] = True
    assert api.put("/permissions", {"matrix": matrix}, token=make_staff()).status == 200

    after = api.get(f"/events/{event_id}", token=moderator, headers={"If-None-Match": before.headers["etag"]})

    assert after.status == 200
    assert after.json["allowed"]["speaker"]["read"] is True
    assert _probe(api, event_id, moderator, "speaker", "read").status == 200
    again = api.get(f"/events/{event_id}", token=moderator, headers={"If-None-Match": after.headers["etag"]})
    assert again.status == 304


def test_the_events_etag_still_conditions_its_writes(api, event_with):
    event_id, organizer = event_with("organizer")
    tag = api.get(f"/events/{event_id}", token=organizer).headers["etag"]

    first = api.patch(f"/events/{event_id}", {"name": "First"}, token=organizer, headers={"If-Match": tag})
    second = api.patch(f"/events/{event_id}", {"name": "Second"}, token=organizer, headers={"If-Match": tag})

    assert first.status == 200
    assert second.status == 412
    assert api.get(f"/events/{event_id}", token=organizer).json["name"] == "First"


def test_an_outsider_gets_no_allowed_but_a_403(api, signup, make_event):
    event_id = make_event(signup("owner@example.com"))["id"]

    response = api.get(f"/events/{event_id}", token=signup("stranger@example.com"))

    assert response.status in (403, 404)
    assert "allowed" not in (response.json or {})
