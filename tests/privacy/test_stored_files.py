"""Stored files in /quyenriengtu and retention: listed in the export (never their bytes),
removed with the person when no record keeps them or their record goes, and a photo sent in a
form that was given up is removed by the retention run a week later."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from bot.app import App
from bot.core.clock import MovableClock
from storage.deeds.models import DeedPhotoRow
from storage.deeds.repo import DeedsRepo, NewDeed, Photo
from storage.files import FileRepo, StoredFileRow
from storage.people import PeopleRepo
from storage.personal_data import erase_person, export_person
from tests.privacy.test_retention import retention

JPEG = b"\xff\xd8\xff\xe0" + b"x" * 500


def deed(reporter: int, is_self: bool, file_id: int) -> NewDeed:
    return NewDeed(campaign_id="", reporter_id=reporter, unit_code="ls.bac-son", is_self=is_self,
                   nominee_name="Hoàng Văn Nam", nominee_minor="no", village=None,
                   what="Trả lại ví cho người đánh rơi.", happened_on=date(2024, 4, 9),
                   place="Chợ", contact_ok=False, phone=None, nominee_consent="pending",
                   photos=(Photo(1, "telegram", "telegram-file:p", len(JPEG), None, file_id),))


async def test_export_lists_files_and_deletion_keeps_only_other_peoples_evidence(
        app: App, clock: MovableClock) -> None:
    now = clock.now()
    async with app.sessions() as session:
        person, _ = await PeopleRepo(session).create_with_account("telegram", "7", "7", now)
        files = FileRepo(session)
        draft = await files.add(person.id, "deed_photo", "telegram", JPEG, "image/jpeg", now)
        own = await files.add(person.id, "deed_photo", "telegram", JPEG, "image/jpeg", now)
        other = await files.add(person.id, "deed_photo", "telegram", JPEG, "image/jpeg", now)
        await DeedsRepo(session).create(deed(person.id, True, own.id), now)
        await DeedsRepo(session).create(deed(person.id, False, other.id), now)
        await files.claim([own.id, other.id])
        exported = await export_person(session, app.services.router.personal_data, person.id)
        assert [r["file_id"] for r in exported["files"]] == [draft.id, own.id, other.id]
        assert exported["files"][0]["sha256"] == draft.sha256 and \
            "data" not in exported["files"][0]
        await erase_person(session, app.services.router.personal_data, person.id, now,
                           actor_id=person.id, reason="self")
        await session.commit()
    async with app.sessions() as session:
        left = list(await session.scalars(select(StoredFileRow.id)))
        assert left == [other.id]  # the report about Nam keeps its evidence
        kept = list(await session.scalars(select(DeedPhotoRow.file_id)))
        assert kept == [other.id]  # the self-report's photo row went with its file
        assert await FileRepo(session).data(other.id) == JPEG


async def test_retention_removes_photos_no_report_kept(app: App, clock: MovableClock) -> None:
    now = clock.now()
    async with app.sessions() as session:
        person, _ = await PeopleRepo(session).create_with_account("telegram", "8", "8", now)
        files = FileRepo(session)
        dropped = await files.add(person.id, "deed_photo", "telegram", JPEG, "image/jpeg", now)
        kept = await files.add(person.id, "deed_photo", "telegram", JPEG, "image/jpeg", now)
        await files.claim([kept.id])
        await session.commit()
    clock.advance(timedelta(days=6))
    assert (await retention(app)).files_purged == 0  # the form may still be finished
    clock.advance(timedelta(days=2))
    assert (await retention(app)).files_purged == 1
    async with app.sessions() as session:
        assert await FileRepo(session).get(dropped.id) is None
        assert await FileRepo(session).get(kept.id) is not None
