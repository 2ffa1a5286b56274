"""The split-inventory rules (chalicelib.domain.stock): when a ticket splits, where an order's
seats come from, and how a new quantity is spread over the slots."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import stock


def test_a_ticket_splits_from_a_thousand_seats_and_never_loses_slots():
    assert stock.slot_count(999) == 1
    assert stock.slot_count(1000) == 4
    assert stock.slot_count(100_000) == stock.MAX_SLOTS
    assert stock.slot_count(10, current=6) == 6


slots_strategy = st.lists(
    st.tuples(st.integers(1, 60), st.integers(0, 60)).map(lambda t: (t[0], min(t[0], t[1]))),
    min_size=1,
    max_size=8,
).map(lambda pairs: [stock.Slot(i, capacity, held) for i, (capacity, held) in enumerate(pairs)])


@given(slots=slots_strategy, seats=st.integers(1, 100), seed=st.integers(0, 1000))
def test_an_allocation_takes_exactly_the_seats_from_free_room(slots, seats, seed):
    free = sum(s.free for s in slots)
    if seats > free:
        with pytest.raises(ValueError):
            stock.allocate(slots, seats, random.Random(seed))
        return
    taken = stock.allocate(slots, seats, random.Random(seed))
    assert sum(n for _, n in taken) == seats
    by_index = {s.index: s for s in slots}
    assert all(0 < n <= by_index[i].free for i, n in taken)
    assert len({i for i, _ in taken}) == len(taken)
    if any(s.free >= seats for s in slots):
        assert len(taken) == 1  # one slot when one can give them all


@given(slots=slots_strategy, extra=st.integers(0, 200), more=st.integers(0, 4))
def test_a_resize_adds_up_and_never_goes_below_what_a_slot_holds(slots, extra, more):
    held = sum(s.held for s in slots)
    count = len(slots) + more
    capacities = stock.resize(slots, held + extra, count)
    assert len(capacities) == count and sum(capacities) == held + extra
    assert all(c >= s.held for c, s in zip(capacities, slots, strict=False))
    # As even as the holdings allow: a slot above the lowest one only holds what it had.
    low = min(capacities)
    assert all(c <= low + 1 or c == s.held for c, s in zip(capacities, slots, strict=False))


def test_a_resize_below_what_is_held_is_refused():
    with pytest.raises(ValueError):
        stock.resize([stock.Slot(0, 10, 6), stock.Slot(1, 10, 5)], 10, 2)
