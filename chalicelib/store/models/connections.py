"""Open WebSocket connections, grouped by the channel they listen to.

``channel`` is ``USER#<user_id>`` (a signed-in tab) or ``EVENT#<event_id>`` (a public event page
watching availability), so a push to one user or one event is one Query, whatever the number of
connections elsewhere. A connection that listens to both has one item per channel; the
``by_connection`` index finds them all again on ``$disconnect``, which only knows the connection id.
"""

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from chalicelib.store.models.base import BaseMeta, BaseModel, table_name

CONNECTIONS_TABLE = table_name("connections")


def user_channel(user_id: str) -> str:
    return f"USER#{user_id}"


def event_channel(event_id: str) -> str:
    return f"EVENT#{event_id}"


def checkins_channel(event_id: str) -> str:
    """Signed-in organizers' pages watching an event's check-in counts."""
    return f"CHECKINS#{event_id}"


class ConnectionsByIdIndex(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_connection"
        projection = AllProjection()

    connection_id = UnicodeAttribute(hash_key=True)


class ConnectionModel(BaseModel):
    # API Gateway closes every connection after two hours at most, and a signed-in one is expired
    # when its token is; TTL removes what a lost $disconnect left behind.
    ttl_attribute = "expires_at"

    class Meta(BaseMeta):
        table_name = CONNECTIONS_TABLE

    channel = UnicodeAttribute(hash_key=True)
    connection_id = UnicodeAttribute(range_key=True)
    # The management API base URL (https://{domainName}/{stage}) seen on $connect.
    endpoint = UnicodeAttribute()
    user_id = UnicodeAttribute(null=True)
    # The version of the token the connection was opened with: once the user's sessions are
    # revoked (sign-out, password change) it is older than the user's and the connection is closed.
    token_version = NumberAttribute(null=True)
    connected_at = UnicodeAttribute()
    expires_at = NumberAttribute()

    by_connection = ConnectionsByIdIndex()
