"""The door staff role (``checkin``) and the matrix's ``attendee`` service: their defaults, who may
read the check-in list and scan, a door staff member who can do nothing else, invites and roles
that know them, and matrices stored before they existed."""

import copy
import uuid

import pytest

from tests.api.orders_helpers import FREE

CHECKIN_ROUTES = {"read": ("GET", "/checkin-list", None), "update": ("POST", "/checkins", None)}


def a_scan(code: str) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "code": code,
        "scanned_at": "2026-12-01T19:00:00+00:00",
        "device": "Door",
    }


@pytest.fixture
def code(shop, signup):
    buyer = signup("buyer@example.com")
    order = shop.buy(buyer, shop.ticket(**FREE), 1)
    return shop.api.get(f"/orders/{order['id']}/attendees", token=buyer).json[0]["code"]


@pytest.fixture
def members(shop, signup, grant_role):
    """A token per event role (through accepted invites), the organizer's own, and a stranger's."""
    tokens = {"organizer": shop.organizer, "stranger": signup("stranger@example.com")}
    for role in ("coorganizer", "track_organizer", "moderator", "checkin"):
        tokens[role] = signup(f"{role}@example.com")
        grant_role(shop.event_id, shop.organizer, tokens[role], role)
    return tokens


def test_the_default_matrix_has_the_checkin_row_and_attendee_column(api, signup):
    matrix = api.get("/permissions", token=signup()).json["matrix"]

    assert {role: matrix[role]["attendee"] for role in matrix} == {
        "organizer": {"create": True, "read": True, "update": True, "delete": True},
        "coorganizer": {"create": False, "read": True, "update": True, "delete": False},
        "track_organizer": {"create": False, "read": False, "update": False, "delete": False},
        "moderator": {"create": False, "read": False, "update": False, "delete": False},
        "checkin": {"create": False, "read": True, "update": True, "delete": False},
    }
    assert not any(
        ops[op] for service, ops in matrix["checkin"].items() if service != "attendee" for op in ops
    )


def statuses(shop, token, code):
    listed = shop.api.get(f"/events/{shop.event_id}/checkin-list", token=token)
    scanned = shop.api.post(f"/events/{shop.event_id}/checkins", {"scans": [a_scan(code)]}, token=token)
    summary = shop.api.get(f"/events/{shop.event_id}/checkins/summary", token=token)
    return listed.status, scanned.status, summary.status


def test_who_may_read_the_list_and_scan(shop, members, code, make_staff):
    seen = {caller: statuses(shop, token, code) for caller, token in members.items()}
    seen["admin"] = statuses(shop, make_staff("admin@example.com", super_admin=False), code)

    assert seen == {
        "organizer": (200, 200, 200),
        "coorganizer": (200, 200, 200),
        "checkin": (200, 200, 200),
        "track_organizer": (403, 403, 403),
        "moderator": (403, 403, 403),
        "stranger": (403, 403, 403),
        "admin": (200, 200, 200),
    }
    assert shop.api.get(f"/events/{shop.event_id}/checkin-list").status == 401


def test_door_staff_can_do_nothing_else(shop, members):
    door, event_id = members["checkin"], shop.event_id
    event = shop.api.get(f"/events/{event_id}", token=door)
    assert event.status == 200
    assert event.json["allowed"]["attendee"] == {"read": True, "update": True}
    refused = {
        "edit the event": shop.api.patch(f"/events/{event_id}", {"name": "Mine now"}, token=door),
        "delete it": shop.api.delete(f"/events/{event_id}", token=door),
        "read tickets": shop.api.get(f"/events/{event_id}/tickets", token=door),
        "add a ticket": shop.api.post(f"/events/{event_id}/tickets", FREE, token=door),
        "read orders": shop.api.get(f"/events/{event_id}/orders", token=door),
        "export attendees": shop.api.get(f"/events/{event_id}/attendees.csv", token=door),
        "read the team": shop.api.get(f"/events/{event_id}/roles", token=door),
        "invite": shop.api.post(
            f"/events/{event_id}/invites", {"email": "x@example.com", "role": "checkin"}, token=door
        ),
        "read the activity": shop.api.get(f"/events/{event_id}/activity", token=door),
        **{
            f"read {service}": shop.api.get(f"/events/{event_id}/{service}", token=door)
            for service in ("tracks", "sessions", "speakers", "sponsors", "microlocations")
        },
        "add a track": shop.api.post(f"/events/{event_id}/tracks", {"name": "Door track"}, token=door),
    }
    assert {what: answer.status for what, answer in refused.items()} == dict.fromkeys(refused, 403)
    assert shop.api.get(f"/events/{event_id}", token=door).json["name"] == event.json["name"]


