"""A tiny stand-in for the core: asks a name, then a birth year, then offers a menu."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from bot.core.types import AttachmentKind, Choice, Incoming, Reply

MENU = [[Choice("Xem thể lệ", "rules")], [Choice("Báo gương tốt", "deed")]]
SENTENCE = "Thi đua yêu nước là động lực phát triển. "
# Paragraph sizes in sentences (~41 characters each): one paragraph is over Zalo's 2000.
PARAGRAPH_SIZES = (15, 15, 15, 60, 15, 15, 15, 15)


def long_paragraphs() -> list[str]:
    """Return the paragraphs of the long reply."""
    return [f"Đoạn {i}. {(SENTENCE * n).strip()}" for i, n in enumerate(PARAGRAPH_SIZES, 1)]


def long_text() -> str:
    """Return a text of long paragraphs separated by blank lines (about 6900 characters)."""
    return "\n\n".join(long_paragraphs())


@dataclass
class ScriptedCore:
    """Conversation per chat: /start → name → year → menu; a few keywords for special cases."""

    delay: float = 0.0
    calls: list[Incoming] = field(default_factory=list)
    state: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Answer one message like the real core would, in a few scripted steps."""
        self.calls.append(incoming)
        if self.delay:
            await asyncio.sleep(self.delay)
        chat = incoming.chat_id
        kinds = {a.kind for a in incoming.attachments}
        if AttachmentKind.STICKER in kinds:
            return [Reply("Đã nhận nhãn dán.")]
        if AttachmentKind.PHOTO in kinds:
            return [Reply("Đã nhận ảnh.")]
        if incoming.choice is not None:
            return [self._chosen(incoming.choice)]
        text = (incoming.text or "").strip()
        if text == "/start":
            self.state[chat] = "typing_name"
            return [Reply("Xin chào! Bạn tên là gì?")]
        if text == "dài":
            return [Reply(long_text(), choices=MENU)]
        if text == "hai":
            return [Reply("Tin thứ nhất."), Reply("Tin thứ hai.")]
        if text.startswith("vọng "):
            return [Reply("Bạn gõ: " + text.removeprefix("vọng "))]
        step = self.state.get(chat)
        if step == "typing_name":
            self.names[chat] = text
            self.state[chat] = "typing_birth_year"
            return [Reply(f"Chào {text}. Năm sinh của bạn?")]
        if step == "typing_birth_year":
            if not (text.isdigit() and 1900 < int(text) < 2025):
                return [Reply("Năm sinh chưa đúng, ví dụ 1990.")]
            self.state[chat] = "choosing_action"
            return [Reply("Cảm ơn. Bạn muốn làm gì?", choices=MENU)]
        if step == "choosing_action":
            flat = [c for row in MENU for c in row]
            if text.isdigit() and 1 <= int(text) <= len(flat):
                return [self._chosen(flat[int(text) - 1].payload)]
        return [Reply("Mình chưa hiểu.")]

    def _chosen(self, payload: str) -> Reply:
        label = {c.payload: c.label for row in MENU for c in row}.get(payload, "?")
        return Reply(f"Bạn đã chọn: {label}")

    def texts_of(self, chat_id: str) -> list[str | None]:
        """Return what the core received from one chat, in order."""
        return [c.text for c in self.calls if c.chat_id == chat_id]
