"""moto's JSON answers without asking each attribute value for every type it does not have.

moto 5.2 serializes a DynamoDB answer by walking the botocore output shape. An attribute value
(``{"S": "..."}``) is a structure of ten members (S, N, B, SS, NS, BS, M, L, NULL, BOOL), and
moto looks each of the ten up in it through its attribute picker, to find the one it holds: a
Query of 1,000 items of two attributes made 20,000 such look-ups, 60% of its time, and the
audience's fan-out makes that Query once a second (``bench/moto_serialize_bench.py``).

``install()`` lets moto serialize only the members an attribute value's dict holds, in the
shape's order and through moto's own member code, so what is written is the same
(``tests/unit/test_moto_serialize.py``); anything that is not a plain dict attribute value goes
through moto's code unchanged.
"""

from typing import Any

from moto.core.serialize import BaseJSONSerializer

_moto_structure = BaseJSONSerializer._serialize_type_structure


def _serialize_type_structure(
    self: BaseJSONSerializer, serialized: Any, value: Any, shape: Any, key: str
) -> None:
    if shape.name != "AttributeValue" or type(value) is not dict or shape.is_document_type:
        _moto_structure(self, serialized, value, shape, key)
        return
    wrapper: Any = self.MAP_TYPE() if key else serialized
    for member_key, member_shape in shape.members.items():
        if member_key in value:
            member_shape.parent = shape
            self._serialize_structure_member(wrapper, value, member_shape, member_key)
    if key:
        self._default_serialize(serialized, wrapper, shape, key)


def install() -> None:
    """Serialize attribute values this way in every JSON answer of this process's moto (idempotent)."""
    BaseJSONSerializer._serialize_type_structure = _serialize_type_structure  # type: ignore[method-assign]
