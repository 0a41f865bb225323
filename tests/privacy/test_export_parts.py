"""The privacy export of one person who used every feature: readable parts, no codes."""

from __future__ import annotations

import json
import re

from bot.app import App
from bot.core.clock import MovableClock
from handlers.privacy.export import PART_LIMIT
from tests.deeds.helpers import register as register_deeds_person
from tests.deeds.helpers import report_other, take_pushed
from tests.harness import Chat
from tests.referrals.helpers import become, lan_with_two
from tests.works.helpers import BAN_CONG, register_work
from tests.works.helpers import become as become_liaison

# What must never show in an export: catalog keys, snake_case codes, JSON, English states.
INTERNAL = [
    re.compile(r"\b[a-z]+(?:_[a-z]+)+\b"),  # nguoi_than, ban_be, value_vnd
    re.compile(r"\b(?:deeds|ref|reminders|privacy|works|access|data)\.[a-z_.]+\b"),
    re.compile(r"[{}\[\]]|\"\w+\":"),
    re.compile(r"\b(?:sent|pending|cancelled|failed|notice|referral|deadline)\b"),
    re.compile(r"Mẫu tin|Nội dung điền vào mẫu|person:\d"),
]


async def everything_about_lan(chat: Chat, app: App, clock: MovableClock) -> None:
    """Lan registers, joins Dân vận khéo with two referred people, reports a good deed
    that Minh recognises (a notice pushed to her), and registers a unit work as a
    liaison."""
    await register_deeds_person(chat, "minh", "Trần Văn Minh", "bac son", "Huyện Bắc Sơn",
                                "liaison")
    await become(chat, "lan")
    await lan_with_two(chat)
    await report_other(chat)
    await become(chat, "minh")
    for line in ("/duyet 1", "Nhận xem xét", "Ghi nhận là gương tốt"):
        await chat.send(line)
        take_pushed(chat)
        await chat.replies()
    await chat.send("/clock +8d")
    take_pushed(chat)
    await chat.replies()
    clock.set(clock.now().replace(year=2024, month=10, day=10))
    await become_liaison(chat, app, "lan", "liaison", BAN_CONG)
    await register_work(chat, name="Nhà văn hóa thôn Tà Xùa")


async def test_the_export_comes_in_labelled_readable_parts_without_codes(
        chat: Chat, app: App, clock: MovableClock) -> None:
    await everything_about_lan(chat, app, clock)
    await chat.send("/quyenriengtu")
    await chat.reply()
    await chat.send("Xem và tải toàn bộ dữ liệu")
    replies = []
    attachments = []
    while chat.pending:
        replies.append(await chat.reply())
        assert chat.last is not None
        attachments += [a.data for a in chat.last.attachments if a.data is not None]
    parts = [r for r in replies if r.startswith("(Phần ")]
    assert len(parts) >= 2 and all(len(part) <= PART_LIMIT for part in parts)
    assert [p.split(")", 1)[0] for p in parts] == [
        f"(Phần {i}/{len(parts)}" for i in range(1, len(parts) + 1)]
    text = "\n".join(parts)
    for pattern in INTERNAL:
        found = pattern.findall(text.replace("hoa.tran@gmail.com", ""))
        assert not found, f"{pattern.pattern}: {found}"
    assert "Quan hệ: Người thân" in text and "Quan hệ: Bạn bè" in text
    assert "Giá trị dự kiến (đồng): 1.500.000.000" in text
    assert "Thao tác: Giao vai trò" in text
    # The notices pushed to her read as they were sent, with a state in Vietnamese.
    assert "Tin nhắc và thông báo gửi cho tôi" in text
    assert "Trạng thái: Đã gửi" in text
    assert "Thông báo: " in text and "#1" in text
    # Each section heading is in the parts, in order: profile first.
    assert text.index("Hồ sơ (1):") < text.index("Người tôi đã vận động (2):")
    assert "Công trình, phần việc bạn đăng ký cho đơn vị (1):" in text

    # Every field of the file has a label, so the text leaves nothing out.
    (document,) = attachments
    messages = app.services.messages
    for key, records in json.loads(document)["data"].items():
        for record in records:
            for field in record:
                if field not in ("message_key", "params"):
                    assert f"privacy.field.{field}" in messages, (key, field)
