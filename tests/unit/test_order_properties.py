"""Random interleavings of order / pay / cancel / expire / sweep / quantity changes against the
order rules: sold + reserved never exceeds quantity, the counters always equal what the orders
hold, every order is released at most once, and availability never counts an expired hold.

Each operation is split like the store splits it: a READ (what the buyer or organizer saw, which
may be stale by the time of the write) and a WRITE that succeeds only if the conditions the store
writes with hold at that moment (``Stock.admits`` with the quantity read, the order's status as
read). Hypothesis interleaves reads and writes of different actors freely.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, initialize, invariant, rule

from chalicelib.domain import order_transitions as transitions
from chalicelib.domain import orders as rules
from chalicelib.domain.errors import DomainError

START = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
EVENT_ENDS = "2027-05-03T18:00:00+02:00"
TICKETS = {"paid": Decimal("10.00"), "free": Decimal("0.00")}
HOLD_MINUTES = 15


@dataclass
class SimOrder:
    order_id: int
    lines: tuple[rules.OrderLine, ...]
    status: str
    expires_at: str | None
    releases: int = 0


@dataclass
class PlaceIntent:
    priced: rules.PricedOrder
    quantities_read: dict[str, int]
    expires_at: str | None


@dataclass
class CloseIntent:
    order_id: int
    status_read: str
    new_status: str


@dataclass
class PayIntent:
    order_id: int


@dataclass
class World:
    stock: dict[str, rules.Stock]
    orders: dict[int, SimOrder] = field(default_factory=dict)
    clock: datetime = START


class OrderInterleavings(RuleBasedStateMachine):
    places = Bundle("places")
    closes = Bundle("closes")
    pays = Bundle("pays")

    @initialize(paid=st.integers(1, 8), free=st.integers(1, 8))
    def open_sales(self, paid: int, free: int) -> None:
        self.world = World(stock={"paid": rules.Stock(paid), "free": rules.Stock(free)})
        self.refused_writes = 0

    # --- helpers mirroring the store --------------------------------------------------------

    def _offers(self) -> dict[str, rules.TicketOffer]:
        return {
            ticket_id: rules.TicketOffer(
                ticket_id=ticket_id,
                name=ticket_id,
                type=ticket_id,
                price=TICKETS[ticket_id],
                quantity=stock.quantity,
                sold=stock.sold,
                reserved=stock.reserved,
                min_order=1,
                max_order=10,
                hidden=False,
                sales_starts_at=None,
                sales_ends_at=None,
            )
            for ticket_id, stock in self.world.stock.items()
        }

    def _expired_held(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for order in self.world.orders.values():
            if rules.is_expired(order.status, order.expires_at, self.world.clock):
                for ticket_id, quantity in rules.per_ticket(order.lines).items():
                    counts[ticket_id] = counts.get(ticket_id, 0) + quantity
        return counts

    def _commit(
        self, changes: dict[str, rules.CounterChange], quantities_read: dict[str, int] | None
    ) -> bool:
        """All tickets' conditions hold -> every change applies; otherwise nothing does."""
        for ticket_id, change in changes.items():
            stock = self.world.stock[ticket_id]
            if quantities_read is not None and stock.quantity != quantities_read[ticket_id]:
                return False
            if not stock.admits(change):
                return False
        for ticket_id, change in changes.items():
            self.world.stock[ticket_id] = self.world.stock[ticket_id].apply(change)
        return True

    def _close(self, order: SimOrder, status_read: str, new_status: str) -> bool:
        if order.status != status_read:
            return False
        if new_status == rules.EXPIRED and not rules.is_expired(
            order.status, order.expires_at, self.world.clock
        ):
            return False
        assert self._commit(rules.releasing(order.lines, status_read), None)
        order.status = new_status
        order.releases += 1
        return True

    # --- reads (what an actor saw) ------------------------------------------------------------

    @rule(target=places, paid=st.integers(0, 4), free=st.integers(0, 4))
    def read_to_order(self, paid: int, free: int):
        items = [rules.RequestedItem(t, q) for t, q in (("paid", paid), ("free", free)) if q]
        if not items:
            return None
        try:
            priced = rules.price_order(
                items, self._offers(), EVENT_ENDS, self.world.clock, self._expired_held()
            )
        except DomainError:
            return None
        expires_at = None
        if priced.status == rules.PENDING:
            expires_at = rules.hold_expiry(self.world.clock, HOLD_MINUTES).isoformat()
        quantities = {t: s.quantity for t, s in self.world.stock.items()}
        return PlaceIntent(priced, quantities, expires_at)

    @rule(target=closes, data=st.data(), by_organizer=st.booleans())
    def read_to_cancel(self, data, by_organizer: bool):
        if not self.world.orders:
            return None
        order = self.world.orders[data.draw(st.sampled_from(sorted(self.world.orders)))]
        status = (
            rules.EXPIRED
            if rules.is_expired(order.status, order.expires_at, self.world.clock)
            else order.status
        )
        try:
            transitions.check_cancel(status, is_buyer=not by_organizer, is_organizer=by_organizer)
        except DomainError:
            return None
        return CloseIntent(order.order_id, order.status, rules.CANCELLED)

    @rule(target=pays, data=st.data())
    def read_to_pay(self, data):
        if not self.world.orders:
            return None
        order = self.world.orders[data.draw(st.sampled_from(sorted(self.world.orders)))]
        try:
            transitions.check_mark_paid(order.status, order.expires_at, self.world.clock)
        except DomainError:
            return None
        return PayIntent(order.order_id)

    # --- writes (conditioned on what the store conditions on) ---------------------------------

    @rule(intent=consumes(places))
    def write_order(self, intent: PlaceIntent | None) -> None:
        if intent is None:
            return
        self.release_expired_holds()  # what placing does first for its tickets
        changes = rules.taking(intent.priced.lines, intent.priced.status)
        if not self._commit(changes, intent.quantities_read):
            self.refused_writes += 1
            return
        order_id = len(self.world.orders)
        self.world.orders[order_id] = SimOrder(
            order_id, intent.priced.lines, intent.priced.status, intent.expires_at
        )

    @rule(intent=consumes(closes))
    def write_cancel(self, intent: CloseIntent | None) -> None:
        if intent is not None:
            self._close(self.world.orders[intent.order_id], intent.status_read, intent.new_status)

    @rule(intent=consumes(pays))
    def write_paid(self, intent: PayIntent | None) -> None:
        if intent is None:
            return
        order = self.world.orders[intent.order_id]
        if order.status != rules.PENDING or rules.is_expired(
            order.status, order.expires_at, self.world.clock
        ):
            return
        assert self._commit(rules.settling(order.lines), None)
        order.status = rules.COMPLETED

    @rule()
    def release_expired_holds(self) -> None:
        """The sweep (and the first step of placing an order)."""
        for order in self.world.orders.values():
            if rules.is_expired(order.status, order.expires_at, self.world.clock):
                self._close(order, rules.PENDING, rules.EXPIRED)

    @rule(minutes=st.integers(1, 20))
    def time_passes(self, minutes: int) -> None:
        self.world.clock += timedelta(minutes=minutes)

    @rule(ticket_id=st.sampled_from(sorted(TICKETS)), quantity=st.integers(1, 10))
    def organizer_changes_quantity(self, ticket_id: str, quantity: int) -> None:
        """The tickets store refuses a quantity below what is committed (in the same write)."""
        stock = self.world.stock[ticket_id]
        if quantity >= stock.held:
            self.world.stock[ticket_id] = rules.Stock(quantity, stock.sold, stock.reserved)

    # --- what must always hold ----------------------------------------------------------------

    @invariant()
    def never_oversold(self) -> None:
        for stock in self.world.stock.values():
            assert stock.sold >= 0
            assert stock.reserved >= 0
            assert stock.sold + stock.reserved <= stock.quantity

    @invariant()
    def counters_equal_what_the_orders_hold(self) -> None:
        for ticket_id, stock in self.world.stock.items():
            sold = reserved = 0
            for order in self.world.orders.values():
                quantity = rules.per_ticket(order.lines).get(ticket_id, 0)
                if order.status == rules.COMPLETED:
                    sold += quantity
                elif order.status == rules.PENDING:
                    reserved += quantity
            assert (stock.sold, stock.reserved) == (sold, reserved)

    @invariant()
    def released_at_most_once(self) -> None:
        for order in self.world.orders.values():
            assert order.releases <= 1
            assert order.releases == (order.status in (rules.CANCELLED, rules.EXPIRED))

    @invariant()
    def availability_never_counts_an_expired_hold(self) -> None:
        expired = self._expired_held()
        for ticket_id, stock in self.world.stock.items():
            live_holds = sum(
                rules.per_ticket(o.lines).get(ticket_id, 0)
                for o in self.world.orders.values()
                if o.status == rules.PENDING
                and not rules.is_expired(o.status, o.expires_at, self.world.clock)
            )
            expected = stock.quantity - stock.sold - live_holds
            assert (
                rules.available(stock.quantity, stock.sold, stock.reserved, expired.get(ticket_id, 0))
                == expected
            )


OrderInterleavings.TestCase.settings = settings(
    max_examples=300,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much],
)
test_order_interleavings = OrderInterleavings.TestCase
