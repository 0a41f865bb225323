"""Export and deletion cover the referral and delivery tables: identities go, counts stay."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select

from bot.app import App
from bot.core.clock import MovableClock
from storage.delivery.repo import OutboxStatus
from storage.models import OutboxRow, RefMemberRow, RefParticipantRow
from storage.people import PeopleRepo
from storage.referrals.repo import ReferralRepo
from tests.harness import Chat, become, register
from tests.privacy.helpers import read_export, scan_for
from tests.referrals.helpers import add_referral, join

LAN = "lan-4e1f"
NEEDLES = ["Nguyễn Thị Lan", LAN, "+84912345678", "Hoàng Văn Minh", "+84987654321",
           "Ví của chị Hà"]


async def person(app: App, user: str) -> int:
    """Return the person id of a console user."""
    async with app.sessions() as session:
        account = await PeopleRepo(session).account("console", user)
    assert account is not None
    return account.person_id


async def lan_with_everything(chat: Chat, app: App, clock: MovableClock) -> None:
    """Lan joins, recruits Minh, marks week 3, is linked from Hùng's list, gets messages."""
    chat.channel.user = LAN
    await register(chat, unit="long dong")
    await join(chat, "0912 345 678")
    await add_referral(chat, "Hoàng Văn Minh", "0987 654 321")
    await chat.send("/vandong")
    await chat.reply()
    await chat.send("Đánh dấu đã thi tuần 3")
    await chat.reply()
    await chat.send("Tất cả đã thi tuần này")
    assert "Đã đánh dấu tất cả đã thi tuần 3" in await chat.reply()
    await become(chat, "hung")
    await register(chat, "Hoàng Văn Hùng", year="1985", unit="long dong")
    await join(chat, "0911 222 333")
    await add_referral(chat, "Cô giáo Thuý", "0977 888 999")
    lan = await person(app, LAN)
    async with app.sessions() as session:  # Lan proved that Hùng's "Cô giáo Thuý" is her
        repo = ReferralRepo(session)
        claimed = await repo.claimed("bac-son-dan-van-kheo-2024", "+84977888999")
        assert claimed is not None
        await repo.link(claimed.id, lan, clock.now())
        await app.delivery.notify(session, lan, "deeds:returned:9:v2", "deeds.notice.return",
                                  {"id": 9, "what": "Ví của chị Hà", "text": "Ở đâu?"})
        await session.commit()
    await chat.send(f"/as {LAN}")
    assert "bạn đang là" in await chat.reply()
    assert "Ví của chị Hà" in await chat.reply()  # the notice was sent to her
    clock.set(datetime(2024, 4, 21, 8, 0))  # a deadline reminder waits for the morning
    assert await app.delivery.tick(console_only=True) == 2
    clock.set(datetime(2024, 4, 20, 22, 0))


async def test_export_shows_my_referrals_the_people_i_recruited_and_what_was_sent(
    chat: Chat, app: App, clock: MovableClock,
) -> None:
    await lan_with_everything(chat, app, clock)
    await chat.send("/quyenriengtu")
    await chat.reply()
    await chat.send("Xem và tải toàn bộ dữ liệu")
    text = await read_export(chat)
    assert "Tham gia vận động Dân vận khéo (1)" in text
    assert "Tài khoản dự thi: 0912 345 678" in text and "Các tuần đã thi: 3" in text
    assert "Người tôi đã vận động (1)" in text and "Tên gọi: Hoàng Văn Minh" in text
    assert "Tài khoản của tôi do người khác vận động (1)" in text
    assert "Tên gọi: Cô giáo Thuý" in text
    assert "Tin nhắc và thông báo gửi cho tôi (2)" in text and "Ví của chị Hà" in text
    await chat.reply()
    assert chat.last is not None and chat.last.attachments[0].data is not None
    data = json.loads(chat.last.attachments[0].data)["data"]
    assert data["referral_recruits"][0]["quiz_account"] == "0987 654 321"
    await chat.replies()


async def test_after_deletion_referral_and_delivery_tables_hold_no_personal_value(
    chat: Chat, app: App, clock: MovableClock,
) -> None:
    await lan_with_everything(chat, app, clock)
    found = " ".join(await scan_for(app, NEEDLES))
    assert all(needle in found for needle in NEEDLES), found  # the scan does see them
    lan = await person(app, LAN)
    await chat.send("/quyenriengtu")
    await chat.reply()
    await chat.send("Xoá tài khoản")
    await chat.reply()
    await chat.send("Xoá tài khoản vĩnh viễn")
    assert "Đã xoá tài khoản" in await chat.reply()

    assert await scan_for(app, NEEDLES) == []
    async with app.sessions() as session:
        members = (await session.scalars(select(RefMemberRow).order_by(RefMemberRow.id))).all()
        participants = (await session.scalars(select(RefParticipantRow)
                                              .where(RefParticipantRow.person_id == lan))).all()
        outbox = (await session.scalars(select(OutboxRow)
                                        .where(OutboxRow.person_id == lan))).all()
    assert len(members) == 4  # every account still counts for the unit's figures
    own, minh, hung, thuy = members
    assert own.reported_mask == minh.reported_mask == 0b100  # week 3 kept, nameless
    assert minh.display_name is None and minh.quiz_account.startswith("erased-")
    assert thuy.display_name == "Cô giáo Thuý" and thuy.linked_person_id is None
    assert hung.quiz_account == "+84911222333"
    assert [p.code.startswith("DEL-") for p in participants] == [True]
    assert all(r.params == {} for r in outbox)
    assert OutboxStatus.PENDING not in {r.status for r in outbox}
