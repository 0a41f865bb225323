"""An update's inbox row is closed in the transaction that commits the message's effects
(one write, not one for the effects and another for the row), and only with them: a
commit that fails leaves the row to be closed by the channel, or handled again after a
crash."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from bot.app import App
from bot.channels.inbox import Inbox
from bot.channels.support import Reclaimed, Ticket
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
    # SQLite: one transaction; PostgreSQL: one statement, atomic on its own (no COMMIT).
    assert commits[0] == (0 if app.engine.dialect.name == "postgresql" else 1)
    assert ticket.settled()
    assert await inbox.counts() == {(CHANNEL, "done"): 1}


async def _refuse_done_marks(app: App) -> None:
    """Make the database refuse to close inbox rows as done (as a full disk would), whichever
    path writes them (SQLAlchemy or straight on the driver)."""
    async with app.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text(
                "CREATE FUNCTION refuse_done() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'the disk is full'; END $$ LANGUAGE plpgsql"))
            await conn.execute(text(
                "CREATE TRIGGER refuse_done BEFORE UPDATE ON inbox FOR EACH ROW "
                "WHEN (NEW.status = 'done') EXECUTE FUNCTION refuse_done()"))
        else:
            await conn.execute(text(
                "CREATE TRIGGER refuse_done BEFORE UPDATE OF status ON inbox "
                "WHEN NEW.status = 'done' BEGIN SELECT RAISE(ABORT, 'the disk is full'); END"))


async def _accept_done_marks(app: App) -> None:
    async with app.engine.begin() as conn:
        await conn.execute(text("DROP TRIGGER refuse_done" + (
            " ON inbox" if conn.dialect.name == "postgresql" else "")))


async def test_a_commit_that_fails_leaves_the_row_open_and_the_channel_closes_it(
        app: App) -> None:
    inbox = Inbox(app.sessions)
    await app.handle(_msg(2, "/start"))
    ticket = await _ticket(inbox, 2)
    await _refuse_done_marks(app)
    with ticket.offered():
        replies = await app.handle(_msg(2, "dan van kheo het han ngay nao"))
    # The batch with the mark was rolled back and the message handled again: answered, its
    # row still open (handled again after a crash), closed by the channel.
    assert "28/4/2024" in replies[0].text
    assert not ticket.closed
    assert await inbox.counts() == {(CHANNEL, "handling"): 1}
    await _accept_done_marks(app)
    await ticket.answering()
    assert await inbox.counts() == {(CHANNEL, "done"): 1}


async def test_a_row_claimed_again_by_another_process_is_not_closed_with_this_one_s_effects(
        app: App) -> None:
    # The claim of the first process was lost in a crash of the database server; another
    # process claimed the row again. The first one's commit of the message's effects does
    # not close the row, and the first one sends nothing; the second one answers.
    first = Inbox(app.sessions, owner="host-a:1:a")
    second = Inbox(app.sessions, owner="host-b:2:b")
    await app.handle(_msg(3, "/start"))
    mine = await _ticket(first, 3)
    async with app.engine.begin() as conn:
        await conn.execute(text("UPDATE inbox SET status = 'pending', claimed_by = NULL, "
                                "claimed_at = NULL"))
    (item,) = await second.claim(CHANNEL, 1)
    theirs = Ticket(second, item.id)
    with mine.offered():
        replies = await app.handle(_msg(3, "dan van kheo het han ngay nao"))
    assert replies and not mine.closed and mine.reclaimed
    with pytest.raises(Reclaimed):
        await mine.answering()  # nothing is sent
    assert await first.counts() == {(CHANNEL, "handling"): 1}
    with theirs.offered():
        replies = await app.handle(_msg(3, "dan van kheo het han ngay nao"))
    assert "28/4/2024" in replies[0].text
    await theirs.answering()
    assert theirs.settled() and await first.counts() == {(CHANNEL, "done"): 1}
