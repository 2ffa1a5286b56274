"""Tracks, sessions, speakers, sponsors and microlocations: the same five routes for each,
every one guarded by the permission matrix (create / read / update / delete)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalice import Response

from chalicelib.api.lazy import lazy
from chalicelib.domain.objects import list_of
from chalicelib.domain.services import SERVICE_CHANGES, SERVICE_INPUTS, SERVICES, Service, service_item
from chalicelib.http.access import service_permission
from chalicelib.http.context import current_access
from chalicelib.http.definitions import FLAG
from chalicelib.http.etag import conditional_get, expected_versions, versioned_etag
from chalicelib.http.request import query_flag
from chalicelib.http.responses import created, no_content
from chalicelib.http.routing import ApiBlueprint

if TYPE_CHECKING:
    from chalicelib.store import services
    from chalicelib.views import services as services_views
else:
    services = lazy("chalicelib.store.services")
    services_views = lazy("chalicelib.views.services")

bp = ApiBlueprint(__name__)


def _named(name: str, doc: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Give each generated view its own name (the OpenAPI operationId) and summary."""

    def rename(view: Callable[..., Any]) -> Callable[..., Any]:
        view.__name__ = view.__qualname__ = name
        view.__doc__ = doc
        return view

    return rename


def _register(service: Service) -> None:
    name, collection = service.name, service.collection
    item = service_item(name)
    path = f"/events/{{event_id}}/{collection}"

    @bp.route(path, response=list_of(item))
    @service_permission(name, "read")
    @_named(f"list_{collection}", f"The event's {collection}.")
    def list_items(event_id: str) -> Response:
        event = current_access().event
        etag = versioned_etag(services.list_versions(event, name))
        return conditional_get(
            etag, lambda: [services_views.item_view(s) for s in services.list_items(event_id, name)]
        )

    @bp.route(path, methods=["POST"], status=201, body=SERVICE_INPUTS[name], response=item)
    @service_permission(name, "create")
    @_named(f"create_{name}", f"Create a {name}.")
    def create_item(event_id: str, body: dict[str, Any]) -> Response:
        return created(services_views.item_view(services.create_item(current_access().event, name, body)))

    @bp.route(f"{path}/{{item_id}}", response=item)
    @service_permission(name, "read")
    @_named(f"get_{name}", f"One {name}.")
    def get_item(event_id: str, item_id: str) -> Response:
        stored, versions = services.get_item(current_access().event, name, item_id)
        return conditional_get(versioned_etag(versions), lambda: services_views.item_view(stored))

    @bp.route(f"{path}/{{item_id}}", methods=["PATCH"], body=SERVICE_CHANGES[name], response=item)
    @service_permission(name, "update")
    @_named(f"update_{name}", f"Change some fields of a {name} (If-Match honoured).")
    def update_item(event_id: str, item_id: str, body: dict[str, Any]) -> Response:
        event = current_access().event
        stored, versions = services.update_item(event, name, item_id, body, expected_versions())
        return Response(body=services_views.item_view(stored), headers={"ETag": versioned_etag(versions)})

    @bp.route(f"{path}/{{item_id}}", methods=["DELETE"], query={"force": FLAG})
    @service_permission(name, "delete")
    @_named(f"delete_{name}", f"Delete a {name} (?force=true unlinks the sessions using it).")
    def delete_item(event_id: str, item_id: str) -> Response:
        services.delete_item(current_access().event, name, item_id, expected_versions(), query_flag("force"))
        return no_content()


for _service in SERVICES.values():
    _register(_service)
