"""Everything stored about a person, section by section: export it, or erase it.

Each feature that stores personal data contributes a `PersonalDataSection` to the
registry (see docs/privacy.md). `export_person` gathers every section; `erase_person`
runs every section's `erase` and leaves the person row as an anonymous shell so that
foreign keys and aggregate counts survive; `withdraw_purpose` erases only the sections
that exist for a purpose whose consent was withdrawn.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import Action, AuditRepo
from storage.models import (
    ChannelAccountRow,
    PersonRow,
)
from storage.people import ConsentRepo

Record = dict[str, Any]
ANONYMOUS = "anonymous"
# Put in place of a person's name or phone number inside free text that is kept.
REDACTED = "***"
_PHONE_SEPARATORS = r"[\s.\-()]*"


@runtime_checkable
class PersonalDataSection(Protocol):
    """One feature's share of a person's data.

    `key` names the section in the JSON export and its heading in the catalog
    (`privacy.section.<key>`); record fields are labelled by `privacy.field.<field>`.
    `purposes` lists the consent purposes the data exists for: withdrawing one of them
    erases the section; an empty set means only account deletion erases it. A section may
    also have `value_labels` (field -> catalog family): a coded value `v` of that field is
    shown as `<family>.<v>` (e.g. "status": "deeds.status").
    """

    key: str
    purposes: frozenset[str]

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return the person's records as JSON-friendly dicts (datetimes allowed)."""
        ...

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Remove or anonymise the person's records (aggregate counts may stay, nameless)."""
        ...


@dataclass(slots=True)
class PersonalDataRegistry:
    """The sections of personal data, in erase order (identity sections run last)."""

    _first: list[PersonalDataSection] = field(default_factory=list)
    _last: list[PersonalDataSection] = field(default_factory=list)

    def add(self, section: PersonalDataSection, *, last: bool = False) -> None:
        """Register a section; `last` for identity data other sections may still need."""
        if not isinstance(section, PersonalDataSection):
            raise TypeError(f"not a PersonalDataSection: {section!r}")
        if section.key in self.keys():
            raise ValueError(f"personal data section registered twice: {section.key}")
        (self._last if last else self._first).append(section)

    @property
    def sections(self) -> list[PersonalDataSection]:
        """Return every section in erase order."""
        return [*self._first, *self._last]

    def keys(self) -> list[str]:
        """Return the section keys."""
        return [s.key for s in self.sections]


async def export_person(session: AsyncSession, registry: PersonalDataRegistry,
                        person_id: int) -> dict[str, list[Record]]:
    """Return every section's records of a person, in display order (profile first)."""
    out: dict[str, list[Record]] = {}
    for section in [*registry._last[::-1], *registry._first]:
        out[section.key] = await section.export(session, person_id)
    return out


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def export_json(data: dict[str, list[Record]], *, exported_at: datetime,
                policy_version: str) -> bytes:
    """Return an export as UTF-8 JSON, readable by people and programs."""
    document = {"exported_at": exported_at, "policy_version": policy_version, "data": data}
    return json.dumps(document, ensure_ascii=False, indent=2, default=_json_default,
                      sort_keys=False).encode("utf-8")


async def erase_person(session: AsyncSession, registry: PersonalDataRegistry, person_id: int,
                       now: datetime, *, actor_id: int | None, reason: str) -> None:
    """Erase everything about a person and keep the row as an anonymous shell; audit it."""
    for section in registry.sections:
        await section.erase(session, person_id, now)
    await session.execute(
        update(PersonRow).where(PersonRow.id == person_id)
        .values(full_name=None, birth_year=None, unit_code=None, current_campaign=None,
                address=None,
                registered_at=None, role="resident", deleted_at=now, retention_warned_at=None,
                updated_at=now))
    action = Action.PRIVACY_DELETE if reason != "retention" else Action.RETENTION_ANONYMISE
    await AuditRepo(session).append(action, now, actor_id=actor_id, target_type="person",
                                    target_id=person_id, reason=reason)


