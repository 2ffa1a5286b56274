"""Typed definitions of request and response bodies. One field table per body is the source of
its validator (``Object.validate``: every bad field named in ``details`` by its path, such as
``tickets[2].price``), of its JSON Schema (the OpenAPI document, the schema fuzzer, the
frontend's field specs) and of its serialization (``Object.dump``). Cross-field rules sit beside
the table as ``Rule``s. Pure: no HTTP, no boto3, no PynamoDB. Why a table and not pydantic or
msgspec: docs/definitions.md."""

import copy
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chalicelib.domain.errors import ValidationError

Schema = dict[str, Any]
Errors = dict[str, str]


class _Invalid:
    def __repr__(self) -> str:
        return "INVALID"


# What a check returns once it has recorded its error: the field has no clean value.
INVALID: Any = _Invalid()


class Field:
    """One value: ``check`` cleans it or records an error at ``path``; ``schema`` describes what
    ``check`` accepts; ``stored`` is the field as a response sends it back."""

    def __init__(
        self,
        description: str | None = None,
        source: str | Callable[[Any], Any] | None = None,
        stored: "Field | None" = None,
    ) -> None:
        self.description = description
        # Where ``Object.dump`` reads the value: an attribute name or a function of the record.
        self.source = source
        self._stored = stored

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        return value

    def base_schema(self) -> Schema:
        return {}

    def schema(self) -> Schema:
        schema = self.base_schema()
        if self.description:
            schema["description"] = self.description
        return schema

    def stored(self) -> "Field":
        return self._stored or self

    def dump(self, value: Any) -> Any:
        return value


def _nullable(schema: Schema, nullable: bool) -> Schema:
    if nullable and "type" in schema:
        schema["type"] = [schema["type"], "null"]
    return schema


