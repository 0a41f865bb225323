"""Every decision is pushed to the reporter's chat through the outbox, once, within the quiet
hours; what the reviewer reads about it says exactly that."""

from __future__ import annotations

from datetime import UTC

from sqlalchemy import update

from bot.app import App
from storage.delivery.repo import OutboxStatus
from storage.models import ChannelAccountRow
from tests.conftest import START
from tests.deeds.helpers import become, pushed_to, return_report, say, setup_people
from tests.delivery.helpers import outbox_rows
from tests.harness import Chat


async def test_a_return_in_quiet_hours_is_pushed_in_the_morning_and_only_once(
    chat: Chat, app: App,
) -> None:
    await setup_people(chat)
    await chat.send("/clock 2024-04-10 22:00")
    assert "Giờ thử" in await chat.reply()
    before = len(pushed_to(chat, "lan"))
    await become(chat, "minh")
    await chat.send("/duyet 1")
    await chat.replies()
    taken = await say(chat, "Nhận xem xét", "Bạn đã nhận xem xét báo cáo #1")
    # Said as it is: held by the quiet hours, not "đã được thông báo".
    assert "Trợ lý sẽ nhắn cho người báo lúc 07:00 11/4/2024" in taken
    assert "đã được thông báo" not in taken
    await return_report(chat, "Anh/chị cho biết tên người đánh rơi ví?")
    await chat.send("/clock 2024-04-11 06:59")
    assert "Giờ thử" in await chat.reply()
    assert len(pushed_to(chat, "lan")) == before  # quiet hours: nothing pushed at night
    await chat.send("/clock 2024-04-11 07:00")
    assert "Giờ thử" in await chat.reply()
    take, question = pushed_to(chat, "lan")[before:]
    assert "đã được cán bộ nhận và đang xem xét" in take
    assert "cần bổ sung thông tin" in question
    assert "Anh/chị cho biết tên người đánh rơi ví?" in question
    await chat.send("/clock +2h")
    assert "Giờ thử" in await chat.reply()
    assert len(pushed_to(chat, "lan")) == before + 2  # never twice
    rows = [r for r in await outbox_rows(app.sessions) if r.dedupe_key.startswith("deeds:")]
    assert [r.dedupe_key.split(":")[1] for r in rows] == ["new", "take", "return"]
    assert all(r.status == OutboxStatus.SENT for r in rows)


async def test_a_reporter_without_a_chat_account_sees_the_decision_in_the_app(
    chat: Chat, app: App,
) -> None:
    """Only where no chat reaches the person does the notice wait in /guongtot; the reviewer
    is told so, never that the reporter "đã được thông báo"."""
    await setup_people(chat)
    async with app.sessions() as session:  # Lan blocked the bot: no reachable account
        await session.execute(update(ChannelAccountRow)
                              .where(ChannelAccountRow.external_id == "lan")
                              .values(blocked_at=START.replace(tzinfo=UTC)))
        await session.commit()
    await become(chat, "minh")
    await chat.send("/duyet 1")
    await chat.replies()
    taken = await say(chat, "Nhận xem xét", "Bạn đã nhận xem xét báo cáo #1")
    assert "sẽ thấy kết quả khi mở mục /guongtot" in taken
    assert "đã được thông báo" not in taken
    async with app.sessions() as session:
        await session.execute(update(ChannelAccountRow)
                              .where(ChannelAccountRow.external_id == "lan")
                              .values(blocked_at=None))
        await session.commit()
    await become(chat, "lan")
    await chat.send("/guongtot")
    notices = await chat.reply()
    assert "Thông báo mới" in notices and "đã được cán bộ nhận" in notices
    assert "Gương người tốt, việc tốt" in await chat.reply()
