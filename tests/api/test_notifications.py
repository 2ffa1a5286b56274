"""Notifications per docs/api.md: list newest first with cursor pagination and ?unread=true, unread
count, mark one read, mark all read, /me; messages as plain text; pushes to open connections."""

import random
import threading
import time

import pytest
import time_machine

from chalicelib.domain.notifications import MAX_MESSAGE_LENGTH, created_at
from chalicelib.services import notifications as notifying
from chalicelib.services import pushes
from chalicelib.store import notifications
from chalicelib.store.models.notifications import NotificationModel
from chalicelib.store.models.users import UserModel
from chalicelib.views.notifications import notification_view


def notify(*args, **kwargs):
    """Notify, and answer the notification as the API shows it."""
    return notification_view(notifying.notify(*args, **kwargs))


@pytest.fixture
def user(api, signup):
    token = signup()
    return token, api.get("/me", token=token).json["id"]


def _notify_many(user_id, count, start="2026-11-26T10:00:00+00:00"):
    """``count`` notifications one second apart; returns their ids, oldest first."""
    ids = []
    with time_machine.travel(start, tick=False) as traveller:
        for n in range(count):
            ids.append(notify(user_id, "test", f"Title {n}", f"message {n}")["id"])
            traveller.shift(1)
    return ids


def _count(api, token):
    response = api.get("/notifications/unread-count", token=token)
    assert response.status == 200
    return response.json["count"]


def _stored_unread(user_id):
    return sum(1 for item in NotificationModel.query(user_id) if not item.has_read)


# Listing


def test_new_user_has_no_notifications(api, user):
    token, _ = user

    response = api.get("/notifications", token=token)

    assert response.status == 200
    assert response.json == []
    assert "x-next-cursor" not in response.headers
    assert _count(api, token) == 0
    assert api.get("/me", token=token).json["unread_notifications"] == 0


def test_notification_fields_and_me_count(api, user):
    token, user_id = user

    with time_machine.travel("2026-11-26T10:00:00.250+00:00", tick=False):
        created = notify(user_id, "role_invite", "You are invited", "Join <b>PyCon</b>")

    (listed,) = api.get("/notifications", token=token).json
    assert listed == created
    assert listed == {
        "id": created["id"],
        "title": "You are invited",
        "message": "Join <b>PyCon</b>",
        "action": "role_invite",
        "received_at": "2026-11-26T10:00:00.250+00:00",
        "has_read": False,
        "link": None,
    }
    assert _count(api, token) == 1
    assert api.get("/me", token=token).json["unread_notifications"] == 1


def test_a_message_is_plain_text_served_as_written(api, user):
    token, user_id = user
    message = '<b>x</b> & <a href="javascript:alert(1)">y</a><script>z()</script>'

    notify(user_id, "test", "  <b>Title</b>  ", message)

    (listed,) = api.get("/notifications", token=token).json
    assert listed["message"] == message
    assert listed["title"] == "<b>Title</b>"
    assert next(iter(NotificationModel.query(user_id))).message == message


def test_a_message_is_cut_to_its_maximum_length(api, user):
    token, user_id = user

    notify(user_id, "test", "Long", "x" * (MAX_MESSAGE_LENGTH + 5))

    (listed,) = api.get("/notifications", token=token).json
    assert listed["message"] == "x" * MAX_MESSAGE_LENGTH


def test_list_is_newest_first_and_paginates_with_a_cursor(api, user):
    token, user_id = user
    ids = _notify_many(user_id, 7)

    seen, cursor, pages = [], None, 0
    while True:
        path = "/notifications?limit=3" + (f"&cursor={cursor}" if cursor else "")
        response = api.get(path, token=token)
        assert response.status == 200
        seen += [item["id"] for item in response.json]
        pages += 1
        cursor = response.headers.get("x-next-cursor")
        if not cursor:
            break

    assert seen == list(reversed(ids))
    assert pages == 3


def test_unread_filter_lists_only_unread_newest_first(api, user):
    token, user_id = user
    ids = _notify_many(user_id, 6)
    for notification_id in ids[1::2]:
        assert api.post(f"/notifications/{notification_id}/read", token=token).status == 200

    unread = api.get("/notifications?unread=true", token=token).json
    everything = api.get("/notifications", token=token).json

    assert [item["id"] for item in unread] == [ids[4], ids[2], ids[0]]
    assert all(item["has_read"] is False for item in unread)
    assert [item["id"] for item in everything] == list(reversed(ids))


