"""Reminders as people see them in the console: `/clock` moves time, due reminders appear."""

from __future__ import annotations

from datetime import datetime

from bot.app import App
from bot.core.clock import MovableClock
from content.privacy import Purpose
from storage.delivery.repo import OutboxStatus
from storage.people import ConsentRepo
from tests.delivery.conftest import MakeChat, person_id
from tests.delivery.example_rule import WeeklyNudge
from tests.delivery.helpers import outbox_rows, seed_people
from tests.harness import Chat, become, register

BAC_SON = "bac-son-dan-van-kheo-2024"


async def queue_first_reminder(app: App, clock: MovableClock) -> None:
    """Queue the 21/4 08:00 reminder, then step back to the evening before (not yet due)."""
    clock.set(datetime(2024, 4, 21, 8, 0))
    assert await app.delivery.tick(console_only=True)
    clock.set(datetime(2024, 4, 20, 22, 0))


async def two_people(chat: Chat) -> None:
    """Lan lives in Long Đống (Bắc Sơn), Minh in Nhân Lý (Chi Lăng); both accept reminders."""
    await register(chat, "Trần Văn Minh", user="minh", unit="Nhân Lý", unit_label="Nhân Lý")
    await register(chat, "Nguyễn Thị Lan", user="lan", unit="Long Đống", unit_label="Long Đống")


async def clock_to(chat: Chat, when: str) -> list[str]:
    """Move the clock; return the proactive messages that appeared after `Giờ thử`."""
    await chat.send(f"/clock {when}")
    assert "Giờ thử" in await chat.reply()
    return await chat.replies()


async def test_a_deadline_reminder_appears_after_clock_and_only_for_people_concerned(
    chat: Chat,
) -> None:
    await two_people(chat)
    assert await clock_to(chat, "2024-04-21 07:30") == []
    [reminder] = await clock_to(chat, "2024-04-21 08:00")
    assert "Dân vận khéo" in reminder and "Còn 7 ngày nữa" in reminder
    assert "Kết thúc đợt thi đua" in reminder and "28/04/2024" in reminder
    assert "/nhacnho" in reminder and "[Tin gửi tới" not in reminder
    assert await clock_to(chat, "+2h") == []  # never twice


async def test_the_whole_five_weeks_in_a_minute(chat: Chat) -> None:
    await two_people(chat)
    seen = []
    for day in ("2024-04-21", "2024-04-25", "2024-04-27", "2024-04-28"):
        [reminder] = await clock_to(chat, f"{day} 08:00")
        seen.append(reminder)
    assert "Còn 7 ngày" in seen[0] and "Còn 3 ngày" in seen[1] and "Còn 1 ngày" in seen[2]
    assert "Hôm nay (28/04/2024) là ngày cuối cùng" in seen[3]
    assert await clock_to(chat, "2024-04-29 08:00") == []


async def test_other_peoples_reminders_show_whose_they_are(chat: Chat) -> None:
    await two_people(chat)
    await become(chat, "minh")
    [reminder] = await clock_to(chat, "2024-04-21 08:00")
    assert reminder.startswith("[Tin gửi tới lan]") and "Còn 7 ngày" in reminder


async def test_after_downtime_a_late_reminder_goes_once_and_a_stale_one_never(
    chat: Chat,
) -> None:
    await two_people(chat)
    assert await clock_to(chat, "2024-04-26 09:00") == []  # the 25/4 one is 25 hours late
    [late] = await clock_to(chat, "2024-04-27 19:00")  # 11 hours late: still useful
    assert "Còn 1 ngày" in late
    assert await clock_to(chat, "2024-04-27 20:00") == []


async def test_quiet_hours_hold_a_reminder_until_morning(make_chat: MakeChat) -> None:
    _app, chat = await make_chat(reminder_hour="20:30")
    await two_people(chat)
    assert await clock_to(chat, "2024-04-21 21:15") == []
    assert await clock_to(chat, "2024-04-22 06:55") == []
    [reminder] = await clock_to(chat, "2024-04-22 07:00")
    assert "Còn 7 ngày" in reminder


async def test_liaisons_only_deadlines_skip_residents(chat: Chat) -> None:
    await register(chat, "Lò Văn Páo", user="pao", unit="Hát Lừu",
                   unit_label="Hát Lừu", role="liaison")
    await register(chat, "Nguyễn Thị Lan", user="lan", unit="Bản Công", unit_label="Bản Công")
    [reminder] = await clock_to(chat, "2024-10-17 08:00")
    assert reminder.startswith("[Tin gửi tới pao]")
    assert "Gửi đăng ký công trình" in reminder and "trước ngày 25/10/2024" in reminder
    assert "hết ngày 24/10/2024" in reminder


async def test_someone_who_acted_in_the_meantime_gets_nothing(
    make_chat: MakeChat, clock: MovableClock,
) -> None:
    app, chat = await make_chat()
    nudge = WeeklyNudge(app.services.campaigns[BAC_SON], clock.tz)
    app.delivery.registry.add_rule(nudge)
    await two_people(chat)
    clock.set(datetime(2024, 4, 12, 8, 0))
    assert await app.delivery.tick(console_only=True) == 2  # both are queued
    nudge.confirmed.add((await person_id(app, "lan"), 3))  # Lan confirms her week 3
    [only] = await clock_to(chat, "+1m")
    assert only.startswith("[Tin gửi tới minh]") and "Xác nhận tuần 3" in only
    statuses = {r.status for r in await outbox_rows(app.sessions)}
    assert statuses == {OutboxStatus.SENT, OutboxStatus.CANCELLED}


