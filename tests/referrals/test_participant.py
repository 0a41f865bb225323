"""/vandong for participants, as transcripts: join, add, weekly marks, verdict, code."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App, create_app
from bot.channels.console import ConsoleChannel
from bot.core.clock import MovableClock
from storage.models import ConsentRow, RefMemberRow, RefParticipantRow
from storage.people import ConsentRepo
from tests.conftest import make_settings
from tests.harness import Chat
from tests.referrals.helpers import (
    add_referral,
    become,
    join,
    lan_with_two,
    register,
    send_as,
)


async def test_join_add_two_mark_the_week_and_read_the_grid(chat: Chat, app: App) -> None:
    code = await lan_with_two(chat)
    await chat.send("/vandong")
    board = await chat.reply()
    assert "Đang là tuần 3/5 (08/04 – 14/04/2024)" in board
    assert f"Mã giới thiệu của bạn: {code}" in board
    assert "• Bạn — 0912 345 678\n   T1 ❌ · T2 ❌ · T3 ⏳ · T4 ⏳ · T5 ⏳" in board
    assert "• Hoàng Văn Minh (Người thân) — 0987 654 321" in board
    assert "• Trần Thu Hoa (Bạn bè) — hoa.tran@gmail.com" in board
    assert "Người được vận động: 2 (tối thiểu 02, tối đa 5)" in board
    await chat.send("Đánh dấu đã thi tuần 3")
    week = await chat.reply()
    assert "Tuần 3 (08/04 – 14/04/2024)" in week and "3. Bạn — chưa đánh dấu" in week
    await chat.send("3")
    assert "Đã ghi: bạn đã thi tuần 3." in await chat.reply()
    await chat.send("Tất cả đã thi tuần này")
    board = await chat.reply()
    assert "Đã đánh dấu tất cả đã thi tuần 3" in board
    assert board.count("T3 ✅") == 3
    async with app.sessions() as session:
        consent = (await session.scalars(
            select(ConsentRow).where(ConsentRow.purpose == "referrals"))).one()
        members = (await session.scalars(select(RefMemberRow))).all()
    assert consent.granted and consent.policy_version == "2026.1"
    assert sorted(m.quiz_account for m in members) == [
        "+84912345678", "+84987654321", "hoa.tran@gmail.com"]


async def test_a_second_choice_unmarks_a_week(chat: Chat) -> None:
    await lan_with_two(chat)
    await chat.send("/vandong")
    assert "Dân vận khéo Bắc Sơn 2024" in await chat.reply()
    await chat.send("Đánh dấu đã thi tuần 3")
    assert "Tuần 3 (" in await chat.reply()
    await chat.send("4")
    assert "Hoàng Văn Minh — ✅ đã thi" in await chat.reply()
    await chat.send("4")
    unmarked = await chat.reply()
    assert "Đã bỏ đánh dấu tuần 3 của Hoàng Văn Minh" in unmarked
    assert "Hoàng Văn Minh — chưa đánh dấu" in unmarked


async def test_verdict_says_exactly_what_is_missing_then_that_it_is_met(chat: Chat) -> None:
    await register(chat)
    await join(chat)
    await add_referral(chat, "Hoàng Văn Minh", "0987 654 321")
    await chat.send("Xem kết quả xét khen thưởng")
    verdict = await chat.reply()
    assert "Đến nay bạn chưa đạt tiêu chí" in verdict
    assert "• Tuần 1: bạn chưa thi." in verdict
    assert "• Tuần 2: Hoàng Văn Minh chưa thi." in verdict
    assert "• Tuần 3 (tuần này): bạn chưa đánh dấu đã thi." in verdict
    assert "• Cần thêm 1 người được vận động (tối thiểu 02)." in verdict
    assert "• Các tuần 4–5 còn ở phía trước" in verdict
    await add_referral(chat, "Trần Thu Hoa", "hoa.tran@gmail.com", "Bạn bè")
    for week in ("1", "2"):
        await chat.send("Đánh dấu một tuần trước")
        assert "Bạn muốn đánh dấu tuần nào?" in await chat.reply()
        await chat.send(week)
        assert f"Tuần {week} (" in await chat.reply()
        await chat.send("Tất cả đã thi tuần này")
        assert "Đã đánh dấu tất cả đã thi tuần" in await chat.reply()
    await chat.send("Xem kết quả xét khen thưởng")
    verdict = await chat.reply()
    assert "Đến nay bạn đang đạt tiêu chí" in verdict and "2 người được vận động" in verdict
    assert "Tuần 3 (tuần này): Trần Thu Hoa chưa thi." in verdict


async def test_final_verdict_after_the_last_week(chat: Chat) -> None:
    await lan_with_two(chat)
    for day, week in (("2024-04-10", "1"), ("2024-04-10", "2"), ("2024-04-10", "3"),
                      ("2024-04-16", "4")):
        await chat.send(f"/clock {day} 10:00")
        assert "Giờ thử" in await chat.reply()
        await chat.send("/vandong")
        assert "Dân vận khéo Bắc Sơn 2024" in await chat.reply()
        await chat.send("Đánh dấu một tuần trước" if week in ("1", "2") else
                        f"Đánh dấu đã thi tuần {week}")
        await chat.reply()
        if week in ("1", "2"):
            await chat.send(week)
            await chat.reply()
        await chat.send("Tất cả đã thi tuần này")
        assert "Đã đánh dấu tất cả đã thi tuần" in await chat.reply()
    await chat.send("/clock 2024-04-29 08:00")
    assert "Giờ thử" in await chat.reply()
    await chat.send("/vandong")
    board = await chat.reply()
    assert "Cuộc thi đã kết thúc" in board and "T5 ❌" in board
    await chat.send("Đánh dấu đã thi tuần này")  # kept in its place: says why not
    assert "không nhận tự báo nữa" in await chat.reply()
    await chat.send("Xem kết quả xét khen thưởng")
    verdict = await chat.reply()
    assert "Kết quả cuối: bạn CHƯA ĐẠT" in verdict
    assert "• Tuần 5: bạn chưa thi." in verdict and "• Tuần 5: Trần Thu Hoa chưa thi." in verdict
    assert "tuần này" not in verdict


async def test_refusing_consent_stores_no_referral_data(chat: Chat, app: App) -> None:
    await register(chat)
    await chat.send("/vandong")
    assert "Dân vận khéo Bắc Sơn 2024" in await chat.reply()
    await chat.send("Tham gia: ghi tài khoản dự thi của tôi")
    await chat.reply()
    await chat.send("không")
    assert "không lưu thông tin vận động nào" in await chat.reply()
    async with app.sessions() as session:
        assert (await session.scalars(select(RefParticipantRow))).first() is None
        consent = (await session.scalars(
            select(ConsentRow).where(ConsentRow.purpose == "referrals"))).one()
    assert consent.granted is False


async def test_bad_accounts_are_explained_and_the_step_kept(chat: Chat) -> None:
    await register(chat)
    await chat.send("/vandong")
    assert "Dân vận khéo Bắc Sơn 2024" in await chat.reply()
    await chat.send("Tham gia: ghi tài khoản dự thi của tôi")
    assert "Trợ lý cần sự đồng ý của bạn" in await chat.reply()
    await chat.send("Đồng ý")
    assert "tài khoản dự thi của bạn" in await chat.reply()
    await chat.send("0912 345 67")
    assert "Số di động Việt Nam có 10 chữ số, ví dụ: 0912 345 678" in await chat.reply()
    await chat.send("lan@gmail")
    assert "Địa chỉ email chưa đúng, ví dụ: lan.nguyen@gmail.com" in await chat.reply()
    await chat.send("Lan Nguyễn")
    assert "Tên đăng nhập chỉ gồm chữ không dấu" in await chat.reply()
    await chat.send_sticker()
    assert "cần bạn gõ chữ" in await chat.reply()
    await chat.send("+84 912 345 678")
    # The profile's unit is in the district: not asked again, shown in the summary.
    assert "• Đơn vị: Xã Long Đống" in await chat.reply()


async def test_unit_outside_the_district_is_refused(chat: Chat) -> None:
    await register(chat, unit="nhan ly")
    await chat.send("/vandong")
    assert "Dân vận khéo Bắc Sơn 2024" in await chat.reply()
    await chat.send("Tham gia: ghi tài khoản dự thi của tôi")
    assert "Trợ lý cần sự đồng ý của bạn" in await chat.reply()
    await chat.send("Đồng ý")
    ask = await chat.reply()
    assert "thuộc Huyện Bắc Sơn" in ask
    await chat.send("nhan ly")
    assert "chưa tìm thấy \"nhan ly\" trong các đơn vị thuộc Huyện Bắc Sơn" in await chat.reply()
    await chat.send("vu lang")
    assert "tài khoản dự thi của bạn" in await chat.reply()
    await chat.send("0912345678")
    assert "• Đơn vị: Xã Vũ Lăng, Huyện Bắc Sơn" in await chat.reply()


async def test_an_account_claimed_by_someone_else_gets_a_clear_message(chat: Chat) -> None:
    await lan_with_two(chat)
    await become(chat, "binh")
    await register(chat, name="Đỗ Văn Bình", year="1980")
    await chat.send("/vandong")
    assert "Dân vận khéo Bắc Sơn 2024" in await chat.reply()
    await chat.send("Tham gia: ghi tài khoản dự thi của tôi")
    assert "Trợ lý cần sự đồng ý của bạn" in await chat.reply()
    await chat.send("Đồng ý")
    assert "tài khoản dự thi của bạn" in await chat.reply()
    await chat.send("0987654321")
    claimed = await chat.reply()
    assert "Tài khoản 0987 654 321 đã được ghi nhận trong chương trình" in claimed
    assert "liên hệ cán bộ đầu mối để được gán lại" in claimed
    await chat.send("0911 111 111")
    await chat.reply()
    await chat.send("Lưu")
    assert "tên gọi" in await chat.reply()
    await chat.send("Chị Hoa")
    await chat.reply()
    await chat.send("HOA.TRAN@gmail.com")
    assert "hoa.tran@gmail.com đã được ghi nhận trong chương trình" in await chat.reply()
    await chat.send("0911111111")
    assert "là tài khoản dự thi của chính bạn" in await chat.reply()


async def test_same_referral_twice_is_named(chat: Chat) -> None:
    await register(chat)
    await join(chat)
    await add_referral(chat, "Hoàng Văn Minh", "0987 654 321")
    await chat.send("Thêm người được vận động")
    assert "tên gọi" in await chat.reply()
    await chat.send("Minh em")
    await chat.reply()
    await chat.send("+84987654321")
    assert "Bạn đã ghi tài khoản 0987 654 321 cho Hoàng Văn Minh rồi" in await chat.reply()


async def test_a_referred_person_under_16_is_not_stored(chat: Chat, app: App) -> None:
    await register(chat)
    await join(chat)
    await chat.send("Thêm người được vận động")
    assert "tên gọi" in await chat.reply()
    await chat.send("Bé Na 123")
    assert "đầy đủ họ và tên" in await chat.reply()
    for line in ("Bé Na", "0977 123 456"):
        await chat.send(line)
        await chat.reply()
    await chat.send("có lẽ")
    assert "Trợ lý chưa hiểu. Bạn gõ số của một mục" in await chat.reply()
    await chat.send("Bé Na chưa đủ 16 tuổi (không lưu)")
    refused = await chat.reply()
    assert "phải từ 16 tuổi trở lên, nên Bé Na không được tính" in refused
    assert "Trợ lý không lưu thông tin của Bé Na" in refused
    assert "Người được vận động: 0" in refused
    async with app.sessions() as session:
        accounts = (await session.scalars(select(RefMemberRow.quiz_account))).all()
    assert accounts == ["+84912345678"]


async def test_weeks_that_cannot_be_marked(chat: Chat) -> None:
    await register(chat)
    await join(chat)
    await chat.send("Đánh dấu một tuần trước")
    assert "từ 1 đến 5" in await chat.reply()
    await chat.send("4")
    assert "Tuần 4 bắt đầu ngày 15/04/2024, chưa đánh dấu được" in await chat.reply()
    await chat.send("tuần 9")
    assert "Chương trình chỉ có 5 tuần (tuần cuối kết thúc ngày 28/04/2024)" in \
        await chat.reply()
    await chat.send("tuần sau")
    assert "Bạn gõ số tuần từ 1 đến 5" in await chat.reply()
    await chat.send("tuần 2")
    assert "Tuần 2 (01/04 – 07/04/2024)" in await chat.reply()
    await chat.send("/clock 2024-04-29 07:00")
    assert "Giờ thử" in await chat.reply()
    await chat.send("1")
    assert "Cuộc thi đã kết thúc ngày 28/04/2024, không nhận tự báo nữa" in await chat.reply()


async def test_no_more_than_the_maximum_referrals(chat: Chat) -> None:
    await register(chat)
    await join(chat)
    for n in range(5):
        await add_referral(chat, f"Người {'ABCDE'[n]}", f"09876543{n}0")
    await chat.send("/vandong")
    board = await chat.reply()
    assert "Người được vận động: 5" in board
    await chat.send("Thêm người được vận động")  # kept in its place: says why not
    assert "Bạn đã ghi đủ tối đa 5 người được vận động" in await chat.reply()


async def test_remove_a_referred_person(chat: Chat) -> None:
    await lan_with_two(chat)
    await chat.send("/vandong")
    assert "Dân vận khéo Bắc Sơn 2024" in await chat.reply()
    await chat.send("Xoá người được vận động")
    assert "muốn xoá ai" in await chat.reply()
    await chat.send("Trần Thu Hoa")
    assert "Xoá Trần Thu Hoa khỏi danh sách vận động của bạn?" in await chat.reply()
    await chat.send("Xoá")
    removed = await chat.reply()
    assert "Đã xoá Trần Thu Hoa" in removed and "hoa.tran@gmail.com" not in removed


async def test_share_shows_the_code_and_a_telegram_link_when_configured(
    db_url: str, clock: MovableClock
) -> None:
    app = create_app(make_settings(db_url, telegram_bot_username="@thidua_bot",
                                   zalo_bot_name="Thi đua Bắc Sơn"), clock)
    await app.start()
    try:
        chat = Chat(ConsoleChannel(app, clock, "lan"))
        await register(chat)
        code = await join(chat)
        await chat.send("Gửi mã giới thiệu cho người được vận động")
        intro = await chat.reply()
        assert f"Mã giới thiệu của bạn là {code}" in intro
        assert "Tin nhắn tiếp theo là lời mời" in intro
        assert chat.choices() == ["Về bảng theo dõi của tôi"]
        invite = await chat.reply()
        # The invitation stands alone: nothing in it but what the invited person reads.
        assert chat.choices() == []
        assert invite.startswith("Nguyễn Thị Lan mời bạn")
        assert f"nhắn cho «Thi đua Bắc Sơn» đúng dòng sau: /start {code}" in invite
        assert f"https://t.me/thidua_bot?start={code}" in invite
        assert "dưới đây" not in intro + invite
    finally:
        await app.close()


async def test_share_without_telegram_username_has_no_link(chat: Chat) -> None:
    await register(chat)
    code = await join(chat)
    await chat.send("Gửi mã giới thiệu cho người được vận động")
    await chat.reply()
    invite = await chat.reply()
    assert f"/start {code}" in invite and "t.me" not in invite
    assert "nhắn cho «Trợ lý thi đua trên Zalo»" in invite


async def test_withdrawn_consent_pauses_the_view_until_given_again(chat: Chat,
                                                                   app: App) -> None:
    await lan_with_two(chat)
    async with app.sessions() as session:
        person_id = (await session.scalars(select(RefParticipantRow.person_id))).one()
        await ConsentRepo(session).record(person_id, "referrals", False, "2026.1", "console",
                                          app.services.clock.now())
        await session.commit()
    await chat.send("/vandong")
    paused = await chat.reply()
    assert "Bạn đã rút lại đồng ý" in paused and "Hoàng Văn Minh" not in paused
    await chat.send("Đồng ý lại để tiếp tục theo dõi")
    again = await chat.reply()
    assert "Đã ghi nhận bạn đồng ý lại" in again and "Hoàng Văn Minh" in again


async def test_someone_elses_choices_do_nothing(chat: Chat, app: App) -> None:
    await lan_with_two(chat)
    async with app.sessions() as session:
        pid = (await session.scalars(select(RefParticipantRow.id))).one()
        mid = (await session.scalars(select(RefMemberRow.id).where(
            RefMemberRow.kind == "referral"))).first()
    for payload in (f"rf:home:{pid}", f"rf:wk:{pid}:3", f"rf:mk:{mid}:3", f"rf:rmy:{mid}",
                    f"rf:add:{pid}", "rf:mk:x:y", "rf:nothing"):
        [reply] = await send_as(app, "console", "mallory", choice=payload)
        assert "Lựa chọn này không còn hiệu lực" in reply.text, payload
    await chat.send("/vandong")
    board = await chat.reply()
    assert "Hoàng Văn Minh" in board and "T3 ⏳" in board


async def test_after_the_quiz_the_programme_screen_still_leads_somewhere(chat: Chat) -> None:
    """Nothing to join once the quiz ended: the screen says so and still offers a way on
    (on Zalo Bot, "1" must not fall on an empty list)."""
    await chat.send("/clock 2024-05-10 08:00")
    assert "Giờ thử" in await chat.reply()
    await chat.send("/vandong")
    screen = await chat.reply()
    assert "không nhận đăng ký mới" in screen
    assert "Tham gia" not in " ".join(chat.choices())
    assert chat.choices() == ["Về danh sách chức năng"]
    await chat.send("1")
    await chat.reply()
    assert "Chương trình thi đua và quy định" in "\n".join(chat.choices())
