"""A returned report is pushed to the reporter's chat through the outbox, once per return."""

from __future__ import annotations

from bot.app import App
from storage.delivery.repo import OutboxStatus
from tests.deeds.helpers import become, register, report_other
from tests.delivery.helpers import outbox_rows
from tests.harness import Chat


async def return_report(chat: Chat, question: str) -> None:
    """As Minh, take report #1 if needed and ask the reporter a question."""
    await become(chat, "minh")
    await chat.send("/duyet 1")
    await chat.replies()
    if "Nhận xem xét" in chat.choices():
        await chat.send("Nhận xem xét")
        assert "Bạn đã nhận xem xét báo cáo #1" in await chat.reply()
    await chat.send("Yêu cầu người báo bổ sung")
    assert "Gõ câu hỏi" in await chat.reply()
    await chat.send(question)
    assert "Đã gửi yêu cầu bổ sung" in await chat.reply()


async def test_a_return_in_quiet_hours_is_pushed_in_the_morning_and_only_once(
    chat: Chat, app: App,
) -> None:
    await register(chat, "minh", "Trần Văn Minh", "chi lang", "Huyện Chi Lăng", "liaison")
    await register(chat, "lan", "Nguyễn Thị Lan", "nhan ly", "Nhân Lý")
    assert "Đã gửi báo cáo #1" in await report_other(chat)
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
