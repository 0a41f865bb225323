"""Broadcasts as admins and people see them: write, choose who, preview, send, follow, stop."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from bot.app import App
from bot.core.clock import MovableClock
from storage.delivery.repo import BroadcastRepo, BroadcastStatus, OutboxStatus
from storage.models import BroadcastRow, OutboxRow
from tests.delivery.conftest import person_id
from tests.delivery.helpers import outbox_rows, seed_people
from tests.harness import Chat, become, pick, press, register

TEXT = "Mời bà con dự họp tổng kết phong trào lúc 8 giờ sáng Chủ nhật tại nhà văn hoá thôn."


async def start_writing(chat: Chat) -> None:
    await become(chat, "admin")
    await chat.send("/thongbao")
    assert "Chưa có thông báo nào" in await chat.reply()
    assert "nội dung thông báo" in await chat.reply()


async def test_a_unit_broadcast_previews_then_reaches_everyone_concerned_once(
    chat: Chat, app: App
) -> None:
    await register(chat, "Nguyễn Thị Lan", user="lan", unit="Long Đống", unit_label="Long Đống")
    await register(chat, "Hoàng Thị Hoa", user="hoa", unit="Bắc Quỳnh",
                   unit_label="Bắc Quỳnh", reminders=False)
    await register(chat, "Trần Văn Minh", user="minh", unit="Nhân Lý", unit_label="Nhân Lý")
    await start_writing(chat)
    await chat.send(TEXT)
    assert "Gửi thông báo tới ai?" in await chat.reply()
    await chat.send("Theo đơn vị")
    assert "tên đơn vị" in await chat.reply()
    await chat.send("Bắc Sơn")
    await chat.reply()
    await pick(chat, "Huyện Bắc Sơn")
    preview = await chat.reply()
    assert "THÔNG BÁO" in preview and TEXT in preview
    assert "Gửi tới: người đăng ký ở Huyện Bắc Sơn, Tỉnh Lạng Sơn và các đơn vị" in preview
    assert "Số người nhận: 1 (máy tính (thử nghiệm): 1)" in preview
    assert chat.choices() == ["Gửi ngay", "Hẹn giờ gửi", "Huỷ, không gửi", "Quay lại"]
    await chat.send("Gửi ngay")
    assert "Đã nhận thông báo #1" in await chat.reply()
    delivered = await chat.reply()
    assert delivered.startswith("[Tin gửi tới lan]\nTHÔNG BÁO") and TEXT in delivered
    assert "/nhacnho" in delivered
    assert "Thông báo #1 đã gửi xong: 1 người đã nhận, 0 lỗi" in await chat.reply()
    await chat.send("/thongbao")
    home = await chat.reply()
    assert "#1 (đã gửi xong" in home
    await pick(chat, "#1")
    detail = await chat.reply()
    assert "Người nhận: 1" in detail and "Đã gửi: 1" in detail and "Đang chờ gửi: 0" in detail
    async with app.sessions() as session:
        row = (await session.scalars(select(BroadcastRow))).one()
    assert row.author_id == await person_id(app, "admin")
    assert row.audience == {"type": "unit", "unit": "ls.bac-son", "console": "1"}
    assert (row.status, row.recipients, row.sent, row.failed) == ("done", 1, 1, 0)
    await app.delivery.pump_broadcasts()
    await chat.send("/clock +1h")
    assert "Giờ thử" in await chat.reply()  # nothing is sent twice


async def test_role_audience_and_people_who_turned_announcements_off(chat: Chat) -> None:
    await register(chat, "Lò Văn Páo", user="pao", unit="Hát Lừu",
                   unit_label="Hát Lừu", role="liaison")
    await register(chat, "Nguyễn Thị Lan", user="lan", unit="Long Đống", unit_label="Long Đống")
    await register(chat, "Trần Văn Minh", user="minh", unit="Nhân Lý",
                   unit_label="Nhân Lý", role="liaison")
    await chat.send("/nhacnho")
    await chat.reply()
    await chat.send("Tắt: Thông báo của ban tổ chức")
    assert "Đã tắt: Thông báo của ban tổ chức" in await chat.reply()
    await start_writing(chat)
    await chat.send(TEXT)
    await chat.reply()
    await chat.send("Theo vai trò")
    await chat.reply()
    await chat.send("Cán bộ đầu mối đơn vị")
    assert "Số người nhận: 1 (" in await chat.reply()
    await chat.send("Gửi ngay")
    await chat.reply()
    assert (await chat.reply()).startswith("[Tin gửi tới pao]")
    assert "đã gửi xong" in await chat.reply()


async def test_bad_content_is_explained_and_the_step_kept(chat: Chat) -> None:
    await register(chat, "Nguyễn Văn An", user="lan", unit="Long Đống", unit_label="Long Đống")
    await start_writing(chat)
    await chat.send_sticker()
    assert "nhãn dán, tệp chưa dùng được" in await chat.reply()
    await chat.send_photo()
    assert "chưa có chú thích" in await chat.reply()
    await chat.send("Họp nhé")
    assert "Nội dung quá ngắn (7 ký tự)" in await chat.reply()
    await chat.send("Họp " * 500)
    assert "quá giới hạn 1800 ký tự" in await chat.reply()
    await chat.send_photo("Ảnh " * 300)
    assert "Chú thích ảnh dài 1199 ký tự, quá giới hạn 850" in await chat.reply()
    await chat.send_photo("Ảnh buổi ra quân Chủ nhật xanh tại thôn Long Đống")
    assert "Gửi thông báo tới ai?" in await chat.reply()
    await chat.send("Người tham gia một phong trào")
    assert "Phong trào nào?" in await chat.reply()
    assert chat.choices()[:-1] == ["Dân vận khéo Bắc Sơn 2024"]
    await chat.send("Dân vận khéo Bắc Sơn 2024")
    assert "Chưa có ai trong nhóm này nhận được thông báo" in await chat.reply()
    await chat.send("Quay lại")
    await chat.reply()
    await chat.send("gửi cho tất cả")
    assert "Bạn chọn một mục trong danh sách" in await chat.reply()
    await chat.send("Theo đơn vị")
    await chat.reply()
    await chat.send("Xứ Không Có")
    assert "chưa tìm thấy đơn vị \"Xứ Không Có\"" in await chat.reply()
    await chat.send("Quay lại")
    await chat.reply()
    await chat.send("Theo vai trò")
    await chat.reply()
    await chat.send("Quản trị")
    assert "Chưa có ai trong nhóm này nhận được thông báo" in await chat.reply()
    await chat.send("Người dân")
    preview = await chat.reply()
    assert "[Kèm ảnh]" in preview and "Số người nhận: 1" in preview


async def test_scheduling_refuses_bad_times_then_sends_at_the_time(chat: Chat) -> None:
    await register(chat, "Nguyễn Văn An", user="lan", unit="Long Đống", unit_label="Long Đống")
    await start_writing(chat)
    await chat.send(TEXT)
    await chat.reply()
    await chat.send("Mọi người đã đăng ký")
    await chat.reply()
    await chat.send("Hẹn giờ gửi")
    prompt = await chat.reply()
    # The example is tomorrow at the reminder hour on the clock, never a fixed past date.
    assert "thời điểm gửi, ví dụ: 11/04/2024 08:00" in prompt
    for typed, expected in (("ngày mai", "chưa hiểu thời điểm \"ngày mai\""),
                            ("09/04/2024 08:00", "Thời điểm 08:00 09/04/2024 đã qua"),
                            ("22:00", "Lúc 22:00 10/04/2024 là giờ nghỉ (21:00–07:00)"),
                            ("01/12/2024 08:00", "Chỉ hẹn được trong vòng 60 ngày"),
                            ("32/04/2024 08:00", "chưa hiểu thời điểm")):
        await chat.send(typed)
        assert expected in await chat.reply(), typed
    await chat.send("8h30 11/4")
    assert "Đã hẹn gửi thông báo #1 lúc 08:30 11/04/2024 tới khoảng 1 người" in \
        await chat.reply()
    await chat.send("/clock 2024-04-11 08:29")
    assert "Giờ thử" in await chat.reply()
    await chat.send("/clock 2024-04-11 08:31")
    assert "Giờ thử" in await chat.reply()
    assert "THÔNG BÁO" in await chat.reply()
    assert "đã gửi xong" in await chat.reply()


@pytest.mark.parametrize(("typed", "shown"), [
    ("8 giờ sáng mai", "08:00 11/04/2024"),
    ("2 giờ chiều mai", "14:00 11/04/2024"),
    ("mai 8h30", "08:30 11/04/2024"),
    ("tối mai 7 giờ", "19:00 11/04/2024"),
    ("thứ 6 tuần này 9h", "09:00 12/04/2024"),
])
async def test_scheduling_reads_natural_times(chat: Chat, typed: str, shown: str) -> None:
    await register(chat, "Nguyễn Thị Lan", user="lan", unit="Long Đống", unit_label="Long Đống")
    await start_writing(chat)
    await chat.send(TEXT)
    await chat.reply()
    await chat.send("Mọi người đã đăng ký")
    await chat.reply()
    await chat.send("Hẹn giờ gửi")
    await chat.reply()
    await chat.send(typed)
    assert f"Đã hẹn gửi thông báo #1 lúc {shown}" in await chat.reply()


async def test_discarding_sends_nothing_and_residents_cannot_broadcast(chat: Chat,
                                                                        app: App) -> None:
    await register(chat, "Nguyễn Văn An", user="lan", unit="Long Đống", unit_label="Long Đống")
    await chat.send("/thongbao")
    assert "chỉ dành cho cán bộ được phân quyền" in await chat.reply()
    await start_writing(chat)
    await chat.send(TEXT)
    await chat.reply()
    await chat.send("1")
    await chat.reply()
    await chat.send("Huỷ, không gửi")
    assert "Đã huỷ, chưa gửi gì" in await chat.reply()
    async with app.sessions() as session:
        assert await BroadcastRepo(session).recent() == []


async def test_stopping_a_running_broadcast(chat: Chat, app: App, clock: MovableClock) -> None:
    await seed_people(app.sessions, 50, clock.now(), channel="telegram")
    await start_writing(chat)
    await chat.send(TEXT)
    await chat.reply()
    await chat.send("Mọi người đã đăng ký")
    preview = await chat.reply()
    assert "Số người nhận: 50 (Telegram: 50)" in preview
    await chat.send("Gửi ngay")
    assert "bắt đầu gửi tới 50 người" in await chat.reply()  # Telegram is not connected here
    await chat.send("/thongbao")
    await chat.reply()
    await pick(chat, "#1")
    detail = await chat.reply()
    assert "đang gửi" in detail and "Đang chờ gửi: 50" in detail
    await chat.send("Dừng gửi thông báo này")
    assert "Dừng thông báo #1? 50 người chưa nhận" in await chat.reply()
    await chat.send("Dừng gửi")
    stopped = await chat.reply()
    assert "Đã dừng thông báo #1. 50 người chưa nhận sẽ không nhận nữa" in stopped
    assert "— đã dừng" in stopped and "Dừng, không gửi: 50" in stopped
    assert {r.status for r in await outbox_rows(app.sessions)} == {OutboxStatus.CANCELLED}
    await chat.send("/thongbao")
    await chat.reply()
    await pick(chat, "#1")
    assert "đã dừng" in await chat.reply()
    assert "Dừng gửi thông báo này" not in chat.choices()


async def test_an_interrupted_enqueue_resumes_without_duplicates(app: App,
                                                                 clock: MovableClock) -> None:
    await seed_people(app.sessions, 2300, clock.now(), channel="telegram")
    async with app.sessions() as session:
        broadcast = await BroadcastRepo(session).create(
            1, TEXT, None, {"type": "everyone"}, clock.now(), clock.now())
        await session.commit()
    await app.delivery.pump_broadcasts()
    async with app.sessions() as session:  # as if the last cursor update had been lost
        await session.execute(update(BroadcastRow).values(status=BroadcastStatus.ENQUEUING,
                                                          cursor=0))
        await session.commit()
    await app.delivery.pump_broadcasts()
    async with app.sessions() as session:
        keys = list(await session.scalars(select(OutboxRow.dedupe_key)))
        row = await session.get(BroadcastRow, broadcast.id)
    assert len(keys) == len(set(keys)) == 2300
    assert row is not None and row.status == BroadcastStatus.SENDING and row.recipients == 2300


async def test_forged_broadcast_buttons_change_nothing(chat: Chat, app: App) -> None:
    await register(chat, "Nguyễn Văn An", user="lan", unit="Long Đống", unit_label="Long Đống")
    await press(chat, "bc:xx:1")
    assert "chỉ dành cho cán bộ được phân quyền" in await chat.reply()
    await start_writing(chat)
    await chat.send("/huy")
    await chat.reply()
    for payload in ("bc:v:99999999999", "bc:xx:999999999999999999", "bc:x:abc", "bc:zz"):
        await press(chat, payload)
        assert "không còn hiệu lực" in await chat.reply(), payload
    await press(chat, "bc:xx:7")
    assert "Không tìm thấy thông báo" in await chat.reply()
    async with app.sessions() as session:
        assert await BroadcastRepo(session).recent() == []


async def test_recipients_read_who_sends_and_the_status_names_the_composer(
    chat: Chat,
) -> None:
    await register(chat, "Nguyễn Thị Lan", user="lan", unit="Long Đống", unit_label="Long Đống")
    await register(chat, "Nguyễn Văn An", user="an", unit="Nhân Lý", unit_label="Nhân Lý",
                   role="admin")
    await chat.send("/thongbao")
    assert "Chưa có thông báo nào" in await chat.reply()
    assert "nội dung thông báo" in await chat.reply()
    await chat.send(TEXT)
    assert "Gửi thông báo tới ai?" in await chat.reply()
    await chat.send("Mọi người đã đăng ký")
    preview = await chat.reply()
    assert "THÔNG BÁO\nNơi gửi: UBND xã Nhân Lý — Nguyễn Văn An\n\n" + TEXT in preview
    await chat.send("Gửi ngay")
    assert "Đã nhận thông báo #1" in await chat.reply()
    delivered = [await chat.reply(), await chat.reply()]
    to_lan = next(m for m in delivered if m.startswith("[Tin gửi tới lan]"))
    assert "Nơi gửi: UBND xã Nhân Lý — Nguyễn Văn An" in to_lan
    assert "đã gửi xong" in await chat.reply()
    await chat.send("/thongbao")
    await chat.reply()
    await pick(chat, "#1")
    detail = await chat.reply()
    assert "Người soạn: UBND xã Nhân Lý — Nguyễn Văn An" in detail
    assert "(không rõ)" not in detail


async def test_an_admin_without_a_profile_name_is_still_named_in_the_status(
    chat: Chat, app: App,
) -> None:
    await register(chat, "Nguyễn Thị Lan", user="lan", unit="Long Đống", unit_label="Long Đống")
    await start_writing(chat)
    await chat.send(TEXT)
    await chat.reply()
    await chat.send("Mọi người đã đăng ký")
    assert "Nơi gửi" not in await chat.reply()
    await chat.send("Gửi ngay")
    await chat.replies()
    await press(chat, "bc:v:1")
    detail = await chat.reply()
    assert "(không rõ)" not in detail
    assert f"chưa ghi họ tên trong hồ sơ (mã người dùng {await person_id(app, 'admin')})" in detail


async def test_reviewers_are_a_role_audience(chat: Chat) -> None:
    await register(chat, "Hoàng Văn Cường", user="cuong", unit="Nhân Lý", unit_label="Nhân Lý",
                   role="reviewer")
    await register(chat, "Nguyễn Thị Lan", user="lan", unit="Long Đống", unit_label="Long Đống")
    await start_writing(chat)
    await chat.send(TEXT)
    await chat.reply()
    await chat.send("Theo vai trò")
    assert "vai trò nào" in await chat.reply()
    assert "Cán bộ xét duyệt gương tốt" in chat.choices()
    await chat.send("Cán bộ xét duyệt gương tốt")
    preview = await chat.reply()
    assert "Số người nhận: 1" in preview
    await chat.send("Gửi ngay")
    assert "Đã nhận thông báo #1" in await chat.reply()
    assert (await chat.reply()).startswith("[Tin gửi tới cuong]\nTHÔNG BÁO")
    assert "đã gửi xong: 1 người đã nhận" in await chat.reply()


async def test_deleting_the_author_drops_the_sender_line_naming_them(app: App) -> None:
    from datetime import timedelta

    from storage.delivery.personal_data import BroadcastsWrittenSection
    from storage.people import PeopleRepo

    now = app.services.clock.now()
    async with app.sessions() as session:
        author, _ = await PeopleRepo(session).create_with_account("console", "an", "an", now,
                                                                  role="admin")
        broadcast = await BroadcastRepo(session).create(
            author.id, TEXT, None, {"type": "everyone"}, now + timedelta(hours=1), now,
            "UBND xã Nhân Lý — Nguyễn Văn An")
        section = BroadcastsWrittenSection()
        [record] = await section.export(session, author.id)
        assert record["sender"] == "UBND xã Nhân Lý — Nguyễn Văn An"
        await section.erase(session, author.id, now)
        await session.commit()
    async with app.sessions() as session:
        kept = await BroadcastRepo(session).get(broadcast.id)
    assert kept is not None and kept.text == TEXT
    assert (kept.author_id, kept.sender) == (None, None)
