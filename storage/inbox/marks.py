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
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.inbox.repo import InboxStatus, close_rows


@dataclass(slots=True)
class DoneMark:
    """The inbox row of the update being handled; `written` once its close is committed."""

    row_id: int
    written: bool = False


_current: ContextVar[DoneMark | None] = ContextVar("thidua_inbox_done_mark", default=None)


@contextmanager
def marking_done(row_id: int) -> Iterator[DoneMark]:
    """Offer the close of inbox row `row_id` to the commit of the effects of the handling
    done in this block (in this task)."""
    mark = DoneMark(row_id)
    token = _current.set(mark)
    try:
        yield mark
    finally:
        _current.reset(token)


def pending_done_mark() -> DoneMark | None:
    """Return the done mark offered by the handling in progress, if not written yet."""
    mark = _current.get()
    return mark if mark is not None and not mark.written else None


async def write_done_marks(session: AsyncSession, marks: Sequence[DoneMark]) -> None:
    """Close the rows of `marks` as done in the session's transaction (the caller commits,
    then sets `written`); their payload (personal data) is dropped, their key stays. The
    close time is the real time (the inbox's purge counts from it), not a handler's clock."""
    row_ids = sorted({mark.row_id for mark in marks})
    if not row_ids:
        return
    now = datetime.now(UTC)
    await session.run_sync(
        lambda sync: close_rows(sync.connection(), row_ids, InboxStatus.DONE, now))


__all__ = ["DoneMark", "marking_done", "pending_done_mark", "write_done_marks"]
