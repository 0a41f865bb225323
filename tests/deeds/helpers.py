"""Transcript helpers for the good-deed tests: people register, report, review."""

from __future__ import annotations

from bot.core.types import Attachment, AttachmentKind, Incoming
from tests.harness import Chat


async def pick(chat: Chat, label_part: str) -> None:
    """Answer the last menu with the number of the choice whose label contains label_part."""
    labels = chat.choices()
    matches = [i for i, label in enumerate(labels, start=1) if label_part in label]
    assert matches, f"no choice with {label_part!r} in {labels}"
    await chat.send(str(matches[0]))


async def register(chat: Chat, user: str, name: str, unit_query: str, unit_label: str,
                   role: str | None = None) -> None:
    """Become `user` (with a role), register with a name and a unit, reading every reply."""
    await chat.send(f"/as {user}")
    await chat.reply()
    await chat.send("/toi")
    assert "chưa có hồ sơ" in await chat.reply()
    for line in ("1", "Đồng ý", "Đồng ý", name, "1985"):
        await chat.send(line)
        await chat.reply()
    await chat.send(unit_query)
    await chat.reply()
    await pick(chat, unit_label)
    await chat.reply()
    await chat.send("Lưu")
    assert "Đăng ký xong" in await chat.reply()
    await chat.reply()
    if role:  # a role is granted on the unit the person registered in
        await chat.send(f"/as {user} {role}")
        await chat.reply()


async def become(chat: Chat, user: str) -> None:
    """Switch to a person already known."""
    await chat.send(f"/as {user}")
    await chat.reply()


async def report_other(chat: Chat, *, name: str = "Hoàng Văn Nam", age: str = "Từ 16",
                       what: str = "Anh Nam nhặt được ví có 5 triệu đồng và trả lại cho "
                                   "người đánh rơi ở chợ.",
                       photos: int = 0, contact: str = "Không") -> str:
    """Report a deed by someone else in the reporter's own unit; return the confirmation."""
    await chat.send("/guongtot")
    await chat.reply()
    await chat.send("Báo một gương tốt mới")
    first = await chat.reply()
    if "đồng ý" in first:
        await chat.send("Có")
        first = await chat.reply()
    if "phong trào nào" in first:
        await pick(chat, "Dân vận khéo")
        await chat.reply()
    await chat.send("Người khác")
    await chat.reply()
    await chat.send(name)
    await chat.reply()
    await pick(chat, age)
    await chat.reply()
    await pick(chat, "Cùng đơn vị với tôi")
    await chat.reply()
    await chat.send("thôn Khuôn Pục")
    await chat.reply()
    await chat.send(what)
    await chat.reply()
    await chat.send("hôm qua")
    await chat.reply()
    await chat.send("chợ Đồng Mỏ")
    await chat.reply()
    for index in range(photos):
        await chat.send(f"/photo ảnh {index + 1}")
        await chat.reply()
    await chat.send("Xong" if photos else "Không có ảnh")
    await chat.reply()
    await chat.send(contact)
    summary = await chat.reply()
    assert "Bạn kiểm tra lại thông tin" in summary
    await chat.send("Lưu")
    return await chat.reply()


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
