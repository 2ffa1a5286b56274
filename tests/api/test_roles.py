"""Event roles: who sees them, removing one, and an event never losing its last organizer."""

import pytest


@pytest.fixture
def team(api, signup, make_event, grant_role):
    organizer = signup("organizer@example.com", name="Olga")
    event_id = make_event(organizer)["id"]
    members = {"organizer": organizer}
    for role in ("coorganizer", "track_organizer", "moderator"):
        members[role] = signup(f"{role}@example.com", name=role.title())
        grant_role(event_id, organizer, members[role], role)
    return event_id, members


def test_the_organizer_lists_every_member_with_their_role(api, team):
    event_id, members = team

    response = api.get(f"/events/{event_id}/roles", token=members["organizer"])

    assert response.status == 200
    assert response.json == [
        {
            "user": {"id": api.user_id(members[role]), "email": f"{role}@example.com", "name": name},
            "role": role,
        }
        for role, name in [
            ("organizer", "Olga"),
            ("coorganizer", "Coorganizer"),
            ("track_organizer", "Track_Organizer"),
            ("moderator", "Moderator"),
        ]
    ]


@pytest.mark.parametrize("caller", ["coorganizer", "track_organizer", "moderator", "stranger"])
def test_only_organizers_and_staff_manage_roles(api, team, signup, caller):
    event_id, members = team
    token = members.get(caller) or signup()
    target = api.user_id(members["moderator"])

    assert api.get(f"/events/{event_id}/roles", token=token).status == 403
    assert api.get(f"/events/{event_id}/roles/{target}", token=token).status == 403
    assert api.delete(f"/events/{event_id}/roles/{target}", token=token).status == 403
    assert api.get(f"/events/{event_id}/roles/{target}", token=members["organizer"]).status == 200


def test_staff_may_manage_roles(api, team, make_staff):
    event_id, members = team
    admin = make_staff("admin@example.com", super_admin=False)
    assert api.get(f"/events/{event_id}/roles", token=admin).status == 200
    target = api.user_id(members["moderator"])
    assert api.delete(f"/events/{event_id}/roles/{target}", token=admin).status == 204


def test_unknown_event_or_member_is_404(api, team, signup):
    event_id, members = team
    stranger = api.user_id(signup())
    assert api.get("/events/nope/roles", token=members["organizer"]).status == 404
    assert api.get(f"/events/{event_id}/roles/{stranger}", token=members["organizer"]).status == 404
    assert api.delete(f"/events/{event_id}/roles/{stranger}", token=members["organizer"]).status == 404


def test_a_removed_member_loses_access_on_the_next_request(api, team):
    event_id, members = team
    coorganizer = members["coorganizer"]
    assert api.get(f"/events/{event_id}", token=coorganizer).status == 200

    removed = api.delete(f"/events/{event_id}/roles/{api.user_id(coorganizer)}", token=members["organizer"])

    assert removed.status == 204
    assert api.get(f"/events/{event_id}", token=coorganizer).status == 403
    assert api.get(f"/events/{event_id}/sessions", token=coorganizer).status == 403
    assert api.get("/me/events", token=coorganizer).json == []
    roles = api.get(f"/events/{event_id}/roles", token=members["organizer"]).json
    assert [r["role"] for r in roles] == ["organizer", "track_organizer", "moderator"]


def test_the_last_organizer_cannot_be_removed(api, team, signup, grant_role):
    event_id, members = team
    organizer = members["organizer"]
    organizer_id = api.user_id(organizer)

    refused = api.delete(f"/events/{event_id}/roles/{organizer_id}", token=organizer)

    assert refused.status == 409 and refused.error_code == "last_organizer"
    assert api.get(f"/events/{event_id}/roles/{organizer_id}", token=organizer).json["role"] == "organizer"

    second = signup("second@example.com")
    grant_role(event_id, organizer, second, "organizer")
    assert api.delete(f"/events/{event_id}/roles/{organizer_id}", token=second).status == 204
    again = api.delete(f"/events/{event_id}/roles/{api.user_id(second)}", token=second)
    assert again.status == 409 and again.error_code == "last_organizer"


def test_two_organizers_removing_each_other_at_once_leave_one(api, team, signup, grant_role, monkeypatch):
    """Organizer A removes B; between A's read of the roles and A's write, B removes A. Each
    removal checks in its transaction that another organizer remains, so A's write fails, A
    re-reads, finds B is now the only organizer, and gets 409."""
    from chalicelib.store import roles
    from chalicelib.store.users import find_by_email

    event_id, members = team
    first, second = members["organizer"], signup("second@example.com")
    grant_role(event_id, first, second, "organizer")
    first_id, second_id = api.user_id(first), api.user_id(second)
    real_memberships = roles.memberships
    interleaved = []

    def read_then_the_other_removes(event_id_):
        found = real_memberships(event_id_)
        if not interleaved:
            interleaved.append(True)
            roles.remove_role(event_id_, first_id, None, find_by_email("second@example.com"))
        return found

    monkeypatch.setattr(roles, "memberships", read_then_the_other_removes)
    response = api.delete(f"/events/{event_id}/roles/{second_id}", token=first)
    monkeypatch.undo()

    assert interleaved
    assert response.status == 409 and response.error_code == "last_organizer"
    remaining = api.get(f"/events/{event_id}/roles", token=second).json
    assert [(r["user"]["id"], r["role"]) for r in remaining if r["role"] == "organizer"] == [
        (second_id, "organizer")
    ]


def test_if_match_on_removing_a_role(api, team, grant_role):
    event_id, members = team
    organizer, moderator = members["organizer"], members["moderator"]
    url = f"/events/{event_id}/roles/{api.user_id(moderator)}"
    first = api.get(url, token=organizer)
    assert first.json["role"] == "moderator"

    grant_role(event_id, organizer, moderator, "coorganizer")  # the role changed since
    stale = api.delete(url, token=organizer, headers={"If-Match": first.headers["etag"]})
    assert stale.status == 412
    assert api.get(url, token=organizer).json["role"] == "coorganizer"

    current = api.get(url, token=organizer).headers["etag"]
    assert api.delete(url, token=organizer, headers={"If-Match": current}).status == 204
