"""Typed definitions of request and response bodies. One table per body is the source of its
validator (``Object.validate``: every bad field named in ``details`` by its path, such as
``tickets[2].price``), of its JSON Schema (the OpenAPI document, the schema fuzzer, the
frontend's field specs) and of its serialization (``Object.dump``). Cross-field rules sit beside
the table as ``Rule``s. Pure: no HTTP, no boto3, no PynamoDB."""

import copy
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.fields import INVALID, Errors, Field, Schema, or_null


class ListOf(Field):
    def __init__(
        self,
        item: Field,
        *,
        max_items: int | None = None,
        min_items: int | None = None,
        message: str = "Give a list.",
        too_many: str | None = None,
        duplicate: str | None = None,
        identity: Callable[[Any], Any] | None = None,
        duplicate_at: str | None = None,
        nullable: bool = False,
        keep_null: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.item, self.max_items, self.min_items, self.message = item, max_items, min_items, message
        # ``nullable``: null is accepted, as an empty list (or, ``keep_null``, as null).
        self.keep_null = keep_null
        self.too_many = too_many or f"Give at most {max_items} items."
        # ``duplicate`` refuses an item equal to an earlier one (or whose ``identity``, INVALID for
        # none, is), at the item's path or at its field ``duplicate_at``.
        self.duplicate, self.identity, self.duplicate_at = duplicate, identity, duplicate_at
        self.nullable = nullable

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        if value is None and self.nullable:
            return None if self.keep_null else []
        if not isinstance(value, list) or (self.min_items is not None and len(value) < self.min_items):
            errors[path] = self.message
            return INVALID
        if self.max_items is not None and len(value) > self.max_items:
            errors[path] = self.too_many
            return INVALID
        clean: list[Any] = []
        seen: list[Any] = []
        for index, item in enumerate(value):
            where = f"{path}[{index}]"
            cleaned = self.item.check(item, where, errors)
            if cleaned is INVALID:
                continue
            if self.duplicate:
                key = self.identity(cleaned) if self.identity else cleaned
                at = f"{where}.{self.duplicate_at}" if self.duplicate_at else where
                if key is not INVALID and key in seen and at not in errors:
                    errors[at] = self.duplicate
                    continue
                seen.append(key)
            clean.append(cleaned)
        return clean

    def base_schema(self) -> Schema:
        schema: Schema = {"type": "array"}
        if self.min_items is not None:
            schema["minItems"] = self.min_items
        if self.max_items is not None:
            schema["maxItems"] = self.max_items
        schema["items"] = self.item.schema()
        return or_null(schema, self.nullable)

    def stored(self) -> Field:
        return ListOf(self.item, max_items=self.max_items, description=self.description)

    def dump(self, value: Any) -> Any:
        return [self.item.dump(item) for item in value]


Report = Callable[[str, str], None]


class Rule(NamedTuple):
    """A cross-field rule: ``check(values, report, context)`` runs once every field of ``inputs``
    has a clean value (and, if ``needs_context``, when the caller has the stored state it needs:
    the event's dates, what is sold). ``report(field, message)`` names a field of this object."""

    inputs: tuple[str, ...]
    check: Callable[[dict[str, Any], Report, Any], None]
    needs_context: bool = False


def list_of(item: Field, **options: Any) -> ListOf:
    return ListOf(item, **options)


def field_of(name: str, transform: Callable[[Any], Any] = lambda value: value) -> Callable[[Any], Any]:
    """The identity of an object by one of its clean fields (INVALID when that field is not)."""
    return lambda item: transform(item[name]) if name in item else INVALID


def _unknown(key: str) -> str:
    return "Unknown field."


class Object(Field):
    """A JSON object whose ``fields`` are all known. ``validate`` is the whole check of a body
    (ValidationError naming every bad field); ``dump`` builds the representation from a record.

    ``defaults`` fill what was left out (a function of the clean values so far, or a value;
    with ``absent_as_null`` the rest is checked as null: free text becomes "", a clearable value
    None); ``unknown`` says what is wrong with a key the table lacks; ``empty`` is the message (at
    the first field) for an empty object when at least one field is needed; ``schema_extra`` is
    what the schema says beyond the table, for a rule enforced elsewhere (the media pipeline's);
    ``exactly_one`` names fields of which exactly one must be sent (``exactly_one_message`` at the
    object's own path when none or several are, ``oneOf`` in the schema).
    Response objects (``additional=True``) allow more properties than listed: docs/api.md lets fields
    be added. (A plain class, not a dataclass: building one at import costs cold start.)"""

    def __init__(
        self,
        fields: dict[str, Field],
        *,
        title: str | None = None,
        required: tuple[str, ...] = (),
        defaults: dict[str, Any] | None = None,
        rules: tuple[Rule, ...] = (),
        additional: bool = False,
        unknown: Callable[[str], str] = _unknown,
        message: str = "Give an object.",
        examples: list[Any] | None = None,
        nullable: bool = False,
        absent_as_null: bool = False,
        empty: str | None = None,
        schema_extra: Schema | None = None,
        exactly_one: tuple[str, ...] = (),
        exactly_one_message: str = "Send exactly one of these fields.",
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.fields, self.title, self.required, self.defaults = fields, title, required, defaults or {}
        self.rules, self.additional, self.unknown, self.message = rules, additional, unknown, message
        self.examples, self.nullable, self.absent_as_null = examples, nullable, absent_as_null
        self.empty, self.schema_extra = empty, schema_extra
        self.exactly_one, self.exactly_one_message = exactly_one, exactly_one_message

    def check(self, value: Any, path: str, errors: Errors, context: Any = None) -> Any:
        if value is None and self.nullable:
            return None
        if not isinstance(value, Mapping):
            errors[path] = self.message
            return INVALID
        prefix = f"{path}." if path else ""
        if self.empty and not value:
            errors[f"{prefix}{next(iter(self.fields))}"] = self.empty
        for key in value if not self.additional else ():
            if key not in self.fields:
                errors[f"{prefix}{key}"] = self.unknown(key)
        if self.exactly_one and sum(name in value for name in self.exactly_one) != 1:
            errors[path or self.exactly_one[0]] = self.exactly_one_message
        clean: dict[str, Any] = {}
        for name, item in self.fields.items():
            if name in value:
                raw = value[name]
            elif name in self.defaults:
                default = self.defaults[name]
                raw = default(clean) if callable(default) else default
            elif name in self.required or self.absent_as_null:
                raw = None
            else:
                continue
            cleaned = item.check(raw, f"{prefix}{name}", errors)
            if cleaned is not INVALID:
                clean[name] = cleaned
        self.apply_rules(clean, errors, prefix, context)
        return clean

    def apply_rules(
        self, values: dict[str, Any], errors: Errors, prefix: str = "", context: Any = None
    ) -> None:
        def report(name: str, message: str) -> None:
            errors[f"{prefix}{name}"] = message

        for rule in self.rules:
            if rule.needs_context and context is None:
                continue
            if all(name in values for name in rule.inputs):
                rule.check(values, report, context)

    def validate(self, payload: Any, context: Any = None) -> dict[str, Any]:
        errors: Errors = {}
        clean = self.check(payload, "", errors, context)
        if errors:
            raise ValidationError(errors)
        return clean

    def partial(self, title: str | None = None, examples: list[Any] | None = None) -> "Object":
        """The same table for a change: every field optional, no defaults; the rules run on what
        was sent (the use case runs the whole table again over the stored fields)."""
        return Object(
            self.fields,
            title=title,
            rules=self.rules,
            unknown=self.unknown,
            message=self.message,
            examples=examples,
        )

    def response(
        self,
        title: str | None,
        before: Mapping[str, Field] | None = None,
        after: Mapping[str, Field] | None = None,
    ) -> "Object":
        """What this request table looks like once stored and sent back, between the fields the
        server sets (``before`` and ``after`` it)."""
        stored = {name: item.stored() for name, item in self.fields.items()}
        return sent(title, {**(before or {}), **stored, **(after or {})})

    def extended(
        self, title: str | None, add: Mapping[str, Field] | None = None, drop: tuple[str, ...] = ()
    ) -> "Object":
        """Another response: these fields but ``drop``, and ``add``."""
        kept = {name: item for name, item in self.fields.items() if name not in drop}
        return sent(
            title, {**kept, **(add or {})}, optional=tuple(n for n in self.fields if n not in self.required)
        )

    def base_schema(self) -> Schema:
        schema: Schema = {"type": "object"}
        required = [name for name in self.fields if name in self.required]
        if required:
            schema["required"] = required
        schema["properties"] = {name: item.schema() for name, item in self.fields.items()}
        if not self.additional:
            schema["additionalProperties"] = False
        if self.empty:
            schema["minProperties"] = 1
        if self.exactly_one:
            schema["oneOf"] = [{"required": [name]} for name in self.exactly_one]
        if self.examples:
            schema["examples"] = copy.deepcopy(self.examples)
        schema.update(copy.deepcopy(self.schema_extra or {}))
        return or_null(schema, self.nullable)

    def schema(self) -> Schema:
        schema = super().schema()
        return {"title": self.title, **schema} if self.title else schema

    def dump(self, record: Any) -> Any:
        out: dict[str, Any] = {}
        for name, item in self.fields.items():
            source = item.source or name
            if callable(source):
                value = source(record)
            elif isinstance(record, Mapping):
                value = record[source]
            else:
                value = getattr(record, source)
            out[name] = None if value is None else item.dump(value)
        return out


def sent(title: str | None, fields: Mapping[str, Field], optional: tuple[str, ...] = ()) -> Object:
    """A response object: every field listed is present but ``optional`` ones, more may be added."""
    return Object(
        dict(fields), title=title, required=tuple(n for n in fields if n not in optional), additional=True
    )
