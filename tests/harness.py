"""Conversation harness over the console channel: tests read like transcripts."""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from bot.channels.console import CHANNEL, ConsoleChannel
from bot.core.render import numbered_text
from bot.core.types import Attachment, AttachmentKind, Incoming, Reply

if TYPE_CHECKING:
    from bot.app import App


class Chat:
    """Send lines as a person would and read every reply in order; none may go unread."""

    def __init__(self, channel: ConsoleChannel) -> None:
        self.channel = channel
        self.pending: deque[Reply] = deque()
        self.last: Reply | None = None

    def _check_read(self) -> None:
        if self.pending:
            unread = "\n---\n".join(numbered_text(r) for r in self.pending)
            raise AssertionError(f"unread replies before sending again:\n{unread}")

    async def send(self, line: str) -> None:
        """Type a line (commands such as /as and /clock included)."""
        self._check_read()
        self.pending.extend(await self.channel.process(line))

    async def send_sticker(self) -> None:
        """Send a sticker."""
        self._check_read()
        self.pending.extend(await self.channel.send(None, (Attachment(AttachmentKind.STICKER),)))

    async def send_photo(self, caption: str | None = None) -> None:
        """Send a photo, with an optional caption."""
        self._check_read()
        photo = Attachment(AttachmentKind.PHOTO, url="file:///tmp/p.jpg", caption=caption)
        self.pending.extend(await self.channel.send(caption, (photo,)))

    async def reply(self) -> str:
        """Return the next reply as the person sees it (text plus numbered choices)."""
        assert self.pending, "expected a reply, got none"
        self.last = self.pending.popleft()
        return numbered_text(self.last)

    async def replies(self) -> list[str]:
        """Return all pending replies."""
        out = []
        while self.pending:
            out.append(await self.reply())
        return out

    def choices(self) -> list[str]:
        """Return the labels of the choices of the last reply read."""
        assert self.last is not None
        return [c.label for c in self.last.flat_choices()]

    def assert_all_read(self) -> None:
        """Fail when replies were left unread at the end of a test."""
        self._check_read()


# --- the shared transcript steps (one of each for every test folder) -------------------


async def send_as(app: App, channel: str, user: str, text: str | None = None,
                  choice: str | None = None, attachments: tuple[Attachment, ...] = (),
                  start_payload: str | None = None) -> list[Reply]:
    """Send one message as any channel user (e.g. Zalo), bypassing the console harness."""
    return await app.handle(Incoming(channel, user, user, text=text, choice=choice,
                                     attachments=attachments, start_payload=start_payload))


async def become(chat: Chat, user: str, role: str | None = None) -> str:
    """Switch the console to `user` (making them hold exactly `role`, on their unit)."""
    await chat.send(f"/as {user} {role}" if role else f"/as {user}")
    return await chat.reply()


async def press(chat: Chat, payload: str) -> None:
    """Press a button with any payload, as a channel with buttons sends it (or a forger)."""
    chat.assert_all_read()
    user = chat.channel.user
    chat.pending.extend(await chat.channel.app.handle(
        Incoming(CHANNEL, user, user, text=None, choice=payload)))


def choice_number(chat: Chat, label_part: str) -> str:
    """Return, as typed, the number of the first choice of the last reply containing label_part."""
    labels = chat.choices()
    matches = [i for i, label in enumerate(labels, start=1) if label_part in label]
    assert matches, f"no choice with {label_part!r} in {labels}"
    return str(matches[0])


async def pick(chat: Chat, label_part: str) -> None:
    """Answer the last reply with the number of its first choice containing label_part."""
    await chat.send(choice_number(chat, label_part))


async def register(chat: Chat, name: str = "Nguyễn Thị Lan", *, user: str | None = None,
                   role: str | None = None, year: str = "1990", unit: str = "nhan ly",
                   unit_label: str | None = None, reminders: bool = True) -> str:
    """Register through /toi, reading every reply; return the last one (the profile).

    `user` switches the console to that person first; `unit` is typed and the first
    suggestion taken (or the one containing `unit_label`); `role` is then granted on the
    registered unit, as `/as user role` does.
    """
    if user is not None:
        await become(chat, user)
    await chat.send("/toi")
    assert "chưa có hồ sơ" in await chat.reply()
    await chat.send("1")
    assert "đồng ý" in (await chat.reply()).lower()
    await chat.send("1")
    assert "nhắc hạn" in await chat.reply()
    await chat.send("1" if reminders else "2")
    assert "họ và tên" in await chat.reply()
    await chat.send(name)
    assert "sinh năm nào" in await chat.reply()
    await chat.send(year)
    assert "đơn vị nào" in await chat.reply()
    await chat.send(unit)
    shown = await chat.reply()
    if "kiểm tra lại" in shown:  # the typed name was one unit's exact name: no list to pick from
        assert unit_label is None or unit_label in shown, shown
    else:
        await chat.send(choice_number(chat, unit_label) if unit_label else "1")
        assert "kiểm tra lại" in await chat.reply()
    await chat.send("Lưu")
    assert "Đăng ký xong" in await chat.reply()
    last = (await chat.replies())[-1]
    if role is not None:
        assert user is not None, "a role is granted to a named user"
        await become(chat, user, role)
    return last