async def withdraw_purpose(session: AsyncSession, registry: PersonalDataRegistry,
                           person_id: int, purpose: str, now: datetime,
                           also: Iterable[str] = ()) -> list[str]:
    """Withdraw consent for a purpose (and dependent ones), erase what exists for them."""
    purposes = [purpose, *also]
    consents = ConsentRepo(session)
    withdrawn = [p for p in purposes if await consents.withdraw(person_id, p, now)]
    erased = [s.key for s in registry.sections if s.purposes & set(purposes)]
    for section in registry.sections:
        if section.key in erased:
            await section.erase(session, person_id, now)
    await AuditRepo(session).append(Action.CONSENT_WITHDRAW, now, actor_id=person_id,
                                    target_type="person", target_id=person_id,
                                    after={"withdrawn": withdrawn, "erased": erased})
    return erased


# --------------------------------------------------------------------------- redaction


def name_variants(full_name: str | None) -> list[str]:
    """Return the ways a full name is likely written inside text, longest first.

    "Hoàng Thị Quỳnh Anh" gives the full name, "Thị Quỳnh Anh" and "Quỳnh Anh" (the given
    name, as people write "chị Quỳnh Anh"); a single word is never used alone (too common).
    """
    words = (full_name or "").split()
    if len(words) < 2:
        return []
    variants = [" ".join(words)]
    if len(words) >= 3:
        variants += [" ".join(words[1:]), " ".join(words[-2:])]
    return list(dict.fromkeys(variants))


def _folded_with_positions(text: str) -> tuple[str, list[int]]:
    """Fold text for matching (no tones, đ→d, casefold) and map each folded char back."""
    chars: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(text):
        decomposed = unicodedata.normalize("NFD", char.replace("đ", "d").replace("Đ", "D"))
        for part in "".join(c for c in decomposed if not unicodedata.combining(c)).casefold():
            chars.append(part)
            positions.append(index)
    return "".join(chars), positions


def _phone_pattern(phone: str) -> str | None:
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("84"):
        digits = "0" + digits[2:]
    if len(digits) < 9 or not digits.startswith("0"):
        return None
    rest = _PHONE_SEPARATORS.join(digits[1:])
    return rf"(?<!\d)(?:\+?84|0){_PHONE_SEPARATORS}{rest}(?!\d)"


def redact(text: str | None, names: Sequence[str] = (), phones: Sequence[str] = ()
           ) -> str | None:
    """Replace a person's names (any case, with or without tones) and phone numbers by `***`.

    For free text that stays in a unit's records after the person's identity is erased.
    """
    if not text:
        return text
    patterns = []
    for name in names:
        words = [re.escape(w) for w in _folded_with_positions(name)[0].split()]
        if words:
            patterns.append(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)")
    patterns += [p for phone in phones if (p := _phone_pattern(phone))]
    if not patterns:
        return text
    folded, positions = _folded_with_positions(text)
    spans: list[tuple[int, int]] = []
    for match in re.finditer("|".join(f"(?:{p})" for p in patterns), folded):
        if match.end() > match.start():
            spans.append((positions[match.start()], positions[match.end() - 1] + 1))
    for start, end in reversed(spans):
        text = text[:start] + REDACTED + text[end:]
    return text


def redact_value(value: Any, names: Sequence[str], phones: Sequence[str]) -> Any:
    """Redact every string inside a JSON-like value (dicts and lists walked)."""
    if isinstance(value, str):
        return redact(value, names, phones)
    if isinstance(value, dict):
        return {k: redact_value(v, names, phones) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_value(v, names, phones) for v in value]
    return value


async def person_names(session: AsyncSession, person_id: int) -> list[str]:
    """Return the variants of a person's name to redact (none once the profile is gone)."""
    row = await session.get(PersonRow, person_id)
    return name_variants(row.full_name if row else None)


async def accounts_touching(session: AsyncSession, person_ids: Iterable[int]
                            ) -> list[tuple[int, str, str, str | None]]:
    """Return (person id, channel, external id, chat id) of people's accounts not blocked."""
    ids = list(person_ids)
    if not ids:
        return []
    rows = await session.execute(
        select(ChannelAccountRow.person_id, ChannelAccountRow.channel,
               ChannelAccountRow.external_id, ChannelAccountRow.chat_id)
        .where(ChannelAccountRow.person_id.in_(ids), ChannelAccountRow.blocked_at.is_(None))
        .order_by(ChannelAccountRow.person_id, ChannelAccountRow.id))
    return [(p, c, e, chat) for p, c, e, chat in rows.all()]
