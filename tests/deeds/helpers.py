"""Transcript helpers for the good-deed tests: people register, report, review.

One of each: `say` (send a line, check the answer), `pick`, `register`, `become`, `press`
(a button as the current person) and `press_as` (a button in a given app, as anyone),
`setup_people`, `open_report`, `report_other`, `nominate`, `return_report`.
"""

from __future__ import annotations

from collections import deque
from weakref import WeakKeyDictionary

from bot.app import App
from bot.core.types import Attachment, AttachmentKind, Incoming, Reply
from tests.harness import Chat

PUSHED = "[Tin gửi tới "
_pushed: WeakKeyDictionary[Chat, list[str]] = WeakKeyDictionary()


def take_pushed(chat: Chat) -> list[str]:
    """Move what the outbox pushed to console users (after the replies) out of the pending
    replies; return every push seen so far in this chat, oldest first."""
    kept: deque[Reply] = deque()
    seen = _pushed.setdefault(chat, [])
    for reply in chat.pending:
        if reply.text.startswith(PUSHED):
            seen.append(reply.text)
        else:
            kept.append(reply)
    chat.pending = kept
    return seen


def pushed_to(chat: Chat, user: str) -> list[str]:
    """Return the pushes seen so far that went to a console user."""
    return [text for text in take_pushed(chat) if text.startswith(f"{PUSHED}{user}]")]


async def say(chat: Chat, line: str, expected: str) -> str:
    """Send a line and check that the next reply contains `expected`; return that reply
    (pushes to other console users are set aside, see `take_pushed`)."""
    await chat.send(line)
    take_pushed(chat)
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
    shown = await say(chat, unit_query, "")
    if "tìm thấy các đơn vị" in shown:
        await pick(chat, unit_label)
        shown = await chat.reply()
    assert unit_label in shown and "kiểm tra lại" in shown, shown
    await say(chat, "Lưu", "Đăng ký xong")
    assert "Hồ sơ của bạn" in await chat.reply()
    if role:  # a role is granted on the unit the person registered in
        await become(chat, user, role)


async def become(chat: Chat, user: str, role: str | None = None) -> None:
    """Switch to a person already known (giving them a role, when asked)."""
    await say(chat, f"/as {user} {role}" if role else f"/as {user}",
              f'Bây giờ bạn đang là "{user}"')


async def report_other(chat: Chat, *, name: str = "Hoàng Văn Nam", age: str | None = None,
                       what: str = "Anh Nam nhặt được ví có 5 triệu đồng ở chợ Long Đống và "
                                   "trả lại cho người đánh rơi.",
                       photos: int = 0, phone: str | None = None) -> str:
    """Report a deed by someone else in the reporter's own unit; return the confirmation."""
    await say(chat, "/guongtot", "Báo một gương tốt mới")
    await chat.send("Báo một gương tốt mới")
    first = await chat.reply()
    if "Bạn có đồng ý không" in first:
        await chat.send("Đồng ý")
        first = await chat.reply()
    assert "Ai đã làm việc tốt" in first, first
    await say(chat, name, "kể ngắn gọn")
    await say(chat, what, "ngày nào")
    await say(chat, "hôm qua", "Báo cáo của bạn")
    for index in range(photos):
        await say(chat, f"/photo ảnh {index + 1}", f"Đã nhận ảnh ({index + 1}/3)")
    if phone:
        await say(chat, phone, "Đã ghi số điện thoại")
    if age:  # the nominee's age is asked only when the reporter corrects it
        await say(chat, "Sửa", "Bạn kiểm tra lại thông tin")
        await say(chat, "Sửa", "Bạn muốn sửa mục nào?")
        await say(chat, "Tuổi người được nêu", "16 tuổi")
        await pick(chat, age)
        assert "Bạn kiểm tra lại thông tin" in await chat.reply()
        await chat.send("Lưu")
    else:
        await chat.send("Gửi báo cáo")
    take_pushed(chat)
    return await chat.reply()


async def setup_people(chat: Chat, photos: int = 0) -> None:
    """Minh reviews Huyện Bắc Sơn; Lan (Xã Long Đống) reports Hoàng Văn Nam as #1."""
    await register(chat, "minh", "Trần Văn Minh", "bac son", "Huyện Bắc Sơn", "liaison")
    await register(chat, "lan", "Nguyễn Thị Lan", "long dong", "Long Đống")
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
    take_pushed(chat)
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
