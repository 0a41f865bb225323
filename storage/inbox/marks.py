"""An update's done mark, written in the transaction that commits the message's effects.

A channel handles an update from the inbox and, before its replies go, closes its row
(from then on the update is never handled again, so never answered twice). When the core
commits the message's effects (its chat state, its last-seen time), the close can go into
that same transaction: one write instead of two, and the row is marked done only with its
effects (a crash before that commit leaves the row to be handled again, with no effect
stored; a crash after it leaves both). The channel names the row for the duration of the
handling (`marking_done`); the code that commits the effects asks for it
(`pending_done_mark`) and, once its transaction is committed, tells it so (`written`).
A mark nobody took is written by the channel itself.

The close takes only a row still claimed by the mark's owner (storage.inbox.repo.close_rows):
one claimed again by another owner meanwhile (its claim lost in a crash of the database
server) is left to that owner, and the mark is `refused`: the message's replies must not go
(its effects, committed with the refused close, stay; bot.channels.inbox).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from storage.inbox.repo import InboxStatus, close_rows


@dataclass(slots=True)
class DoneMark:
    """The inbox row of the update being handled, claimed by `owner`; `written` once its
    close is committed, `refused` once a committed close found the row no longer claimed by
    `owner` (then nothing may be sent for it)."""

    row_id: int
    owner: str | None = None
    written: bool = False
    refused: bool = False


_current: ContextVar[DoneMark | None] = ContextVar("thidua_inbox_done_mark", default=None)


@contextmanager
def marking_done(row_id: int, owner: str | None = None) -> Iterator[DoneMark]:
    """Offer the close of inbox row `row_id`, claimed by `owner`, to the commit of the
    effects of the handling done in this block (in this task)."""
    mark = DoneMark(row_id, owner)
    token = _current.set(mark)
    try:
        yield mark
    finally:
        _current.reset(token)


def pending_done_mark() -> DoneMark | None:
    """Return the done mark offered by the handling in progress, if not written yet."""
    mark = _current.get()
    return mark if mark is not None and not (mark.written or mark.refused) else None


async def write_done_marks(session: AsyncSession, marks: Sequence[DoneMark]) -> set[int]:
    """Close the rows of `marks` as done in the session's transaction, each only if still
    claimed by its mark's owner; return the rows closed (the caller commits, then calls
    `settle`). Their payload (personal data) is dropped, their key stays. The close time is
    the real time (the inbox's purge counts from it), not a handler's clock."""
    owners: dict[str | None, set[int]] = {}
    for mark in marks:
        owners.setdefault(mark.owner, set()).add(mark.row_id)
    now = datetime.now(UTC)

    def close(sync: Session) -> set[int]:
        closed: set[int] = set()
        for owner, row_ids in owners.items():
            closed.update(close_rows(sync.connection(), sorted(row_ids), InboxStatus.DONE, now,
                                     owner=owner))
        return closed

    return await session.run_sync(close) if owners else set()


def settle(marks: Sequence[DoneMark], closed: set[int]) -> None:
    """Once the transaction that wrote `marks` is committed: each is written if its row is
    among `closed`, else refused (no longer its owner's)."""
    for mark in marks:
        if mark.row_id in closed:
            mark.written = True
        else:
            mark.refused = True


__all__ = ["DoneMark", "marking_done", "pending_done_mark", "settle", "write_done_marks"]
