"""Sign-in limits (the figures: chalicelib.domain.limits). Every attempt is reserved with
conditional writes before the password is checked, so guesses sent in parallel cannot slip past
a limit; a correct password gives its reservations back.

The per-account delay is kept in one item per account: its failure count and the time of the last
one, changed only by a write conditioned on the item being as it was read (``version``)."""

import math
import time
from typing import NamedTuple

from pynamodb.exceptions import DoesNotExist, PutError

from chalicelib.domain.errors import TooManyRequestsError
from chalicelib.domain.limits import (
    FAILED_LOGINS_PER_ACCOUNT,
    FAILED_LOGINS_PER_SOURCE,
    FAILED_LOGINS_PER_SOURCE_AND_ACCOUNT,
)
from chalicelib.log import logger
from chalicelib.store import ratelimit
from chalicelib.store.models.system import SystemItemModel

# Each lost race means another attempt was written; more contenders than this get 429.
_WRITE_TRIES = 10


class LoginAttempt(NamedTuple):
    account: str
    source: ratelimit.Reservation
    pair: ratelimit.Reservation
    # The address had already failed (or was trying in parallel) for this account in the window,
    # so the attempt went through the per-account delay and is counted there already.
    delayed: bool


class _AccountState(NamedTuple):
    item: SystemItemModel | None
    failures: int
    last_failure_at: float


def reserve(email: str, source_ip: str) -> LoginAttempt:
    """Reserve one sign-in attempt for the normalized ``email`` from ``source_ip``, or refuse it
    with 429 and Retry-After. Unknown e-mail addresses are limited exactly like accounts."""
    account = ratelimit.digest(email)
    source = ratelimit.consume(FAILED_LOGINS_PER_SOURCE, source_ip)
    try:
        pair = ratelimit.consume(
            FAILED_LOGINS_PER_SOURCE_AND_ACCOUNT, ratelimit.digest(f"{source_ip}\n{email}")
        )
    except TooManyRequestsError:
        ratelimit.give_back(source)
        raise
    delayed = pair.count > 1
    if delayed:
        try:
            _count_account_failure(account, within_delay=True)
        except TooManyRequestsError:
            ratelimit.give_back(pair)
            ratelimit.give_back(source)
            raise
    return LoginAttempt(account, source, pair, delayed)


def failed(attempt: LoginAttempt) -> None:
    """The password was wrong: the reservations stay counted."""
    if not attempt.delayed:
        _count_account_failure(attempt.account, within_delay=False)


def succeeded(attempt: LoginAttempt) -> None:
    """The password was right: the attempt was no failure."""
    ratelimit.give_back(attempt.pair)
    ratelimit.give_back(attempt.source)
    if attempt.delayed:
        _uncount_account_failure(attempt.account)


def _account_key(account: str) -> tuple[str, str]:
    return f"RATE#{FAILED_LOGINS_PER_ACCOUNT.name}#{account}", "failures"


def _read_account(account: str, now: float) -> _AccountState:
    try:
        item = SystemItemModel.get(*_account_key(account), consistent_read=True)
    except DoesNotExist:
        return _AccountState(None, 0, 0.0)
    data = item.data or {}
    last_failure_at = float(data.get("last_failure_at", 0))
    # DynamoDB's TTL deletes late: an item past its memory counts as none.
    if now - last_failure_at >= FAILED_LOGINS_PER_ACCOUNT.memory_seconds:
        return _AccountState(item, 0, last_failure_at)
    return _AccountState(item, int(data.get("failures", 0)), last_failure_at)


def _write_account(account: str, read: _AccountState, failures: int, last_failure_at: float) -> bool:
    """Store the new state unless another attempt changed the item since ``read``."""
    version = int(read.item.version) if read.item is not None else 0
    item = SystemItemModel(
        *_account_key(account),
        version=version + 1,
        data={"failures": failures, "last_failure_at": last_failure_at},
        expires_at=math.ceil(last_failure_at) + FAILED_LOGINS_PER_ACCOUNT.memory_seconds + 60,
    )
    unchanged = (
        SystemItemModel.version == version if read.item is not None else SystemItemModel.pk.does_not_exist()
    )
    try:
        item.save(condition=unchanged)
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def _count_account_failure(account: str, *, within_delay: bool) -> None:
    """Add one failure; ``within_delay``: only once the delay since the last failure has passed
    (else 429 with the seconds left)."""
    limit = FAILED_LOGINS_PER_ACCOUNT
    for _ in range(_WRITE_TRIES):
        now = time.time()
        state = _read_account(account, now)
        if within_delay:
            wait = state.last_failure_at + limit.delay_after(state.failures) - now
            if wait > 0:
                raise TooManyRequestsError(limit.message, retry_after=math.ceil(wait))
        if _write_account(account, state, state.failures + 1, now):
            return
    if within_delay:
        raise TooManyRequestsError(limit.message, retry_after=1)
    logger.warning("a failed sign-in went uncounted: %d parallel attempts on one account", _WRITE_TRIES)


def _uncount_account_failure(account: str) -> None:
    for _ in range(_WRITE_TRIES):
        state = _read_account(account, time.time())
        if state.failures == 0:
            return
        if _write_account(account, state, state.failures - 1, state.last_failure_at):
            return
