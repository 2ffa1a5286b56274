"""The waiting room (#21): numbers from one atomic counter, admission by position at the
organizer's rate with the clock, admissions signed, short-lived and spent once by the order."""

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest


def enable(shop, admit_per_minute=60, enabled=True):
    body = {"waiting_room": {"enabled": enabled, "admit_per_minute": admit_per_minute}}
    response = shop.api.patch(f"/events/{shop.event_id}", body, token=shop.organizer)
    assert response.status == 200, response.json
    return response.json


def join(shop):
    return shop.api.post(f"/public/events/{shop.event_id}/queue")


def status(shop, queue_id):
    return shop.api.get(f"/public/events/{shop.event_id}/queue/{queue_id}")


def order(shop, token, ticket, admission=None, key=None):
    headers = {"Idempotency-Key": key or uuid.uuid4().hex}
    if admission is not None:
        headers["X-Admission"] = admission
    body = {"items": [{"ticket_id": ticket["id"], "quantity": 1}]}
    return shop.api.post(f"/events/{shop.event_id}/orders", body, token=token, headers=headers)


@pytest.fixture
def start() -> datetime:
    """When the room opens: ahead of the real clock, so tokens issued before the move stay valid."""
    return datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=1)


@pytest.fixture
def room(shop, time_machine, start):
    """A published event with a ticket and its waiting room on at 60 a minute since ``start``."""
    time_machine.move_to(start, tick=False)
    shop.ticket(quantity=100)
    enable(shop, 60)
    return shop


def test_the_organizer_sets_the_waiting_room_and_bad_settings_are_422(shop):
    assert shop.event["waiting_room"] == {"enabled": False, "admit_per_minute": 100}
    for bad, where in (
        ({"enabled": True, "admit_per_minute": 0}, "waiting_room.admit_per_minute"),
        ({"enabled": True, "admit_per_minute": 1.5}, "waiting_room.admit_per_minute"),
        ({"enabled": True, "admit_per_minute": "10"}, "waiting_room.admit_per_minute"),
        ({"enabled": True, "admit_per_minute": 100_001}, "waiting_room.admit_per_minute"),
        ({"enabled": "yes", "admit_per_minute": 10}, "waiting_room.enabled"),
        ({"admit_per_minute": 10}, "waiting_room.enabled"),
        ({"enabled": True, "admit_per_minute": 10, "x": 1}, "waiting_room.x"),
        (None, "waiting_room"),
    ):
        response = shop.api.patch(f"/events/{shop.event_id}", {"waiting_room": bad}, token=shop.organizer)
        assert response.status == 422 and where in response.json["error"]["details"], (bad, response.json)
    assert shop.api.get(f"/public/events/{shop.event_id}").json["waiting_room"]["enabled"] is False

    assert enable(shop, 250)["waiting_room"] == {"enabled": True, "admit_per_minute": 250}
    assert shop.api.get(f"/public/events/{shop.event_id}").json["waiting_room"] == {
        "enabled": True,
        "admit_per_minute": 250,
    }


def test_no_queue_while_the_room_is_off_or_the_event_is_not_public(shop, api, signup, make_event):
    assert join(shop).status == 409 and join(shop).error_code == "no_waiting_room"
    draft = make_event(signup())
    assert api.post(f"/public/events/{draft['id']}/queue").status == 404
    assert api.post("/public/events/nope/queue").status == 404


