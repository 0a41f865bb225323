"""Typed button payloads: one small class per action, packed within 64 bytes, parsed here.

A payload is `PREFIX:field1:field2…` (the byte format buttons already sent and chat states
already stored use). A class names its prefix (which may itself contain ':', e.g. "rf:del")
and its fields; `pack` builds the string and `parse` reads it back, returning None for a
forged or stale payload instead of raising. The last field takes the rest of the string,
so a free-form last field may contain ':'.

Record ids are `Id` fields (an `int` to the code): one parser, `parse_id`, reads them from
buttons and from typed text ("12", "#12") and refuses anything beyond the id columns'
32-bit range, Unicode digits ("²", "①") and signs, so no handler has to guard a forged
number before a query. Other integer fields (weeks, versions, pages) are bounded alike.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Annotated, Any, ClassVar, Self

MAX_PAYLOAD_BYTES = 64  # Telegram's callback_data limit; the strictest channel's
MAX_ID = 2**31 - 1  # id columns are INTEGER (32-bit on PostgreSQL)


class _IdMarker:
    """Marks an `Id` field: a record id, 1 … MAX_ID."""


Id = Annotated[int, _IdMarker]


def parse_int(text: str, low: int = 0, high: int = MAX_ID) -> int | None:
    """Return the ASCII number text holds within low … high, None for anything else."""
    if not text.isascii() or not text.isdigit() or len(text) > len(str(high)):
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_id(text: str) -> int | None:
    """Return the record id a button part or a typed number ("12", "#12") holds; None when
    it is not one any row can have."""
    return parse_int(text.strip().removeprefix("#"), 1, MAX_ID)


class PayloadError(ValueError):
    """A payload that would not fit the channel limit (a programming error)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Payload:
    """Base of every typed payload (subclasses are frozen dataclasses with PREFIX)."""

    PREFIX: ClassVar[str] = ""

    def pack(self) -> str:
        """Return the payload string (raises PayloadError above 64 bytes)."""
        parts = [self.PREFIX, *(_text(getattr(self, f.name)) for f in dataclasses.fields(self))]
        packed = ":".join(parts) if len(parts) > 1 else self.PREFIX
        if len(packed.encode()) > MAX_PAYLOAD_BYTES:
            raise PayloadError(f"payload over {MAX_PAYLOAD_BYTES} bytes: {self.PREFIX}")
        return packed

    @classmethod
    def matches(cls, raw: str) -> bool:
        """Tell whether raw carries this class's prefix."""
        return raw == cls.PREFIX or raw.startswith(cls.PREFIX + ":")

    @classmethod
    def parse(cls, raw: str) -> Self | None:
        """Read a payload back; None when it is not this class's or its fields are invalid."""
        if not cls.matches(raw):
            return None
        fields = dataclasses.fields(cls)
        rest = raw[len(cls.PREFIX) + 1:] if raw != cls.PREFIX else ""
        if not fields:
            return cls() if rest == "" else None
        values = rest.split(":", len(fields) - 1) if rest != "" else []
        hints = _hints(cls)
        converted: list[Any] = []
        for index, field in enumerate(fields):
            if index >= len(values):
                if field.default is not dataclasses.MISSING:
                    converted.append(field.default)
                    continue
                return None
            value = _convert(values[index], hints.get(field.name, str))
            if value is _INVALID:
                return None
            converted.append(value)
        return cls(*converted)


_INVALID = object()


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    """A payload class's field types (read once per class: every press parses one)."""
    hints = _HINTS.get(cls)
    if hints is None:
        hints = _HINTS[cls] = typing.get_type_hints(cls, include_extras=True)
    return hints


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def _convert(raw: str, hint: Any) -> Any:
    """Convert one field; _INVALID when it does not fit the declared type."""
    origin = typing.get_origin(hint)
    if origin is Annotated:
        base, *marks = typing.get_args(hint)
        if _IdMarker in marks:
            value = parse_int(raw, 1, MAX_ID)  # no "#": a button carries the bare number
            return _INVALID if value is None else value
        return _convert(raw, base)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if raw == "":
            return None
        return _convert(raw, args[0]) if args else raw
    if hint is int:
        number = parse_int(raw)
        return _INVALID if number is None else number
    if hint is bool:
        return {"1": True, "0": False}.get(raw, _INVALID)
    return raw


def payload_prefix(raw: str) -> str:
    """Return the first segment of a payload (what the router's choice table is keyed by)."""
    return raw.split(":", 1)[0]
