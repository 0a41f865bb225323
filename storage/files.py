"""Files the bot keeps: deed evidence photos (and any later upload) with their bytes.

The bytes live in the database, beside their metadata, not on disk: a file is written in
the same transaction as the record that uses it and removed in the same transaction as
the person who sent it; `thidua backup` (SQLite) and pg_dump carry evidence with the rest;
several processes or containers need no shared volume; no path is ever built from a name.
Sizes are capped before anything is stored (MAX_PHOTO_BYTES, at most a few photos per
report), so a commune's files stay in the hundreds of megabytes a year.

A file starts unclaimed (sent while a form was open); the record that keeps it claims it.
The retention run removes unclaimed files once they are a few days old (a form given up).
Deleting an account removes the person's unclaimed files here; a claimed file goes or stays
with its record, as that record's section decides (a self-report's photos go; a report
about someone else keeps its evidence, without the reporter's name).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.base import Base
from storage.rows import changed

# A record of the personal-data export (storage.personal_data.Record; not imported from
# there: storage.personal_data reaches this module through storage.models).
Record = dict[str, Any]


class StoredFileRow(Base):
    """One file the bot keeps for a person and a purpose; `data` holds its bytes."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"),
                                           index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str | None] = mapped_column(String(200))
    mime: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    claimed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False, deferred=True)


@dataclass(frozen=True, slots=True)
class StoredFile:
    """What is known of a stored file, without its bytes."""

    id: int
    person_id: int
    purpose: str
    channel: str
    filename: str | None
    mime: str
    size: int
    sha256: str
    claimed: bool
    created_at: datetime


_COLUMNS = (StoredFileRow.id, StoredFileRow.person_id, StoredFileRow.purpose,
            StoredFileRow.channel, StoredFileRow.filename, StoredFileRow.mime,
            StoredFileRow.size, StoredFileRow.sha256, StoredFileRow.claimed,
            StoredFileRow.created_at)


def _file(row: Any) -> StoredFile:
    return StoredFile(row.id, row.person_id, row.purpose, row.channel, row.filename, row.mime,
                      row.size, row.sha256, bool(row.claimed), row.created_at)


class FileRepo:
    """Add, read, claim and remove stored files."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, person_id: int, purpose: str, channel: str, data: bytes, mime: str,
                  now: datetime, filename: str | None = None) -> StoredFile:
        """Store the bytes of a file the person sent; return it (unclaimed)."""
        row = StoredFileRow(person_id=person_id, purpose=purpose, channel=channel,
                            filename=filename[:200] if filename else None, mime=mime[:100],
                            size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                            claimed=False, created_at=now, data=data)
        self.session.add(row)
        await self.session.flush()
        return StoredFile(row.id, person_id, purpose, channel, row.filename, row.mime,
                          row.size, row.sha256, False, now)

    async def get(self, file_id: int) -> StoredFile | None:
        """Return a file's metadata, or None."""
        row = (await self.session.execute(
            select(*_COLUMNS).where(StoredFileRow.id == file_id))).first()
        return _file(row) if row is not None else None

    async def data(self, file_id: int) -> bytes | None:
        """Return a file's bytes, or None when it is gone."""
        return await self.session.scalar(
            select(StoredFileRow.data).where(StoredFileRow.id == file_id))

    async def of_person(self, person_id: int) -> list[StoredFile]:
        """Return every file a person sent, oldest first."""
        rows = await self.session.execute(
            select(*_COLUMNS).where(StoredFileRow.person_id == person_id)
            .order_by(StoredFileRow.id))
        return [_file(row) for row in rows.all()]

    async def claim(self, file_ids: list[int]) -> None:
        """Mark files as kept by a record (they then live as long as their sender)."""
        if file_ids:
            await self.session.execute(update(StoredFileRow)
                                       .where(StoredFileRow.id.in_(file_ids))
                                       .values(claimed=True))

    async def remove(self, file_ids: list[int]) -> None:
        """Delete files (a record dropped its evidence)."""
        if file_ids:
            await self.session.execute(delete(StoredFileRow)
                                       .where(StoredFileRow.id.in_(file_ids)))

    async def purge_unclaimed(self, older_than: datetime) -> int:
        """Delete files no record claimed that were sent before `older_than`; return count."""
        result = await self.session.execute(
            delete(StoredFileRow).where(StoredFileRow.claimed.is_(False),
                                        StoredFileRow.created_at < older_than))
        return changed(result)


class StoredFilesSection:
    """/quyenriengtu: the files a person sent (listed, not their bytes); on deletion the
    unclaimed ones go here, the claimed ones with their record (see the module docstring)."""

    key = "files"
    purposes: frozenset[str] = frozenset()

    async def export(self, session: AsyncSession, person_id: int) -> list[Record]:
        """Return one record per file: purpose, name, type, size, fingerprint, date."""
        return [{"file_id": f.id, "purpose": f.purpose, "channel": f.channel,
                 "filename": f.filename, "mime": f.mime, "size": f.size, "sha256": f.sha256,
                 "created_at": f.created_at}
                for f in await FileRepo(session).of_person(person_id)]

    async def erase(self, session: AsyncSession, person_id: int, now: datetime) -> None:
        """Delete the files the person sent that no record keeps."""
        await session.execute(delete(StoredFileRow)
                              .where(StoredFileRow.person_id == person_id,
                                     StoredFileRow.claimed.is_(False)))
