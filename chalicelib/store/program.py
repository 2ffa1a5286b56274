"""Every item of an event's five services in one pass: one Query by key prefix per service in the
event partition (five requests, however many items), never one read per session or speaker."""

from typing import Any

from chalicelib.domain.services import SERVICES
from chalicelib.store.models.events import event_pk
from chalicelib.store.models.services import ServiceItemModel


def _record(item: ServiceItemModel) -> dict[str, Any]:
    return {"id": item.item_id, **item.fields, "created_at": item.created_at, "updated_at": item.updated_at}


def program_items(event_id: str) -> dict[str, list[dict[str, Any]]]:
    """``{service: [{"id", **fields, "created_at", "updated_at"}]}``, read consistently so that what
    is sent matches the version counters the ETag was made of (read before)."""
    return {
        name: [
            _record(item)
            for item in ServiceItemModel.query(
                event_pk(event_id), ServiceItemModel.sk.startswith(service.sk_prefix), consistent_read=True
            )
        ]
        for name, service in SERVICES.items()
    }
