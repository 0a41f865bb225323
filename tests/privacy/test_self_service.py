"""/quyenriengtu: see, export, withdraw and delete — done at once, in the chat."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from bot.app import App
from bot.core.clock import MovableClock
from bot.core.types import AttachmentKind
from storage.models import AuditRow, ChannelAccountRow, ConsentRow, PersonRow
from storage.people import ChatState, ChatStateRepo, ConsentRepo
from tests.harness import Chat, become, register, send_as
from tests.privacy.helpers import scan_for


async def open_privacy(chat: Chat) -> str:
    await chat.send("/quyenriengtu")
    return await chat.reply()


async def test_overview_says_what_is_stored_why_and_when_consent_was_given(chat: Chat) -> None:
    await register(chat, "Nguyễn Thị Lan")
    overview = await open_privacy(chat)
    assert "Hồ sơ tham gia phong trào: Họ và tên, năm sinh, đơn vị" in overview
    assert "để ghi nhận bạn tham gia phong trào" in overview
    assert "(Bạn đồng ý ngày 10/04/2024.)" in overview
    assert "Tài khoản kênh nhắn tin: 1 mục" in overview
    assert chat.choices() == ["Xem và tải toàn bộ dữ liệu", "Sửa hồ sơ", "Rút lại đồng ý",
                              "Xoá tài khoản"]


async def test_privacy_is_in_the_main_menu_for_everyone(chat: Chat) -> None:
    await chat.send("/menu")
    await chat.reply()
    assert "Dữ liệu của tôi và quyền riêng tư" in chat.choices()
    await chat.send("dữ liệu của tôi và quyền riêng tư")
    assert "Chưa hỏi ý kiến bạn" in await chat.reply()


async def test_export_is_readable_text_and_a_json_file_and_is_audited(chat: Chat,
                                                                      app: App) -> None:
    await register(chat, "Nguyễn Thị Lan")
    await open_privacy(chat)
    await chat.send("1")
    text = await chat.reply()
    assert "Họ và tên: Nguyễn Thị Lan; Năm sinh: 1990" in text
    assert "Xã Nhân Lý" in text and "Mã tài khoản trên kênh: lan" in text
    assert "Mục đích: Nhận nhắc hạn và thông báo; Đồng ý: có" in text
    await chat.reply()
    assert chat.last is not None
    (attachment,) = chat.last.attachments
    assert attachment.kind is AttachmentKind.DOCUMENT
    assert attachment.filename == "du-lieu-cua-toi.json"
    assert attachment.data is not None
    document = json.loads(attachment.data.decode("utf-8"))
    assert document["policy_version"] == "2026.1"
    assert document["data"]["profile"][0]["full_name"] == "Nguyễn Thị Lan"
    assert document["data"]["channel_accounts"][0]["external_id"] == "lan"
    assert {c["purpose"] for c in document["data"]["consents"]} == {"profile", "reminders"}
    assert "Sửa hồ sơ" in await chat.reply()
    async with app.sessions() as session:
        actions = (await session.scalars(select(AuditRow.action))).all()
    assert "data.export" in actions


async def test_correct_from_privacy_goes_to_the_profile_editor(chat: Chat) -> None:
    await register(chat, "Nguyễn Thị Lan")
    await open_privacy(chat)
    await chat.send("Sửa hồ sơ")
    assert "Họ và tên: Nguyễn Thị Lan" in await chat.reply()
    await chat.send("Sửa họ và tên")
    assert "họ và tên" in await chat.reply()
    await chat.send("Nguyễn Thị Lành")
    assert "Đã cập nhật hồ sơ" in await chat.reply()


async def test_withdrawing_reminders_stops_them_at_once_and_keeps_the_profile(
    chat: Chat, app: App
) -> None:
    await register(chat, "Nguyễn Thị Lan")
    await open_privacy(chat)
    await chat.send("Rút lại đồng ý")
    assert "mục đích nào" in await chat.reply()
    await chat.send("Nhận nhắc hạn và thông báo")
    explained = await chat.reply()
    assert "thôi gửi tin nhắc hạn" in explained and "Hồ sơ của bạn vẫn giữ nguyên" in explained
    await chat.send("1")
    assert "Đã rút lại đồng ý nhận nhắc hạn" in await chat.reply()
    async with app.sessions() as session:
        person = (await session.scalars(select(PersonRow))).one()
        assert not await ConsentRepo(session).has(person.id, "reminders")
        assert await ConsentRepo(session).has(person.id, "profile")
    assert person.full_name == "Nguyễn Thị Lan"
    overview = await open_privacy(chat)
    assert "Nhận nhắc hạn và thông báo: " in overview
    assert "(Bạn đã rút lại đồng ý ngày 10/04/2024.)" in overview


async def test_keeping_a_consent_changes_nothing(chat: Chat, app: App) -> None:
    await register(chat, "Nguyễn Thị Lan")
    await open_privacy(chat)
    await chat.send("3")
    await chat.reply()
    await chat.send("1")
    assert "xoá họ và tên" in await chat.reply()
    await chat.send("Giữ nguyên")
    assert "Đã giữ nguyên" in await chat.reply()
    async with app.sessions() as session:
        person = (await session.scalars(select(PersonRow))).one()
        assert await ConsentRepo(session).has(person.id, "reminders")
    assert person.full_name == "Nguyễn Thị Lan"


async def test_withdrawing_the_profile_consent_erases_it_and_allows_registering_again(
    chat: Chat, app: App
) -> None:
    await register(chat, "Nguyễn Thị Lan")
    await open_privacy(chat)
    await chat.send("Rút lại đồng ý")
    await chat.reply()
    await chat.send("Hồ sơ tham gia phong trào")
    explained = await chat.reply()
    assert "xoá họ và tên, năm sinh, đơn vị" in explained
    assert "đồng ý nhận nhắc hạn cũng được rút lại theo" in explained
    assert "có thể đăng ký lại" in explained
    await chat.send("1")
    assert "Đã rút lại đồng ý và xoá hồ sơ" in await chat.reply()
    async with app.sessions() as session:
        person = (await session.scalars(select(PersonRow))).one()
        consents = ConsentRepo(session)
        assert not await consents.has(person.id, "profile")
        assert not await consents.has(person.id, "reminders")
    assert (person.full_name, person.birth_year, person.unit_code) == (None, None, None)
    assert person.registered_at is None and person.deleted_at is None
    await chat.send("/toi")
    assert "chưa có hồ sơ" in await chat.reply()
    await chat.send("hạn chót là khi nào?")
    await chat.reply()
    assert "Họ và tên: Nguyễn Thị Lan" in await register(chat, "Nguyễn Thị Lan", year="1991")


async def test_nothing_to_withdraw_is_said_plainly(chat: Chat) -> None:
    await open_privacy(chat)
    await chat.send("Rút lại đồng ý")
    assert "không có đồng ý nào đang có hiệu lực" in await chat.reply()


async def test_delete_asks_first_and_no_keeps_everything(chat: Chat, app: App) -> None:
    await register(chat, "Nguyễn Thị Lan")
    await open_privacy(chat)
    await chat.send("Xoá tài khoản")
    confirm = await chat.reply()
    assert "không thể hoàn tác" in confirm and "gỡ mọi tài khoản Zalo/Telegram" in confirm
    assert chat.choices() == ["Xoá tài khoản vĩnh viễn", "Không xoá"]
    await chat.send("không xoá")
    assert "Đã giữ nguyên" in await chat.reply()
    async with app.sessions() as session:
        person = (await session.scalars(select(PersonRow))).one()
    assert person.full_name == "Nguyễn Thị Lan" and person.deleted_at is None


async def test_after_deletion_no_table_holds_any_personal_value(
    chat: Chat, app: App, clock: MovableClock
) -> None:
    # A person with everything the core stores: profile, two linked accounts, consents,
    # a link code, a half-typed form in the other chat, an official role and an invite.
    chat.channel.user = "quynhanh-7f3a"
    await register(chat, "Hoàng Thị Quỳnh Anh", year="1987", unit="trạm tấu")
    await chat.send("/lienket")
    code = re.search(r"/lienket (\d{8})", await chat.reply())
    assert code
    await send_as(app, "zalo", "zalo-99887766", f"/lienket {code.group(1)}")
    await chat.send("/lienket")
    await chat.reply()
    await send_as(app, "zalo", "zalo-99887766", "/toi")
    await send_as(app, "zalo", "zalo-99887766", "Sửa họ và tên")
    await send_as(app, "zalo", "zalo-99887766", "Hoàng Quỳnh Anh Nháp")
    async with app.sessions() as session:  # an older session left a form half-typed there
        await ChatStateRepo(session).save(ChatState(
            "zalo", "zalo-99887766", "register", "typing_birth_year",
            {"full_name": "Quỳnh Anh Đang Gõ"}), clock.now())
        await session.commit()
    await become(chat, "admin")
    for line in ("/quyen", "Tạo mã mời", "Cán bộ đầu mối đơn vị", "huyện chi lăng", "1", "Lưu"):
        await chat.send(line)
        invite = await chat.reply()
    invite_code = re.search(r"/nhanquyen (\S+)", invite)
    assert invite_code
    await become(chat, "quynhanh-7f3a")
    await chat.send(f"/nhanquyen {invite_code.group(1)}")
    assert "Cán bộ đầu mối đơn vị" in await chat.reply()
    await chat.send("/quyen")
    await chat.reply()
    await chat.send("Tạo mã mời")
    await chat.reply()
    await chat.send("1")
    await chat.reply()

    await chat.send("/huy")
    await chat.reply()
    needles = ["Quỳnh Anh", "quynhanh-7f3a", "zalo-99887766", "1987", "tram-tau", "Nháp",
               "Đang Gõ"]
    found = " ".join(await scan_for(app, needles))
    assert all(needle in found for needle in needles), found  # the scan does see them
    await open_privacy(chat)
    await chat.send("Xoá tài khoản")
    await chat.reply()
    await chat.send("Xoá tài khoản vĩnh viễn")
    assert "Đã xoá tài khoản" in await chat.reply()
    assert chat.last is not None and not chat.last.choices

    assert await scan_for(app, needles) == []
    async with app.sessions() as session:
        shells = (await session.scalars(
            select(PersonRow).where(PersonRow.deleted_at.is_not(None)))).all()
        assert len(shells) == 1 and shells[0].full_name is None and shells[0].role == "resident"
        audit = (await session.scalars(select(AuditRow.action)
                                       .where(AuditRow.target_id == str(shells[0].id)))).all()
        assert "data.delete" in audit and "access.grant" in audit  # history kept, nameless
        assert await session.scalar(select(func.count()).select_from(ChannelAccountRow)
                                    .where(ChannelAccountRow.person_id == shells[0].id)) == 0
        assert await session.scalar(select(func.count()).select_from(ConsentRow)
                                    .where(ConsentRow.person_id == shells[0].id)) == 0


async def test_a_deleted_person_writing_again_starts_fresh(chat: Chat, app: App) -> None:
    await register(chat, "Nguyễn Thị Lan")
    await open_privacy(chat)
    await chat.send("4")
    await chat.reply()
    await chat.send("1")
    assert "Đã xoá tài khoản" in await chat.reply()
    await chat.send("/toi")
    assert "chưa có hồ sơ" in await chat.reply()
    await chat.send("/thongke")
    await chat.reply()
    await become(chat, "admin")
    await chat.send("/thongke")
    stats = await chat.reply()
    assert "Đã liên hệ Trợ lý: 2" in stats and "Đã đăng ký hồ sơ: 0" in stats


async def test_someone_who_never_registered_can_still_see_and_delete(chat: Chat,
                                                                    app: App) -> None:
    overview = await open_privacy(chat)
    assert "Tài khoản kênh nhắn tin: 1 mục" in overview
    await chat.send("Xoá tài khoản")
    await chat.reply()
    await chat.send("có")
    assert "Đã xoá tài khoản" in await chat.reply()
    assert await scan_for(app, ["lan"]) == []


async def test_jsonl_console_lists_the_attached_file(app: App, clock: MovableClock) -> None:
    import io

    from bot.channels.console import run_console

    out = io.StringIO()
    await run_console(app, clock, jsonl=True, user="minh",
                      stdin=io.StringIO("/quyenriengtu\n1\n\n"), stdout=out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    export = records[1]["replies"]
    assert export[1]["attachments"] == ["du-lieu-cua-toi.json"]
    assert "attachments" not in export[0]
