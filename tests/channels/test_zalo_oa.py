"""The Zalo OA channel over real HTTP against the local fake of the OA Open API."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.app.cli import build_parser
from bot.app.cli import main as cli_main
from bot.channels.webhook import WebhookServer
from bot.channels.zalo_oa import CHOICE_PREFIX, ZaloOAChannel
from bot.channels.zalo_oa_api import ZaloOAApi, ZaloOAError, ZaloOAuth, consent_url
from bot.channels.zalo_oa_connect import connect
from bot.channels.zalo_oa_tokens import OATokens, store_first_grant
from bot.core.channel_errors import RetryAfter, Unreachable
from bot.core.clock import MovableClock
from bot.core.types import Attachment, AttachmentKind, Reply
from content.messages import Messages
from storage.db import create_engine, session_factory
from storage.zalo_oa.repo import ZaloOARepo
from tests.channels.conftest import TEXTS, BlockedLog
from tests.channels.fake_zalo_oa import FakeZaloOA, OAChat, sign
from tests.channels.scripted import ScriptedCore
from tests.conftest import START, make_settings


@dataclass
class OA:
    """A running OA channel wired to the fake, its database and clock."""

    fake: FakeZaloOA
    channel: ZaloOAChannel
    tokens: OATokens
    clock: MovableClock
    core: ScriptedCore
    sessions: Any


async def build(db_url: str, *, start: bool = True, **options: Any) -> AsyncIterator[OA]:
    clock = MovableClock(start=START)
    fake = FakeZaloOA(clock)
    await fake.start()
    engine = create_engine(db_url)
    sessions = session_factory(engine)
    api = ZaloOAApi(base_url=fake.base_url, rate_backoff=0.01)
    oauth = ZaloOAuth(fake.app_id, fake.app_secret, fake.base_url, session_factory=api.session)
    tokens = OATokens(sessions, oauth, fake.oa_id, now=clock.now)
    api.tokens = tokens
    await store_first_grant(sessions, oauth, fake.oa_id, fake.issue_code(), now=clock.now)
    server = WebhookServer("127.0.0.1", 0)
    core = ScriptedCore()
    channel = ZaloOAChannel(api, app_id=fake.app_id, oa_id=fake.oa_id,
                            oa_secret_key=fake.oa_secret_key, app_secret=fake.app_secret,
                            handle=core.handle, on_blocked=BlockedLog(), texts=TEXTS,
                            webhook_server=server, sessions=sessions, tokens=tokens,
                            now=clock.now, typing_delay=5.0, **options)
    if start:
        await channel.start()
        fake.webhook_url = f"http://127.0.0.1:{server.port}/webhook/zalo_oa"
    try:
        yield OA(fake, channel, tokens, clock, core, sessions)
    finally:
        await channel.stop()
        await fake.close()
        await engine.dispose()


@pytest.fixture
async def oa(db_url: str) -> AsyncIterator[OA]:
    async for made in build(db_url):
        yield made


async def test_connect_stores_the_first_pair_and_a_code_works_once(oa: OA) -> None:
    async with oa.sessions() as session:
        grant = await ZaloOARepo(session).grant(oa.fake.oa_id)
    assert grant is not None and grant.access_token in oa.fake.grants
    left = grant.expires_at - oa.clock.now()
    assert timedelta(hours=24, minutes=59) < left <= timedelta(hours=25)
    link = consent_url(oa.fake.app_id, oa.fake.redirect_uri, verifier="v" * 43, state="s1")
    assert link.startswith("https://oauth.zaloapp.com/v4/oa/permission?app_id=")
    assert "code_challenge=" in link and "redirect_uri=https%3A%2F%2F" in link
    oauth = ZaloOAuth(oa.fake.app_id, oa.fake.app_secret, oa.fake.base_url,
                      session_factory=oa.channel._api.session)
    code = oa.fake.issue_code()
    await oauth.exchange(code)
    with pytest.raises(Exception, match="invalid_grant"):
        await oauth.exchange(code)  # single use


async def test_conversation_with_buttons_and_numbered_fallback(oa: OA) -> None:
    chat = OAChat(oa.fake, "u-lan", "Lò Thị Lan")
    await chat.send("/start")
    assert "tên là gì" in await chat.reply()
    await chat.send("Lan")
    assert "Năm sinh" in await chat.reply()
    await chat.send("1990")
    menu_text = await chat.reply()
    assert "1. " in menu_text  # numbered text kept as the fallback
    menu = oa.fake.messages_to("u-lan")[-1]
    buttons = menu["attachment"]["payload"]["buttons"]
    assert 1 <= len(buttons) <= 5
    assert all(b["type"] == "oa.query.hide" and b["payload"].startswith(CHOICE_PREFIX)
               for b in buttons)
    # A tap on a hidden-query button arrives as a text carrying the payload.
    await chat.send(buttons[0]["payload"])
    assert "Bạn đã chọn" in await chat.reply()
    assert oa.core.calls[-1].choice == buttons[0]["payload"][len(CHOICE_PREFIX):]
    assert oa.core.calls[0].display_name == "Lò Thị Lan"
    assert oa.channel.names.lookups == 1  # user/detail is cached


async def test_a_tampered_or_forged_webhook_is_refused(oa: OA) -> None:
    oa.fake.person("u-x")
    event = oa.fake.user_event("user_send_text", "u-x", text="/start")
    assert await oa.fake.deliver(event, tamper=True) == 403
    assert await oa.fake.deliver(event, signature="mac=" + "0" * 64) == 403
    assert await oa.fake.deliver(event, signature="") == 403
    assert await oa.fake.deliver(event, signature="mac=ế") == 403
    await asyncio.sleep(0.2)
    assert oa.core.calls == [] and oa.fake.sent == []


async def test_a_replayed_webhook_is_answered_200_and_handled_once(oa: OA) -> None:
    chat = OAChat(oa.fake, "u-rep")
    await chat.send("/start")
    await chat.reply()
    assert await oa.fake.replay() == 200
    await chat.assert_silent()
    # An old signed body (beyond Zalo's retry schedule) is ignored even with a new msg_id.
    old = oa.fake.user_event("user_send_text", "u-rep", text="/start")
    oa.clock.advance(timedelta(hours=14))
    assert await oa.fake.deliver(old) == 200
    await chat.assert_silent()
    assert len(oa.core.calls) == 1


async def test_mac_variants_are_accepted_and_the_match_is_logged(
        oa: OA, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.channels.zalo_oa")
    oa.fake.person("u-v")
    first = oa.fake.user_event("user_send_text", "u-v", text="/start")
    oa.fake._interacted(first)
    body = json.dumps(first, separators=(",", ":")).encode()
    bare = sign(oa.fake.app_id, body, first["timestamp"], oa.fake.oa_secret_key)
    assert await oa.fake._post(body, {"X-ZEvent-Signature": bare,
                                      "Content-Type": "application/json"}) == 200
    second = oa.fake.user_event("user_send_text", "u-v", text="Lan")
    body = json.dumps(second, separators=(",", ":")).encode()
    by_oa = sign(oa.fake.oa_id, body, second["timestamp"], oa.fake.oa_secret_key)
    assert await oa.fake._post(body, {"X-ZEvent-Signature": f"mac={by_oa}"}) == 200
    await oa.fake.wait_sent(2)
    assert {"bare+app_id+oa_secret_key", "mac=+oa_id+oa_secret_key"} <= set(
        oa.channel.variants)  # the echoes of the replies use the documented form
    assert "matched variant bare+app_id+oa_secret_key" in caplog.text
    assert oa.fake.oa_secret_key not in caplog.text


async def test_an_echo_does_not_make_the_bot_answer_itself(oa: OA) -> None:
    chat = OAChat(oa.fake, "u-echo")
    await chat.send("vọng /start")
    assert "Bạn gõ: /start" in await chat.reply()
    for _ in range(50):  # the fake posts the oa_send_text echo of that reply
        if oa.channel.echoes:
            break
        await asyncio.sleep(0.02)
    assert oa.channel.echoes >= 1
    await chat.assert_silent()
    assert [c.text for c in oa.core.calls] == ["vọng /start"]


async def test_follow_and_chatnow_welcome_unfollow_closes(oa: OA) -> None:
    oa.fake.person("u-f", follower=False)
    assert await oa.fake.deliver(oa.fake.follow_event("u-f")) == 200
    await oa.fake.wait_sent(1)
    assert "tên là gì" in oa.fake.texts_to("u-f")[0]
    assert await oa.fake.deliver(oa.fake.chatnow_event("u-f")) == 200
    await oa.fake.wait_sent(2)
    assert await oa.fake.deliver(oa.fake.follow_event("u-f", follow=False)) == 200
    await asyncio.sleep(0.1)
    async with oa.sessions() as session:
        standing = (await ZaloOARepo(session).interactions(oa.fake.oa_id, ["u-f"]))["u-f"]
    assert standing.follower is False and standing.last_interaction_at is not None
    refused = await oa.channel.unreachable(["u-f"], oa.clock.now())
    assert refused == {"u-f": "not following the OA (unfollowed)"}
    assert await oa.fake.deliver(oa.fake.follow_event("u-f")) == 200  # follows again
    await oa.fake.wait_sent(3)
    assert await oa.channel.unreachable(["u-f"], oa.clock.now()) == {}


async def test_long_reply_is_split_on_paragraphs(oa: OA) -> None:
    chat = OAChat(oa.fake, "u-long")
    await chat.send("dài")
    await oa.fake.wait_sent(4)
    texts = oa.fake.texts_to("u-long")
    assert len(texts) >= 4 and all(0 < len(t) <= 2000 for t in texts)
    assert all(not t.startswith(" ") for t in texts)


async def test_a_token_expiring_mid_broadcast_is_refreshed_once_and_nothing_lost(
        oa: OA) -> None:
    users = [f"u-b{i}" for i in range(60)]
    for user in users:
        oa.fake.person(user)
        oa.fake._interacted(oa.fake.user_event("user_send_text", user, text="hi"))
    text = Reply("Thông báo: họp tổng kết 8 giờ sáng Chủ nhật.")
    await asyncio.gather(*(oa.channel.send(u, text) for u in users[:20]))
    oa.fake.expire_all_access_tokens()
    await asyncio.gather(*(oa.channel.send(u, text) for u in users[20:]))
    assert oa.fake.refreshes == 1
    assert sorted(m["recipient"]["user_id"] for m in oa.fake.sent) == sorted(users)
    async with oa.sessions() as session:
        grant = await ZaloOARepo(session).grant(oa.fake.oa_id)
    assert grant is not None and oa.fake.grants[grant.access_token].refresh_used is False


async def test_two_token_keepers_on_one_database_refresh_once(oa: OA) -> None:
    other = OATokens(oa.sessions, ZaloOAuth(oa.fake.app_id, oa.fake.app_secret,
                                            oa.fake.base_url,
                                            session_factory=oa.channel._api.session),
                     oa.fake.oa_id, now=oa.clock.now)
    oa.clock.advance(timedelta(hours=24, minutes=30))  # inside the refresh margin
    first, second = await asyncio.gather(oa.tokens.access_token(), other.access_token())
    assert first == second and oa.fake.refreshes == 1


async def test_a_refused_refresh_is_terminal_and_reported(oa: OA) -> None:
    async with oa.sessions() as session:
        grant = await ZaloOARepo(session).grant(oa.fake.oa_id)
    assert grant is not None
    oa.fake._by_refresh[grant.refresh_token].refresh_used = True  # someone else used it
    oa.fake.expire_all_access_tokens()
    oa.fake.person("u-t")
    oa.fake._interacted(oa.fake.user_event("user_send_text", "u-t", text="hi"))
    with pytest.raises(ZaloOAError):
        await oa.channel._api.send_cs("u-t", {"text": "x"})
    assert oa.tokens.state == "failed"
    assert oa.channel.health() == {"state": "down", "error": "token"}  # as /readyz shows
    async with oa.sessions() as session:
        stored = await ZaloOARepo(session).grant(oa.fake.oa_id)
    assert stored is not None and stored.failed_at is not None


async def test_rate_limit_bursts_back_off_and_expired_uploads_are_sent_again(oa: OA) -> None:
    oa.fake.person("u-r")
    oa.fake._interacted(oa.fake.user_event("user_send_text", "u-r", text="hi"))
    oa.fake.burst_32(2)
    await oa.channel.send("u-r", Reply("Sau hai lần -32 vẫn đến."))
    assert oa.fake.texts_to("u-r") == ["Sau hai lần -32 vẫn đến."]
    export = Attachment(AttachmentKind.DOCUMENT, data=b"%PDF-1.4 test", filename="bao-cao.pdf")
    photo = Attachment(AttachmentKind.PHOTO, data=b"\xff\xd8jpeg", filename="anh.jpg")
    oa.fake.fail("v3.0/oa/message/cs", -100)  # the first send finds the upload expired
    await oa.channel.send("u-r", Reply("", attachments=[export, photo]))
    bodies = oa.fake.messages_to("u-r")
    assert bodies[-2]["attachment"]["type"] == "file"
    assert bodies[-1]["attachment"]["payload"]["elements"][0]["attachment_id"]
    assert [u["path"] for u in oa.fake.uploads] == ["v2.0/oa/upload/file",
                                                    "v2.0/oa/upload/file",
                                                    "v2.0/oa/upload/image"]


async def test_the_window_decides_who_can_be_reached(db_url: str) -> None:
    async for oa in build(db_url):
        for user in ("u-new", "u-3d", "u-8d"):
            oa.fake.person(user)
        oa.fake._interacted(oa.fake.user_event("user_send_text", "u-8d", text="a"))
        await oa.channel._ledger("u-8d", oa.clock.now(), follower=None, interaction=True)
        oa.clock.advance(timedelta(days=5))
        await oa.channel._ledger("u-3d", oa.clock.now(), follower=None, interaction=True)
        oa.fake._interacted(oa.fake.user_event("user_send_text", "u-3d", text="a"))
        oa.clock.advance(timedelta(days=3))
        await oa.channel._ledger("u-new", oa.clock.now(), follower=None, interaction=True)
        oa.fake._interacted(oa.fake.user_event("user_send_text", "u-new", text="a"))
        refused = await oa.channel.unreachable(["u-new", "u-3d", "u-8d", "u-never"],
                                               oa.clock.now())
        assert set(refused) == {"u-3d", "u-8d", "u-never"}
        assert "paid" in refused["u-3d"] and "7 days" in refused["u-8d"]
        oa.channel.allow_paid_sends = True
        refused = await oa.channel.unreachable(["u-new", "u-3d", "u-8d"], oa.clock.now())
        assert set(refused) == {"u-8d"}
        with pytest.raises(Unreachable, match="-230"):
            await oa.channel.send("u-8d", Reply("Ngoài cửa sổ"))
        oa.channel.template_id = "tpl-42"
        assert await oa.channel.unreachable(["u-8d"], oa.clock.now()) == {}
        await oa.channel.send("u-8d", Reply("Nhắc nộp báo cáo"))
        assert oa.fake.templates[-1]["template_id"] == "tpl-42"


async def test_thidua_zalo_oa_connect_stores_the_pair_from_the_pasted_callback(
        db_url: str) -> None:
    clock = MovableClock()
    fake = FakeZaloOA(clock)
    await fake.start()
    settings = make_settings(db_url, zalo_oa_app_id=fake.app_id,
                             zalo_oa_app_secret=fake.app_secret,
                             zalo_oa_secret_key=fake.oa_secret_key, zalo_oa_id=fake.oa_id,
                             zalo_oa_redirect_uri=fake.redirect_uri,
                             zalo_oa_api_base=fake.base_url, zalo_oa_oauth_base=fake.base_url,
                             zalo_oa_pkce_verifier="k" * 43)
    messages = Messages.load()
    printed: list[str] = []
    code = fake.issue_code(code_verifier="k" * 43)
    pasted = f"{fake.redirect_uri}?code={code}&oa_id={fake.oa_id}&state=st-1"
    try:
        assert await connect(settings, messages.t, printed.append, lambda: "nothing here",
                             state="st-1") == 1
        assert "Không thấy mã code" in printed[-1]
        assert await connect(settings, messages.t, printed.append,
                             lambda: pasted.replace("st-1", "other"), state="st-1") == 1
        assert "state khác" in printed[-1]
        assert await connect(settings, messages.t, printed.append, lambda: pasted,
                             state="st-1") == 0
        assert f"{fake.base_url}/v4/oa/permission?app_id={fake.app_id}" in printed[-3]
        assert "Đã kết nối OA" in printed[-1]
        engine = create_engine(db_url)
        async with session_factory(engine)() as session:
            grant = await ZaloOARepo(session).grant(fake.oa_id)
        await engine.dispose()
        assert grant is not None and grant.access_token in fake.grants
        assert await connect(settings, messages.t, printed.append, lambda: pasted,
                             state="st-1") == 1  # the code is single use
        assert "từ chối" in printed[-1] and fake.app_secret not in "".join(printed)
    finally:
        await fake.close()


async def test_night_refusal_waits_for_morning_and_a_long_burst_pauses(oa: OA) -> None:
    oa.fake.person("u-n")
    oa.fake._interacted(oa.fake.user_event("user_send_text", "u-n", text="hi"))
    oa.clock.set(datetime(2024, 4, 10, 23, 0))
    oa.fake.fail("v3.0/oa/message/cs", -234)
    with pytest.raises(RetryAfter) as night:
        await oa.channel.send("u-n", Reply("Nhắc việc"))
    assert 6.9 * 3600 < night.value.seconds <= 7 * 3600  # until 06:00 in Việt Nam
    with pytest.raises(RetryAfter):  # the whole channel waits: nothing is tried at night
        await oa.channel.send("u-n", Reply("Nhắc việc"))
    oa.channel._paused_until = 0.0  # as in the morning
    oa.fake.burst_32(10)  # more than the client's 3 retries
    with pytest.raises(RetryAfter) as burst:
        await oa.channel.send("u-n", Reply("Nhắc việc"))
    assert burst.value.seconds == 60.0
    assert [code for _, code in oa.fake.refused] == [-234, -32, -32, -32, -32]
    assert oa.fake.texts_to("u-n") == []


def test_thidua_zalo_oa_connect_without_settings_says_what_to_set(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    for name in ("ZALO_OA_APP_ID", "ZALO_OA_APP_SECRET", "ZALO_OA_SECRET_KEY", "ZALO_OA_ID",
                 "ZALO_OA_REDIRECT_URI"):
        monkeypatch.delenv(name, raising=False)
    assert "zalo-oa" in build_parser().format_help()
    assert cli_main(["zalo-oa", "connect"]) == 2
    assert "Chưa cấu hình Zalo OA" in capsys.readouterr().out


async def test_the_token_keeper_ends_with_the_channel(oa: OA) -> None:
    """Stopping the channel ends its token keeper: no task is left behind."""
    [keeper] = [t for t in asyncio.all_tasks() if t.get_name() == "zalo_oa-token"]
    await oa.channel.stop()
    assert keeper.done()
