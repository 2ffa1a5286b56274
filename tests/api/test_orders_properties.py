"""The real order store on moto, driven by random sequences of place (with reused idempotency
keys) / cancel (fresh or with a stale read) / mark paid / time passing / sweep: after every step
the stored counters never exceed the quantity and equal exactly what the stored orders hold."""

import contextlib
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from chalicelib.domain import orders as rules
from chalicelib.domain.errors import DomainError
from chalicelib.domain.payments import PaymentConfirmation
from tests.api.conftest import MotoAccount

EVENT = {
    "name": "Property Conf",
    "starts_at": "2027-05-01T09:00:00+02:00",
    "ends_at": "2027-05-03T18:00:00+02:00",
    "timezone": "Europe/Berlin",
    "state": "published",
}
TICKETS = {"paid": ("12.50", 6), "free": ("0.00", 4)}


@pytest.fixture(scope="module")
def moto_tables(moto_account: MotoAccount) -> None:
    """The provisioned account, shared by this module's one property test's examples."""
    moto_account.restore()


def _user(name: str):
    from chalicelib.store.models.users import UserModel

    user_id = uuid.uuid4().hex
    user = UserModel(
        user_id,
        email=f"{user_id}@example.com",
        name=name,
        password_hash="-",
        created_at="2026-11-26T00:00:00Z",
    )
    user.save()
    return user


class StoredOrders(RuleBasedStateMachine):
    @initialize()
    def open_shop(self) -> None:
        from chalicelib.store.events import create_event
        from chalicelib.store.models.events import event_pk
        from chalicelib.store.models.tickets import TicketModel, ticket_sk

        self.travel = time_machine.travel(datetime.now(UTC).replace(microsecond=0), tick=False)
        self.traveller = self.travel.start()
        self.organizer = _user("Olga Organizer")
        self.buyers = [_user(f"Buyer {i}") for i in range(3)]
        self.event = create_event(dict(EVENT), self.organizer.user_id)
        self.tickets: dict[str, str] = {}
        for kind, (price, quantity) in TICKETS.items():
            ticket_id = uuid.uuid4().hex
            TicketModel(
                event_pk(self.event.event_id),
                ticket_sk(ticket_id),
                ticket_id=ticket_id,
                event_id=self.event.event_id,
                name=kind,
                name_key=kind,
                ticket_type=kind,
                price=Decimal(price),
                quantity=quantity,
                max_order=quantity,
                created_at="2026-11-26T00:00:00Z",
            ).save()
            self.tickets[kind] = ticket_id
        self.placed: dict[tuple[int, str], str] = {}
        self.stale: dict[str, object] = {}

    def teardown(self) -> None:
        if hasattr(self, "travel"):
            self.travel.stop()

    def _order_ids(self) -> list[str]:
        return sorted(set(self.placed.values()))

    @rule(buyer=st.integers(0, 2), key=st.sampled_from(["a", "b", "c", "d"]), paid=st.integers(0, 4),
          free=st.integers(0, 3))  # fmt: skip
    def place(self, buyer: int, key: str, paid: int, free: int) -> None:
        from chalicelib.services.orders import place_order

        items = [
            {"ticket_id": self.tickets[k], "quantity": q} for k, q in (("paid", paid), ("free", free)) if q
        ]
        try:
            placed = place_order(self.event, self.buyers[buyer], key, {"items": items})
        except DomainError:
            return
        known = self.placed.get((buyer, key))
        assert known is None or known == placed.order.order_id, "a retried key made a second order"
        assert placed.replayed == (known is not None)
        self.placed[(buyer, key)] = placed.order.order_id

    def _pick(self, data) -> str:
        # A fixed range, so what is drawn never depends on how many orders exist: hypothesis
        # replays cases and refuses strategies that change with outside state.
        ids = self._order_ids()
        return ids[data.draw(st.integers(0, 15)) % len(ids)]

    @precondition(lambda self: self.placed)
    @rule(data=st.data(), by_organizer=st.booleans(), use_stale=st.booleans())
    def cancel(self, data, by_organizer: bool, use_stale: bool) -> None:
        from chalicelib.services.orders import cancel_order
        from chalicelib.store.orders import get_order

        order_id = self._pick(data)
        order = self.stale.get(order_id) if use_stale else None
        order = order or get_order(order_id)
        actor = self.organizer.user_id if by_organizer else order.buyer_id
        with contextlib.suppress(DomainError):
            cancel_order(order, actor, is_organizer=by_organizer)

    @precondition(lambda self: self.placed)
    @rule(data=st.data())
    def remember_a_read(self, data) -> None:
        """Keep a copy as read now, to act on it later when it may be stale."""
        from chalicelib.store.orders import get_order

        order_id = self._pick(data)
        self.stale[order_id] = get_order(order_id)

    @precondition(lambda self: self.placed)
    @rule(data=st.data())
    def mark_paid(self, data) -> None:
        from chalicelib.services.orders import mark_paid
        from chalicelib.store.orders import get_order

        order = get_order(self._pick(data))
        with contextlib.suppress(DomainError):
            mark_paid(order, PaymentConfirmation("manual", None, self.organizer.user_id))

    @rule(minutes=st.integers(1, 20))
    def time_passes(self, minutes: int) -> None:
        self.traveller.shift(timedelta(minutes=minutes))

    @rule()
    def sweep(self) -> None:
        from chalicelib.services.orders import sweep_expired_orders

        sweep_expired_orders()

    @invariant()
    def stored_counters_match_stored_orders(self) -> None:
        if not hasattr(self, "event"):
            return
        from chalicelib.store.models.events import event_pk
        from chalicelib.store.models.tickets import TicketModel, ticket_sk
        from chalicelib.store.orders import all_event_orders

        orders = all_event_orders(self.event.event_id)
        assert len(orders) == len(set(self.placed.values()))
        for kind, ticket_id in self.tickets.items():
            ticket = TicketModel.get(
                event_pk(self.event.event_id), ticket_sk(ticket_id), consistent_read=True
            )
            sold, reserved = int(ticket.sold), int(ticket.reserved)
            assert sold >= 0 and reserved >= 0
            assert sold + reserved <= TICKETS[kind][1]
            assert int(ticket.held) == sold + reserved
            holding = {rules.COMPLETED: 0, rules.PENDING: 0}
            for order in orders:
                if order.status in holding:
                    holding[order.status] += sum(
                        int(line["quantity"]) for line in order.lines if line["ticket_id"] == ticket_id
                    )
            assert (sold, reserved) == (holding[rules.COMPLETED], holding[rules.PENDING])


@pytest.mark.usefixtures("moto_tables")
def test_stored_orders_under_random_sequences() -> None:
    StoredOrders.TestCase.settings = settings(
        max_examples=15,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    StoredOrders.TestCase("runTest").runTest()