def test_unread_filter_paginates(api, user):
    token, user_id = user
    ids = _notify_many(user_id, 5)

    first = api.get("/notifications?unread=true&limit=2", token=token)
    second = api.get(
        f"/notifications?unread=true&limit=2&cursor={first.headers['x-next-cursor']}", token=token
    )
    third = api.get(
        f"/notifications?unread=true&limit=2&cursor={second.headers['x-next-cursor']}", token=token
    )

    listed = [item["id"] for page in (first, second, third) for item in page.json]
    assert listed == list(reversed(ids))


def test_unread_filter_reads_only_the_sparse_index(api, user, dynamodb_calls):
    token, user_id = user
    ids = _notify_many(user_id, 30)
    for notification_id in ids[:29]:
        notifications.mark_read(user_id, notification_id)

    with dynamodb_calls:
        response = api.get("/notifications?unread=true", token=token)

    assert [item["id"] for item in response.json] == [ids[29]]
    assert dynamodb_calls.calls.count("Query") == 1
    assert "Scan" not in dynamodb_calls.calls


def test_list_is_private_to_its_user(api, signup, user):
    _, user_id = user
    other = signup()
    _notify_many(user_id, 2)

    assert api.get("/notifications", token=other).json == []
    assert _count(api, other) == 0


@pytest.mark.parametrize("limit", ["0", "101", "abc", "-1", "1.5"])
def test_bad_limit_is_422(api, user, limit):
    token, _ = user

    response = api.get(f"/notifications?limit={limit}", token=token)

    assert response.status == 422
    assert "limit" in response.json["error"]["details"]


@pytest.mark.parametrize("cursor", ["garbage!!", "eyJ4IjoxfQ", "W10"])
def test_bad_cursor_is_422(api, user, cursor):
    token, _ = user

    response = api.get(f"/notifications?cursor={cursor}", token=token)

    assert response.status == 422
    assert "cursor" in response.json["error"]["details"]


def test_another_users_cursor_is_refused(api, signup, user):
    token, user_id = user
    other_token = signup()
    _notify_many(user_id, 3)
    cursor = api.get("/notifications?limit=1", token=token).headers["x-next-cursor"]
    unread_cursor = api.get("/notifications?limit=1&unread=true", token=token).headers["x-next-cursor"]

    assert api.get(f"/notifications?cursor={cursor}", token=other_token).status == 422
    assert api.get(f"/notifications?unread=true&cursor={unread_cursor}", token=other_token).status == 422
    # A cursor of one list is not a cursor of the other.
    assert api.get(f"/notifications?unread=true&cursor={cursor}", token=token).status == 422


def test_list_has_an_etag_and_answers_304(api, user):
    token, user_id = user
    _notify_many(user_id, 2)
    first = api.get("/notifications", token=token)

    again = api.get("/notifications", token=token, headers={"If-None-Match": first.headers["etag"]})

    assert again.status == 304
    notify(user_id, "test", "new", "new")
    assert (
        api.get("/notifications", token=token, headers={"If-None-Match": first.headers["etag"]}).status == 200
    )


# Marking read


def test_mark_one_read(api, user):
    token, user_id = user
    first, second = _notify_many(user_id, 2)

    response = api.post(f"/notifications/{first}/read", token=token)

    assert response.status == 200
    assert response.json["id"] == first and response.json["has_read"] is True
    assert _count(api, token) == 1
    assert api.get("/me", token=token).json["unread_notifications"] == 1
    assert [item["id"] for item in api.get("/notifications?unread=true", token=token).json] == [second]


def test_mark_read_twice_counts_once(api, user):
    token, user_id = user
    first, _ = _notify_many(user_id, 2)

    assert api.post(f"/notifications/{first}/read", token=token).status == 200
    again = api.post(f"/notifications/{first}/read", token=token)

    assert again.status == 200 and again.json["has_read"] is True
    assert _count(api, token) == 1


