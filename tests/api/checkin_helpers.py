"""Shared set-up for the check-in tests: attendees with codes, scans and what is stored."""

import threading
import uuid

from tests.api.orders_helpers import FREE


def door_staff(shop, signup) -> str:
    """A member of the shop's event with the checkin role (door staff)."""
    token = signup("door@example.com", name="Door Staff")
    shop.add_member(token, "checkin")
    return token


def attendees_of(shop, order, token):
    response = shop.api.get(f"/orders/{order['id']}/attendees", token=token)
    assert response.status == 200, response.json
    return response.json


def scan(code, scan_id=None, device="North door", scanned_at="2026-12-01T19:02:11+01:00"):
    return {"id": scan_id or str(uuid.uuid4()), "code": code, "scanned_at": scanned_at, "device": device}


def scan_by_id(attendee_id, scan_id=None, device="North door", scanned_at="2026-12-01T19:02:11+01:00"):
    """A scan naming the attendee by id (door staff found them by name), not by code."""
    return {
        "id": scan_id or str(uuid.uuid4()),
        "attendee_id": attendee_id,
        "scanned_at": scanned_at,
        "device": device,
    }


def send(shop, token, *scans):
    return shop.api.post(f"/events/{shop.event_id}/checkins", {"scans": list(scans)}, token=token)


def results(shop, token, *scans):
    response = send(shop, token, *scans)
    assert response.status == 200, response.json
    return response.json["results"]


def stored_attendee(shop, attendee_id):
    from chalicelib.store import attendees as store

    order_id, seat = attendee_id.rsplit("-", 1)
    return store.get_attendee(shop.event_id, order_id, int(seat))


def checked_in_counter(shop, ticket):
    from chalicelib.store.models.events import event_pk
    from chalicelib.store.models.tickets import TicketModel, ticket_sk

    return int(
        TicketModel.get(event_pk(shop.event_id), ticket_sk(ticket["id"]), consistent_read=True).checked_in
    )


def at_once(doors: int, door) -> None:
    """``door(number)`` in ``doors`` threads released together."""
    start = threading.Barrier(doors)

    def run(number: int) -> None:
        start.wait()
        door(number)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(doors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def free_attendees(shop, buyer, quantity=2, ticket=None):
    ticket = ticket or shop.ticket(**FREE)
    order = shop.buy(buyer, ticket, quantity)
    return ticket, order, attendees_of(shop, order, buyer)
