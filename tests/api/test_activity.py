"""The audit log: publish / unpublish / delete are recorded with who, what, when, before / after."""


def test_publish_and_unpublish_are_recorded_for_the_organizers(api, signup, make_event):
    owner = signup("owner@example.com")
    event = make_event(owner)
    path = f"/events/{event['id']}"
    api.patch(path, {"state": "published"}, token=owner)
    api.patch(path, {"name": "Renamed only"}, token=owner)
    api.patch(path, {"state": "draft"}, token=owner)

    response = api.get(f"{path}/activity", token=owner)
    assert response.status == 200
    records = response.json
    assert [r["action"] for r in records] == ["event.unpublished", "event.published"]
    latest = records[0]
    assert latest["actor"]["email"] == "owner@example.com"
    assert latest["before"] == {"state": "published"} and latest["after"] == {"state": "draft"}
    assert latest["at"] and latest["event_id"] == event["id"]


def test_event_activity_is_for_organizers_and_staff_only(api, signup, make_event, make_staff):
    owner, stranger = signup(), signup()
    event = make_event(owner)

    assert api.get(f"/events/{event['id']}/activity", token=stranger).status == 403
    assert api.get(f"/events/{event['id']}/activity").status == 401
    assert api.get(f"/events/{event['id']}/activity", token=make_staff()).status == 200


def test_deletion_is_recorded_in_the_platform_activity(api, signup, make_event, make_staff):
    owner = signup("owner@example.com")
    event = make_event(owner)
    api.delete(f"/events/{event['id']}", token=owner)

    assert api.get("/admin/activity", token=owner).status == 403
    records = api.get("/admin/activity", token=make_staff()).json
    deleted = [r for r in records if r["action"] == "event.deleted"]
    assert len(deleted) == 1
    assert deleted[0]["before"]["name"] == event["name"]
    assert deleted[0]["actor"]["email"] == "owner@example.com"


def test_activity_pages(api, signup, make_event, make_staff):
    owner = signup()
    event = make_event(owner)
    for state in ("published", "draft", "published"):
        api.patch(f"/events/{event['id']}", {"state": state}, token=owner)

    first = api.get(f"/events/{event['id']}/activity?limit=2", token=owner)
    assert len(first.json) == 2
    rest = api.get(
        f"/events/{event['id']}/activity?limit=2&cursor={first.headers['x-next-cursor']}", token=owner
    )
    assert [r["action"] for r in first.json + rest.json] == [
        "event.published",
        "event.unpublished",
        "event.published",
    ]