def test_fifty_concurrent_arrivals_get_consecutive_unique_numbers(room, threaded_app, monkeypatch):
    from chalicelib.services import queue as queue_cases

    monkeypatch.setattr(
        queue_cases, "QUEUE_JOINS_PER_SOURCE", queue_cases.QUEUE_JOINS_PER_SOURCE._replace(max_count=100)
    )
    start = threading.Barrier(50)
    answers: list = []

    def arrive() -> None:
        start.wait()
        answers.append(join(room))

    threads = [threading.Thread(target=arrive) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [a.status for a in answers] == [201] * 50, [a.json for a in answers if a.status != 201]
    assert sorted(a.json["position"] for a in answers) == list(range(1, 51))
    assert len({a.json["queue_id"] for a in answers}) == 50
    assert join(room).json["position"] == 51


def test_admission_follows_the_rate_with_the_clock(room, time_machine, start):
    first, second, third = (join(room).json for _ in range(3))
    assert [t["position"] for t in (first, second, third)] == [1, 2, 3]
    assert third["estimated_wait_s"] == 3

    waiting = status(room, second["queue_id"]).json
    assert waiting["admitted"] is False and "admission" not in waiting
    assert waiting["estimated_wait_s"] == 2 and waiting["admitted_through"] == 0

    time_machine.move_to(start + timedelta(seconds=2), tick=False)
    assert status(room, first["queue_id"]).json["admitted"] is True
    now_second = status(room, second["queue_id"])
    assert now_second.json["admitted"] is True and now_second.json["admission"]
    assert now_second.headers["cache-control"] == "no-store"
    assert status(room, third["queue_id"]).json == {
        "position": 3,
        "admitted": False,
        "admitted_through": 2,
        "admit_per_minute": 60,
        "estimated_wait_s": 1,
    }


def test_an_order_needs_a_valid_unused_unexpired_admission(
    room, buyer, signup, make_event, time_machine, start
):
    ticket = room.ticket(name="Early", quantity=5)
    ticket_id = ticket["id"]
    place = join(room).json
    assert order(room, buyer, ticket).error_code == "not_admitted"
    assert order(room, buyer, ticket).status == 403

    time_machine.move_to(start + timedelta(seconds=5), tick=False)
    admission = status(room, place["queue_id"]).json["admission"]
    number, expires, signature = admission.split(".")
    for forged in (
        f"{int(number) + 1}.{expires}.{signature}",
        f"{number}.{int(expires) + 999}.{signature}",
        "garbage",
        f"{admission}.x",
        "",
    ):
        refused = order(room, buyer, ticket, forged)
        assert refused.status == 403, forged
        assert refused.error_code == ("not_admitted" if forged == "" else "admission_invalid")
    other = admission_of_another_event(room, signup, make_event, time_machine)
    assert order(room, buyer, ticket, other).error_code == "admission_invalid"

    key = uuid.uuid4().hex
    placed = order(room, buyer, ticket, admission, key=key)
    assert placed.status == 201, placed.json
    again = order(room, buyer, ticket, admission, key=key)
    assert again.status == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json["id"] == placed.json["id"]
    reused = order(room, signup(), ticket, status(room, place["queue_id"]).json["admission"])
    assert reused.status == 403 and reused.error_code == "admission_used"
    assert room.counters({"id": ticket_id})["held"] == 1

    late = join(room).json
    time_machine.move_to(start + timedelta(minutes=1), tick=False)
    stale = status(room, late["queue_id"]).json["admission"]
    time_machine.move_to(start + timedelta(minutes=12), tick=False)
    expired = order(room, buyer, ticket, stale)
    assert expired.status == 403 and expired.error_code == "admission_expired"
    assert room.counters({"id": ticket_id})["held"] == 1


def admission_of_another_event(room, signup, make_event, time_machine):
    """An admission for number 1 of another event's room."""
    from tests.api.orders_helpers import make_shop

    on = {"enabled": True, "admit_per_minute": 600}
    other = make_shop(room.api, signup, lambda token: make_event(token, waiting_room=on))
    ticket = join(other).json
    time_machine.shift(timedelta(seconds=1))
    return status(other, ticket["queue_id"]).json["admission"]


def test_two_orders_with_one_admission_at_once_make_one_order(
    room, signup, threaded_app, time_machine, start
):
    ticket = room.ticket(name="Hot", quantity=10)
    place = join(room).json
    time_machine.move_to(start + timedelta(seconds=1), tick=False)
    admission = status(room, place["queue_id"]).json["admission"]
    buyers = [signup(), signup()]
    start = threading.Barrier(2)
    answers: list = []

    def buy(token: str) -> None:
        start.wait()
        answers.append(order(room, token, ticket, admission))

    threads = [threading.Thread(target=buy, args=(token,)) for token in buyers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(a.status for a in answers) == [201, 403], [a.json for a in answers]
    assert [a.error_code for a in answers if a.status == 403] == ["admission_used"]
    assert room.counters(ticket)["held"] == 1


def test_a_new_rate_keeps_who_is_admitted_and_applies_from_then(room, time_machine, start):
    places = [join(room).json for _ in range(30)]
    time_machine.move_to(start + timedelta(seconds=10), tick=False)
    assert status(room, places[9]["queue_id"]).json["admitted"] is True
    enable(room, 6)  # one every 10 s from now on
    assert status(room, places[9]["queue_id"]).json["admitted"] is True
    assert status(room, places[10]["queue_id"]).json["estimated_wait_s"] == 10
    time_machine.move_to(start + timedelta(seconds=20), tick=False)
    assert status(room, places[10]["queue_id"]).json["admitted"] is True
    assert status(room, places[11]["queue_id"]).json["admitted"] is False

    enable(room, 600)  # faster: 10 a second from here
    time_machine.move_to(start + timedelta(seconds=21), tick=False)
    assert status(room, places[20]["queue_id"]).json["admitted"] is True
    assert status(room, places[22]["queue_id"]).json["admitted"] is False


def test_switching_off_lets_everyone_order_and_on_again_starts_a_new_line(room, buyer, time_machine, start):
    ticket = room.ticket(name="Late", quantity=10)
    waiting = [join(room).json for _ in range(5)]
    enable(room, 60, enabled=False)
    assert order(room, buyer, ticket).status == 201
    assert status(room, waiting[4]["queue_id"]).json["admitted"] is True
    assert join(room).error_code == "no_waiting_room"

    time_machine.move_to(start + timedelta(minutes=5), tick=False)
    enable(room, 60)
    assert status(room, waiting[4]["queue_id"]).json["admitted"] is True
    newcomer = join(room).json
    assert newcomer["position"] == 6 and newcomer["estimated_wait_s"] == 1
    assert status(room, newcomer["queue_id"]).json["admitted"] is False
    assert order(room, buyer, ticket).error_code == "not_admitted"


def test_queue_ids_are_checked(room):
    place = join(room).json
    number, _, signature = place["queue_id"].partition(".")
    for forged in (f"{int(number) + 1}.{signature}", number, "x.y", "1" * 40):
        refused = status(room, forged)
        assert refused.status == 404 and refused.error_code == "unknown_queue_id", forged


def test_one_address_cannot_take_the_whole_line(room):
    answers = [join(room) for _ in range(31)]
    assert [a.status for a in answers] == [201] * 30 + [429]
    assert answers[-1].error_code == "too_many_requests"
    assert int(answers[-1].headers["retry-after"]) > 0