@pytest.mark.parametrize("notification_id", ["nope", "0" * 32, "f" * 32, "%2e%2e", "A" * 32])
def test_mark_unknown_notification_is_404_and_changes_nothing(api, user, notification_id):
    token, user_id = user
    _notify_many(user_id, 1)

    response = api.post(f"/notifications/{notification_id}/read", token=token)

    assert response.status == 404
    assert response.error_code == "not_found"
    assert _count(api, token) == 1


def test_cannot_mark_another_users_notification(api, signup, user):
    token, user_id = user
    (notification_id,) = _notify_many(user_id, 1)
    other = signup()

    assert api.post(f"/notifications/{notification_id}/read", token=other).status == 404
    assert _count(api, token) == 1
    assert _count(api, other) == 0


def test_mark_all_read(api, user):
    token, user_id = user
    ids = _notify_many(user_id, 7)
    api.post(f"/notifications/{ids[3]}/read", token=token)

    response = api.post("/notifications/read-all", token=token)

    assert response.status == 200
    assert response.json == {"marked": 6, "count": 0}
    assert _count(api, token) == 0
    assert api.get("/notifications?unread=true", token=token).json == []
    assert all(item["has_read"] for item in api.get("/notifications", token=token).json)
    assert api.post("/notifications/read-all", token=token).json == {"marked": 0, "count": 0}


def test_mark_all_read_spans_several_transactions(api, user, monkeypatch, dynamodb_calls):
    token, user_id = user
    monkeypatch.setattr(notifications, "MARK_ALL_BATCH", 4)
    _notify_many(user_id, 10)

    with dynamodb_calls:
        response = api.post("/notifications/read-all", token=token)

    assert response.json == {"marked": 10, "count": 0}
    assert dynamodb_calls.calls.count("TransactWriteItems") == 3
    assert _stored_unread(user_id) == 0


def test_mark_all_read_skips_one_read_meanwhile(api, user, meanwhile):
    token, user_id = user
    ids = _notify_many(user_id, 5)
    # Read-all has listed the five unread; one of them is marked read before its write.
    read_meanwhile = meanwhile("TransactWriteItems", lambda: notifications.mark_read(user_id, ids[2]))

    response = api.post("/notifications/read-all", token=token)

    assert read_meanwhile
    assert response.json == {"marked": 4, "count": 0}
    assert _count(api, token) == 0
    assert _stored_unread(user_id) == 0


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/notifications"),
        ("GET", "/notifications?unread=true"),
        ("GET", "/notifications/unread-count"),
        ("POST", "/notifications/0123/read"),
        ("POST", "/notifications/read-all"),
    ],
)
def test_every_route_needs_a_valid_token(api, method, path):
    assert api.request(method, path).status == 401
    assert api.request(method, path, token="not-a-token").status == 401


# The counter never drifts


