"""Polite address: the person's word (bạn, anh, chị, cô, chú, bác) in every reply and push."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.app import App, create_app
from bot.app.runtime import make_channels
from bot.channels.runner import start_channels, stop_channels
from bot.core.clock import MovableClock
from bot.core.config import Settings
from content.address import WORDS, address_template, addressing, read_word, suggest
from content.messages import Messages
from storage.models import PersonRow
from tests.channels.conftest import ZALO_TOKEN
from tests.channels.fake_zalo import FakeZalo, ZaloChat
from tests.conftest import START
from tests.harness import Chat, become, pick, register

# "bạn" as the pronoun (a whole word) — what a person called "bác" must never read.
PRONOUN = re.compile(r"(?<!\w)[Bb]ạn(?!\w)")
# "bạn" meaning a friend, which stays as it is whatever the reader's word.
FRIEND = re.compile(r"(?<!\w)[Bb]ạn (bè|học|thân)(?!\w)")


def pronouns(text: str) -> list[str]:
    """Return the pronoun "bạn" left in a text (friend senses excepted)."""
    return PRONOUN.findall(FRIEND.sub("", text))


# --- the render-time mapping --------------------------------------------------------------

@pytest.mark.parametrize("word, source, expected", [
    ("bác", "Bạn gõ tên của bạn.", "Bác gõ tên của bác."),
    ("chị", "Cảm ơn bạn!", "Cảm ơn chị!"),
    ("cô", "BẠN CHƯA ĐĂNG KÝ", "CÔ CHƯA ĐĂNG KÝ"),
    ("chú", "người thân, [bạn] bè mà bạn vận động", "người thân, bạn bè mà chú vận động"),
    ("anh", "[Bạn] bè", "Bạn bè"),
    ("bác", "{name} mời [bạn] cùng thi", "{name} mời bạn cùng thi"),
    ("bạn", "[bạn] học của bạn", "bạn học của bạn"),
    ("bác", "bạnbè, Bạn-bè", "bạnbè, Bác-bè"),
])
def test_templates_take_the_persons_word(word: str, source: str, expected: str) -> None:
    assert address_template(source, word) == expected


def test_params_are_filled_in_as_typed() -> None:
    messages = Messages({"x": "Cảm ơn bạn, {name}!"})
    with addressing("bác"):
        assert messages.t("x", name="bạn Lan") == "Cảm ơn bác, bạn Lan!"
    assert messages.t("x", name="Lan") == "Cảm ơn bạn, Lan!"  # outside a person: bạn


@pytest.mark.parametrize("text, word", [
    ("bác", "bác"), ("Gọi tôi là chú", "chú"), ("co", "cô"), ("CHỊ", "chị"), ("ban", "bạn"),
    ("anh", "anh"), ("anh hoặc chị", None), ("ông", None), ("", None),
])
def test_a_typed_word_is_read(text: str, word: str | None) -> None:
    assert read_word(text) == word


def test_the_birth_year_suggests_bac_from_55() -> None:
    assert suggest(1969, 2024) == "bác"
    assert suggest(1970, 2024) == "bạn"
    assert suggest(None, 2024) == "bạn"


# --- the whole catalog, for every word --------------------------------------------------

CATALOG = Messages.load()
KEYS = CATALOG.keys()
OTHER_WORDS = "|".join(WORDS)
DOUBLED = re.compile(rf"(?<!\w)({OTHER_WORDS}) \1(?!\w)", re.IGNORECASE)
BROKEN = re.compile(rf"(?<!\w)({OTHER_WORDS})(bè|học|thân)|(?<!\w)(anh|chị|cô|chú|bác) "
                    rf"(bè|học|thân)(?!\w)", re.IGNORECASE)


@pytest.mark.parametrize("word", WORDS)
def test_no_catalog_message_renders_a_broken_form(word: str) -> None:
    problems = []
    for key in KEYS:
        source = CATALOG.raw(key)
        rendered = CATALOG.template(key, word)
        if "[" in rendered and re.search(r"\[(bạn|Bạn|BẠN)\]", rendered):
            problems.append(f"{key}: marker left: {rendered}")
        if DOUBLED.search(rendered) and not DOUBLED.search(source):
            problems.append(f"{key}: doubled word: {rendered}")
        if BROKEN.search(rendered):
            problems.append(f"{key}: friend sense replaced: {rendered}")
        marked = len(re.findall(r"\[[Bb]ạn\](?! (?:bè|học|thân))", source))
        if word != "bạn" and len(pronouns(rendered)) != marked:
            problems.append(f"{key}: 'bạn' left: {rendered}")
    assert not problems, "\n".join(problems)


def test_friend_senses_in_the_catalog_are_marked() -> None:
    """A "bạn bè" / "bạn học" / "bạn thân" written without [ ] would become "bác bè"."""
    unmarked = [key for key in KEYS
                if re.search(r"(?<![\w\[])[Bb]ạn (bè|học|thân)(?!\w)",
                             CATALOG.raw(key))]
    assert not unmarked, unmarked


# --- conversations -------------------------------------------------------------------------

async def test_registration_suggests_bac_for_an_elder_who_may_choose_another(
        chat: Chat, app: App) -> None:
    await chat.send("/toi")
    await chat.reply()
    for line in ("1", "1", "1", "trần văn minh", "1962", "nhan ly"):
        await chat.send(line)
        await chat.reply()
    summary = chat.last.text if chat.last else ""
    assert "Họ và tên: Trần Văn Minh" in summary  # capitalised as a name
    assert "Trợ lý gọi bạn là: “bác”" in summary
    await pick(chat, "Sửa")
    await chat.reply()
    await pick(chat, "Cách gọi")
    asked = await chat.reply()
    assert "gọi mình là gì" in asked and chat.choices()[:6] == [f"“{w}”" for w in WORDS]
    await chat.send("chú")
    assert "Trợ lý gọi bạn là: “chú”" in await chat.reply()
    await chat.send("Lưu")
    assert "Đăng ký xong. Cảm ơn chú, Trần Văn Minh!" in await chat.reply()
    profile = await chat.reply()
    assert "Trợ lý gọi chú là: “chú”" in profile and not pronouns(profile)
    async with app.sessions() as session:
        person = await session.scalar(select(PersonRow).where(
            PersonRow.full_name == "Trần Văn Minh"))
    assert person is not None and person.address == "chú"


async def test_a_young_person_keeps_ban_and_changes_it_in_toi(chat: Chat) -> None:
    profile = await register(chat, year="1995")
    assert "Trợ lý gọi bạn là: “bạn”" in profile
    await pick(chat, "Đổi cách Trợ lý gọi mình")
    await chat.reply()
    await chat.send("3")  # the third word is always "chị"
    changed = await chat.reply()
    assert "Đã cập nhật hồ sơ." in changed and "Trợ lý gọi chị là: “chị”" in changed
    await chat.send("/nhacnho")
    assert not pronouns(await chat.reply())


async def test_unregistered_people_are_called_ban(chat: Chat) -> None:
    await chat.send("dân vận khéo hết hạn ngày nào")
    answer = await chat.reply()
    await chat.send("/toi")
    assert pronouns(await chat.reply()) or pronouns(answer)


COMMANDS = ("/menu", "/help", "/toi", "/chuongtrinh", "/guongtot", "/vandong", "/nhacnho",
            "/quyenriengtu", "/congtrinh", "/hoinghi", "/duyet", "/thongbao", "/quyen",
            "/lienket", "xin chào", "dân vận khéo hết hạn ngày nào", "/khongco", "99")
# Into the first steps of the features' forms: each line of a walk answers the last reply.
WALKS = (("/guongtot", "1", "1"), ("/vandong", "1"), ("/quyenriengtu", "1"),
         ("/toi", "1", "xyz"), ("/thongbao", "1"), ("/nhacnho", "1"))


async def test_an_elder_reads_bac_in_every_feature(chat: Chat) -> None:
    """A liaison and admin called "bác" opens every command: no reply says "bạn"."""
    await register(chat, year="1955", user="ong_tu")
    await become(chat, "ong_tu", "admin")
    said_bac = 0
    for walk in (*((line,) for line in COMMANDS), *WALKS):
        for line in walk:
            await chat.send(line)
            for reply in await chat.replies():
                assert not pronouns(reply), f"{walk} at {line}: {reply}"
                said_bac += bool(re.search(r"(?<!\w)[Bb]ác(?!\w)", reply))
        await chat.send("/huy")
        await chat.replies()
    assert said_bac >= 5


async def test_a_pushed_notice_speaks_to_its_recipient(db_url: str) -> None:
    """Over the Zalo fake: the same notice reads "Bác" for an elder, "Bạn" for Lan."""
    zalo = FakeZalo(ZALO_TOKEN)
    await zalo.start()
    settings = Settings(_env_file=None, database_url=db_url,  # type: ignore[call-arg]
                        zalo_bot_token=ZALO_TOKEN, zalo_api_base=zalo.base_url,
                        zalo_poll_timeout=1, rate_limit_messages=100)
    app = create_app(settings, MovableClock(start=START))
    await app.start()
    channels = make_channels(app)
    targets = {c.name: c for c in channels}
    await start_channels(channels)
    try:
        people, chats = {}, {}
        for user, name, year in (("zalo-tu", "Lê Văn Tư", "1950"),
                                 ("zalo-lan", "Vũ Thị Lan", "1990")):
            chat = chats[user] = ZaloChat(zalo, user)
            for line in ("/toi", "1", "1", "1", name, year, "nhan ly", "Lưu"):
                chat.send(line)
                await chat.reply()
            await chat.reply()  # the profile
            async with app.sessions() as session:
                people[user] = await session.scalar(select(PersonRow.id).where(
                    PersonRow.full_name == name))
        async with app.sessions() as session:
            for user, person_id in people.items():
                assert person_id is not None
                await app.delivery.notify(session, person_id, f"test:{user}",
                                          "deeds.notice.return",
                                          {"id": 1, "what": "Trả lại ví", "text": "Ở đâu?"})
            await session.commit()
        texts = {}
        for user in people:
            chat = chats[user]
            for _attempt in range(20):
                await app.delivery.run_once(targets, tick=False)
                try:
                    texts[user] = await chat.reply(timeout=0.3)
                    break
                except AssertionError:
                    continue
        assert "Bác mở /guongtot" in texts["zalo-tu"] and not pronouns(texts["zalo-tu"])
        assert "Bạn mở /guongtot" in texts["zalo-lan"]
    finally:
        await stop_channels(channels)
        await app.close()
        await zalo.close()
