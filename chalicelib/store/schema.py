"""Table descriptions derived from the PynamoDB models: the one source of truth for both
``manage.py provision`` and the deploy policy (deploy/policy.py)."""

from dataclasses import dataclass, field
from typing import Any

from chalicelib.store.models import ALL_MODELS
from chalicelib.store.models.base import BaseModel


@dataclass
class TableSpec:
    name: str
    key_schema: list[dict[str, str]]
    attribute_types: dict[str, str] = field(default_factory=dict)
    global_indexes: dict[str, dict[str, Any]] = field(default_factory=dict)
    ttl_attribute: str | None = None
    stream_view_type: str | None = None

    def stream_specification(self) -> dict[str, Any]:
        if self.stream_view_type is None:
            return {"StreamEnabled": False}
        return {"StreamEnabled": True, "StreamViewType": self.stream_view_type}

    def attribute_definitions(self) -> list[dict[str, str]]:
        return [{"AttributeName": n, "AttributeType": t} for n, t in sorted(self.attribute_types.items())]

    def global_index_definitions(self) -> list[dict[str, Any]]:
        return [self.global_indexes[name] for name in sorted(self.global_indexes)]


def _index_definition(index_schema: dict[str, Any]) -> dict[str, Any]:
    projection = {"ProjectionType": index_schema["projection"]["ProjectionType"]}
    if "NonKeyAttributes" in index_schema["projection"]:
        projection["NonKeyAttributes"] = list(index_schema["projection"]["NonKeyAttributes"])
    return {
        "IndexName": index_schema["index_name"],
        "KeySchema": [
            {"AttributeName": k["AttributeName"], "KeyType": k["KeyType"]} for k in index_schema["key_schema"]
        ],
        "Projection": projection,
    }


def _add_model(spec: TableSpec, model: type[BaseModel]) -> None:
    for attr in model.get_attributes().values():
        if attr.is_hash_key or attr.is_range_key:
            spec.attribute_types[attr.attr_name] = attr.attr_type
    for index in model._indexes.values():
        index_schema = index._get_schema()
        for definition in index_schema["attribute_definitions"]:
            spec.attribute_types[definition["AttributeName"]] = definition["AttributeType"]
        spec.global_indexes[index_schema["index_name"]] = _index_definition(index_schema)
    if model.ttl_attribute:
        spec.ttl_attribute = model.ttl_attribute
    if model.stream_view_type:
        spec.stream_view_type = model.stream_view_type


def table_specs(models: list[type[BaseModel]] = ALL_MODELS) -> list[TableSpec]:
    specs: dict[str, TableSpec] = {}
    for model in sorted(models, key=lambda m: not m.owns_table):
        name = model.Meta.table_name
        if model.owns_table:
            key_schema = [
                {"AttributeName": a.attr_name, "KeyType": "HASH" if a.is_hash_key else "RANGE"}
                for a in model.get_attributes().values()
                if a.is_hash_key or a.is_range_key
            ]
            key_schema.sort(key=lambda k: k["KeyType"] != "HASH")
            specs[name] = TableSpec(name=name, key_schema=key_schema)
        if name not in specs:
            raise LookupError(f"no model owns table {name}; mark one with owns_table = True")
        _add_model(specs[name], model)
    return list(specs.values())