async def test_at_most_n_reminders_per_person_per_day(make_chat: MakeChat,
                                                      clock: MovableClock) -> None:
    app, chat = await make_chat(reminder_max_per_day=1)
    app.delivery.registry.add_rule(WeeklyNudge(app.services.campaigns[BAC_SON], clock.tz,
                                               days_before=3))
    await register(chat, "Nguyễn Thị Lan", user="lan", unit="Long Đống", unit_label="Long Đống")
    [one] = await clock_to(chat, "2024-04-25 08:00")  # deadline −3 days and week 5 −3 days
    assert "Còn 3 ngày" in one
    assert await clock_to(chat, "+3h") == []
    reasons = [r.last_error for r in await outbox_rows(app.sessions, [OutboxStatus.CANCELLED])]
    assert reasons == ["daily limit"]


async def test_nhacnho_turns_a_kind_off_and_on(chat: Chat) -> None:
    await two_people(chat)
    await chat.send("/nhacnho")
    shown = await chat.reply()
    assert "Hạn chót của các phong trào: đang bật" in shown and "21:00 đến 07:00" in shown
    await chat.send("Tắt: Hạn chót của các phong trào")
    off = await chat.reply()
    assert "Đã tắt: Hạn chót của các phong trào" in off
    assert "Hạn chót của các phong trào: đang tắt" in off
    assert await clock_to(chat, "2024-04-21 08:00") == []
    await chat.send("/nhacnho")
    await chat.reply()
    await chat.send("1")
    assert "Đã bật: Hạn chót của các phong trào" in await chat.reply()
    [reminder] = await clock_to(chat, "2024-04-25 08:00")
    assert "Còn 3 ngày" in reminder


async def test_nhacnho_shows_what_is_about_to_be_sent(make_chat: MakeChat,
                                                      clock: MovableClock) -> None:
    app, chat = await make_chat()
    await two_people(chat)
    await queue_first_reminder(app, clock)
    await chat.send("/nhacnho")
    shown = await chat.reply()
    assert "Sắp gửi cho bạn" in shown and "08:00 21/04/2024: Kết thúc đợt thi đua" in shown


async def test_turning_everything_off_withdraws_consent_and_cancels_waiting_messages(
    make_chat: MakeChat, clock: MovableClock,
) -> None:
    app, chat = await make_chat()
    await two_people(chat)
    await queue_first_reminder(app, clock)
    await chat.send("/nhacnho")
    await chat.reply()
    await chat.send("Tắt tất cả tin nhắc và thông báo")
    off = await chat.reply()
    assert "Đã tắt mọi tin nhắc và thông báo; 1 tin đang chờ đã được huỷ" in off
    assert "Bật nhận tin nhắc và thông báo" in off
    assert await clock_to(chat, "2024-04-25 08:00") == []
    await chat.send("1")
    assert "Đã bật nhận tin nhắc hạn và thông báo" in await chat.reply()
    [reminder] = await clock_to(chat, "2024-04-27 08:00")
    assert "Còn 1 ngày" in reminder


async def test_consent_withdrawn_after_queueing_is_rechecked_before_sending(
    make_chat: MakeChat, clock: MovableClock,
) -> None:
    app, chat = await make_chat()
    await two_people(chat)
    await queue_first_reminder(app, clock)
    async with app.sessions() as session:  # withdrawn by a path that cancels nothing
        await ConsentRepo(session).withdraw(await person_id(app, "lan"), Purpose.REMINDERS,
                                            clock.now())
        await session.commit()
    assert await clock_to(chat, "2024-04-21 08:00") == []
    [row] = await outbox_rows(app.sessions)
    assert (row.status, row.last_error) == (OutboxStatus.CANCELLED, "no consent")


async def test_people_without_reminder_consent_get_nothing(chat: Chat) -> None:
    await register(chat, "Nguyễn Văn An", user="lan", unit="Long Đống",
                   unit_label="Long Đống", reminders=False)
    assert await clock_to(chat, "2024-04-21 08:00") == []
    await chat.send("/nhacnho")
    assert "Bạn đang không nhận tin nhắc hạn" in await chat.reply()


async def test_nhacnho_asks_to_register_first(chat: Chat) -> None:
    await chat.send("/nhacnho")
    assert "cần có hồ sơ" in await chat.reply()
    assert "Bạn có đồng ý không?" in await chat.reply()


async def test_a_moment_is_enqueued_once_even_if_ticked_twice(app: App,
                                                              clock: MovableClock) -> None:
    await seed_people(app.sessions, 2, clock.now())
    clock.set(datetime(2024, 4, 21, 8, 30))
    assert await app.delivery.tick() == 2
    assert await app.delivery.tick() == 0


async def test_moving_the_console_clock_never_touches_real_accounts(
    app: App, clock: MovableClock, chat: Chat
) -> None:
    [on_telegram] = await seed_people(app.sessions, 1, clock.now())
    await two_people(chat)
    [reminder] = await clock_to(chat, "2024-04-21 08:00")
    assert "Còn 7 ngày" in reminder
    assert [r.channel for r in await outbox_rows(app.sessions)] == ["console"]
    assert await app.delivery.tick() == 1  # the real tick still reaches real people
    [row] = await outbox_rows(app.sessions, [OutboxStatus.PENDING])
    assert row.channel == "telegram" and row.dedupe_key.endswith(":1")
    assert on_telegram
