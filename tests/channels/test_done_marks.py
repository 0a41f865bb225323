"""An update's inbox row is closed in the transaction that commits the message's effects
(one write, not one for the effects and another for the row), and only with them: a
commit that fails leaves the row to be closed by the channel, or handled again after a
crash."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event

from bot.app import App
from bot.channels.inbox import Inbox
from bot.channels.support import Ticket
from bot.core.types import Incoming

CHANNEL = "telegram"


def _msg(user: int, text: str | None = None, choice: str | None = None) -> Incoming:
    return Incoming(CHANNEL, str(user), str(user), text=text, choice=choice)


async def _ticket(inbox: Inbox, n: int) -> Ticket:
    await inbox.store(CHANNEL, [(str(n), {"update_id": n})])
    (item,) = await inbox.claim(CHANNEL, 1)
    return Ticket(inbox, item.id)


def _count_commits(app: App) -> list[int]:
    commits = [0]

    def _commit(_conn: object) -> None:
        commits[0] += 1

    event.listen(app.engine.sync_engine, "commit", _commit)
    return commits


async def test_a_rule_question_commits_its_menu_and_closes_its_row_in_one_transaction(
        app: App) -> None:
    inbox = Inbox(app.sessions)
    await app.handle(_msg(1, "/start"))
    ticket = await _ticket(inbox, 1)
    commits = _count_commits(app)
    with ticket.offered():
        replies = await app.handle(_msg(1, "dan van kheo het han ngay nao"))
    assert "28/4/2024" in replies[0].text
    assert ticket.closed
    await ticket.answering()  # the replies may go: nothing more to write
    assert commits[0] == 1
    assert ticket.settled()
    assert await inbox.counts() == {(CHANNEL, "done"): 1}


async def test_a_commit_that_fails_leaves_the_row_open_and_the_channel_closes_it(
        app: App) -> None:
    inbox = Inbox(app.sessions)
    await app.handle(_msg(2, "/start"))
    ticket = await _ticket(inbox, 2)
    failed = []

    def _fail_once(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if statement.startswith("UPDATE inbox") and not failed:
            failed.append(statement)
            raise RuntimeError("the disk is full")

    event.listen(app.engine.sync_engine, "before_cursor_execute", _fail_once)
    with ticket.offered():
        replies = await app.handle(_msg(2, "dan van kheo het han ngay nao"))
    assert failed  # the batch with the mark was rolled back; the message handled again
    assert "28/4/2024" in replies[0].text
    assert not ticket.closed
    assert await inbox.counts() == {(CHANNEL, "handling"): 1}  # handled again after a crash
    await ticket.answering()
    assert await inbox.counts() == {(CHANNEL, "done"): 1}
