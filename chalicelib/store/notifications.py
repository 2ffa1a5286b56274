"""Notifications on the tables: store one, list, mark read, read the unread ones.

The unread counter on the user item moves in the same transaction as every insert and every
mark-read, and a mark-read only counts when it flips ``has_read`` from false (a condition), so the
counter equals the number of unread notifications whatever runs concurrently.
"""

from collections.abc import Callable, Iterator

from chalicelib.domain.clock import now
from chalicelib.domain.errors import NotFoundError
from chalicelib.domain.notifications import (
    clean_message,
    clean_title,
    created_at,
    iso_millis,
    new_notification_id,
)
from chalicelib.store.models.notifications import NotificationModel, notification_sk
from chalicelib.store.models.users import UserModel
from chalicelib.store.pagination import decode_cursor, encode_cursor
from chalicelib.store.retry import LostRace, retrying
from chalicelib.store.transactions import Cancelled, Transaction, transaction

# Notifications marked per transaction by read-all (plus the counter: DynamoDB allows 100 items).
MARK_ALL_BATCH = 50
_CONFLICT_ATTEMPTS = 5


def _transact(build: Callable[[Transaction], None]) -> None:
    """Run one TransactWriteItems, retrying when DynamoDB cancels it only because another
    transaction touched the same item (the user's counter is a hot item)."""

    def attempt(_fresh: bool) -> None:
        try:
            with transaction() as pending:
                build(pending)
        except Cancelled as cancelled:
            if cancelled.only_conflicts:
                raise LostRace from cancelled
            raise

    retrying(attempt, attempts=_CONFLICT_ATTEMPTS)


def store_notification(
    user_id: str, action: str, title: str, message: str, link: str | None = None
) -> NotificationModel:
    """Store a notification for ``user_id`` (plain-text title and message, ``link`` the app's page it
    is about) and count it as unread in the same transaction."""
    at = now()
    notification_id = new_notification_id(at)
    received_at = iso_millis(at)
    notification = NotificationModel(
        user_id,
        notification_sk(received_at, notification_id),
        notification_id=notification_id,
        title=clean_title(title),
        message=clean_message(message),
        action=action,
        received_at=received_at,
        has_read=False,
        unread_for=user_id,
        link=link,
    )

    def build(transaction: Transaction) -> None:
        transaction.save(notification, condition=NotificationModel.sk.does_not_exist())
        transaction.update(
            UserModel(user_id),
            actions=[UserModel.unread_notifications.add(1)],
            condition=UserModel.user_id.exists(),
            tag="user",
        )

    try:
        _transact(build)
    except Cancelled as cancelled:
        if cancelled.failed("user"):
            raise NotFoundError("No such user.") from cancelled
        raise
    return notification


def unread_count(user_id: str) -> int:
    user = UserModel.get(user_id, consistent_read=True, attributes_to_get=["unread_notifications"])
    return int(user.unread_notifications or 0)


def unread_state(user_id: str) -> UserModel | None:
    """The user's unread counter and token version (what a push needs), None once deleted."""
    try:
        return UserModel.get(
            user_id, consistent_read=True, attributes_to_get=["unread_notifications", "token_version"]
        )
    except UserModel.DoesNotExist:
        return None


def newest_unread(user_id: str, limit: int) -> list[NotificationModel]:
    """The newest unread notifications (the sparse index: eventually consistent)."""
    return list(NotificationModel.by_unread.query(user_id, scan_index_forward=False, limit=limit))


def unread_about(user_id: str, action: str, link: str) -> list[NotificationModel]:
    """The user's unread notifications of ``action`` about ``link`` (the sparse index holds only
    unread ones, so this reads no more than the user has unread)."""
    unread = NotificationModel.by_unread.query(user_id, filter_condition=NotificationModel.action == action)
    return [item for item in unread if item.link == link]


def list_notifications(
    user_id: str, *, unread_only: bool, limit: int, cursor: str | None
) -> tuple[list[NotificationModel], str | None]:
    """One page, newest first; unread only reads the sparse index (never a read notification)."""
    scope = f"notifications:{user_id}:{'unread' if unread_only else 'all'}"
    start = decode_cursor(cursor, scope)
    if unread_only:
        page = NotificationModel.by_unread.query(
            user_id, scan_index_forward=False, limit=limit, last_evaluated_key=start
        )
    else:
        page = NotificationModel.query(
            user_id, scan_index_forward=False, limit=limit, last_evaluated_key=start
        )
    items = list(page)
    return items, encode_cursor(page.last_evaluated_key, scope)


def _get(user_id: str, sk: str) -> NotificationModel | None:
    try:
        return NotificationModel.get(user_id, sk, consistent_read=True)
    except NotificationModel.DoesNotExist:
        return None


def mark_read(user_id: str, notification_id: str) -> NotificationModel:
    """Mark one notification read; marking it again changes nothing (and is not an error)."""
    at = created_at(notification_id)
    if at is None:
        raise NotFoundError("No such notification.")
    sk = notification_sk(iso_millis(at), notification_id)

    def build(transaction: Transaction) -> None:
        transaction.update(
            NotificationModel(user_id, sk),
            actions=[NotificationModel.has_read.set(True), NotificationModel.unread_for.remove()],
            condition=NotificationModel.has_read == False,  # noqa: E712 (a DynamoDB condition)
            tag="notification",
        )
        transaction.update(UserModel(user_id), actions=[UserModel.unread_notifications.add(-1)])

    try:
        _transact(build)
    except Cancelled as cancelled:
        if not cancelled.failed("notification"):
            raise
    notification = _get(user_id, sk)
    if notification is None:
        raise NotFoundError("No such notification.")
    return notification


def _chunks(items: Iterator[NotificationModel], size: int) -> Iterator[list[NotificationModel]]:
    chunk: list[NotificationModel] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _mark_batch(user_id: str, batch: list[NotificationModel]) -> int:
    """Mark a batch read in one transaction; items read meanwhile are dropped and the rest retried."""
    while batch:

        def build(transaction: Transaction, items: list[NotificationModel] = batch) -> None:
            for item in items:
                transaction.update(
                    NotificationModel(user_id, item.sk),
                    actions=[NotificationModel.has_read.set(True), NotificationModel.unread_for.remove()],
                    condition=NotificationModel.has_read == False,  # noqa: E712 (a DynamoDB condition)
                    tag=item.sk,
                )
            transaction.update(UserModel(user_id), actions=[UserModel.unread_notifications.add(-len(items))])

        try:
            _transact(build)
            return len(batch)
        except Cancelled as cancelled:
            already_read = [item for item in batch if cancelled.failed(item.sk)]
            if not already_read:
                raise
            batch = [item for item in batch if item not in already_read]
    return 0


def mark_all_read(user_id: str) -> int:
    """Mark every notification unread at the start read, in batched transactions; returns how many
    this call marked (others marked concurrently are not counted twice)."""
    unread = NotificationModel.by_unread.query(user_id, page_size=MARK_ALL_BATCH)
    return sum(_mark_batch(user_id, batch) for batch in _chunks(iter(unread), MARK_ALL_BATCH))