def test_counter_matches_unread_items_under_concurrent_inserts_and_reads(api, user, monkeypatch):
    """Threads insert, mark one read (also the same one twice) and mark all read at once. moto is
    not thread-safe, so like the local stack each DynamoDB request holds one lock: that models
    DynamoDB's per-request atomicity, while the interleaving between requests stays free."""
    from botocore.client import BaseClient

    token, user_id = user
    lock = threading.Lock()
    original = BaseClient._make_api_call

    def serialized(client, operation_name, api_params):
        with lock:
            return original(client, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", serialized)
    created: list[str] = []
    marked_read: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def inserter():
        barrier.wait()
        for n in range(15):
            created.append(notify(user_id, "test", f"t{n}", "m")["id"])

    def reader(seed):
        rng = random.Random(seed)
        barrier.wait()
        marked = 0
        while marked < 25:
            if not created:
                time.sleep(0.001)
                continue
            # Random picks among few ids: the same notification is often marked twice at once.
            chosen = rng.choice(created[-5:])
            notifications.mark_read(user_id, chosen)
            marked_read.append(chosen)
            marked += 1

    def read_all():
        barrier.wait()
        for _ in range(3):
            notifications.mark_all_read(user_id)

    def guarded(target, *args):
        try:
            target(*args)
        except BaseException as error:  # surfaced below: a thread must not fail silently
            errors.append(error)

    workers = [threading.Thread(target=guarded, args=(inserter,)) for _ in range(4)]
    workers += [threading.Thread(target=guarded, args=(reader, seed)) for seed in range(3)]
    workers.append(threading.Thread(target=guarded, args=(read_all,)))
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    assert len(created) == 60
    counter = int(UserModel.get(user_id, consistent_read=True).unread_notifications)
    assert counter == _stored_unread(user_id)
    assert counter == len(list(NotificationModel.by_unread.query(user_id)))
    # What the readers marked stays read, so the counter went down by at least that much.
    unread_ids = {item.notification_id for item in NotificationModel.query(user_id) if not item.has_read}
    assert unread_ids.isdisjoint(marked_read)
    assert counter <= len(created) - len(set(marked_read))
    notifications.mark_all_read(user_id)
    assert _count(api, token) == 0 == _stored_unread(user_id)


def test_notify_for_unknown_user_writes_nothing(aws):
    from chalicelib.domain.errors import NotFoundError

    with pytest.raises(NotFoundError):
        notify("no-such-user", "test", "t", "m")

    assert list(NotificationModel.query("no-such-user")) == []


def test_ids_carry_their_time(user):
    _, user_id = user

    (notification_id,) = _notify_many(user_id, 1, start="2026-11-26T10:00:00.5+00:00")

    assert created_at(notification_id).isoformat() == "2026-11-26T10:00:00.500000+00:00"


# Pushes


def test_notify_pushes_unread_to_every_tab_of_the_user(api, signup, user, ws):
    token, user_id = user
    tabs = [ws.connect(token=token).connection_id for _ in range(2)]
    stranger = ws.connect(token=signup()).connection_id
    first, second = _notify_many(user_id, 2)
    notifications.mark_read(user_id, first)

    third = notify(user_id, "role_invite", "Invited", "Join PyCon & friends")

    for tab in tabs:
        messages = ws.received(tab)
        assert len(messages) == 3
        last = messages[-1]
        assert last["meta"] == "New notifications"
        assert last["notif_count"] == 2
        assert [item["id"] for item in last["notifs"]] == [third["id"], second]
        assert last["notifs"][0] == third
        assert third["message"] == "Join PyCon & friends"
        assert [m["notif_count"] for m in messages] == [1, 2, 2]
    assert ws.received(stranger) == []


def test_push_carries_at_most_the_newest_unread(api, user, ws, monkeypatch):
    token, user_id = user
    monkeypatch.setattr(pushes, "PUSH_UNREAD_LIMIT", 3)
    ids = _notify_many(user_id, 5)
    tab = ws.connect(token=token).connection_id

    latest = notify(user_id, "test", "sixth", "m")

    (message,) = ws.received(tab)
    assert message["notif_count"] == 6
    assert [item["id"] for item in message["notifs"]] == [latest["id"], ids[4], ids[3]]


class _BrokenManagementApi:
    """Every push fails: the endpoint is down, or the connection is gone."""

    def __init__(self, error):
        self.error = error
        self.calls = 0

    def factory(self, _endpoint):
        return self

    def post_to_connection(self, *, ConnectionId, Data):
        self.calls += 1
        raise self.error


@pytest.mark.parametrize("kind", ["gone", "unreachable", "bug"])
def test_a_failed_push_never_fails_the_notification(api, user, ws, kind):
    from botocore.exceptions import ClientError, EndpointConnectionError

    from chalicelib.realtime.connections import connections_of
    from chalicelib.store.models.connections import user_channel

    token, user_id = user
    ws.connect(token=token)
    error = {
        "gone": ClientError({"Error": {"Code": "GoneException"}}, "PostToConnection"),
        "unreachable": EndpointConnectionError(endpoint_url="https://down.example"),
        "bug": RuntimeError("unexpected"),
    }[kind]
    broken = _BrokenManagementApi(error)

    created = notify(user_id, "test", "still stored", "m", client_for=broken.factory)

    assert broken.calls == 1
    assert created["title"] == "still stored"
    assert _count(api, token) == 1
    assert [item["id"] for item in api.get("/notifications", token=token).json] == [created["id"]]
    assert len(connections_of(user_channel(user_id))) == (0 if kind == "gone" else 1)


def test_notify_without_open_connections_does_not_call_the_management_api(user):
    _, user_id = user
    broken = _BrokenManagementApi(RuntimeError("must not be called"))

    notify(user_id, "test", "t", "m", client_for=broken.factory)

    assert broken.calls == 0
