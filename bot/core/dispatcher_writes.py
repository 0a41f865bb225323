"""The small writes of messages handled without the writer, committed together.

A message that only reads (a rule question, a menu, a choice from it) still changes its
chat's state (the new menu) and, once a minute, the account's last-seen time. On SQLite
each such write took the single writer for its own short transaction. Here they queue
and are committed together, in one transaction per batch (group commit): the first
message to arrive writes the batch that is waiting (once the messages that reach their
write in the same pass of the event loop have joined it), the others wait for that
commit, and messages arriving meanwhile form the next batch, written by the first of them.

Each state is written only if the stored one is still at the revision the message read
(`ChatStateRepo.save_all_if_unchanged`); a message whose state moved on meanwhile (or
whose batch failed) learns so and is handled again, holding the writer. A reply is sent
only once its state is committed, as before: nothing shown to a person is lost. The
inbox row of the message's update is closed in the same transaction when the channel offers
it (storage.inbox.marks): one write for the message's effects and its done mark.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.inbox.marks import DoneMark, pending_done_mark, settle, write_done_marks
from storage.people import ChatState, ChatStateRepo, PeopleRepo
from storage.people_driver import PeopleDriver
from storage.sqlite_driver import inline_statements

logger = logging.getLogger(__name__)

# How long a message waits for the batch holding its write (the batch itself waits at
# most the busy timeout for the writer); past it the message is handled again as a writer.
WAIT_SECONDS = 30.0


@dataclass(slots=True)
class _Write:
    state: ChatState | None
    touch: tuple[int, str, datetime] | None
    now: datetime
    # The inbox row to close with this message's effects (the channel's offer), if any.
    mark: DoneMark | None = field(default_factory=pending_done_mark)
    # Set when written (True) or not (False).
    done: asyncio.Future[bool] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future())
    # Set when this message is to write the next batch (cancelled: it stopped waiting).
    lead: asyncio.Future[None] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future())


class SmallWrites:
    """Group commit of chat states (conditional on their revision) and last-seen times."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession],
                 driver: PeopleDriver | None = None) -> None:
        self.sessions = sessions
        # The same statements straight on the driver, when the engine has one.
        self.driver = driver
        self._waiting: list[_Write] = []
        self._busy = False

    async def write(self, state: ChatState | None, touch: tuple[int, str, datetime] | None,
                    now: datetime) -> bool:
        """Write one message's state (a stored row's) and/or last-seen time with the next
        batch; tell whether it was written (False: handle the message again)."""
        item = _Write(state, touch, now)
        self._waiting.append(item)
        if self._busy:
            try:
                await asyncio.wait((item.done, item.lead), timeout=WAIT_SECONDS,
                                   return_when=asyncio.FIRST_COMPLETED)
            except asyncio.CancelledError:
                self._leave(item)
                raise
            if item.done.done():
                return item.done.result()
            if not item.lead.done():  # waited too long: not written, or not known
                self._leave(item)
                return False
        self._busy = True
        try:
            # The messages that reach their write in this pass of the event loop join the
            # batch (fewer, larger batches: one statement and one wait for the disk each).
            await asyncio.sleep(0)
        except asyncio.CancelledError:
            self._leave(item)
            self._hand_over()
            raise
        batch, self._waiting = self._waiting, []
        try:
            await self._commit(batch)
        except Exception as exc:
            logger.warning("batched chat state writes failed: %s", type(exc).__name__)
        finally:
            for each in batch:
                if not each.done.done():
                    each.done.set_result(False)
            self._hand_over()
        return item.done.result()

    def _leave(self, item: _Write) -> None:
        """A message stops waiting (timed out, cancelled): it leads no batch."""
        if item in self._waiting:
            self._waiting.remove(item)
        if item.lead.done() and not item.lead.cancelled():
            self._hand_over()  # it had just been made the writer: the next one is
        item.lead.cancel()

    def _hand_over(self) -> None:
        """Make the first message waiting for the next batch its writer, or stand down."""
        while self._waiting:
            first = self._waiting[0]
            if not first.lead.done():
                first.lead.set_result(None)
                return
            self._waiting.pop(0)
        self._busy = False

    async def _commit(self, batch: list[_Write]) -> None:
        # In key order: two processes' batches lock their rows in the same order
        # (PostgreSQL), so they never deadlock on each other.
        states = sorted((w.state for w in batch if w.state is not None),
                        key=lambda s: (s.channel, s.chat_id))
        touches = sorted((w.touch for w in batch if w.touch is not None),
                         key=lambda t: t[0])
        now = max(w.now for w in batch)
        marks = [(w.mark, w.state) for w in batch if w.mark is not None]
        # Each mark is settled (written, or refused: no longer its owner's row) once closed
        # with the effects it was offered with.
        if self.driver is not None:
            saved = await self.driver.save_states_and_touch(states, touches, now, marks)
            outcome = dict(zip((id(s) for s in states), saved, strict=True))
        else:
            async with self.sessions() as session:
                with inline_statements():  # small indexed writes: on the loop (SQLite)
                    saved = await ChatStateRepo(session).save_all_if_unchanged(states, now)
                    await PeopleRepo(session).touch_accounts(touches)
                    outcome = dict(zip((id(s) for s in states), saved, strict=True))
                    offered = [mark for mark, state in marks if _written(state, outcome)]
                    closed = await write_done_marks(session, offered)
                await session.commit()
            settle(offered, closed)
        for each in batch:
            each.done.set_result(_written(each.state, outcome))


def _written(state: ChatState | None, outcome: dict[int, bool]) -> bool:
    """Whether a message's state (none, or one of the batch) was written."""
    return state is None or outcome[id(state)]
