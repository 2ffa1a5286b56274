"""Once-only claims in the system table: one conditional put decides who does a thing (send the
mail a change calls for), however often the stream delivers the change and however many handlers
see it at once. A claim whose work failed is given back, so that a redelivery tries again."""

import contextlib
import time

from pynamodb.exceptions import DeleteError, PutError

from chalicelib.store.models.system import SystemItemModel

# Long past the stream's retention (24 h) and its retries: a change cannot come back after that.
_KEEP_SECONDS = 7 * 24 * 3600


def _item(key: str) -> SystemItemModel:
    return SystemItemModel(f"ONCE#{key}", "claim")


def claim(key: str) -> bool:
    """True for the one caller that gets to do ``key``; False when it was claimed before."""
    item = _item(key)
    item.expires_at = int(time.time()) + _KEEP_SECONDS
    try:
        item.save(condition=SystemItemModel.pk.does_not_exist())
    except PutError as error:
        if error.cause_response_code == "ConditionalCheckFailedException":
            return False
        raise
    return True


def give_back(key: str) -> None:
    with contextlib.suppress(DeleteError):
        _item(key).delete()
