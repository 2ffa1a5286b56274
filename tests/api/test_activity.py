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


def _actions(api, path, token):
    return [
        (r["action"], r["actor"]["email"] if r["actor"] else None) for r in api.get(path, token=token).json
    ]


def test_invites_and_role_changes_are_recorded(api, signup, make_event, grant_role):
    owner = signup("owner@example.com")
    helper = signup("helper@example.com")
    event = make_event(owner)
    grant_role(event["id"], owner, helper, "coorganizer")
    helper_id = api.get("/me", token=helper).json["id"]
    assert api.delete(f"/events/{event['id']}/roles/{helper_id}", token=owner).status == 204

    records = api.get(f"/events/{event['id']}/activity", token=owner).json
    assert [(r["action"], r["actor"]["email"]) for r in records] == [
        ("role.removed", "owner@example.com"),
        ("role.granted", "helper@example.com"),
        ("invite.created", "owner@example.com"),
    ]
    removed, granted, invited = records
    assert removed["before"] == {"role": "coorganizer"} and removed["target"] == {"user_id": helper_id}
    assert granted["after"] == {"role": "coorganizer"} and granted["before"] is None
    assert invited["target"]["email"] == "helper@example.com"


def test_declined_invites_are_recorded(api, signup, make_event, invite_email_token):
    owner, guest = signup("owner@example.com"), signup("guest@example.com")
    event = make_event(owner)
    invited = api.post(
        f"/events/{event['id']}/invites", {"email": "guest@example.com", "role": "moderator"}, token=owner
    )
    token = invite_email_token(invited.json["id"])
    assert api.post(f"/invites/{token}/decline", token=guest).status == 200

    assert _actions(api, f"/events/{event['id']}/activity", owner)[0] == (
        "invite.declined",
        "guest@example.com",
    )


def test_matrix_and_platform_role_changes_are_recorded_for_staff(api, signup, make_staff):
    root = make_staff("root@example.com")
    matrix = api.get("/permissions", token=root)
    body = matrix.json
    body["matrix"]["moderator"]["session"]["read"] = True
    changed = api.put(
        "/permissions", {"matrix": body["matrix"]}, token=root, headers={"If-Match": matrix.headers["etag"]}
    )
    assert changed.status == 200
    member = signup("member@example.com")
    member_id = api.get("/me", token=member).json["id"]
    assert api.patch(f"/admin/users/{member_id}", {"is_admin": True}, token=root).status == 200

    records = api.get("/admin/activity", token=root).json
    by_action = {r["action"]: r for r in records}
    assert by_action["permissions.changed"]["before"] == {"moderator.session.read": False}
    assert by_action["permissions.changed"]["after"] == {"moderator.session.read": True}
    assert by_action["permissions.changed"]["actor"]["email"] == "root@example.com"
    assert by_action["user.system_roles_changed"]["after"] == {"is_admin": True}
    assert by_action["user.system_roles_changed"]["target"] == {"user_id": member_id}


def test_invites_are_limited_per_event_per_hour(api, signup, make_event, time_machine):
    now = __import__("time").time()
    time_machine.move_to(now - now % 3600 + 3601, tick=False)
    owner = signup("owner@example.com")
    event = make_event(owner)
    for index in range(50):
        sent = api.post(
            f"/events/{event['id']}/invites",
            {"email": f"g{index}@example.com", "role": "moderator"},
            token=owner,
        )
        assert sent.status == 201, sent.json

    limited = api.post(
        f"/events/{event['id']}/invites", {"email": "late@example.com", "role": "moderator"}, token=owner
    )
    assert limited.status == 429 and int(limited.headers["retry-after"]) > 0
    pending = api.get(f"/events/{event['id']}/invites", token=owner).json
    assert "late@example.com" not in {i["email"] for i in pending}
    other = make_event(owner, name="Another event")
    assert (
        api.post(
            f"/events/{other['id']}/invites", {"email": "late@example.com", "role": "moderator"}, token=owner
        ).status
        == 201
    )


def test_order_status_changes_are_recorded(api, signup, make_event):
    from datetime import UTC, datetime, timedelta

    import time_machine

    from chalicelib.services.orders import sweep_expired_orders
    from tests.api.orders_helpers import make_shop

    shop = make_shop(api, signup, make_event)
    ticket = shop.ticket()
    buyer = signup("buyer@example.com")
    paid = shop.buy(buyer, ticket)
    cancelled = shop.buy(buyer, ticket)
    expiring = shop.buy(buyer, ticket)
    assert (
        api.post(f"/events/{shop.event_id}/orders/{paid['id']}/mark-paid", token=shop.organizer).status == 200
    )
    assert api.post(f"/orders/{cancelled['id']}/cancel", token=buyer).status == 200
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=20), tick=False):
        assert sweep_expired_orders() == 1

    records = api.get(f"/events/{shop.event_id}/activity", token=shop.organizer).json
    by_order = {r["target"]["order_id"]: r for r in records if r["action"].startswith("order.")}
    assert by_order[paid["id"]]["action"] == "order.completed"
    assert by_order[paid["id"]]["before"] == {"status": "pending"}
    assert by_order[cancelled["id"]]["action"] == "order.cancelled"
    assert by_order[cancelled["id"]]["actor"]["id"] == api.get("/me", token=buyer).json["id"]
    assert by_order[expiring["id"]]["action"] == "order.expired"
    assert by_order[expiring["id"]]["actor"] is None
