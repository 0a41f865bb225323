"""Shared steps of the referral transcripts: register, join, add referred people."""

from __future__ import annotations

import re

from bot.app import App
from bot.core.types import Attachment, AttachmentKind, Incoming, Reply
from storage.people import PeopleRepo
from tests.harness import Chat

CODE_RE = re.compile(r"VD-[A-Z0-9]{6}")
CAMPAIGN = "bac-son-dan-van-kheo-2024"


async def become(chat: Chat, user: str, role: str | None = None) -> None:
    """Switch the console to another person (and give them a role), as `/as` does."""
    await chat.send(f"/as {user} {role}" if role else f"/as {user}")
    assert f'Bây giờ bạn đang là "{user}"' in await chat.reply()


async def pick(chat: Chat, label_part: str) -> None:
    """Answer the last menu with the number of the choice containing `label_part`."""
    labels = chat.choices()
    index = next(i for i, label in enumerate(labels, 1) if label_part in label)
    await chat.send(str(index))


async def register(chat: Chat, name: str = "Nguyễn Thị Lan", year: str = "1990",
                   unit: str = "long dong") -> None:
    """Register a profile through /toi (consents, name, birth year, unit)."""
    await chat.send("/toi")
    assert "chưa có hồ sơ" in await chat.reply()
    for line, answer in (("Đăng ký", "đồng ý"), ("Đồng ý", "đồng ý"),
                         ("Đồng ý", "họ và tên đầy đủ"), (name, "Bạn sinh năm nào?"),
                         (year, "đơn vị nào?")):
        await chat.send(line)
        assert answer in await chat.reply()
    await chat.send(unit)
    shown = await chat.reply()
    if "các đơn vị sau" in shown:  # no unit has exactly the typed name: pick the first
        await chat.send("1")
        shown = await chat.reply()
    assert "Thông tin đã đúng chưa?" in shown, shown
    await chat.send("Lưu")
    assert "Đăng ký xong" in await chat.reply()
    await chat.reply()


async def join(chat: Chat, account: str = "0912 345 678") -> str:
    """Join the programme with the profile's unit (it is not asked again); return the
    referral code. Joining lands on the first referred person's name: "Để sau" leaves it."""
    await chat.send("/vandong")
    assert "Tiêu chí cá nhân (Mục III.1.b)" in await chat.reply()
    await chat.send("Tham gia: ghi tài khoản dự thi của tôi")
    assert "Trợ lý cần sự đồng ý của bạn" in await chat.reply()
    await chat.send("Đồng ý")
    assert "tài khoản dự thi của bạn" in await chat.reply()
    await chat.send(account)
    summary = await chat.reply()
    assert "• Đơn vị: Xã Long Đống" in summary and "Tài khoản dự thi:" in summary
    await chat.send("Lưu")
    joined = await chat.reply()
    assert "Đã ghi nhận bạn tham gia vận động" in joined
    assert "tên gọi của người được vận động" in joined
    match = CODE_RE.search(joined)
    assert match is not None
    await chat.send("Để sau, xem bảng theo dõi")
    assert "Bảng theo dõi" in await chat.reply()
    return match.group(0)


async def add_referral(chat: Chat, name: str, account: str, relation: str = "Người thân"
                       ) -> str:
    """Add an eligible referred person from the dashboard; return the reply after saving
    (left on the dashboard: "Để sau" when the bot goes on to the next person)."""
    await chat.send("/vandong")
    assert "Dân vận khéo Bắc Sơn 2024" in await chat.reply()
    await chat.send("Thêm người được vận động")
    assert "tên gọi" in await chat.reply()
    await chat.send(name)
    assert f"Tài khoản dự thi của {name}" in await chat.reply()
    await chat.send(account)
    ask = await chat.reply()
    assert f"{name} là gì của bạn?" in ask and "từ 16 tuổi trở lên" in ask
    await chat.send(relation)
    done = await chat.reply()
    assert f"Đã lưu {name}" in done
    if "Thêm người tiếp theo" in done:
        await chat.send("Để sau, xem bảng theo dõi")
        assert "Bảng theo dõi" in await chat.reply()
    return done


async def lan_with_two(chat: Chat) -> str:
    """Lan registers, joins and adds Minh and Hoa; return her code."""
    await register(chat)
    code = await join(chat)
    await add_referral(chat, "Hoàng Văn Minh", "0987 654 321")
    await add_referral(chat, "Trần Thu Hoa", "hoa.tran@gmail.com", "Bạn bè")
    return code


async def set_unit(app: App, user: str, unit_code: str, role: str | None = None) -> None:
    """Give a console user a unit (and a role) directly, as an admin would."""
    async with app.sessions() as session:
        people = PeopleRepo(session)
        account = await people.account("console", user)
        assert account is not None
        fields: dict[str, object] = {"unit_code": unit_code}
        if role:
            fields["role"] = role
        await people.update_profile(account.person_id, app.services.clock.now(), **fields)
        await session.commit()


async def send_as(app: App, channel: str, user: str, text: str | None = None,
                  choice: str | None = None, document: Attachment | None = None
                  ) -> list[Reply]:
    """Send one message on any channel (e.g. Zalo), or a file, bypassing the console."""
    attachments = (document,) if document else ()
    return await app.handle(Incoming(channel, user, user, text=text, choice=choice,
                                     attachments=attachments))


def document(data: bytes | None, filename: str, url: str | None = None) -> Attachment:
    """Return a file attachment as a channel delivers it."""
    return Attachment(AttachmentKind.DOCUMENT, url=url, data=data, filename=filename,
                      size=len(data) if data else None)
