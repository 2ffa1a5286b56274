"""The caller's notifications: list (newest first, ?unread=true), unread count, mark read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chalice import Response

from chalicelib.api.lazy import lazy
from chalicelib.domain.objects import list_of
from chalicelib.http.context import current_user
from chalicelib.http.definitions import FLAG, MARKED_READ, NOTIFICATION, PAGE_QUERY, UNREAD_COUNT
from chalicelib.http.request import query_flag, query_param
from chalicelib.http.responses import paginated
from chalicelib.http.routing import ApiBlueprint
from chalicelib.store.pagination import page_size

if TYPE_CHECKING:
    from chalicelib.store import notifications
    from chalicelib.views import notifications as notifications_views
else:
    notifications = lazy("chalicelib.store.notifications")
    notifications_views = lazy("chalicelib.views.notifications")

bp = ApiBlueprint(__name__)


@bp.route(
    "/notifications",
    response=list_of(NOTIFICATION),
    query={**PAGE_QUERY, "unread": FLAG},
)
def list_notifications() -> Response:
    items, cursor = notifications.list_notifications(
        current_user().user_id,
        unread_only=query_flag("unread"),
        limit=page_size(query_param("limit")),
        cursor=query_param("cursor"),
    )
    return paginated([notifications_views.notification_view(item) for item in items], cursor)


@bp.route("/notifications/unread-count", response=UNREAD_COUNT)
def unread_count() -> dict:
    # The counter arrives with the user item authentication already read: no extra call.
    return {"count": int(current_user().unread_notifications)}


@bp.route("/notifications/{notification_id}/read", methods=["POST"], response=NOTIFICATION)
def mark_read(notification_id: str) -> dict:
    notification = notifications.mark_read(current_user().user_id, notification_id)
    return notifications_views.notification_view(notification)


@bp.route("/notifications/read-all", methods=["POST"], response=MARKED_READ)
def mark_all_read() -> dict:
    user_id = current_user().user_id
    return {"marked": notifications.mark_all_read(user_id), "count": notifications.unread_count(user_id)}
