"""/toi "Bật/tắt nhận nhắc hạn" cancels what was waiting, as /nhacnho does."""

from __future__ import annotations

from bot.core.clock import MovableClock
from storage.delivery.repo import OutboxStatus
from tests.delivery.conftest import MakeChat
from tests.delivery.helpers import outbox_rows
from tests.delivery.test_reminders import clock_to, queue_first_reminder, two_people


async def test_turning_reminders_off_in_the_profile_cancels_waiting_messages(
    make_chat: MakeChat, clock: MovableClock,
) -> None:
    app, chat = await make_chat()
    await two_people(chat)
    await queue_first_reminder(app, clock)
    await chat.send("/toi")
    await chat.reply()
    await chat.send("Bật/tắt nhận nhắc hạn")
    assert "Đã tắt nhận nhắc hạn và thông báo" in await chat.reply()
    [row] = await outbox_rows(app.sessions)
    assert (row.status, row.last_error) == (OutboxStatus.CANCELLED, "withdrawn")
    await chat.send("/nhacnho")
    assert "Sắp gửi cho bạn" not in await chat.reply()
    assert await clock_to(chat, "2024-04-21 08:00") == []
    await chat.send("/toi")
    await chat.reply()
    await chat.send("Bật/tắt nhận nhắc hạn")
    assert "Đã bật nhận nhắc hạn và thông báo" in await chat.reply()
    [reminder] = await clock_to(chat, "2024-04-25 08:00")
    assert "Còn 3 ngày" in reminder
