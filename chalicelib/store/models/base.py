"""Shared PynamoDB settings: every model reads its table name and region from config."""

from pynamodb.connection.table import TableConnection
from pynamodb.models import Model

from chalicelib.config import settings
from chalicelib.store.aws import on_shared_client


def table_name(short_name: str) -> str:
    return settings().table_name(short_name)


class BaseMeta:
    region = settings().region
    billing_mode = "PAY_PER_REQUEST"


class BaseModel(Model):
    """A model whose table is shared with others declares ``owns_table = False``.

    Provisioning and the deploy policy are built from the models that own their table
    (chalicelib.store.schema), so the two can never drift apart.
    """

    owns_table = True
    ttl_attribute: str | None = None
    # Set on the model that owns a table whose changes the stream functions handle
    # (chalicelib.streams): "NEW_AND_OLD_IMAGES" gives them the item before and after.
    stream_view_type: str | None = None

    class Meta(BaseMeta):
        abstract = True

    @classmethod
    def _get_connection(cls) -> TableConnection:
        connection = super()._get_connection()
        on_shared_client(connection.connection)
        return connection
