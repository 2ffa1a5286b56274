"""The values of a definition (chalicelib.domain.objects puts them in tables): each one cleans a
value or records why not at its path, and says in JSON Schema what it accepts, so the validator
and the OpenAPI document cannot drift apart. Pure: no HTTP, no boto3, no PynamoDB. Why this and
not pydantic or msgspec: docs/definitions.md."""

import copy
import math
import re
from collections.abc import Callable
from typing import Any

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


def or_null(schema: Schema, nullable: bool) -> Schema:
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
        return or_null(schema, self.nullable)

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
        return or_null(schema, self.nullable)


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
    """A whole JSON number (never a bool or 2.0) from ``minimum`` to ``maximum`` (or null, when
    ``nullable``)."""

    def __init__(
        self,
        minimum: int | None = None,
        maximum: int | None = None,
        *,
        message: str | None = None,
        range_message: str | None = None,
        nullable: bool = False,
        **options: Any,
    ) -> None:
        super().__init__(**options)
        self.minimum, self.maximum, self.nullable = minimum, maximum, nullable
        self.message = message or f"Give a whole number from {minimum} to {maximum}."
        self.range_message = range_message or f"Use a whole number from {minimum} to {maximum}."

    def check(self, value: Any, path: str, errors: Errors) -> Any:
        if value is None and self.nullable:
            return None
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
        return or_null(schema, self.nullable)

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
        return or_null(copy.deepcopy(self._schema), self.nullable)


class Schemaless(Field):
    """A value this API sends as is (a JSON Schema is all there is to say about it)."""

    def __init__(self, schema: Schema | None = None, **options: Any) -> None:
        super().__init__(**options)
        self._schema = schema or {}

    def base_schema(self) -> Schema:
        return copy.deepcopy(self._schema)
