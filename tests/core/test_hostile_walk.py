"""No input crashes a handler: hostile texts at every command and every reachable screen.

The walk starts from each command every feature registers (as an administrator, who may
open them all, registered on a commune), follows the choices of each screen it reaches and
answers free-text form steps with the first plausible answer that moves the form on. At
every screen it reached it feeds the same hostile inputs: Unicode digits, huge numbers,
empty and whitespace-only text, control characters, bidi marks, emoji and a 10,000-character
text. After each one: no apology ("sự cố", "mã lỗi"), a Vietnamese reply, and nothing lost:
an open form is still open with what was already answered, and a screen with choices still
offers a way forward. The chat state is put back before each input, so every hostile input
meets the same screen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from bot.app import App
from bot.core.clock import MovableClock
from bot.core.render import numbered_text
from bot.core.types import Reply
from storage.people import ChatState, ChatStateRepo
from tests.harness import Chat, register

USER = "admin"  # an ADMIN_IDS account: every command and screen is open to it

HOSTILE = [
    "²", "①", "٣", "３", "9223372036854775808", "123456789012345678901234567890",
    "", "   ", "\x00\x01\x1b[2J\x7f", "\u200f\u202eabc\u202c", "🙂🎉👍", "x" * 10_000,
    "-1", "0",
]
# Typed where a form asks for free text, tried in order until the form moves on.
ANSWERS = [
    "Nguyễn Văn An", "1990", "nhân lý", "hôm qua", "08:00 20/04/2024", "15/05/2024", "Có",
    "0912345678", "anh trai", "10", "100 triệu", "50",
    "Giúp người già qua đường an toàn mỗi ngày", "xã Nhân Lý", "bản công", "1",
]
# Choices that would remove the walker's own account or rights: never followed.
DESTRUCTIVE = re.compile(r"xoá tài khoản|xóa tài khoản|thu hồi|rút lại|xoá vĩnh viễn",
                         re.IGNORECASE)
VIETNAMESE = re.compile("[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳ"
                        "ýỷỹỵđ]", re.IGNORECASE)
MAX_SCREENS = 16  # per command
MAX_DEPTH = 8


@dataclass(frozen=True)
class Screen:
    state: ChatState
    path: tuple[str, ...]


def signature(state: ChatState) -> tuple[object, ...]:
    payloads = frozenset(re.sub(r"\d+", "#", payload) for _, payload in state.menu)
    return state.flow, state.step, payloads


async def load_state(app: App) -> ChatState:
    async with app.sessions() as session:
        return await ChatStateRepo(session).load("console", USER)


async def restore(app: App, state: ChatState) -> None:
    async with app.sessions() as session:
        copy = ChatState(state.channel, state.chat_id, state.flow, state.step,
                         dict(state.data), [list(m) for m in state.menu],
                         state.start_payload)
        await ChatStateRepo(session).save(copy, app.services.clock.now())
        await session.commit()


def check_replies(where: str, typed: str, replies: list[Reply]) -> None:
    shown = "\n---\n".join(numbered_text(r) for r in replies)
    context = f"{where} ← {typed[:40]!r}:\n{shown[:600]}"
    assert replies, f"no reply at {context}"
    assert "sự cố" not in shown and "mã lỗi" not in shown, context
    assert VIETNAMESE.search(shown), f"not Vietnamese at {context}"
    assert "x" * 200 not in shown, f"a huge text echoed at {context}"


def check_kept(app: App, where: str, typed: str, before: ChatState, after: ChatState,
               replies: list[Reply]) -> None:
    context = f"{where} ← {typed[:40]!r}"
    if before.flow is not None:
        assert after.flow == before.flow, f"form lost at {context}: now {after.flow}"
        for key, value in before.data.items():
            if not key.startswith("_") and after.step == before.step:
                assert after.data.get(key) == value, f"answer {key!r} lost at {context}"
        return
    if before.menu:
        assert after.menu, f"choices lost at {context}: {numbered_text(replies[-1])[:300]}"
    open_prefixes = app.services.router.open_prefixes
    if any(payload.split(":", 1)[0] not in open_prefixes for _, payload in before.menu):
        # A feature's screen answers with its own choices, never with the rule lookup.
        shown = numbered_text(replies[-1])
        assert after.menu == before.menu, f"screen changed at {context}: {shown[:300]}"
        assert "Chưa tìm thấy câu trả lời" not in shown, f"lookup at {context}"


class Walker:
    def __init__(self, app: App, chat: Chat) -> None:
        self.app = app
        self.chat = chat
        self.seen: set[tuple[object, ...]] = set()
        self.fed = 0

    async def send(self, line: str) -> list[Reply]:
        return await self.chat.channel.process(line)

    async def feed_hostile(self, screen: Screen) -> None:
        where = " → ".join(screen.path)
        for typed in HOSTILE:
            await restore(self.app, screen.state)
            replies = await self.send(typed)
            self.fed += 1
            check_replies(where, typed, replies)
            check_kept(self.app, where, typed, screen.state, await load_state(self.app),
                       replies)

    async def children(self, screen: Screen) -> list[Screen]:
        found: list[Screen] = []
        for number, (label, payload) in enumerate(screen.state.menu, start=1):
            if DESTRUCTIVE.search(label) or payload.startswith(("c:", "form:")):
                continue
            await restore(self.app, screen.state)
            replies = await self.send(str(number))
            check_replies(" → ".join(screen.path), label, replies)
            found.append(Screen(await load_state(self.app), (*screen.path, label)))
        step_takes_text = screen.state.flow is not None and screen.state.step != "confirming"
        if step_takes_text:
            for answer in ANSWERS:
                await restore(self.app, screen.state)
                replies = await self.send(answer)
                after = await load_state(self.app)
                moved_on = (after.flow == screen.state.flow and after.step != screen.state.step
                            and signature(after) not in self.seen)  # not "Quay lại"
                if moved_on:
                    check_replies(" → ".join(screen.path), answer, replies)
                    found.append(Screen(after, (*screen.path, answer)))
                    break
        return found

    async def walk(self, opening: str) -> int:
        await restore(self.app, ChatState("console", USER))
        replies = await self.send(opening)
        check_replies("start", opening, replies)
        queue = [Screen(await load_state(self.app), (opening,))]
        screens = 0
        while queue and screens < MAX_SCREENS:
            screen = queue.pop(0)
            key = signature(screen.state)
            if key in self.seen:
                continue
            self.seen.add(key)
            screens += 1
            await self.feed_hostile(screen)
            if len(screen.path) < MAX_DEPTH:
                queue.extend(await self.children(screen))
        await restore(self.app, ChatState("console", USER))
        return screens


def _commands(app: App) -> list[str]:
    return sorted(app.services.router.commands)


async def test_hostile_arguments_to_every_command(app: App, chat: Chat) -> None:
    await register(chat, "Quản Trị Viên", user=USER)
    for name in _commands(app):
        for typed in HOSTILE:
            if typed == "x" * 10_000:
                typed = "x" * 3_000
            line = f"/{name} {typed}"
            replies = await chat.channel.process(line)
            check_replies(f"/{name}", line, replies)
            await chat.channel.process("/huy")


@pytest.mark.parametrize("command", [
    "start", "menu", "help", "toi", "chuongtrinh", "quyenriengtu", "lienket", "vandong",
    "tiendo", "guongtot", "baoguong", "duyet", "congtrinh", "hoinghi", "nhacnho",
    "thongbao", "quyen", "thongke", "noikhac",
])
async def test_hostile_inputs_at_every_screen(app: App, chat: Chat, clock: MovableClock,
                                              command: str) -> None:
    assert command in app.services.router.commands
    await register(chat, "Quản Trị Viên", user=USER)
    walker = Walker(app, chat)
    screens = await walker.walk(f"/{command}")
    assert screens >= 1 and walker.fed >= len(HOSTILE)


async def test_every_registered_command_is_walked(app: App) -> None:
    walked = {"start", "menu", "help", "toi", "chuongtrinh", "quyenriengtu", "lienket",
              "vandong", "tiendo", "guongtot", "baoguong", "duyet", "congtrinh", "hoinghi",
              "nhacnho", "thongbao", "quyen", "thongke", "huy", "nhanquyen", "noikhac"}
    assert set(_commands(app)) <= walked, set(_commands(app)) - walked



async def test_a_name_typed_at_the_profile_screen_gets_its_choices_again(chat: Chat) -> None:
    await chat.send("/toi")
    assert "chưa có hồ sơ" in await chat.reply()
    await chat.send("Nguyễn Văn An")
    again = await chat.reply()
    assert "Chưa tìm thấy" not in again and "gõ số của một mục" in again
    assert chat.choices() == ["Đăng ký"]
    await chat.send("7")
    assert "không có mục số 7" in await chat.reply()
    await chat.send("1")
    assert "đồng ý" in (await chat.reply()).lower()


async def test_free_text_at_the_main_menu_is_still_a_question(chat: Chat) -> None:
    await chat.send("/menu")
    await chat.reply()
    await chat.send("dan van kheo het han ngay nao")
    answer = await chat.reply()
    assert "gõ số của một mục" not in answer and "Dân vận khéo" in answer


async def test_a_rule_question_at_a_feature_screen_is_answered(chat: Chat) -> None:
    await chat.send("/toi")
    assert "chưa có hồ sơ" in await chat.reply()
    await chat.send("dan van kheo het han ngay nao")
    answer = await chat.reply()
    assert "gõ số của một mục" not in answer and "28/4/2024" in answer
    await chat.send("/toi")
    await chat.reply()
    await chat.send("có phải đăng ký mới được hỏi quy định không?")
    assert "gõ số của một mục" not in await chat.reply()
    await chat.send("/toi")
    await chat.reply()
    await chat.send("Hoàng Văn Ba")  # an answer, not a question: the screen's choices again
    assert "gõ số của một mục" in await chat.reply()


async def test_a_few_words_of_a_rule_at_a_feature_screen_are_answered(chat: Chat) -> None:
    # No "?" and no question word: still a rule question when the plans answer it.
    await chat.send("/toi")
    assert "chưa có hồ sơ" in await chat.reply()
    await chat.send("hạn đăng ký công trình trạm tấu")
    answer = await chat.reply()
    assert "gõ số của một mục" not in answer and "25/10/2024" in answer
    await chat.send("/toi")
    await chat.reply()
    for typed in ("abc xyz", "Trần Thị Bình", "sửa giúp tôi"):  # nothing the plans answer
        await chat.send(typed)
        assert "gõ số của một mục" in await chat.reply()
        assert chat.choices() == ["Đăng ký"]
