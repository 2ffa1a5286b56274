"""A split ticket on the real store (moto), driven by random sequences of orders (take), cancels
and payments (release, settle), resizes (also computed from a stale read, as a racing organizer
would) and time passing with the sweep: after every step no slot holds more than its capacity,
the capacities add up to the quantity, and each slot's counters are exactly what the stored
orders say they took from it.

The split rules' constants are made small here (slots of a few seats from 20 seats on) so that a
few steps fill slots, spill orders across them and resize them; the rules are the same."""

import contextlib
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from chalicelib.domain import orders as rules
from chalicelib.domain.errors import DomainError
from chalicelib.domain.payments import PaymentConfirmation
from tests.api.conftest import MotoAccount
from tests.api.test_orders_properties import EVENT, _user

START = 24


@pytest.fixture(scope="module")
def moto_tables(moto_account: MotoAccount) -> None:
    moto_account.restore()


class SplitStock(RuleBasedStateMachine):
    @initialize(paid=st.booleans())
    def open_shop(self, paid: bool) -> None:
        from chalicelib.store.events import create_event
        from chalicelib.store.tickets import create_ticket

        self.travel = time_machine.travel(datetime.now(UTC).replace(microsecond=0), tick=False)
        self.traveller = self.travel.start()
        self.organizer = _user("Olga Organizer")
        self.buyer = _user("Bea Buyer")
        self.event = create_event(dict(EVENT), self.organizer.user_id)
        fields = {"name": "Hall", "quantity": START, "max_order": 12}
        fields |= {"type": "paid", "price": "5.00"} if paid else {"type": "free", "price": "0"}
        self.ticket_id = create_ticket(self.event, fields, None).ticket_id
        self.order_ids: list[str] = []
        self.stale = None

    def teardown(self) -> None:
        if hasattr(self, "travel"):
            self.travel.stop()

    @rule(seats=st.integers(1, 12))
    def take(self, seats: int) -> None:
        from chalicelib.services.orders import place_order

        items = [{"ticket_id": self.ticket_id, "quantity": seats}]
        try:
            placed = place_order(self.event, self.buyer, uuid.uuid4().hex, {"items": items})
        except DomainError:
            return
        self.order_ids.append(placed.order.order_id)

    def _pick(self, data) -> str:
        return self.order_ids[data.draw(st.integers(0, 31)) % len(self.order_ids)]

    @precondition(lambda self: self.order_ids)
    @rule(data=st.data())
    def release(self, data) -> None:
        from chalicelib.services.orders import cancel_order
        from chalicelib.store.orders import get_order

        with contextlib.suppress(DomainError):
            cancel_order(get_order(self._pick(data)), self.organizer.user_id, is_organizer=True)

    @precondition(lambda self: self.order_ids)
    @rule(data=st.data())
    def settle(self, data) -> None:
        from chalicelib.services.orders import mark_paid
        from chalicelib.store.orders import get_order

        with contextlib.suppress(DomainError):
            mark_paid(
                get_order(self._pick(data)), PaymentConfirmation("manual", None, self.organizer.user_id)
            )

    @rule(quantity=st.integers(12, 60))
    def resize(self, quantity: int) -> None:
        from chalicelib.store.tickets import update_ticket

        with contextlib.suppress(DomainError):
            update_ticket(self.event, self.ticket_id, {"quantity": quantity}, None)

    @rule()
    def read_for_later(self) -> None:
        from chalicelib.store.tickets import get_ticket

        self.stale = get_ticket(self.event.event_id, self.ticket_id)

    @precondition(lambda self: self.stale is not None)
    @rule(quantity=st.integers(12, 60))
    def resize_from_a_stale_read(self, quantity: int) -> None:
        """The organizer's write as decided from an earlier read: its conditions must refuse it
        when the slots moved in a way that no longer fits (never oversell)."""
        from chalicelib.store import tickets

        stale = self.stale
        if quantity < int(stale.sold) + int(stale.reserved):
            return
        with contextlib.suppress(DomainError):
            tickets._commit_guarded(
                self.event,
                lambda tx: tickets._stage_update(tx, stale, {"quantity": quantity}),
                guard=False,
                if_match=None,
            )
        self.stale = None

    @rule(minutes=st.integers(1, 20))
    def time_passes(self, minutes: int) -> None:
        from chalicelib.services.orders import sweep_expired_orders

        self.traveller.shift(timedelta(minutes=minutes))
        sweep_expired_orders()

    @invariant()
    def slots_hold_what_the_orders_took(self) -> None:
        if not hasattr(self, "event"):
            return
        from chalicelib.domain.order_stock import per_slot
        from chalicelib.store.models.events import event_pk
        from chalicelib.store.models.tickets import SHARD_PREFIX, ShardModel, TicketModel, ticket_sk
        from chalicelib.store.orders import all_event_orders, lines_of

        pk = event_pk(self.event.event_id)
        ticket = TicketModel.get(pk, ticket_sk(self.ticket_id), consistent_read=True)
        stored = [(int(ticket.quantity if ticket.capacity is None else ticket.capacity), ticket)]
        stored += [
            (int(s.capacity), s)
            for s in sorted(
                ShardModel.query(pk, ShardModel.sk.startswith(SHARD_PREFIX), consistent_read=True),
                key=lambda s: int(s.index),
            )
        ]
        assert len(stored) == int(ticket.slots)
        assert sum(capacity for capacity, _ in stored) == int(ticket.quantity)
        expected = {status: [0] * len(stored) for status in (rules.COMPLETED, rules.PENDING)}
        for order in all_event_orders(self.event.event_id):
            if order.status in expected:
                for (_, index), seats in per_slot(lines_of(order)).items():
                    expected[order.status][index] += seats
        for index, (capacity, item) in enumerate(stored):
            sold, reserved = int(item.sold), int(item.reserved)
            assert 0 <= sold + reserved <= capacity, f"slot {index} holds {sold + reserved} of {capacity}"
            assert int(item.held) == sold + reserved
            assert (sold, reserved) == (expected[rules.COMPLETED][index], expected[rules.PENDING][index])


@pytest.mark.usefixtures("moto_tables")
def test_split_stock_under_random_sequences(monkeypatch) -> None:
    from chalicelib.domain import stock

    monkeypatch.setattr(stock, "SPLIT_FROM", 20)
    monkeypatch.setattr(stock, "SEATS_PER_SLOT", 5)
    monkeypatch.setattr(stock, "MAX_SLOTS", 8)
    SplitStock.TestCase.settings = settings(
        max_examples=10,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    SplitStock.TestCase("runTest").runTest()
