"""Good deeds in /quyenriengtu: what a reporter, a reviewer and a notice holder can export,
and what is erased when they withdraw the `deeds` consent or delete their account.

A report is about a third person (the nominee) and belongs to the unit's records: erasing
the reporter keeps it (unit, campaign, status, dates, reward) without the reporter's link,
phone and contact flag, and with their name and number blanked in the text that stays. A
self-report names the reporter as nominee: its name, village, text, place and photos go too.
A reviewer's decisions stay in the history with the actor left empty.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from content.text import fold
from storage.deeds.models import DeedEventRow, DeedPhotoRow, DeedRow, NotificationRow
from storage.deeds.notifications import notify
from storage.deeds.states import REPORTER_EVENTS, Action, Status
from storage.files import StoredFileRow
from storage.personal_data import (
    ANONYMOUS,
    REDACTED,
    Record,
    person_names,
    redact,
    redact_value,
)
from storage.rows import changed

# Report fields that describe the nominee; a self-report's are the reporter's own.
NOMINEE_TEXT = ("nominee_name", "what", "place")
NOMINEE_FIELDS = frozenset({*NOMINEE_TEXT, "village"})
# What `deeds.original` keeps of an erased self-report (aggregates only).
ORIGINAL_KEPT = ("unit_code", "happened_on")
REPORTER_NOTICE = "deed:%:reporter"
# A reviewer deciding at the same moment bumps the version: read again, at most this often.
ATTEMPTS = 5


class DeedReportsSection:
    """Good-deed reports the person sent: content, status, photos, what reviewers decided."""

    key = "deeds"
    purposes = frozenset({"deeds"})
    value_labels: ClassVar[dict[str, str]] = {
        "status": "deeds.status", "nominee_minor": "deeds.minor",
        "reject_reason": "deeds.reason", "action": "deeds.history_action"}

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return the person's reports with their photos and the history shown to reporters."""
        deeds = list(await session.scalars(
            select(DeedRow).where(DeedRow.reporter_id == person_id).order_by(DeedRow.id)))
        records: list[Record] = []
        for deed in deeds:
            photos = await session.scalars(select(DeedPhotoRow)
                                           .where(DeedPhotoRow.deed_id == deed.id)
                                           .order_by(DeedPhotoRow.position))
            events = await session.scalars(select(DeedEventRow)
                                           .where(DeedEventRow.deed_id == deed.id)
                                           .order_by(DeedEventRow.at, DeedEventRow.id))
            record: Record = {
                "deed_id": deed.id, "campaign_id": deed.campaign_id, "status": deed.status,
                "is_self": deed.is_self, "nominee_name": deed.nominee_name,
                "nominee_minor": None if deed.is_self else deed.nominee_minor,
                "unit_code": deed.unit_code, "village": deed.village, "what": deed.what,
                "happened_on": deed.happened_on, "place": deed.place,
                "contact_ok": deed.contact_ok, "phone": deed.phone,
                "reward_form": deed.reward_form, "reject_reason": deed.reject_reason,
                "submitted_at": deed.submitted_at,
                "photos": [{"position": p.position, "channel": p.channel, "ref": p.ref,
                            "caption": p.caption} for p in photos],
                # Decisions the reporter is told about; never internal notes, edits or
                # consent records (docs/deeds.md, "What each person sees").
                "history": [{"at": e.at, "action": e.action, "text": e.text,
                             "reason": e.reason if e.action == Action.NOMINATE else None,
                             "by_me": e.actor_id == person_id}
                            for e in events if e.action in REPORTER_EVENTS],
            }
            as_sent = {k: v for k, v in (deed.original or {}).items()
                       if k in NOMINEE_FIELDS and v != getattr(deed, k)}
            if as_sent:
                record["as_sent"] = as_sent
            records.append(record)
        return records

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Unlink the person from their reports and blank what identifies them."""
        names = await person_names(session, person_id)
        rows = await session.execute(select(DeedRow.id, DeedRow.phone)
                                     .where(DeedRow.reporter_id == person_id)
                                     .order_by(DeedRow.id))
        found = rows.all()
        phones = sorted({phone for _id, phone in found if phone})
        for deed_id, _phone in found:
            await _erase_reporter(session, deed_id, person_id, names, phones, now)
        await session.execute(delete(NotificationRow).where(
            NotificationRow.person_id == person_id,
            NotificationRow.dedupe_key.like(REPORTER_NOTICE)))
        await session.flush()


def names_to_blank(names: list[str], deed: DeedRow) -> list[str]:
    """Return the reporter's names to blank in a report, sparing the nominee's own name.

    Reporter "Nguyễn Văn Nam" and nominee "Hoàng Văn Nam" share "Văn Nam": only the full
    name is blanked then, so the nominee stays readable.
    """
    if deed.is_self:
        return names
    nominee = " ".join(fold(deed.nominee_name).split())
    return [n for n in names if " ".join(fold(n).split()) not in nominee]


async def _fresh(session: AsyncSession, deed_id: int) -> DeedRow | None:
    return await session.scalar(select(DeedRow).where(DeedRow.id == deed_id)
                                .execution_options(populate_existing=True))


async def _apply(session: AsyncSession, deed: DeedRow, changes: dict[str, Any]) -> bool:
    """Change a report only if no reviewer changed it meanwhile (the same version guard)."""
    result = await session.execute(
        update(DeedRow).where(DeedRow.id == deed.id, DeedRow.version == deed.version)
        .values(version=deed.version + 1, **changes)
        .execution_options(synchronize_session=False))
    return changed(result) == 1


async def _erase_reporter(session: AsyncSession, deed_id: int, person_id: int,
                          names: list[str], phones: list[str], now: datetime) -> None:
    """Erase one report's reporter (and, for a self-report, its nominee)."""
    for _attempt in range(ATTEMPTS):
        deed = await _fresh(session, deed_id)
        if deed is None or deed.reporter_id != person_id:
            return
        own = names_to_blank(names, deed)
        status, version, holder = deed.status, deed.version, deed.reviewer_id
        changes: dict[str, Any] = {"reporter_id": None, "phone": None, "contact_ok": False,
                                   "updated_at": now}
        if deed.is_self:
            changes.update({field: ANONYMOUS for field in NOMINEE_TEXT}, village=None,
                           original={k: v for k, v in (deed.original or {}).items()
                                     if k in ORIGINAL_KEPT})
        else:
            changes.update(what=redact(deed.what, own, phones) or ANONYMOUS,
                           place=redact(deed.place, own, phones) or ANONYMOUS,
                           village=redact(deed.village, own, phones),
                           original=redact_value(dict(deed.original or {}), own, phones))
        # Nobody can answer a question any more: the report goes back to its reviewer.
        if status == Status.RETURNED:
            changes["status"] = Status.IN_REVIEW if holder else Status.SUBMITTED
        if await _apply(session, deed, changes):
            break
    else:
        raise RuntimeError(f"report {deed_id} kept changing while its reporter was erased")
    await session.refresh(deed)

    def blank(text: str | None) -> str | None:
        return redact(text, own, phones)

    photos = await session.scalars(select(DeedPhotoRow).where(DeedPhotoRow.deed_id == deed_id))
    for photo in photos:
        if deed.is_self:
            if photo.file_id is not None:  # the photo's bytes go with it
                await session.execute(delete(StoredFileRow)
                                      .where(StoredFileRow.id == photo.file_id))
            await session.delete(photo)
        else:
            photo.caption = blank(photo.caption)
    for event in await session.scalars(select(DeedEventRow)
                                       .where(DeedEventRow.deed_id == deed_id)):
        if event.actor_id == person_id and event.action in (Action.SUBMIT, Action.ANSWER):
            event.actor_id = None
        if deed.is_self and event.action == Action.ANSWER:
            event.text = ANONYMOUS
        else:
            event.text = blank(event.text)
        if deed.is_self and event.action == Action.EDIT:
            event.before = _blank_fields(event.before)
            event.after = _blank_fields(event.after)
        elif event.before is not None or event.after is not None:
            event.before = redact_value(event.before, own, phones)
            event.after = redact_value(event.after, own, phones)
    session.add(DeedEventRow(deed_id=deed_id, actor_id=None, at=now, action=Action.ERASE,
                             status_before=status, status_after=deed.status))
    for notice in await session.scalars(select(NotificationRow).where(
            NotificationRow.dedupe_key.like(f"deed:{deed_id}:%"),
            NotificationRow.person_id != person_id)):
        text = (notice.params or {}).get("text")
        if isinstance(text, str):  # a reviewer's notice quoting the reporter's answer
            quoted = REDACTED if deed.is_self else blank(text) or REDACTED
            notice.params = {**notice.params, "text": quoted}
    if status == Status.RETURNED and holder is not None:
        await notify(session, holder, "deeds.notice.reporter_gone", {"id": deed_id},
                     f"deed:{deed_id}:v{version + 1}:erase:{holder}", now)


