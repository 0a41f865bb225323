"""Typed payloads keep today's byte format and refuse forged or stale strings."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.core.payloads import Id, Payload, PayloadError, parse_id


@dataclass(frozen=True, slots=True)
class Delete(Payload):
    PREFIX = "rf:del"
    referral_id: int


@dataclass(frozen=True, slots=True)
class Section(Payload):
    PREFIX = "cs"
    campaign: str
    section: str


@dataclass(frozen=True, slots=True)
class Week(Payload):
    PREFIX = "wk"
    week: int
    unit: str | None = None


def test_pack_keeps_the_colon_format_buttons_already_carry() -> None:
    assert Delete(12).pack() == "rf:del:12"
    assert Section("bac-son", "han_chot").pack() == "cs:bac-son:han_chot"
    assert Week(3).pack() == "wk:3:"


def test_parse_reads_back_what_pack_wrote() -> None:
    assert Delete.parse("rf:del:12") == Delete(12)
    assert Section.parse("cs:bac-son:han_chot") == Section("bac-son", "han_chot")
    assert Week.parse("wk:3") == Week(3)
    assert Week.parse("wk:3:ls.bac-son") == Week(3, "ls.bac-son")


@pytest.mark.parametrize("raw", [
    "rf:del:", "rf:del:abc", "rf:del:-1", "rf:del:²", "rf:del:①",
    "rf:del:92233720368547758089", "rf:delete:1", "rf:del", "cs:only-one",
])
def test_forged_or_stale_payloads_do_not_parse(raw: str) -> None:
    assert Delete.parse(raw) is None or raw.startswith("cs")
    assert Section.parse(raw) is None


def test_a_payload_over_64_bytes_is_refused_when_built() -> None:
    with pytest.raises(PayloadError):
        Section("x" * 40, "y" * 30).pack()


@dataclass(frozen=True, slots=True)
class Open(Payload):
    PREFIX = "op"
    record_id: Id
    page: int = 0


@pytest.mark.parametrize("raw", [
    "op:0", "op:2147483648", "op:9223372036854775808", "op:" + "9" * 30, "op:²", "op:①",
    "op:٣", "op:#12", "op:+1", "op:1:2147483648",
])
def test_ids_beyond_the_id_columns_do_not_parse(raw: str) -> None:
    assert Open.parse(raw) is None


def test_the_largest_id_a_column_holds_parses() -> None:
    assert Open.parse("op:2147483647:3") == Open(2_147_483_647, 3)


@pytest.mark.parametrize(("typed", "expected"), [
    ("12", 12), ("#12", 12), (" 7 ", 7), ("2147483647", 2_147_483_647), ("0", None),
    ("2147483648", None), ("9223372036854775808", None), ("²", None), ("①", None),
    ("٣", None), ("-1", None), ("", None), ("12a", None),
])
def test_one_parser_reads_typed_ids(typed: str, expected: int | None) -> None:
    assert parse_id(typed) == expected