class Text(Field):
    """A string, stripped. ``null`` (when ``nullable``) is stored as ``null_value``; ``required``
    is the message for a missing or blank value; ``message`` the one for a non-string."""

    def __init__(
        self,
        max_len: int | None = None,
        *,
        min_len: int | None = None,
        required: str | None = None,
        message: str = "Give text.",
        nullable: bool = False,
        null_value: Any = "",
        measure_stripped: bool = True,
        pattern: str | None = None,
        fmt: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.max_len, self.min_len, self.required, self.message = max_len, min_len, required, message
        self.nullable, self.null_value, self.measure_stripped = nullable, null_value, measure_stripped
        self.pattern, self.fmt = pattern, fmt

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        if value is None and self.nullable:
            return self.null_value
        if not isinstance(value, str):
            errors[path] = (self.required if value is None else None) or self.message
            return INVALID
        text = value.strip()
        if self.required and not text:
            errors[path] = self.required
            return INVALID
        if self.max_len is not None and len(text if self.measure_stripped else value) > self.max_len:
            errors[path] = f"Use at most {self.max_len} characters."
            return INVALID
        return text

    def base_schema(self) -> Schema:
        schema: Schema = {"type": "string"}
        min_len = self.min_len if self.min_len is not None else (1 if self.required else None)
        for key, value in (
            ("minLength", min_len),
            ("maxLength", self.max_len),
            ("pattern", self.pattern),
            ("format", self.fmt),
        ):
            if value is not None:
                schema[key] = value
        return _nullable(schema, self.nullable)

    def stored(self) -> Field:
        """Free text comes back as text: a null sent is stored as ""."""
        if self._stored:
            return self._stored
        return Text(description=self.description) if self.nullable and self.null_value == "" else self


class Matching(Field):
    """A string that one predicate accepts or refuses with one ``message`` (colours, addresses,
    ids, time zones); ``clean`` turns the stripped text into the stored value."""

    def __init__(
        self,
        message: str,
        *,
        pattern: str | None = None,
        max_len: int | None = None,
        min_len: int | None = None,
        accepts: Callable[[str], bool] | None = None,
        clean: Callable[[str], Any] = str,
        nullable: bool = False,
        fmt: str | None = None,
        strip: bool = True,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.message, self.pattern, self.max_len, self.min_len = message, pattern, max_len, min_len
        self._regex = re.compile(pattern) if pattern else None
        self.accepts, self.clean, self.nullable, self.fmt, self.strip = accepts, clean, nullable, fmt, strip

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        if value is None and self.nullable:
            return None
        text = (value.strip() if self.strip else value) if isinstance(value, str) else ""
        valid = (
            isinstance(value, str)
            and (self.max_len is None or len(value) <= self.max_len)
            and (self.min_len is None or len(text) >= self.min_len)
            and (self._regex is None or self._regex.match(text) is not None)
            and (self.accepts is None or self.accepts(value))
        )
        if not valid:
            errors[path] = self.message
            return INVALID
        return self.clean(text)

    def base_schema(self) -> Schema:
        schema: Schema = {"type": "string"}
        for key, value in (
            ("minLength", self.min_len),
            ("maxLength", self.max_len),
            ("pattern", self.pattern),
            ("format", self.fmt),
        ):
            if value is not None:
                schema[key] = value
        return _nullable(schema, self.nullable)


class Choice(Field):
    def __init__(self, values: tuple[str, ...], message: str | None = None, **options: Any) -> None:
        super().__init__(**options)
        self.values = values
        self.message = message or f"Use one of {', '.join(values)}."

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        if value not in self.values:
            errors[path] = self.message
            return INVALID
        return value

    def base_schema(self) -> Schema:
        return {"enum": list(self.values)}


class Const(Field):
    def __init__(self, value: Any, **options: Any) -> None:
        super().__init__(**options)
        self.value = value

    def base_schema(self) -> Schema:
        return {"const": self.value}


class Flag(Field):
    def __init__(self, message: str = "Give true or false.", **options: Any) -> None:
        super().__init__(**options)
        self.message = message

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        if not isinstance(value, bool):
            errors[path] = self.message
            return INVALID
        return value

    def base_schema(self) -> Schema:
        return {"type": "boolean"}


class Integer(Field):
    """A whole JSON number (never a bool or 2.0) from ``minimum`` to ``maximum``."""

    def __init__(
        self,
        minimum: int | None = None,
        maximum: int | None = None,
        *,
        message: str | None = None,
        range_message: str | None = None,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.minimum, self.maximum = minimum, maximum
        self.message = message or f"Give a whole number from {minimum} to {maximum}."
        self.range_message = range_message or f"Use a whole number from {minimum} to {maximum}."

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        if type(value) is not int:
            errors[path] = self.message
            return INVALID
        if (self.minimum is not None and value < self.minimum) or (
            self.maximum is not None and value > self.maximum
        ):
            errors[path] = self.range_message
            return INVALID
        return value

    def base_schema(self) -> Schema:
        schema: Schema = {"type": "integer"}
        if self.minimum is not None:
            schema["minimum"] = self.minimum
        if self.maximum is not None:
            schema["maximum"] = self.maximum
        return schema

    def dump(self, value: Any) -> Any:
        return int(value)


class Number(Field):
    """A finite JSON number from ``low`` to ``high`` (``whole``: 3 or 3.0, stored as 3)."""

    def __init__(self, low: float, high: float, *, whole: bool = False, **options: Any) -> None:
        super().__init__(**options)
        self.low, self.high, self.whole = low, high, whole
        self.message = f"Give {'a whole number' if whole else 'a number'} from {low:g} to {high:g}."

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or (self.whole and not float(value).is_integer())
            or not self.low <= value <= self.high
        ):
            errors[path] = self.message
            return INVALID
        return int(value) if self.whole else value

    def base_schema(self) -> Schema:
        return {"type": "integer" if self.whole else "number", "minimum": self.low, "maximum": self.high}


class Clearable(Field):
    """An optional value: ``""`` or ``null`` clears it (it is stored and sent back as null)."""

    def __init__(self, inner: Field, **options: Any) -> None:
        super().__init__(**options)
        self.inner = inner

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        if value is None or value == "":
            return None
        return self.inner.check(value, path, errors)

    def base_schema(self) -> Schema:
        return {"anyOf": [self.inner.schema(), {"enum": ["", None]}]}

    def stored(self) -> Field:
        return Schemaless({"anyOf": [self.inner.schema(), {"type": "null"}]})


class Parsed(Field):
    """A value checked by a parsing function that raises ValueError with the client's message
    (money, times: the rules are their domain module's); ``schema`` documents what it accepts."""

    def __init__(
        self,
        parse: Callable[[Any], Any],
        schema: Schema,
        *,
        nullable: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.parse, self._schema, self.nullable = parse, schema, nullable

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        if value is None and self.nullable:
            return None
        try:
            return self.parse(value)
        except ValueError as error:
            errors[path] = str(error)
            return INVALID

    def base_schema(self) -> Schema:
        return _nullable(copy.deepcopy(self._schema), self.nullable)


class Schemaless(Field):
    """A value this API sends as is (a JSON Schema is all there is to say about it)."""

    def __init__(self, schema: Schema | None = None, **options: Any) -> None:
        super().__init__(**options)
        self._schema = schema or {}

    def base_schema(self) -> Schema:
        return copy.deepcopy(self._schema)


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
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.item, self.max_items, self.min_items, self.message = item, max_items, min_items, message
        self.too_many = too_many or f"Give at most {max_items} items."
        # ``duplicate`` refuses an item equal to an earlier one (or whose ``identity``, INVALID for
        # none, is), at the item's path or at its field ``duplicate_at``.
        self.duplicate, self.identity, self.duplicate_at = duplicate, identity, duplicate_at
        self.nullable = nullable

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        if value is None and self.nullable:
            return []
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
        return _nullable(schema, self.nullable)

    def stored(self) -> Field:
        return ListOf(self.item, max_items=self.max_items, description=self.description)

    def dump(self, value: Any) -> Any:
        return [self.item.dump(item) for item in value]


Report = Callable[[str, str], None]


@dataclass(frozen=True)
class Rule:
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


@dataclass
class Object(Field):
    """A JSON object whose ``fields`` are all known. ``validate`` is the whole check of a body
    (ValidationError naming every bad field); ``dump`` builds the representation from a record.

    ``defaults`` fill what was left out (a function of the clean values so far, or a value;
    with ``absent_as_null`` the rest is checked as null); ``unknown`` says what is wrong with a
    key the table lacks. Response objects (``additional=True``) allow more properties than
    listed: API.md lets fields be added."""

    fields: dict[str, Field]
    title: str | None = None
    required: tuple[str, ...] = ()
    defaults: dict[str, Any] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    additional: bool = False
    unknown: Callable[[str], str] = lambda key: "Unknown field."
    message: str = "Give an object."
    description: str | None = None  # type: ignore[assignment]
    examples: list[Any] | None = None
    source: Any = None
    nullable: bool = False
    # A field left out is checked as null (free text becomes "", a clearable value None).
    absent_as_null: bool = False
    # The message (at the first field) for an empty object, when at least one field is needed.
    empty: str | None = None
    # What the schema says beyond the table, for a rule enforced elsewhere (the media pipeline's).
    schema_extra: Schema | None = None

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
        if self.examples:
            schema["examples"] = copy.deepcopy(self.examples)
        schema.update(copy.deepcopy(self.schema_extra or {}))
        return _nullable(schema, self.nullable)

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