def _blank_fields(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: (ANONYMOUS if k in NOMINEE_FIELDS and v is not None else v)
            for k, v in values.items()}


class DeedReviewsSection:
    """What the person did as a reviewer: actions on reports, and reports they hold."""

    key = "deed_reviews"
    purposes: frozenset[str] = frozenset()  # done in office, not by consent
    value_labels: ClassVar[dict[str, str]] = {
        "action": "deeds.history_action", "status_before": "deeds.status",
        "status_after": "deeds.status", "reason": "deeds.reason"}

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return the person's actions on reports (not their text: it is about others)."""
        rows = await session.scalars(
            select(DeedEventRow)
            .where(DeedEventRow.actor_id == person_id,
                   DeedEventRow.action.not_in([Action.SUBMIT, Action.ANSWER]))
            .order_by(DeedEventRow.at, DeedEventRow.id))
        records: list[Record] = [
            {"deed_id": e.deed_id, "at": e.at, "action": e.action,
             "status_before": e.status_before, "status_after": e.status_after,
             "reason": e.reason if e.action == Action.REJECT else None}
            for e in rows]
        held = await session.scalars(select(DeedRow.id).where(DeedRow.reviewer_id == person_id)
                                     .order_by(DeedRow.id))
        held_ids = set(held)
        for record in records:
            record["held_by_me"] = record["deed_id"] in held_ids
        return records

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Keep the decisions with no actor; reports in review go back to the queue."""
        held = await session.scalars(select(DeedRow.id).where(DeedRow.reviewer_id == person_id))
        for deed_id in list(held):
            await _release(session, deed_id, person_id, now)
        await session.execute(update(DeedEventRow).where(DeedEventRow.actor_id == person_id)
                              .values(actor_id=None)
                              .execution_options(synchronize_session=False))
        await session.flush()


async def _release(session: AsyncSession, deed_id: int, person_id: int, now: datetime) -> None:
    """Take a report off a deleted reviewer; one in review goes back to the waiting queue."""
    for _attempt in range(ATTEMPTS):
        deed = await _fresh(session, deed_id)
        if deed is None or deed.reviewer_id != person_id:
            return
        status = deed.status
        changes: dict[str, Any] = {"reviewer_id": None, "updated_at": now}
        if status == Status.IN_REVIEW:
            changes["status"] = Status.SUBMITTED
        if await _apply(session, deed, changes):
            if status == Status.IN_REVIEW:
                session.add(DeedEventRow(deed_id=deed_id, actor_id=None, at=now,
                                         action=Action.RELEASE, status_before=status,
                                         status_after=Status.SUBMITTED))
            return
    raise RuntimeError(f"report {deed_id} kept changing while its reviewer was erased")


class NotificationsSection:
    """Notices owed to the person (decisions on their reports, new reports to review)."""

    key = "notifications"
    purposes: frozenset[str] = frozenset()

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return every notice, rendered with the catalog when shown as text."""
        rows = await session.scalars(select(NotificationRow)
                                     .where(NotificationRow.person_id == person_id)
                                     .order_by(NotificationRow.id))
        return [{"message": {"key": n.text_key, "params": dict(n.params or {})},
                 "created_at": n.created_at, "delivered_at": n.delivered_at} for n in rows]

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Delete them: nothing will be sent to a deleted account."""
        await session.execute(delete(NotificationRow)
                              .where(NotificationRow.person_id == person_id))


def sections() -> list[DeedReportsSection | DeedReviewsSection | NotificationsSection]:
    """Return the feature's sections in erase order (reports before reviews)."""
    return [DeedReportsSection(), DeedReviewsSection(), NotificationsSection()]
