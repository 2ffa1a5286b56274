"""Sign-in limits (chalicelib.domain.limits): per (address, account), per account with growing
delays, per address across accounts; every attempt reserved before the password is checked."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from chalice.local import LambdaEventConverter

ATTACKER = "203.0.113.66"
VICTIM_HOME = "198.51.100.7"


@contextmanager
def _from_address(address: str) -> Iterator[None]:
    """chalice.test.Client sends every request from 127.0.0.1; API Gateway's sourceIp instead."""
    original = LambdaEventConverter.LOCAL_SOURCE_IP
    LambdaEventConverter.LOCAL_SOURCE_IP = address
    try:
        yield
    finally:
        LambdaEventConverter.LOCAL_SOURCE_IP = original


def login(api, email: str, password: str, address: str = ATTACKER):
    with _from_address(address):
        return api.post("/auth/login", {"email": email, "password": password})


@pytest.fixture
def frozen_clock(time_machine):
    """Time stands still (the limits count in 15-minute windows: start at a window's beginning);
    ``advance(seconds)`` moves it on."""
    now = time.time()
    start = now - now % 900 + 901
    time_machine.move_to(start, tick=False)

    def advance(seconds: float) -> None:
        time_machine.shift(seconds)

    return advance


def test_parallel_wrong_passwords_cannot_pass_the_limit(api, signup, threaded_app, frozen_clock):
    signup("target@example.com", password="right password")
    start = threading.Barrier(24)
    statuses: list[int] = []

    def guess(index: int) -> None:
        start.wait()
        response = api.post("/auth/login", {"email": "target@example.com", "password": f"guess {index}"})
        statuses.append(response.status)

    threads = [threading.Thread(target=guess, args=(index,)) for index in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(statuses) == 24 and set(statuses) <= {401, 429}
    # The address's first try, then the account's 5 failures without a delay (before the first
    # one's failure is counted, at most 5 more reserve a place); the rest wait.
    assert 2 <= statuses.count(401) <= 6, statuses
    # The guesses let through are all counted: from this address even the right password waits.
    after = api.post("/auth/login", {"email": "target@example.com", "password": "right password"})
    assert after.status == 429


def _attack(api, email: str, address: str, advance, guesses: int) -> list[tuple[int, int | None]]:
    """``guesses`` wrong passwords, each sent again after the Retry-After of the per-account delay;
    stops at the first other 429. Returns what each request got: (status, Retry-After)."""
    seen: list[tuple[int, int | None]] = []
    while sum(1 for status, _ in seen if status == 401) < guesses:
        response = login(api, email, "a wrong guess", address)
        retry_after = int(response.headers["retry-after"]) if response.status == 429 else None
        seen.append((response.status, retry_after))
        if response.status != 429:
            assert response.status == 401, response.json
        elif "please wait" in response.json["error"]["message"]:
            advance(retry_after)
        else:
            break
    return seen


def test_a_stranger_cannot_lock_the_owner_out(api, signup, frozen_clock):
    signup("victim@example.com", password="victim password")
    seen = _attack(api, "victim@example.com", ATTACKER, frozen_clock, guesses=30)

    assert [status for status, _ in seen].count(401) == 10
    stopped = login(api, "victim@example.com", "victim password", ATTACKER)
    assert stopped.status == 429, "the attacker's address is stopped, even with the right password"
    assert "from your network" in stopped.json["error"]["message"]
    owner = login(api, "victim@example.com", "victim password", VICTIM_HOME)
    assert owner.status == 200, owner.json
    assert login(api, "victim@example.com", "victim password", "192.0.2.200").status == 200


def test_429_carries_retry_after_in_the_header_and_our_error_body(api, signup, frozen_clock):
    signup("owner@example.com", password="owner password")
    for _ in range(5):
        assert login(api, "owner@example.com", "wrong").status == 401

    refused = login(api, "owner@example.com", "wrong")
    assert refused.status == 429
    assert refused.headers["retry-after"] == "2"
    assert refused.json == {
        "error": {
            "code": "too_many_requests",
            "message": "Too many failed sign-ins for this account; please wait before trying again.",
            "details": {"retry_after": 2},
        }
    }


def test_delays_grow_with_each_failure_from_any_address(api, signup, frozen_clock):
    signup("owner@example.com", password="owner password")
    for _ in range(5):
        assert login(api, "owner@example.com", "wrong").status == 401

    waits = []
    for _ in range(4):
        refused = login(api, "owner@example.com", "wrong")
        assert refused.status == 429
        waits.append(int(refused.headers["retry-after"]))
        frozen_clock(waits[-1] - 1)
        assert login(api, "owner@example.com", "wrong").status == 429, "not a second early"
        frozen_clock(1)
        assert login(api, "owner@example.com", "wrong").status == 401
    assert waits == [2, 4, 8, 16]

    # A second address gets its first try at once; its failure lengthens the account's delay.
    assert login(api, "owner@example.com", "wrong", "192.0.2.10").status == 401
    again = login(api, "owner@example.com", "wrong", "192.0.2.10")
    assert again.status == 429 and again.headers["retry-after"] == "64"
    # The owner, from an address that has not failed, signs in all the same.
    assert login(api, "owner@example.com", "owner password", VICTIM_HOME).status == 200


def test_the_delay_is_capped_and_forgotten_after_a_day_without_failures(api, signup, frozen_clock):
    signup("owner@example.com", password="owner password")
    for index in range(20):
        assert login(api, "owner@example.com", "wrong", f"192.0.2.{index}").status == 401
    capped = login(api, "owner@example.com", "wrong", "192.0.2.0")
    assert capped.status == 429 and capped.headers["retry-after"] == str(15 * 60)

    frozen_clock(24 * 3600)
    assert login(api, "owner@example.com", "wrong", "192.0.2.0").status == 401
    assert login(api, "owner@example.com", "wrong", "192.0.2.0").status == 401


def test_the_limits_do_not_tell_whether_an_account_exists(api, signup, frozen_clock):
    signup("exists@example.com", password="real password")
    started = time.time()
    on_account = _attack(api, "exists@example.com", "192.0.2.1", frozen_clock, guesses=12)
    # The same point of a later 15-minute window, so that waits till a window's end compare too.
    frozen_clock(-(time.time() - started) % 900)
    on_nobody = _attack(api, "nobody@example.com", "192.0.2.2", frozen_clock, guesses=12)

    assert on_account == on_nobody
    assert [status for status, _ in on_account].count(429) > 1


def test_a_correct_password_is_not_a_failure(api, signup, frozen_clock):
    signup("typist@example.com", password="typist password")
    for _ in range(4):
        assert login(api, "typist@example.com", "typo").status == 401
    for _ in range(20):
        assert login(api, "typist@example.com", "typist password").status == 200
    # Only the 4 typos count: 5 failures go through without a delay, the 6th waits.
    assert login(api, "typist@example.com", "typo").status == 401
    assert login(api, "typist@example.com", "typo").status == 429


def test_many_people_behind_one_nat_are_not_locked_out_together(api, signup, make_staff, frozen_clock):
    nat = "100.64.0.1"
    make_staff("root@example.com")
    for index in range(40):
        signup(f"colleague{index}@example.com", password="colleague password")
        for _ in range(2):
            assert login(api, f"colleague{index}@example.com", "typo", nat).status == 401
    # 80 failures from the one address (the old limit refused all sign-ins after 50).
    assert login(api, "colleague0@example.com", "colleague password", nat).status == 200
    assert login(api, "root@example.com", "root password", nat).status == 200


def test_one_address_trying_many_accounts_is_stopped(api, signup, frozen_clock):
    signup("bystander@example.com", password="bystander password")
    for index in range(300):
        assert login(api, f"sprayed{index}@example.com", "Password1", ATTACKER).status == 401

    refused = login(api, "bystander@example.com", "bystander password", ATTACKER)
    assert refused.status == 429
    assert refused.json["error"]["message"] == "Too many failed sign-ins from your network; try again later."
    assert 1 <= int(refused.headers["retry-after"]) <= 15 * 60
    assert login(api, "bystander@example.com", "bystander password", VICTIM_HOME).status == 200
    frozen_clock(15 * 60)
    assert login(api, "bystander@example.com", "bystander password", ATTACKER).status == 200
