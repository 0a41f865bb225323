"""Transcript helpers for the good-deed tests: people register, report, review.

One of each: `say` (send a line, check the answer), `pick`, `register`, `become`, `press`
(a button as the current person) and `press_as` (a button in a given app, as anyone),
`setup_people`, `open_report`, `report_other`, `nominate`, `return_report`.
"""

from __future__ import annotations

from bot.app import App
from bot.core.types import Attachment, AttachmentKind, Incoming
from tests.harness import Chat


async def say(chat: Chat, line: str, expected: str) -> str:
    """Send a line and check that the next reply contains `expected`; return that reply."""
    await chat.send(line)
    answer = await chat.reply()
    assert expected in answer, f"{line!r}: {expected!r} not in\n{answer}"
    return answer


async def pick(chat: Chat, label_part: str) -> None:
    """Answer the last menu with the number of the choice whose label contains label_part."""
    labels = chat.choices()
    matches = [i for i, label in enumerate(labels, start=1) if label_part in label]
    assert matches, f"no choice with {label_part!r} in {labels}"
    await chat.send(str(matches[0]))


async def register(chat: Chat, user: str, name: str, unit_query: str, unit_label: str,
                   role: str | None = None) -> None:
    """Become `user` (with a role), register with a name and a unit, reading every reply."""
    await become(chat, user)
    await say(chat, "/toi", "chưa có hồ sơ")
    await say(chat, "1", "cần sự đồng ý của bạn")
    await say(chat, "Đồng ý", "nhận tin nhắc hạn chót")
    await say(chat, "Đồng ý", "gõ họ và tên đầy đủ")
    await say(chat, name, "sinh năm nào")
    await say(chat, "1985", "đơn vị nào")
    await say(chat, unit_query, "tìm thấy các đơn vị")
    await pick(chat, unit_label)
    assert unit_label in await chat.reply()
    await say(chat, "Lưu", "Đăng ký xong")
    assert "Hồ sơ của bạn" in await chat.reply()
    if role:  # a role is granted on the unit the person registered in
        await become(chat, user, role)


async def become(chat: Chat, user: str, role: str | None = None) -> None:
    """Switch to a person already known (giving them a role, when asked)."""
    await say(chat, f"/as {user} {role}" if role else f"/as {user}",
              f'Bây giờ bạn đang là "{user}"')


async def report_other(chat: Chat, *, name: str = "Hoàng Văn Nam", age: str = "Từ 16",
                       what: str = "Anh Nam nhặt được ví có 5 triệu đồng và trả lại cho "
                                   "người đánh rơi ở chợ.",
                       photos: int = 0, contact: str = "Không") -> str:
    """Report a deed by someone else in the reporter's own unit; return the confirmation."""
    await say(chat, "/guongtot", "Báo một gương tốt mới")
    await chat.send("Báo một gương tốt mới")
    first = await chat.reply()
    if "đồng ý" in first:
        await chat.send("Có")
        first = await chat.reply()
    if "phong trào nào" in first:
        await pick(chat, "Dân vận khéo")
        first = await chat.reply()
    assert "Ai là người làm việc tốt" in first
    await say(chat, "Người khác", "tên là gì")
    await say(chat, name, "16 tuổi")
    await pick(chat, age)
    assert "xã, phường hoặc cơ quan nào" in await chat.reply()
    await pick(chat, "Cùng đơn vị với tôi")
    assert "thôn, bản" in await chat.reply()
    await say(chat, "thôn Khuôn Pục", "kể ngắn gọn")
    await say(chat, what, "ngày nào")
    await say(chat, "hôm qua", "ở đâu")
    await say(chat, "chợ Đồng Mỏ", "Bạn có ảnh")
    for index in range(photos):
        await say(chat, f"/photo ảnh {index + 1}", f"Đã nhận ảnh ({index + 1}/3)")
    await say(chat, "Xong" if photos else "Không có ảnh", "liên hệ trực tiếp")
    await say(chat, contact, "Bạn kiểm tra lại thông tin")
    await chat.send("Lưu")
    return await chat.reply()


async def setup_people(chat: Chat, photos: int = 0) -> None:
    """Minh reviews Huyện Chi Lăng; Lan (Xã Nhân Lý) reports Hoàng Văn Nam as #1."""
    await register(chat, "minh", "Trần Văn Minh", "chi lang", "Huyện Chi Lăng", "liaison")
    await register(chat, "lan", "Nguyễn Thị Lan", "nhan ly", "Nhân Lý")
    assert "Đã gửi báo cáo #1" in await report_other(chat, photos=photos)


async def open_report(chat: Chat, number: int = 1) -> str:
    """Open a report by number as the current reviewer."""
    await chat.send(f"/duyet {number}")
    return await chat.reply()


async def nominate(chat: Chat, consent_choice: str = "Người được nêu đã đồng ý") -> None:
    """As the current reviewer: take report #1, record consent, nominate for the first reward."""
    assert "Báo cáo #1" in await open_report(chat)
    await say(chat, "Nhận xem xét", "Bạn đã nhận xem xét báo cáo #1")
    await say(chat, "Ghi nhận ý kiến của người được nêu", "đã cho ý kiến thế nào")
    await pick(chat, consent_choice)
    assert "Ghi nhận bằng cách nào" in await chat.reply()
    await say(chat, "Bỏ qua", "Bạn kiểm tra lại thông tin")
    await say(chat, "Lưu", "Đã ghi nhận ý kiến của người được nêu (báo cáo #1)")
    await say(chat, "Đề nghị khen thưởng", "hình thức khen thưởng nào")
    await say(chat, "1", "Ghi chú nội bộ cho đề nghị này")
    await say(chat, "Hồ sơ đầy đủ.", "Bạn kiểm tra lại thông tin")
    await say(chat, "Lưu", "Đã đề nghị khen thưởng")


async def return_report(chat: Chat, question: str) -> None:
    """As Minh, take report #1 if needed and ask the reporter a question."""
    await become(chat, "minh")
    await chat.send("/duyet 1")
    await chat.replies()
    if "Nhận xem xét" in chat.choices():
        await say(chat, "Nhận xem xét", "Bạn đã nhận xem xét báo cáo #1")
    await say(chat, "Yêu cầu người báo bổ sung", "Gõ câu hỏi")
    await say(chat, question, "Đã gửi yêu cầu bổ sung")


async def send_photo(chat: Chat, size: int | None = None, url: str | None = "file:///p.jpg",
                     kind: AttachmentKind = AttachmentKind.PHOTO) -> None:
    """Send one attachment (a photo of a given size by default) as the current user."""
    chat.assert_all_read()
    attachment = Attachment(kind, url=url, size=size)
    chat.pending.extend(await chat.channel.send(None, (attachment,)))


async def press(chat: Chat, payload: str) -> None:
    """Press a button with an arbitrary payload, as a Telegram client could send it."""
    chat.assert_all_read()
    user = chat.channel.user
    chat.pending.extend(await chat.channel.app.handle(
        Incoming("console", user, user, text=None, choice=payload)))


async def press_as(app: App, user: str, payload: str) -> list[str]:
    """Press a button in a given app (e.g. a second process) as a user; return the texts."""
    replies = await app.handle(Incoming("console", user, user, choice=payload))
    return [r.text for r in replies]
