"""Live check-in counts through the real local stack: an organizer's page connected with
``?token=...&checkins=<event_id>`` receives one ``{"type": "checkins"}`` message per batch of scans
(not one per scan; from the stream, at most one a second) with the per-ticket and total counts; a
role that may not read attendees is refused at the handshake, and a member removed from the event
hears nothing more."""

import json
import uuid

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

pytestmark = pytest.mark.integration


def _open(stack, query: str) -> ClientConnection:
    return connect(f"{stack.ws_url}/?{query}", open_timeout=10)


def _checkin_messages(client: ClientConnection, timeout: float) -> list[dict]:
    """Every check-in message that arrives within ``timeout`` seconds (notifications skipped)."""
    seen = []
    while True:
        try:
            message = json.loads(client.recv(timeout=timeout))
        except TimeoutError:
            return seen
        if message.get("type") == "checkins":
            seen.append(message)
            timeout = 1.5  # a second push of the same batch would follow at once


def _event_with_attendees(stack, organizer: str, quantity: int) -> tuple[str, dict, list[str]]:
    event = stack.api(
        "POST",
        "/events",
        {
            "name": "Door Conf",
            "starts_at": "2027-05-01T09:00:00+02:00",
            "ends_at": "2027-05-02T18:00:00+02:00",
            "timezone": "Europe/Berlin",
        },
        token=organizer,
    ).json()
    ticket = stack.api(
        "POST",
        f"/events/{event['id']}/tickets",
        {"name": "Community", "type": "free", "price": "0", "quantity": 20},
        token=organizer,
    ).json()
    assert stack.api("PATCH", f"/events/{event['id']}", {"state": "published"}, token=organizer).ok
    buyer = stack.signup()
    order = stack.api(
        "POST",
        f"/events/{event['id']}/orders",
        {"items": [{"ticket_id": ticket["id"], "quantity": quantity}]},
        token=buyer,
        headers={"Idempotency-Key": uuid.uuid4().hex},
    ).json()
    attendees = stack.api("GET", f"/orders/{order['id']}/attendees", token=buyer).json()
    return event["id"], ticket, [a["code"] for a in attendees]


def _member(stack, event_id: str, organizer: str, role: str) -> tuple[str, str]:
    email = stack.unique_email(role)
    token = stack.signup(email)
    invite = stack.api("POST", f"/events/{event_id}/invites", {"email": email, "role": role}, token=organizer)
    assert invite.status_code == 201, invite.text
    accepted = stack.api("POST", f"/invites/{stack.invite_token(invite.json()['id'])}/accept", token=token)
    assert accepted.status_code == 200, accepted.text
    return token, stack.api("GET", "/me", token=token).json()["id"]


def _scan(code: str) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "code": code,
        "scanned_at": "2027-05-01T09:05:00+02:00",
        "device": "Gate",
    }


def test_the_organizers_page_hears_one_message_per_batch_with_the_counts(shared_local_stack):
    stack = shared_local_stack
    organizer = stack.signup()
    event_id, ticket, codes = _event_with_attendees(stack, organizer, 3)
    door, _ = _member(stack, event_id, organizer, "checkin")
    with _open(stack, f"token={organizer}&checkins={event_id}") as panel:
        # The order's push (the stream sends at most one a second per event) may still be on its way.
        before = _checkin_messages(panel, timeout=1.5)
        assert all(m["total"] == {"checked_in": 0, "valid": 3} for m in before)
        batch = [_scan(codes[0]), _scan(codes[1]), _scan(codes[0]), _scan("forged")]
        scanned = stack.api("POST", f"/events/{event_id}/checkins", {"scans": batch}, token=door)
        assert scanned.status_code == 200, scanned.text
        assert [r["result"] for r in scanned.json()["results"]] == [
            "ok",
            "ok",
            "already_checked_in",
            "unknown",
        ]

        messages = _checkin_messages(panel, timeout=10)

        assert messages == [
            {
                "type": "checkins",
                "event_id": event_id,
                "total": {"checked_in": 2, "valid": 3},
                "tickets": [{"ticket_id": ticket["id"], "name": "Community", "checked_in": 2, "valid": 3}],
            }
        ]
        # A batch that admits nobody pushes nothing.
        again = stack.api("POST", f"/events/{event_id}/checkins", {"scans": [_scan(codes[0])]}, token=door)
        assert again.json()["results"][0]["result"] == "already_checked_in"
        assert _checkin_messages(panel, timeout=2) == []
    summary = stack.api("GET", f"/events/{event_id}/checkins/summary", token=organizer).json()
    assert summary["total"] == {"checked_in": 2, "valid": 3}


def test_who_may_not_read_attendees_is_refused_and_a_removed_member_hears_nothing(shared_local_stack):
    stack = shared_local_stack
    organizer = stack.signup()
    event_id, _, codes = _event_with_attendees(stack, organizer, 2)
    moderator, _ = _member(stack, event_id, organizer, "moderator")
    coorganizer, coorganizer_id = _member(stack, event_id, organizer, "coorganizer")
    door, _ = _member(stack, event_id, organizer, "checkin")

    with pytest.raises(InvalidStatus) as refused:
        _open(stack, f"token={moderator}&checkins={event_id}")
    assert refused.value.response.status_code == 403
    with pytest.raises(InvalidStatus) as anonymous:
        _open(stack, f"checkins={event_id}")
    assert anonymous.value.response.status_code == 401

    with (
        _open(stack, f"token={coorganizer}&checkins={event_id}") as removed,
        _open(stack, f"token={organizer}&checkins={event_id}") as kept,
    ):
        gone = stack.api("DELETE", f"/events/{event_id}/roles/{coorganizer_id}", token=organizer)
        assert gone.status_code == 204, gone.text
        scanned = stack.api("POST", f"/events/{event_id}/checkins", {"scans": [_scan(codes[0])]}, token=door)
        assert scanned.json()["results"][0]["result"] == "ok"

        assert [m["total"]["checked_in"] for m in _checkin_messages(kept, timeout=10)] == [1]
        assert _checkin_messages(removed, timeout=2) == []
