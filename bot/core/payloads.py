"""Typed button payloads: one small class per action, packed within 64 bytes, parsed here.

A payload is `PREFIX:field1:field2…` (the byte format buttons already sent and chat states
already stored use). A class names its prefix (which may itself contain ':', e.g. "rf:del")
and its fields; `pack` builds the string and `parse` reads it back, returning None for a
forged or stale payload instead of raising. The last field takes the rest of the string,
so a free-form last field may contain ':'.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, ClassVar, Self

MAX_PAYLOAD_BYTES = 64  # Telegram's callback_data limit; the strictest channel's


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
        hints = typing.get_type_hints(cls)
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
_MAX_INT_DIGITS = 18  # fits a 64-bit column; longer numbers are forged


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def _convert(raw: str, hint: Any) -> Any:
    """Convert one field; _INVALID when it does not fit the declared type."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if raw == "":
            return None
        return _convert(raw, args[0]) if args else raw
    if hint is int:
        if not raw.isascii() or not raw.isdigit() or len(raw) > _MAX_INT_DIGITS:
            return _INVALID
        return int(raw)
    if hint is bool:
        return {"1": True, "0": False}.get(raw, _INVALID)
    return raw


def payload_prefix(raw: str) -> str:
    """Return the first segment of a payload (what the router's choice table is keyed by)."""
    return raw.split(":", 1)[0]
