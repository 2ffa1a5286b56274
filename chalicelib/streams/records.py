"""One stream record as the handlers see it: which item changed, how, and its images before and
after, decoded from DynamoDB's typed JSON into plain values (numbers as Decimal)."""

from dataclasses import dataclass
from typing import Any, TypeVar

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from pynamodb.models import Model

INSERT, MODIFY, REMOVE = "INSERT", "MODIFY", "REMOVE"

_deserializer = TypeDeserializer()
_serializer = TypeSerializer()
M = TypeVar("M", bound=Model)


def _plain(image: dict[str, Any] | None) -> dict[str, Any] | None:
    if image is None:
        return None
    return {name: _deserializer.deserialize(value) for name, value in image.items()}


def table_of(stream_arn: str) -> str:
    """``arn:aws:dynamodb:region:account:table/NAME/stream/LABEL`` -> ``NAME``."""
    resource = stream_arn.split(":", 5)[-1]
    parts = resource.split("/")
    return parts[1] if len(parts) > 1 and parts[0] == "table" else ""


@dataclass(frozen=True)
class Change:
    table: str
    event_name: str
    keys: dict[str, Any]
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    sequence_number: str

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> "Change":
        """A record of a Lambda stream event (``event["Records"][i]``)."""
        dynamodb = record["dynamodb"]
        return cls(
            table=table_of(record.get("eventSourceARN", "")),
            event_name=record["eventName"],
            keys=_plain(dynamodb["Keys"]) or {},
            old=_plain(dynamodb.get("OldImage")),
            new=_plain(dynamodb.get("NewImage")),
            sequence_number=str(dynamodb["SequenceNumber"]),
        )

    @property
    def kind_key(self) -> str:
        """What a handler's prefix is matched against: the sort key, or the partition key of a
        table that has none (the orders table's ``ORDER#<id>``)."""
        return str(self.keys.get("sk", self.keys.get("pk", "")))

    @property
    def image(self) -> dict[str, Any]:
        """The item as it is now, or as it was before it was removed."""
        return self.new if self.new is not None else (self.old or {})

    def before(self, name: str) -> Any:
        return (self.old or {}).get(name)

    def after(self, name: str) -> Any:
        return (self.new or {}).get(name)

    def became(self, name: str, value: Any) -> bool:
        """``name`` has ``value`` now and did not before (the item just reached that state)."""
        return self.after(name) == value and self.before(name) != value

    def changed(self, *names: str) -> bool:
        return any(self.before(name) != self.after(name) for name in names)

    def as_model(self, model: type[M], when: str = "new") -> M | None:
        """The image (``"new"`` or ``"old"``) as an instance of ``model``; None when there is none."""
        image = self.new if when == "new" else self.old
        if image is None:
            return None
        return model.from_raw_data({name: _serializer.serialize(value) for name, value in image.items()})
