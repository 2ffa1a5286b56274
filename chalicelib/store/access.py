"""One BatchGetItem answers everything a permission check needs: the event item (with its
version counters, i.e. the ETag), the caller's membership and, when asked, the permission
matrix. The matrix is cached per container and re-read only when its stored version moves."""

from dataclasses import dataclass
from typing import Any

from chalicelib.domain.permissions import DEFAULT_MATRIX, Matrix, complete_matrix
from chalicelib.store.aws import client
from chalicelib.store.models.events import EVENT_SK, EventModel, event_pk, role_sk
from chalicelib.store.models.system import SystemItemModel

MATRIX_KEY = {"pk": {"S": "PERMISSIONS"}, "sk": {"S": "MATRIX"}}
MATRIX_VERSION_KEY = {"pk": {"S": "PERMISSIONS"}, "sk": {"S": "VERSION"}}


@dataclass
class StoredMatrix:
    version: int
    matrix: Matrix


_matrix_cache: StoredMatrix | None = None


@dataclass
class EventRecord:
    event: EventModel | None
    role: str | None
    matrix: StoredMatrix | None


def _read_matrix(version: int) -> StoredMatrix:
    global _matrix_cache
    if _matrix_cache is not None and _matrix_cache.version == version:
        return _matrix_cache
    item = (
        client("dynamodb")
        .get_item(TableName=SystemItemModel.Meta.table_name, Key=MATRIX_KEY, ConsistentRead=True)
        .get("Item")
    )
    # A matrix stored before a role or service existed reads its missing cells as the defaults.
    matrix = complete_matrix(SystemItemModel.from_raw_data(item).data) if item else DEFAULT_MATRIX
    stored_version = int(item["version"]["N"]) if item else 0
    _matrix_cache = StoredMatrix(version=stored_version, matrix=matrix)
    return _matrix_cache


def remember_matrix(stored: StoredMatrix) -> None:
    """This container just wrote ``stored``: no need to read it back on the next check."""
    global _matrix_cache
    _matrix_cache = stored


def forget_cached_matrix() -> None:
    """What a new container sees: the next check reads the matrix again."""
    global _matrix_cache
    _matrix_cache = None


def load_matrix() -> StoredMatrix:
    """The current matrix: its version item, then the matrix itself only if that version is new here."""
    item = (
        client("dynamodb")
        .get_item(TableName=SystemItemModel.Meta.table_name, Key=MATRIX_VERSION_KEY, ConsistentRead=True)
        .get("Item")
    )
    return _read_matrix(int(item["version"]["N"]) if item else 0)


def load_event_record(event_id: str, user_id: str | None, with_matrix: bool = False) -> EventRecord:
    events_table = EventModel.Meta.table_name
    event_keys: list[dict[str, Any]] = [{"pk": {"S": event_pk(event_id)}, "sk": {"S": EVENT_SK}}]
    if user_id:
        event_keys.append({"pk": {"S": event_pk(event_id)}, "sk": {"S": role_sk(user_id)}})
    request: dict[str, Any] = {events_table: {"Keys": event_keys, "ConsistentRead": True}}
    if with_matrix:
        request[SystemItemModel.Meta.table_name] = {"Keys": [MATRIX_VERSION_KEY], "ConsistentRead": True}
    items: dict[str, list[dict[str, Any]]] = {}
    while request:
        answer = client("dynamodb").batch_get_item(RequestItems=request)
        for table, found in answer["Responses"].items():
            items.setdefault(table, []).extend(found)
        request = answer.get("UnprocessedKeys") or {}
    event = role = None
    for item in items.get(events_table, []):
        if item["sk"]["S"] == EVENT_SK:
            event = EventModel.from_raw_data(item)
        else:
            role = item["role"]["S"]
    matrix = None
    if with_matrix:
        version_items = items.get(SystemItemModel.Meta.table_name, [])
        matrix = _read_matrix(int(version_items[0]["version"]["N"]) if version_items else 0)
    return EventRecord(event=event, role=role, matrix=matrix)
