"""A returned report is pushed to the reporter's chat through the outbox, once per return."""

from __future__ import annotations

from bot.app import App
from storage.delivery.repo import OutboxStatus
from tests.deeds.helpers import return_report, setup_people
from tests.delivery.helpers import outbox_rows
from tests.harness import Chat


async def test_a_return_in_quiet_hours_is_pushed_in_the_morning_and_only_once(
    chat: Chat, app: App,
) -> None:
    await setup_people(chat)
    await chat.send("/clock 2024-04-10 22:00")
    assert "Giờ thử" in await chat.reply()
    await return_report(chat, "Anh/chị cho biết tên người đánh rơi ví?")
    await chat.send("/clock 2024-04-11 06:59")
    assert "Giờ thử" in await chat.reply()
    assert await chat.replies() == []  # quiet hours: nothing pushed at night
    await chat.send("/clock 2024-04-11 07:00")
    assert "Giờ thử" in await chat.reply()
    [pushed] = await chat.replies()
    assert pushed.startswith("[Tin gửi tới lan]") and "cần bổ sung thông tin" in pushed
    assert "Anh/chị cho biết tên người đánh rơi ví?" in pushed
    await chat.send("/clock +2h")
    assert "Giờ thử" in await chat.reply()
    assert await chat.replies() == []  # never twice
    [row] = await outbox_rows(app.sessions)
    assert row.status == OutboxStatus.SENT and row.dedupe_key.startswith("deeds:returned:1:v")