def test_door_staff_are_invited_and_listed_like_any_role(shop, members, sent_emails):
    roles = shop.api.get(f"/events/{shop.event_id}/roles", token=shop.organizer).json
    assert {entry["user"]["email"]: entry["role"] for entry in roles}["checkin@example.com"] == "checkin"
    invited = shop.api.post(
        f"/events/{shop.event_id}/invites",
        {"email": "gate@example.com", "role": "checkin"},
        token=shop.organizer,
    )
    assert invited.status == 201 and invited.json["role"] == "checkin"
    assert "door staff (check-in)" in sent_emails()[-1].subject


def test_a_super_admin_takes_scanning_away_from_door_staff(shop, members, code, make_staff):
    root = make_staff()
    matrix = copy.deepcopy(shop.api.get("/permissions", token=root).json["matrix"])
    matrix["checkin"]["attendee"]["update"] = False
    assert shop.api.put("/permissions", {"matrix": matrix}, token=root).status == 200

    assert statuses(shop, members["checkin"], code) == (200, 403, 200)
    assert shop.api.get(f"/events/{shop.event_id}", token=members["checkin"]).json["allowed"]["attendee"] == {
        "read": True,
        "update": False,
    }


def test_a_put_without_the_new_row_or_column_is_422(shop, make_staff):
    root = make_staff()
    matrix = copy.deepcopy(shop.api.get("/permissions", token=root).json["matrix"])
    del matrix["checkin"]
    del matrix["organizer"]["attendee"]

    response = shop.api.put("/permissions", {"matrix": matrix}, token=root)

    assert response.status == 422
    assert response.json["error"]["details"] == {
        "matrix.checkin": "Missing; give every role.",
        "matrix.organizer.attendee": "Missing; give every service.",
    }


def test_a_matrix_stored_before_the_role_and_service_existed_reads_them_as_the_defaults(
    shop, members, code, make_staff
):
    from chalicelib.domain.permissions import DEFAULT_MATRIX
    from chalicelib.store.models.system import SystemItemModel
    from chalicelib.store.permissions import PERMISSIONS_PK, _items

    old = {
        role: {service: ops for service, ops in services.items() if service != "attendee"}
        for role, services in copy.deepcopy(DEFAULT_MATRIX).items()
        if role != "checkin"
    }
    old["moderator"]["speaker"]["read"] = True  # a change the super admin had made
    for item in _items(old, 7):
        item.save()
    assert "checkin" not in SystemItemModel.get(PERMISSIONS_PK, "MATRIX").data

    assert statuses(shop, members["checkin"], code) == (200, 200, 200)
    assert statuses(shop, members["coorganizer"], code)[0] == 200
    assert statuses(shop, members["moderator"], code) == (403, 403, 403)
    shown = shop.api.get("/permissions", token=make_staff()).json["matrix"]
    assert shown["checkin"] == DEFAULT_MATRIX["checkin"]
    assert shown["organizer"]["attendee"] == DEFAULT_MATRIX["organizer"]["attendee"]
    assert shown["moderator"]["speaker"]["read"] is True
