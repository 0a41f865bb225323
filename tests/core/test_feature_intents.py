"""Messages asking for one of the Trợ lý's own functions ("tắt thông báo", "tôi muốn xoá dữ
liệu của tôi") are offered that function, numbered, instead of a bare "not found"; rule
questions keep their answers, and nobody is offered a function they may not use."""

from __future__ import annotations

import asyncio
from datetime import time
from pathlib import Path

import pytest

from bot.app import App
from bot.app.runtime import run_bot
from bot.core.config import Settings
from content.errors import ContentError
from content.intents import Intent, default_intents, load_intents
from tests.channels.conftest import ZALO_TOKEN
from tests.channels.fake_zalo import FakeZalo, ZaloChat
from tests.harness import Chat, become, pick

NOT_FOUND = "Chưa tìm thấy"
OFFER = "Bạn có thể dùng chức năng dưới đây của Trợ lý"


@pytest.mark.parametrize(("text", "label", "screen", "lead"), [
    ("tôi muốn xoá dữ liệu của tôi", "Dữ liệu của tôi và quyền riêng tư", "Dữ liệu của bạn",
     OFFER),
    # asked as a question: the plans were searched, and the answer says they hold nothing
    ("lam sao rut lai dong y", "Dữ liệu của tôi và quyền riêng tư", "Dữ liệu của bạn",
     NOT_FOUND),
    ("em ko muon nhan tin nua", "Tin nhắc hạn và thông báo", "nhắc", OFFER),
    ("tắt thông báo", "Tin nhắc hạn và thông báo", "nhắc", OFFER),
    ("muốn liên kết zalo", "Liên kết Zalo/Telegram", "đăng ký", OFFER),  # register first
    ("tôi muốn báo một gương người tốt", "Báo gương người tốt, việc tốt", "gương", OFFER),
    ("sửa số điện thoại", "Hồ sơ của tôi", "hồ sơ", OFFER),
])
async def test_a_request_for_a_function_is_offered_that_function(
        chat: Chat, text: str, label: str, screen: str, lead: str) -> None:
    await chat.send(text)
    reply = await chat.reply()
    assert reply.startswith(lead)
    assert "chức năng" in reply and "(Mục " not in reply
    labels = chat.choices()
    assert label in labels[0]
    assert labels[-1] == "Danh sách chương trình"
    await pick(chat, label)
    assert screen.lower() in "\n".join(await chat.replies()).lower()


async def test_the_function_is_offered_on_another_screen_too(chat: Chat) -> None:
    await chat.send("/quyenriengtu")
    await chat.reply()
    await chat.send("tắt thông báo")
    assert "chức năng" in await chat.reply()
    assert "Tin nhắc hạn và thông báo" in chat.choices()[0]


async def test_a_rule_answer_keeps_its_quote_and_adds_the_function(chat: Chat) -> None:
    await become(chat, "Lò Văn Tú", "liaison")
    await chat.send("tôi muốn đăng ký công trình, hạn chót là ngày nào?")
    reply = await chat.reply()
    assert "25/10/2024" in reply and "(Mục IV.1.b)" in reply
    labels = chat.choices()
    assert any(label.startswith("Mở chức năng:") and "ông trình" in label for label in labels)
    assert labels[-1].startswith("Xem các mục của")


async def test_a_function_someone_may_not_use_is_not_offered(chat: Chat) -> None:
    await chat.send("tôi muốn soạn thông báo")  # broadcasts are for admins
    reply = await chat.reply()
    assert reply.startswith(NOT_FOUND) and "chức năng" not in reply
    assert "Danh sách chương trình" not in chat.choices()  # the plain "not found" screen
    await become(chat, "Trần Văn Quản", "admin")
    await chat.send("tôi muốn soạn thông báo")
    assert "chức năng" in await chat.reply()
    assert "thông báo" in chat.choices()[0].lower()


async def test_plain_rule_questions_get_no_function_offer(chat: Chat) -> None:
    await chat.send("hạn thi dân vận khéo là ngày nào")
    reply = await chat.reply()
    assert "28/4/2024" in reply
    assert not any(label.startswith("Mở chức năng:") for label in chat.choices())


def test_phrases_match_as_typed_and_as_whole_words() -> None:
    intents = default_intents()
    assert intents.commands_in("Bác ơi cho cháu hỏi cách xoá thông tin cá nhân ạ") == [
        Intent("quyenriengtu", request=True)]
    assert intents.commands_in("tat tin nhac giup em") == [Intent("nhacnho", request=True)]
    assert intents.commands_in("tuyên truyền gương người tốt việc tốt thế nào") == [
        Intent("guongtot", request=False)]  # a subject of the plans too
    assert intents.commands_in("thông báo kết quả thi đua khi nào") == []
    assert intents.commands_in("ke hoach nhac toi nghi quyet nao") == []
    assert intents.commands_in("") == []


def test_a_broken_phrases_file_is_refused_with_its_name(tmp_path: Path) -> None:
    bad = tmp_path / "intents.yaml"
    for text in ("quyenriengtu: xoá dữ liệu\n", "quyenriengtu:\n  yeu_cau: [xoá dữ liệu]\n",
                 "quyenriengtu:\n  requests: []\n", "xoá dữ liệu:\n  requests: [xoá]\n"):
        bad.write_text(text, encoding="utf-8")
        with pytest.raises(ContentError, match=r"intents\.yaml"):
            load_intents(bad)


def test_every_phrase_names_a_registered_command(app: App) -> None:
    commands = app.services.router.commands
    unknown = {name for name, _, _ in default_intents().phrases} - set(commands)
    assert not unknown


async def test_over_zalo_the_offer_is_numbered_text_and_its_number_opens_it(
        db_url: str) -> None:
    """Zalo Bot has no buttons: the function comes as "1. …" and typing 1 opens it."""
    fake = FakeZalo(ZALO_TOKEN)
    await fake.start()
    settings = Settings(_env_file=None, database_url=db_url,  # type: ignore[call-arg]
                        zalo_bot_token=ZALO_TOKEN, zalo_api_base=fake.base_url,
                        zalo_poll_timeout=1, health_port=0,
                        quiet_hours_start=time(0), quiet_hours_end=time(0))
    stop = asyncio.Event()
    task = asyncio.create_task(run_bot(settings, stop))
    try:
        zalo = ZaloChat(fake, "zalo-hoa")
        zalo.send("em ko muon nhan tin nhac nua a")
        offer = await zalo.reply()
        assert offer.startswith(OFFER)
        assert "\n1. Tin nhắc hạn và thông báo của tôi" in offer
        zalo.send("1")
        screen = await zalo.reply()
        assert "nhắc" in screen.lower() and NOT_FOUND not in screen
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)
        await fake.close()
