"""A track, session, speaker, sponsor or microlocation; a track lists its sessions."""

from typing import Any

from chalicelib.store.services import StoredItem


def item_view(stored: StoredItem) -> dict[str, Any]:
    item = stored.item
    view = {"id": item.item_id, **item.fields, "created_at": item.created_at, "updated_at": item.updated_at}
    if stored.sessions is not None:
        view["sessions"] = [{"id": s.item_id, "title": s.fields["title"]} for s in stored.sessions]
    return view
