"""The referred person opens the bot with a code, links, consents and confirms weeks."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from storage.models import ConsentRow, RefMemberRow
from tests.harness import Chat
from tests.referrals.helpers import become, lan_with_two


async def open_with_code(chat: Chat, code: str, user: str = "minh") -> None:
    """Become another person and open the bot with the referral code."""
    await become(chat, user)
    await chat.send(f"/start {code}")
    ask = await chat.reply()
    # One message: a greeting and the question to answer now, never "chọn một mục dưới
    # đây" without a menu under it.
    assert ask.startswith("Xin chào! Đây là Trợ lý thi đua")
    assert "dưới đây" not in ask
    assert "Nguyễn Thị Lan đã vận động bạn" in ask
    assert "Dân vận khéo Bắc Sơn 2024" in ask
    assert "gõ tài khoản dự thi của bạn" in ask


async def test_referred_person_links_and_confirms_the_week(chat: Chat, app: App) -> None:
    code = await lan_with_two(chat)
    await open_with_code(chat, code)
    await chat.send("0911 000 000")
    not_listed = await chat.reply()
    assert "Nguyễn Thị Lan chưa ghi tài khoản 0911 000 000" in not_listed
    await chat.send("+84 987 654 321")
    consent = await chat.reply()
    assert "tính việc bạn tham gia cuộc thi cho Nguyễn Thị Lan" in consent
    await chat.send("Đồng ý")
    assert "từ 16 tuổi trở lên" in await chat.reply()
    await chat.send("Đúng")
    view = await chat.reply()
    assert "Đã nối bạn với danh sách vận động của Nguyễn Thị Lan" in view
    assert "Tài khoản dự thi: 0987 654 321" in view
    assert "T1 ❌ · T2 ❌ · T3 ⏳" in view
    assert "1. Tôi đã thi tuần 3" in view
    await chat.send("Tôi đã thi tuần 3")
    marked = await chat.reply()
    assert "Đã ghi: bạn đã thi tuần 3." in marked and "T3 ✅" in marked
    await chat.send("Tôi đã thi tuần 1 (ghi bù)")
    assert "T1 ✅" in await chat.reply()
    await chat.send("Bỏ đánh dấu tuần 3")
    unmarked = await chat.reply()  # one's own week, mid-sentence: "của bạn", not "của Bạn"
    assert unmarked.startswith("Đã bỏ đánh dấu tuần 3 của bạn.") and "T3 ⏳" in unmarked
    await chat.send("Tôi đã thi tuần 3")
    assert "T3 ✅" in await chat.reply()
    await chat.send("/vandong")
    assert "Bạn được Nguyễn Thị Lan vận động" in await chat.reply()
    await become(chat, "lan")
    await chat.send("/vandong")
    board = await chat.reply()
    assert "• Hoàng Văn Minh (Người thân) — 0987 654 321\n   T1 ✅ · T2 ❌ · T3 ✅" in board
    async with app.sessions() as session:
        minh = (await session.scalars(select(RefMemberRow).where(
            RefMemberRow.quiz_account == "+84987654321"))).one()
        consents = (await session.scalars(select(ConsentRow).where(
            ConsentRow.purpose == "referrals"))).all()
    assert minh.linked_person_id is not None
    assert len(consents) == 2


async def test_code_typed_on_zalo_through_the_menu(chat: Chat) -> None:
    code = await lan_with_two(chat)
    await become(chat, "hoa")
    await chat.send("/vandong")
    assert "Dân vận khéo Bắc Sơn 2024" in await chat.reply()
    await chat.send("Tôi được người khác vận động (nhập mã)")
    assert "ví dụ: VD-K7P3QX" in await chat.reply()
    await chat.send("ma cua chi Lan")
    assert "Mã giới thiệu có dạng VD- và 6 ký tự" in await chat.reply()
    await chat.send(code.lower().replace("-", " "))
    assert "Nguyễn Thị Lan đã vận động bạn" in await chat.reply()
    await chat.send("hoa.tran@gmail.com")
    await chat.reply()
    await chat.send("1")
    await chat.reply()
    await chat.send("1")
    assert "Bạn được Nguyễn Thị Lan vận động" in await chat.reply()


async def test_unknown_and_own_codes(chat: Chat) -> None:
    code = await lan_with_two(chat)
    await chat.send("/vandong VD-AAAAAA")
    assert "Không tìm thấy mã giới thiệu này" in await chat.reply()
    await chat.send(f"/start {code}")
    own = await chat.reply()
    assert "Đây là mã giới thiệu của chính bạn" in own
    assert chat.choices(), "the dashboard's choices come with the greeting"


async def test_declining_consent_and_asking_to_be_removed(chat: Chat, app: App) -> None:
    code = await lan_with_two(chat)
    await open_with_code(chat, code)
    await chat.send("0987654321")
    assert "Bạn có đồng ý không?" in await chat.reply()
    await chat.send("Không đồng ý")
    assert "giữ tên mình trong danh sách vận động" in await chat.reply()
    await chat.send("xoá đi")
    assert "Đã xoá tên và tài khoản của bạn khỏi danh sách vận động của Nguyễn Thị Lan" in \
        await chat.reply()
    async with app.sessions() as session:
        accounts = (await session.scalars(select(RefMemberRow.quiz_account))).all()
    assert "+84987654321" not in accounts and len(accounts) == 2


async def test_declining_consent_can_keep_the_name(chat: Chat, app: App) -> None:
    code = await lan_with_two(chat)
    await open_with_code(chat, code)
    await chat.send("0987654321")
    assert "Bạn có đồng ý không?" in await chat.reply()
    await chat.send("Không đồng ý")
    assert "giữ tên mình trong danh sách vận động" in await chat.reply()
    await chat.send("Giữ tên trong danh sách của người mời")
    assert "Trợ lý không nối tài khoản của bạn" in await chat.reply()
    async with app.sessions() as session:
        minh = (await session.scalars(select(RefMemberRow).where(
            RefMemberRow.quiz_account == "+84987654321"))).one()
    assert minh.linked_person_id is None


async def test_a_referred_person_who_says_they_are_under_16_is_removed(chat: Chat) -> None:
    code = await lan_with_two(chat)
    await open_with_code(chat, code)
    await chat.send("0987654321")
    assert "Bạn có đồng ý không?" in await chat.reply()
    await chat.send("Đồng ý")
    assert "Bạn xác nhận mình từ 16 tuổi trở lên" in await chat.reply()
    await chat.send("chưa chắc")
    assert "Bạn chọn 1 (Đúng) hoặc 2 (Không đúng)" in await chat.reply()
    await chat.send("Không đúng")
    assert "Trợ lý đã xoá tên bạn khỏi danh sách vận động của Nguyễn Thị Lan" in \
        await chat.reply()
    await become(chat, "lan")
    await chat.send("/vandong")
    assert "Hoàng Văn Minh" not in await chat.reply()


async def test_an_account_already_linked_cannot_be_taken_by_another_person(chat: Chat) -> None:
    code = await lan_with_two(chat)
    await open_with_code(chat, code)
    for line, answer in (("0987654321", "Bạn có đồng ý không?"),
                         ("Đồng ý", "Bạn xác nhận mình từ 16 tuổi"),
                         ("Đúng", "Đã nối bạn với danh sách vận động")):
        await chat.send(line)
        assert answer in await chat.reply()
    await open_with_code(chat, code, user="khach")
    await chat.send("0987654321")
    assert "đã được một người khác xác nhận" in await chat.reply()
