"""Keys the local stack's /media/ route serves: background renditions, named as the app names them."""

import hashlib
import uuid


def rendition_key(seed: str, width: int = 1280) -> str:
    """A rendition key for a made-up event (the same seed gives the same event id)."""
    event_id = uuid.uuid5(uuid.NAMESPACE_URL, seed).hex
    content_hash = hashlib.sha256(seed.encode()).hexdigest()
    return f"events/{event_id}/background/{content_hash}-{width}.jpg"
