"""Events: create, read, update, delete with the role rules of docs/resources.md, and the public pages."""

import pytest

from tests.api.conftest import EVENT


def test_create_event_makes_the_creator_organizer(api, signup):
    token = signup()
    response = api.post("/events", EVENT, token=token)

    assert response.status == 201
    event = response.json
    assert event["state"] == "draft" and event["background_url"] is None
    assert event["currency"] == "EUR" and event["timezone"] == "Europe/Berlin"
    mine = api.get("/me/events", token=token).json
    assert [(e["id"], e["role"]) for e in mine] == [(event["id"], "organizer")]


def test_currency_defaults_to_usd(api, signup):
    payload = {k: v for k, v in EVENT.items() if k != "currency"}
    assert api.post("/events", payload, token=signup()).json["currency"] == "USD"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 151}, "name"),
        ({"ends_at": "2027-05-01T08:00:00+02:00"}, "ends_at"),
        ({"ends_at": EVENT["starts_at"]}, "ends_at"),
        ({"starts_at": "2027-05-01T09:00:00"}, "starts_at"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"starts_at": "0001-01-01T09:00:00+00:00"}, "starts_at"),
        ({"starts_at": "2027-05-01T09:00:00+23:59"}, "starts_at"),
        ({"ends_at": "9999-12-31T23:59:59-23:59"}, "ends_at"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": None}, "timezone"),
        ({"currency": "XYZ"}, "currency"),
        ({"currency": 12}, "currency"),
        ({"state": "archived"}, "state"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_event_validation(api, signup, overrides, field):
    response = api.post("/events", {**EVENT, **overrides}, token=signup())

    assert response.status == 422
    assert field in response.json["error"]["details"]


def test_event_name_boundaries_accepted(api, signup):
    token = signup()
    assert api.post("/events", {**EVENT, "name": "x"}, token=token).status == 201
    assert api.post("/events", {**EVENT, "name": "x" * 150}, token=token).status == 201


def test_create_event_needs_auth_and_a_json_object(api, signup):
    assert api.post("/events", EVENT).status == 401
    malformed = api.post("/events", raw=b"{not json", token=signup())
    assert malformed.status == 400 and malformed.error_code == "malformed_json"
    assert api.post("/events", raw=b"[1, 2]", token=signup()).status == 400


def test_read_update_delete_roles(api, signup, make_event, make_staff):
    owner, stranger = signup(), signup()
    event = make_event(owner)
    path = f"/events/{event['id']}"

    assert api.get(path, token=stranger).status == 403
    assert api.patch(path, {"name": "Hijack"}, token=stranger).status == 403
    assert api.delete(path, token=stranger).status == 403
    assert api.get(path, token=make_staff()).status == 200

    updated = api.patch(path, {"name": "Renamed", "description": "Talks"}, token=owner)
    assert updated.status == 200 and updated.json["name"] == "Renamed"
    assert api.get(path, token=owner).json["description"] == "Talks"

    assert api.delete(path, token=owner).status == 204
    assert api.get(path, token=owner).status == 404
    assert api.get("/me/events", token=owner).json == []


def test_update_validation_is_merged_with_stored_fields(api, signup, make_event):
    token = signup()
    event = make_event(token)
    response = api.patch(f"/events/{event['id']}", {"ends_at": "2027-04-01T09:00:00+02:00"}, token=token)

    assert response.status == 422 and "ends_at" in response.json["error"]["details"]
    assert api.get(f"/events/{event['id']}", token=token).json["ends_at"] == EVENT["ends_at"]


def test_unknown_event_is_404(api, signup):
    token = signup()
    for method in ("get", "patch", "delete"):
        response = getattr(api, method)("/events/does-not-exist", token=token)
        assert response.status == 404, method
        assert response.error_code == "not_found"


def test_listing_all_events_is_staff_only(api, signup, make_event, make_staff):
    owner = signup()
    make_event(owner)
    make_event(owner, name="Second")

    assert api.get("/events", token=owner).status == 403
    admin = make_staff("admin@example.com", super_admin=False)
    listed = api.get("/events", token=admin)
    assert listed.status == 200
    assert sorted(e["name"] for e in listed.json) == ["PyCon Test", "Second"]


def test_events_list_pages_with_a_cursor(api, signup, make_event, make_staff):
    owner = signup()
    for index in range(3):
        make_event(owner, name=f"Event {index}")
    staff = make_staff()

    first = api.get("/events?limit=2", token=staff)
    assert len(first.json) == 2 and first.headers["x-next-cursor"]
    second = api.get(f"/events?limit=2&cursor={first.headers['x-next-cursor']}", token=staff)
    names = [e["name"] for e in first.json + second.json]
    assert sorted(names) == ["Event 0", "Event 1", "Event 2"]
    assert api.get("/events?cursor=garbage!", token=staff).status == 422
    assert api.get("/events?limit=0", token=staff).status == 422


def test_publish_makes_the_event_public(api, signup, make_event):
    token = signup()
    event = make_event(token)
    public_path = f"/public/events/{event['id']}"

    assert api.get(public_path).status == 404
    assert api.get("/public/events").json == []

    assert (
        api.patch(f"/events/{event['id']}", {"state": "published"}, token=token).json["state"] == "published"
    )
    public = api.get(public_path)
    assert public.status == 200 and public.json["name"] == "PyCon Test"
    assert public.headers["cache-control"] == "public, no-cache"
    assert [e["id"] for e in api.get("/public/events").json] == [event["id"]]

    api.patch(f"/events/{event['id']}", {"state": "draft"}, token=token)
    assert api.get(public_path).status == 404
    assert api.get("/public/events").json == []


def test_public_views_do_not_name_the_organizer(api, signup, make_event):
    token = signup()
    event = make_event(token)
    api.patch(f"/events/{event['id']}", {"state": "published"}, token=token)
    organizer_id = api.get("/me", token=token).json["id"]

    public = api.get(f"/public/events/{event['id']}")
    listed = api.get("/public/events")
    assert public.status == listed.status == 200
    for view in (public.json, *listed.json):
        assert "created_by" not in view
        assert organizer_id not in public.body.decode() + listed.body.decode()
    # The event's own people still see who created it.
    assert api.get(f"/events/{event['id']}", token=token).json["created_by"] == organizer_id


def test_unknown_public_event_is_404(api):
    assert api.get("/public/events/nope").status == 404


def test_concurrent_edits_are_revalidated_against_each_other(api, signup, make_event):
    """Two edits read the same version: one moves the start late, the other the end early.
    Each is valid alone; the second is re-read and re-validated, so they never combine."""
    from chalicelib.domain.errors import ValidationError
    from chalicelib.store import events as store
    from chalicelib.store.users import find_by_email

    token = signup("owner@example.com")
    event = make_event(token)
    actor = find_by_email("owner@example.com")
    first_read, second_read = store.get_event(event["id"]), store.get_event(event["id"])

    store.update_event(first_read, {"starts_at": "2027-05-02T10:00:00+02:00"}, None, actor)
    with pytest.raises(ValidationError) as refused:
        store.update_event(second_read, {"ends_at": "2027-05-02T09:00:00+02:00"}, None, actor)

    assert "ends_at" in refused.value.details
    stored = api.get(f"/events/{event['id']}", token=token).json
    assert (stored["starts_at"], stored["ends_at"]) == ("2027-05-02T10:00:00+02:00", EVENT["ends_at"])


def test_a_stale_edit_without_if_match_is_applied_on_the_fresh_version(api, signup, make_event):
    from chalicelib.store import events as store
    from chalicelib.store.users import find_by_email

    token = signup("owner@example.com")
    event = make_event(token)
    actor = find_by_email("owner@example.com")
    first_read, second_read = store.get_event(event["id"]), store.get_event(event["id"])

    store.update_event(first_read, {"name": "First"}, None, actor)
    updated = store.update_event(second_read, {"description": "Second"}, None, actor)

    assert (updated.name, updated.description, int(updated.event_ver)) == ("First", "Second", 3)
    response = api.get(f"/events/{event['id']}", token=token)
    assert response.json["name"] == "First" and response.json["description"] == "Second"
