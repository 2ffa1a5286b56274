"""A WebSocket lives only as long as the session it was opened with: signing out everywhere or
changing the password closes it at once, a connection whose token was revoked or has expired never
receives a push, a user's connections are capped, and an event's public page hears nothing once
the event is a draft again."""

import time
from datetime import timedelta

from chalicelib.realtime.connections import MAX_CONNECTIONS_PER_USER
from chalicelib.services.notifications import notify
from chalicelib.store.models.connections import user_channel
from chalicelib.store.models.users import UserModel
from tests.api.conftest import stored_connections
from tests.api.orders_helpers import make_shop


def _notify(user_id, title="Hello"):
    notify(user_id, "test", title, "A message.")


def test_sign_out_closes_the_sockets_opened_before_and_nothing_reaches_them(api, signup, ws):
    token = signup()
    user_id = api.user_id(token)
    tabs = [ws.connect(token=token).connection_id for _ in range(2)]
    _notify(user_id, "Before")
    assert all(len(ws.received(tab)) == 1 for tab in tabs)

    assert api.post("/auth/logout", token=token).status == 204

    # moto's management API forgets a connection (and what it was sent) when it is deleted.
    assert [ws.received(tab) for tab in tabs] == [[], []]
    assert sorted(stored_connections(user_channel(user_id))) == []
    _notify(user_id, "After")
    assert [ws.received(tab) for tab in tabs] == [[], []]


def test_a_password_change_closes_the_old_sockets_and_the_new_token_connects(api, signup, ws):
    token = signup(password="correct horse")
    user_id = api.user_id(token)
    old = ws.connect(token=token).connection_id

    changed = api.post(
        "/auth/password",
        {"current_password": "correct horse", "new_password": "battery staple 2"},
        token=token,
    )

    assert changed.status == 200
    assert sorted(stored_connections(user_channel(user_id))) == []
    new = ws.connect(token=changed.json["token"])
    assert new.status == 200
    _notify(user_id)
    assert ws.received(old) == []
    assert [m["notif_count"] for m in ws.received(new.connection_id)] == [1]


def test_a_connection_of_a_revoked_token_gets_no_push_even_if_closing_it_was_missed(api, signup, ws):
    token = signup()
    user_id = api.user_id(token)
    stale = ws.connect(token=token).connection_id
    # Revoked without the sign-out use case (as if the close had failed): only the version moved.
    UserModel(user_id).update(actions=[UserModel.token_version.add(1)])

    _notify(user_id)

    assert ws.received(stale) == []
    assert sorted(stored_connections(user_channel(user_id))) == []


def test_a_connection_expires_with_its_token(api, signup, ws, time_machine):
    from chalicelib.http.tokens import issue_token

    time_machine.move_to(time.time())
    token = signup()
    user_id = api.user_id(token)
    short = issue_token(user_id, 0, ttl_seconds=60)
    connection = ws.connect(token=short).connection_id
    assert sorted(stored_connections(user_channel(user_id))) == [connection]

    time_machine.shift(timedelta(seconds=61))
    _notify(user_id)

    assert ws.received(connection) == []


def test_a_user_keeps_at_most_the_cap_of_connections_the_oldest_closed(api, signup, ws, time_machine):
    time_machine.move_to(time.time())
    token = signup()
    user_id = api.user_id(token)
    opened = []
    for _ in range(MAX_CONNECTIONS_PER_USER + 2):
        opened.append(ws.connect(token=token).connection_id)
        time_machine.shift(timedelta(seconds=1))

    assert sorted(stored_connections(user_channel(user_id))) == sorted(opened[2:])
    _notify(user_id)
    assert [len(ws.received(c)) for c in opened] == [0, 0] + [1] * MAX_CONNECTIONS_PER_USER


def test_a_public_page_hears_no_availability_once_the_event_is_a_draft(api, signup, make_event, ws):
    shop = make_shop(api, signup, make_event)
    ticket = shop.ticket()
    buyer = signup()
    page = ws.connect(event=shop.event_id).connection_id
    placed = shop.buy(buyer, ticket)
    heard = len(ws.received(page))
    assert heard == 1

    unpublished = api.patch(f"/events/{shop.event_id}", {"state": "draft"}, token=shop.organizer)
    assert unpublished.status == 200
    assert api.post(f"/orders/{placed['id']}/cancel", token=buyer).status == 200

    assert len(ws.received(page)) == heard
